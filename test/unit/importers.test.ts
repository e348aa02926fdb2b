/**
 * Import from realistic LiteLLM and Continue configs, export to LiteLLM, and the environment variable names the CLI
 * and the export share. Imported manifests must validate with no errors and never contain an inline key.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { credentialFromEnv, credentialValuesInEnv, credentialVariables, envBase, envCollisions, envSegment } from '../../src/core/import-export/exporters/envNames';
import { ExportError, exportLiteLLM } from '../../src/core/import-export/exporters/litellm';
import { ImportError, inlineKeyValue, type ImportResult } from '../../src/core/import-export/importers/common';
import { importContinue } from '../../src/core/import-export/importers/continue';
import { importLiteLLM } from '../../src/core/import-export/importers/litellm';
import { example, fixture, repoRoot } from './helpers';

const LITELLM_INLINE_KEY = 'sk-test-inline-anthropic-0123456789abcdefXYZ';
const CONTINUE_INLINE_KEY = 'sk-ant-test-inline-continue-0123456789abcdef';

function connections(r: ImportResult): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of r.models) for (const c of m.connections) out[`${String(m.model.name)}/${String(c.name)}`] = { ...m.model, ...c };
  return out;
}

function assertClean(r: ImportResult, inlineKey: string): void {
  const analysis = analyzeManifest(r.manifest);
  assert.deepStrictEqual(analysis.problems.filter((p) => p.severity === 'error'), [], r.manifest);
  assert.ok(!r.manifest.includes(inlineKey), 'the inline key is not in the manifest');
  assert.ok(!JSON.stringify(r).includes(inlineKey), 'nor anywhere in the result');
  assert.ok(!r.manifest.includes('os.environ') && !r.manifest.includes('${{'), 'no references either');
}

describe('import: LiteLLM', () => {
  const text = fixture('import', 'litellm-config.yaml');
  const result = importLiteLLM(text, { today: '2026-11-22', addedBy: 'ci', sourceName: 'config.yaml', env: {} });
  const conns = connections(result);
  const warnings = result.warnings.map((w) => w.message).join('\n');

  it('writes a manifest that validates with no errors and holds no key', () => {
    assertClean(result, LITELLM_INLINE_KEY);
    assert.match(result.manifest, /^# Imported from the LiteLLM config config\.yaml/);
  });

  it('maps each provider prefix', () => {
    const provider = (ref: string) => [conns[ref]?.provider, conns[ref]?.model];
    assert.deepStrictEqual(provider('gpt-4o/default'), ['openai', 'gpt-4o']);
    assert.deepStrictEqual(provider('claude-sonnet/default'), ['anthropic', 'claude-sonnet-4-5-20250929']);
    assert.deepStrictEqual(provider('claude-bedrock/us-east-1'), ['amazon-bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    assert.deepStrictEqual(provider('nova-pro/us-east-1'), ['amazon-bedrock', 'amazon.nova-pro-v1:0'], 'converse/ is not part of the model ID');
    assert.deepStrictEqual(provider('gemini-flash/default'), ['google-gemini', 'gemini-2.5-flash']);
    assert.strictEqual(conns['gemini-flash/default'].apiVersion, 'v1');
    assert.strictEqual(conns['gemini-preview/default'].apiVersion, 'v1beta', 'preview models get v1beta');
    assert.deepStrictEqual(provider('command-r/default'), ['cohere', 'command-r-08-2024']);
    assert.deepStrictEqual(provider('llama-fast/groq'), ['generic', 'llama-3.1-8b-instant']);
    assert.strictEqual(conns['llama-fast/groq'].baseUrl, 'https://api.groq.com/openai/v1');
    assert.deepStrictEqual(conns['llama-fast/groq'].advancedProperties, { headers: { 'X-Team': 'platform' } });
    assert.strictEqual(conns['local-llama/local'].baseUrl, 'http://localhost:11434/v1');
    assert.strictEqual(conns['local-llama/local'].authHeader, 'none');
    assert.strictEqual(conns['vllm-qwen/vllm'].model, 'Qwen/Qwen2.5-Coder-32B-Instruct');
    assert.strictEqual(conns['gpt-4o/default'].type, 'easy');
    assert.strictEqual(conns['llama-fast/groq'].type, 'api');
  });

  it('turns a repeated model_name into connections, and resolves litellm_credential_name', () => {
    const gpt41 = result.models.find((m) => m.model.name === 'gpt-4.1')!;
    assert.deepStrictEqual(gpt41.connections.map((c) => [c.name, c.endpoint, c.deployment, c.apiVersion]), [
      ['contoso-eastus', 'https://contoso-eastus.openai.azure.com', 'gpt-41-eastus', '2025-04-01-preview'],
      ['contoso-sweden', 'https://contoso-sweden.openai.azure.com', 'gpt-41-sweden', 'v1'],
    ]);
    assert.strictEqual(gpt41.model.model, 'gpt-4.1', 'model_info.base_model without azure/');
    const eu = conns['gpt-4o-azure/contoso-eu'];
    assert.deepStrictEqual([eu.provider, eu.model, eu.endpoint, eu.deployment, eu.apiVersion], ['azure-openai', 'gpt-4o', 'https://contoso-eu.openai.azure.com', 'gpt-4o-eu', '2024-10-21']);
    assert.match(warnings, /`gpt-4o` names entries with different providers or model codes; .* openai `gpt-4o` \(line 5\) kept the name; azure-openai `gpt-4o` \(line 15\) became the model `gpt-4o-azure`\./);
  });

  it('lists the keys to store by connection: inline (without the value), env references and defaults', () => {
    const inline = result.keysToStore.filter((k) => k.source === 'inline');
    assert.deepStrictEqual(inline.map((k) => [k.model, k.connection, k.field, k.cliVariable]), [['claude-sonnet', 'default', 'apiKey', 'AGENT_CONNECTIONS__CLAUDE_SONNET__DEFAULT__API_KEY']]);
    assert.strictEqual(text.slice(inline[0].span!.start, inline[0].span!.end), LITELLM_INLINE_KEY, 'the span points at the key in the source');
    assert.strictEqual(inlineKeyValue(text, inline[0]), LITELLM_INLINE_KEY, 'a caller that must store it reads it there');
    const env = (ref: string) => result.keysToStore.filter((k) => `${k.model}/${k.connection}` === ref).map((k) => [k.field, k.source, k.variable]);
    assert.deepStrictEqual(env('gpt-4o/default'), [['apiKey', 'env', 'OPENAI_API_KEY']]);
    assert.deepStrictEqual(env('gpt-4o-azure/contoso-eu'), [['apiKey', 'env', 'AZURE_EU_API_KEY']], 'from the credential');
    assert.deepStrictEqual(env('claude-bedrock/us-east-1'), [['accessKeyId', 'env', 'AWS_ACCESS_KEY_ID'], ['secretAccessKey', 'env', 'AWS_SECRET_ACCESS_KEY']]);
    assert.deepStrictEqual(env('gemini-preview/default'), [['apiKey', 'env', 'GEMINI_API_KEY']], "LiteLLM's default variable");
    assert.ok(result.keysToStore.find((k) => k.model === 'gemini-preview')!.note);
    assert.deepStrictEqual(env('local-llama/local'), []);
  });

  it('warns about everything that does not map', () => {
    for (const re of [
      /`router_settings` was not imported/, /`litellm_settings` was not imported/, /`general_settings` was not imported/,
      /Vertex AI .* skipped/, /wildcard route/, /`rpm`, `tpm`/, /the AWS profile `bedrock-prod` \(`aws_profile_name`\) is not written in the manifest: choose it for this connection with Set Key… → AWS Profile/,
      /`aws_region_name` comes from the environment variable AWS_REGION_NAME, which is not set/, /`us-east-1` was written, check it/,
    ]) assert.match(warnings, re);
    assert.ok(result.warnings.filter((w) => w.line !== undefined).every((w, i, a) => i === 0 || a[i - 1].line! <= w.line!), 'in file order');
    assert.strictEqual(result.warnings.find((w) => /Vertex/.test(w.message))!.line, text.split('\n').findIndex((l) => l.includes('model_name: gemini-vertex')) + 1);
  });

  it('resolves settings (not keys) from the environment it is given', () => {
    const r = importLiteLLM(text, { today: '2026-11-22', env: { AWS_REGION_NAME: 'eu-west-3', OPENAI_API_KEY: 'sk-should-never-be-read-0123456789' } });
    assert.strictEqual(connections(r)['nova-pro/eu-west-3'].region, 'eu-west-3');
    assert.ok(!JSON.stringify(r).includes('sk-should-never-be-read'));
  });

  it('refuses what is not a LiteLLM config, invalid YAML and hostile YAML', () => {
    assert.throws(() => importLiteLLM('models: []\n'), (e: unknown) => e instanceof ImportError && /no `model_list`/.test(e.message));
    assert.throws(() => importLiteLLM('model_list: {a: 1}\n'), ImportError);
    assert.throws(() => importLiteLLM('model_list:\n  - model_name: [\n'), (e: unknown) => e instanceof ImportError && /line \d+/.test(e.message));
    // Aliases are expanded as LiteLLM expands them, but a "billion laughs" file is refused.
    let laughs = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (const [n, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f'], ['h', 'g'], ['i', 'h']]) laughs += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    assert.throws(() => importLiteLLM(`${laughs}model_list: [*i]\n`), (e: unknown) => e instanceof ImportError && /aliases expand to too much/.test(e.message));
    assert.throws(() => importLiteLLM('model_list:\n  - {model_name: x, litellm_params: {model: openai/gpt-4o}}\n  - !!binary aGk=\n'), (e: unknown) => e instanceof ImportError && /Tags/.test(e.message));
    const aliased = importLiteLLM('model_list:\n  - &a {model_name: x, litellm_params: {model: openai/gpt-4o}}\n  - *a\n');
    assert.deepStrictEqual(aliased.models.map((m) => [m.model.name, m.connections.length]), [['x', 1]]);
    assert.throws(() => importLiteLLM('- a\n'), ImportError);
    assert.throws(() => importLiteLLM(''), ImportError);
  });

  it('`include` (LiteLLM merges the listed files): the included files are named to import, never silently lost', () => {
    assert.throws(() => importLiteLLM('include:\n  - model_config.yaml\nlitellm_settings:\n  callbacks: ["prometheus"]\n'),
      (e: unknown) => e instanceof ImportError && /no `model_list` of its own: its models are in the included file `model_config\.yaml`; import it with agent-connections import litellm model_config\.yaml/.test(e.message));
    const r = importLiteLLM('include: [a.yaml, b.yaml]\nmodel_list:\n  - model_name: x\n    litellm_params: {model: openai/gpt-4o}\n', { today: '2026-11-22' });
    assert.strictEqual(r.models.length, 1);
    assert.deepStrictEqual(r.warnings.filter((w) => /include/.test(w.message)).map((w) => [w.line, w.message]), [[1, '`include` lists `a.yaml`, `b.yaml`: the models there were not read; import each with agent-connections import litellm FILE.']]);
  });

  it('imports an empty model_list as an empty manifest', () => {
    const r = importLiteLLM('model_list: []\n', { today: '2026-11-22' });
    assert.deepStrictEqual(analyzeManifest(r.manifest).problems, []);
    assert.strictEqual(r.models.length, 0);
  });
});

describe('import: Continue', () => {
  const text = fixture('import', 'continue-config.yaml');
  const result = importContinue(text, { today: '2026-11-22', sourceName: 'config.yaml' });
  const conns = connections(result);
  const warnings = result.warnings.map((w) => w.message).join('\n');

  it('writes a manifest that validates with no errors and holds no key', () => {
    assertClean(result, CONTINUE_INLINE_KEY);
    assert.ok(!('addedBy' in conns['GPT-4o/default']), 'addedBy only when given');
  });

  it('maps providers, apiBase, env and headers', () => {
    assert.deepStrictEqual([conns['GPT-4o/default'].provider, conns['GPT-4o/default'].model], ['openai', 'gpt-4o']);
    assert.deepStrictEqual([conns['Claude Sonnet 4.5/default'].provider], ['anthropic']);
    const azure = conns['Azure GPT-4.1/contoso-eastus'];
    assert.deepStrictEqual([azure.provider, azure.endpoint, azure.deployment, azure.apiVersion, azure.model], ['azure-openai', 'https://contoso-eastus.openai.azure.com', 'gpt-41-prod', '2024-10-21', 'gpt-4.1']);
    assert.deepStrictEqual([conns['Bedrock Claude/us-east-1'].provider, conns['Bedrock Claude/us-east-1'].region], ['amazon-bedrock', 'us-east-1']);
    const gw = conns['Gateway Llama/llm-gateway'];
    assert.deepStrictEqual([gw.provider, gw.baseUrl, gw.advancedProperties], ['generic', 'https://llm-gateway.example.com/v1', { headers: { 'X-Team': 'platform' } }]);
    assert.deepStrictEqual([conns['Qwen local/local'].baseUrl, conns['Qwen local/local'].authHeader], ['http://localhost:11434/v1', 'none']);
    assert.deepStrictEqual([conns['Codestral/mistral'].baseUrl], ['https://api.mistral.ai/v1']);
    assert.strictEqual(conns['Gemini Pro/default'].provider, 'google-gemini');
    assert.strictEqual(conns['GPT-4o/default'].description, 'Continue roles: chat, edit, apply', 'the roles are kept');
    assert.ok(!('description' in conns['Gemini Pro/default']), 'no roles, no description');
  });

  it('lists secrets and inline keys by connection', () => {
    const keys = result.keysToStore.map((k) => [`${k.model}/${k.connection}`, k.source, k.variable ?? null]);
    assert.deepStrictEqual(keys, [
      ['GPT-4o/default', 'secret', 'OPENAI_API_KEY'],
      ['Claude Sonnet 4.5/default', 'inline', null],
      ['Codestral/mistral', 'secret', 'MISTRAL_API_KEY'],
      ['Azure GPT-4.1/contoso-eastus', 'secret', 'AZURE_OPENAI_API_KEY'],
      ['Gateway Llama/llm-gateway', 'secret', 'GATEWAY_KEY'],
      ['Gemini Pro/default', 'secret', 'GEMINI_API_KEY'],
    ]);
    assert.strictEqual(inlineKeyValue(text, result.keysToStore[1]), CONTINUE_INLINE_KEY);
  });

  it('warns about hub blocks, roles, skipped models and dropped settings', () => {
    for (const re of [
      /hub block `anthropic\/claude-3.7-sonnet`/, /`Embeddings` .* used only for embed/,
      /provider `vertexai` cannot be described/, /`context`, `rules`, `mcpServers`/, /`defaultCompletionOptions`/, /Header `X-Api-Key` carries credentials/,
      /`requestOptions` not imported: `timeout`/, /AWS profile `bedrock`/,
    ]) assert.match(warnings, re);
  });

  it('reads config.json with comments and trailing commas as Continue does; a YAML flow mapping with URLs is left as it is', () => {
    const jsonc = [
      '// Continue config',
      '{',
      '  /* the models */',
      '  "models": [',
      '    { "title": "Local", "provider": "ollama", "model": "qwen2.5-coder:7b", "apiBase": "http://localhost:11434", }, // trailing comma',
      '    { "title": "Remote // not a comment", "provider": "openai", "model": "gpt-4o", "apiKey": "sk-test-jsonc-0000", },',
      '  ],',
      '}',
    ].join('\n');
    const r = importContinue(jsonc, { today: '2026-11-22' });
    assert.deepStrictEqual(r.models.map((m) => [m.model.name, m.model.provider, m.model.model]), [['Local', 'generic', 'qwen2.5-coder:7b'], ['Remote -- not a comment', 'openai', 'gpt-4o']]);
    assert.strictEqual(r.models[0].connections[0].baseUrl, 'http://localhost:11434/v1');
    const key = r.keysToStore.find((k) => k.source === 'inline')!;
    assert.strictEqual(jsonc.slice(key.span!.start, key.span!.end), '"sk-test-jsonc-0000"', 'spans point into the original text');
    assert.strictEqual(inlineKeyValue(jsonc, key), 'sk-test-jsonc-0000');
    const flow = importContinue('{models: [{name: x, provider: ollama, model: y, apiBase: http://gpu-box:11434}]}\n', { today: '2026-11-22' });
    assert.strictEqual(flow.models[0].connections[0].baseUrl, 'http://gpu-box:11434/v1');
  });

  it('refuses what is not a Continue config', () => {
    assert.throws(() => importContinue('model_list: []\n'), (e: unknown) => e instanceof ImportError && /no `models`/.test(e.message));
  });
});

/**
 * Real-shaped configs against golden files: the exact manifest the import writes
 * (`*.expected.yaml` beside the source; regenerate with UPDATE_GOLDEN=1 after a deliberate change, then read the diff).
 */
describe('import: load-balanced groups, Azure deployments, Bedrock regions, credential_list, vLLM and Ollama (golden files)', () => {
  const OPTIONS = { today: '2026-11-22', addedBy: 'ci' };
  /** Settings from the environment LiteLLM runs in (a base URL, never a key). */
  const ENV = { AZURE_WESTEU_API_BASE: 'https://contoso-westeu.openai.azure.com/' };
  const INLINE = ['AKIATESTEXAMPLEEU000', 'test-secret-eu-0123456789abcdefghijklmnopqrstuv', 'sk-test-continue-json-inline-0123456789'];
  const cases: Array<[string, (text: string) => ImportResult]> = [
    ['litellm-loadbalanced.yaml', (t) => importLiteLLM(t, { ...OPTIONS, env: ENV, sourceName: 'litellm-loadbalanced.yaml' })],
    ['continue-apibase.yaml', (t) => importContinue(t, { ...OPTIONS, sourceName: 'continue-apibase.yaml' })],
    ['continue-legacy.json', (t) => importContinue(t, { ...OPTIONS, sourceName: 'continue-legacy.json' })],
  ];
  const results = new Map<string, ImportResult>();
  for (const [name, run] of cases) results.set(name, run(fixture('import', name)));
  const names = (r: ImportResult) => r.models.map((m) => [String(m.model.name), m.connections.map((c) => String(c.name))]);
  const warningsOf = (r: ImportResult) => r.warnings.map((w) => `${w.line ?? '-'}: ${w.message}`).join('\n');

  for (const [name] of cases) {
    it(`${name}: the manifest is exactly the golden file, validates with 0 errors and holds no key`, () => {
      const r = results.get(name)!;
      const golden = path.join(repoRoot, 'test', 'fixtures', 'import', name.replace(/\.(yaml|json)$/, '.expected.yaml'));
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden, r.manifest);
      assert.strictEqual(r.manifest, fs.readFileSync(golden, 'utf8'));
      assert.deepStrictEqual(analyzeManifest(r.manifest).problems.filter((p) => p.severity === 'error'), []);
      for (const key of INLINE) assert.ok(!JSON.stringify(r).includes(key), 'no inline key in the result');
      assert.ok(!/os\.environ|\$\{\{/.test(r.manifest));
      for (const m of r.models) for (const c of m.connections) assert.ok(!/^\d+$/.test(String(c.name)), `${String(m.model.name)}/${String(c.name)}: a connection is never named by a number`);
    });
  }

  describe('LiteLLM', () => {
    const r = results.get('litellm-loadbalanced.yaml')!;
    const model = (name: string) => r.models.find((m) => m.model.name === name)!;
    const w = warningsOf(r);

    it('one model per model_name with one connection per deployment, named by what tells them apart', () => {
      assert.deepStrictEqual(names(r), [
        ['gpt-4o', ['contoso-eastus', 'contoso-sweden', 'contoso-westeu']],
        ['gpt-4.1', ['gpt41-batch', 'gpt41-interactive']],
        ['gpt-4o-mini', ['openai-team-a', 'openai-team-b']],
        ['gpt-4o-mini-azure', ['contoso-eastus']],
        ['claude-sonnet', ['us-east-1', 'us-west-2']],
        ['claude-sonnet-eu', ['eu-central-1']],
        ['qwen-coder', ['gpu-a', 'gpu-b']],
        ['llama-70b', ['llm']],
        ['llama-local', ['local', 'host-10.0.0.12']],
      ]);
    });

    it('azure/<x> is the deployment; the model code is model_info.base_model, else the model_name', () => {
      const gpt4o = model('gpt-4o');
      assert.deepStrictEqual([gpt4o.model.provider, gpt4o.model.model], ['azure-openai', 'gpt-4o']);
      assert.deepStrictEqual(gpt4o.connections.map((c) => [c.endpoint, c.deployment, c.apiVersion]), [
        ['https://contoso-eastus.openai.azure.com', 'gpt-4o-prod-eastus', '2024-10-21'],
        ['https://contoso-sweden.openai.azure.com', 'gpt-4o-prod-sweden', '2024-10-21'],
        ['https://contoso-westeu.openai.azure.com', 'gpt-4o-prod-westeu', '2024-10-21'],
      ]);
      assert.strictEqual(model('gpt-4.1').model.model, 'gpt-4.1');
      assert.match(w, /`gpt-4\.1` \(model_list entry 5\): no `model_info\.base_model`; the model code was taken from `model_name` \(`gpt-4\.1`\), the deployment is `gpt41-batch`/);
    });

    it('a repeated deployment is one connection; another provider or model code under the same name is a separate model, with a warning', () => {
      assert.match(w, /An entry of `gpt-4o` \(line 31\) repeats the one on line 14 \(same settings and key\); it was imported once/);
      assert.match(w, /`gpt-4o-mini` names entries with different providers or model codes; .*openai `gpt-4o-mini` \(lines 54, 58\) kept the name; azure-openai `gpt-4o-mini` \(line 62\) became the model `gpt-4o-mini-azure`/);
      assert.match(w, /`claude-sonnet` names .* amazon-bedrock `eu\.anthropic\.claude-3-5-sonnet-20240620-v1:0` \(line 80\) became the model `claude-sonnet-eu`/);
      assert.strictEqual(model('claude-sonnet').model.model, 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'converse/ is not part of the model ID');
    });

    it('keys: credential_list values and env references by connection; inline keys listed, never copied', () => {
      const keys = r.keysToStore.map((k) => [`${k.model}/${k.connection}`, k.field, k.source, k.variable ?? null]);
      assert.deepStrictEqual(keys.filter(([ref]) => String(ref).startsWith('gpt-4o/')), [
        ['gpt-4o/contoso-eastus', 'apiKey', 'env', 'AZURE_EASTUS_API_KEY'],
        ['gpt-4o/contoso-sweden', 'apiKey', 'env', 'AZURE_SWEDEN_API_KEY'],
        ['gpt-4o/contoso-westeu', 'apiKey', 'env', 'AZURE_WESTEU_API_KEY'],
      ]);
      assert.deepStrictEqual(keys.filter(([ref]) => ref === 'claude-sonnet-eu/eu-central-1'), [
        ['claude-sonnet-eu/eu-central-1', 'accessKeyId', 'inline', null],
        ['claude-sonnet-eu/eu-central-1', 'secretAccessKey', 'inline', null],
      ]);
      const text = fixture('import', 'litellm-loadbalanced.yaml');
      assert.strictEqual(inlineKeyValue(text, r.keysToStore.find((k) => k.source === 'inline')!), 'AKIATESTEXAMPLEEU000', 'read from credential_list on request');
      assert.deepStrictEqual(keys.filter(([ref]) => /^(qwen-coder|llama-)/.test(String(ref))), [], 'api_key: none and local servers: no key');
    });

    it('api_key: none (or empty) is not a key: authHeader none for an OpenAI-compatible server, a warning for a provider or hosted service that needs one', () => {
      for (const c of [...model('qwen-coder').connections, ...model('llama-70b').connections, ...model('llama-local').connections]) assert.strictEqual(c.authHeader, 'none');
      const other = importLiteLLM([
        'model_list:',
        '  - model_name: gpt-4o',
        '    litellm_params: {model: openai/gpt-4o, api_key: none}',
        '  - model_name: groq-llama',
        '    litellm_params: {model: groq/llama-3.1-8b-instant, api_key: ""}',
        '  - model_name: gw',
        '    litellm_params: {model: openai/llama, api_base: "https://gw.example.com/v1", api_key: NONE}',
        '',
      ].join('\n'), OPTIONS);
      assert.deepStrictEqual(other.keysToStore, [], 'neither "none" nor LiteLLM\'s default variable');
      assert.match(warningsOf(other), /`gpt-4o` \(model_list entry 1\): `api_key: none` is not a key; store the key/);
      const conns = connections(other);
      // Groq always needs a key: an empty api_key only means the file does not hold it.
      assert.ok(!('authHeader' in conns['groq-llama/groq']));
      assert.match(warningsOf(other), /`groq-llama` \(model_list entry 2\): `api_key: ''` is not a key, and Groq needs one: store the key/);
      assert.strictEqual(conns['gw/gw'].authHeader, 'none');
      assert.ok(!('authHeader' in conns['gpt-4o/default']));
    });

    it('nothing tells two entries apart: the first keeps the name, the next get -2, -3, with a warning; explicit ids are kept, numeric ids ignored', () => {
      const twin = (key: string, id?: string) => [
        '  - model_name: claude',
        `    litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: ${key}}`,
        ...(id ? [`    model_info: {id: "${id}"}`] : []),
      ];
      const r2 = importLiteLLM(['model_list:', ...twin('sk-test-twin-a-0123456789'), ...twin('sk-test-twin-b-0123456789'), ...twin('sk-test-twin-c-0123456789', '7'), ...twin('os.environ/K', 'claude/backup'), ''].join('\n'), OPTIONS);
      assert.deepStrictEqual(names(r2), [['claude', ['default', 'default-2', 'default-3', 'backup']]]);
      assert.match(warningsOf(r2), /The entries of `claude` \(lines 2, 4, 6\) differ in nothing that can name a connection .*; they were named `default`, `default-2`, `default-3` in file order/);
      assert.ok(!r2.manifest.includes('sk-test-twin'));
    });

    it('when the first telling thing is shared, the next one names them: port, gateway path, API version; LiteLLM ids that are UUIDs name nothing', () => {
      const entry = (name: string, params: string, info = '') => [`  - model_name: ${name}`, `    litellm_params: {${params}}`, ...(info ? [`    model_info: {${info}}`] : [])];
      const azure = (d: string, host: string, v: string) => entry('az', `model: azure/${d}, api_base: "https://${host}.openai.azure.com", api_version: "${v}", api_key: os.environ/K`, 'base_model: gpt-4o');
      const r2 = importLiteLLM(['model_list:',
        ...entry('m', 'model: openai/x, api_base: "http://localhost:8000/v1", api_key: none'), ...entry('m', 'model: openai/x, api_base: "http://localhost:8001/v1", api_key: none'),
        ...azure('d1', 'r', '2024-10-21'), ...azure('d1', 'r', '2025-01-01-preview'), ...azure('d2', 'r2', '2024-10-21'),
        ...entry('gw', 'model: openai/x, api_base: "https://gw.example.com/team-a/v1", api_key: os.environ/K'), ...entry('gw', 'model: openai/x, api_base: "https://gw.example.com/team-b/v1", api_key: os.environ/K'),
        ...entry('o', 'model: gpt-4o', 'id: 3f2b1c9a-1111-2222-3333-444455556666'), ...entry('o', 'model: gpt-4o, api_key: os.environ/OPENAI_PERSONAL_KEY', 'id: o/personal'),
        ''].join('\n'), OPTIONS);
      assert.deepStrictEqual(names(r2), [
        ['m', ['localhost-8000', 'localhost-8001']],
        ['az', ['r-api-2024-10-21', 'r-2025-01-01-preview', 'r2-api-2024-10-21']],
        ['gw', ['team-a', 'team-b']],
        ['o', ['default', 'personal']],
      ]);
      assert.deepStrictEqual(analyzeManifest(r2.manifest).errorCount, 0);
    });

    it('export then import gives the same models and connections', () => {
      const back = importLiteLLM(exportLiteLLM(r.manifest).text, OPTIONS);
      assert.deepStrictEqual(names(back), names(r));
      assert.deepStrictEqual(back.models.map((m) => [m.model.provider, m.model.model]), r.models.map((m) => [m.model.provider, m.model.model]));
      const settings = (x: ImportResult) => x.models.flatMap((m) => m.connections.map((c) => JSON.stringify({ ...c, addedBy: undefined })));
      assert.deepStrictEqual(settings(back), settings(r));
    });
  });

  describe('Continue', () => {
    it('apiBase makes a generic connection named by its host; apiKey none is authHeader none; roles go in the description; a repeated entry is one connection', () => {
      const r = results.get('continue-apibase.yaml')!;
      assert.deepStrictEqual(names(r), [
        ['GPT-4o', ['default']], ['GPT-4o Sweden', ['contoso-sweden']], ['Claude on Bedrock', ['us-west-2']], ['Llama 3.3 70B', ['llm']],
        ['Qwen Coder', ['gpu-a', 'gpu-b']], ['Qwen autocomplete', ['local']], ['LM Studio', ['local']],
      ]);
      const conns = connections(r);
      assert.deepStrictEqual([conns['Llama 3.3 70B/llm'].baseUrl, conns['Llama 3.3 70B/llm'].authHeader], ['https://llm.lab.internal/v1', 'none']);
      assert.strictEqual(conns['Qwen autocomplete/local'].description, 'Continue roles: autocomplete, chat', 'the roles of both entries');
      assert.match(warningsOf(r), /An entry of `Qwen autocomplete` \(line 58\) repeats the one on line 52/);
      assert.deepStrictEqual(r.keysToStore.map((k) => [`${k.model}/${k.connection}`, k.source, k.variable]), [
        ['GPT-4o/default', 'secret', 'OPENAI_API_KEY'], ['GPT-4o Sweden/contoso-sweden', 'secret', 'AZURE_SWEDEN_API_KEY'],
      ]);
    });

    it('config.json: title, Azure as openai + apiType azure with engine, tabAutocompleteModel; an empty apiKey is not a key', () => {
      const r = results.get('continue-legacy.json')!;
      assert.deepStrictEqual(names(r), [['GPT-4o (Azure)', ['contoso-eastus']], ['Llama 3.1 8B', ['local']], ['Claude Sonnet', ['default']], ['Starcoder 3B', ['local']]]);
      const azure = connections(r)['GPT-4o (Azure)/contoso-eastus'];
      assert.deepStrictEqual([azure.provider, azure.model, azure.deployment, azure.apiVersion], ['azure-openai', 'gpt-4o', 'gpt-4o-prod-eastus', '2024-10-21']);
      assert.deepStrictEqual(r.keysToStore.map((k) => [`${k.model}/${k.connection}`, k.source]), [['GPT-4o (Azure)/contoso-eastus', 'inline']]);
      assert.match(warningsOf(r), /`Claude Sonnet` \(models entry 3\): `apiKey: ''` is not a key/);
      assert.match(warningsOf(r), /Not imported \(not model connections\): `embeddingsProvider`, `allowAnonymousTelemetry`/);
    });
  });
});

describe('export: LiteLLM', () => {
  const manifest = example('agent-connections.yaml');
  const result = exportLiteLLM(manifest, { sourceName: 'agent-connections.yaml' });
  // PyYAML reads YAML 1.1.
  const data = parseDocument(result.text, { version: '1.1' }).toJS() as { model_list: Array<{ model_name: string; litellm_params: Record<string, unknown>; model_info: Record<string, unknown> }> };
  const entry = (id: string) => data.model_list.find((e) => e.model_info.id === id)!;

  it('writes one entry per enabled connection, keys as os.environ references', () => {
    assert.strictEqual(data.model_list.length, 11);
    assert.ok(!data.model_list.some((e) => e.model_info.id === 'gpt-4o/staging'), 'disabled connections are left out');
    assert.match(result.warnings.join('\n'), /gpt-4o\/staging is disabled/);
    assert.deepStrictEqual(entry('gpt-4o/prod-key-1').litellm_params, { model: 'openai/gpt-4o', api_key: 'os.environ/AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1__API_KEY' });
    assert.deepStrictEqual(entry('claude/team-key').litellm_params.model, 'anthropic/claude-sonnet-4-5');
    assert.deepStrictEqual(entry('gemini-pro/research').litellm_params.model, 'gemini/gemini-3.1-pro-preview');
    assert.deepStrictEqual(entry('claude-bedrock/us-east').litellm_params, {
      model: 'bedrock/us.anthropic.claude-opus-4-1-20250805-v1:0',
      aws_region_name: 'us-east-1',
      aws_access_key_id: 'os.environ/AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__ACCESS_KEY_ID',
      aws_secret_access_key: 'os.environ/AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__SECRET_ACCESS_KEY',
    });
    assert.deepStrictEqual(entry('gpt-4-1-azure/eastus').litellm_params, {
      model: 'azure/gpt-41-prod', api_base: 'https://contoso-eastus.openai.azure.com', api_version: '2024-10-21',
      api_key: 'os.environ/AGENT_CONNECTIONS__GPT_4_1_AZURE__EASTUS__API_KEY',
    });
    assert.strictEqual(typeof entry('gpt-4-1-azure/eastus').litellm_params.api_version, 'string', 'not a YAML 1.1 date');
    assert.deepStrictEqual(entry('llama-groq/groq').litellm_params, { model: 'openai/llama-3.1-8b-instant', api_base: 'https://api.groq.com/openai/v1', api_key: 'os.environ/AGENT_CONNECTIONS__LLAMA_GROQ__GROQ__API_KEY' });
    assert.ok(result.connections.find((c) => c.reference === 'claude-bedrock/us-east')!.variables.includes('AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__SECRET_ACCESS_KEY'));
  });

  it('round-trips through the LiteLLM importer', () => {
    const back = importLiteLLM(result.text, { today: '2026-11-22' });
    assert.deepStrictEqual(analyzeManifest(back.manifest).problems.filter((p) => p.severity === 'error'), []);
    const original = analyzeManifest(manifest).models.flatMap((m) => m.connections.filter((c) => c.enabled).map((c) => `${m.name}/${c.name}`));
    const again = back.models.flatMap((m) => m.connections.map((c) => `${String(m.model.name)}/${String(c.name)}`));
    assert.deepStrictEqual(again.sort(), original.sort());
    assert.ok(back.keysToStore.every((k) => k.source === 'env' && k.variable === k.cliVariable), 'the variables are the CLI ones');
  });

  it('refuses manifests with YAML errors or colliding variable names', () => {
    assert.throws(() => exportLiteLLM('version: 1\nmodels: [\n'), ExportError);
    const clash = `version: 1\nmodels:\n  - name: a-b\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n  - name: a_b\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n`;
    assert.throws(() => exportLiteLLM(clash), (e: unknown) => e instanceof ExportError && /a-b\/c and a_b\/c/.test(e.message));
  });
});

describe('environment variable names', () => {
  it('upper-cases and turns every other character into _', () => {
    assert.strictEqual(envSegment('gpt-4o'), 'GPT_4O');
    assert.strictEqual(envSegment('Prod key #1'), 'PROD_KEY__1');
    assert.strictEqual(envSegment('café'), 'CAF_');
    assert.strictEqual(envBase('gpt-4o', 'prod-key-1'), 'AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1');
    assert.deepStrictEqual(credentialVariables('nova', 'us.east', 'aws'), {
      accessKeyId: 'AGENT_CONNECTIONS__NOVA__US_EAST__ACCESS_KEY_ID',
      secretAccessKey: 'AGENT_CONNECTIONS__NOVA__US_EAST__SECRET_ACCESS_KEY',
      sessionToken: 'AGENT_CONNECTIONS__NOVA__US_EAST__SESSION_TOKEN',
      bedrockApiKey: 'AGENT_CONNECTIONS__NOVA__US_EAST__BEDROCK_API_KEY',
      awsProfile: 'AGENT_CONNECTIONS__NOVA__US_EAST__AWS_PROFILE',
    });
    assert.deepStrictEqual(credentialVariables('local', 'ollama', 'none'), {});
  });

  it('Bedrock: __BEDROCK_API_KEY instead of the access key pair; both at once is refused by variable name, never by value', () => {
    const key = 'bedrock-api-key-test-env-0005';
    assert.deepStrictEqual(credentialFromEnv({ AGENT_CONNECTIONS__N__R__BEDROCK_API_KEY: `${key}\n` }, 'n', 'r', 'aws'), { kind: 'found', credential: { kind: 'bedrockApiKey', apiKey: key }, secrets: [key] });
    const both = credentialFromEnv({ AGENT_CONNECTIONS__N__R__BEDROCK_API_KEY: key, AGENT_CONNECTIONS__N__R__ACCESS_KEY_ID: 'AKIDTESTEXAMPLE0000' }, 'n', 'r', 'aws');
    assert.strictEqual(both.kind, 'invalid');
    assert.ok(both.kind === 'invalid' && both.variable === 'AGENT_CONNECTIONS__N__R__BEDROCK_API_KEY' && /not both/.test(both.problem));
    assert.ok(!JSON.stringify(both).includes(key));
    assert.ok(credentialValuesInEnv({ AGENT_CONNECTIONS__N__R__BEDROCK_API_KEY: key }).includes(key), 'the CLI redacts it');
    // Not a Bedrock connection: the variable is not read.
    assert.deepStrictEqual(credentialFromEnv({ AGENT_CONNECTIONS__N__R__BEDROCK_API_KEY: key }, 'n', 'r', 'apiKey'), { kind: 'missing', variables: ['AGENT_CONNECTIONS__N__R__API_KEY'] });
  });

  it('finds collisions', () => {
    assert.deepStrictEqual(envCollisions([{ model: 'a-b', connection: 'c' }, { model: 'a_b', connection: 'c' }, { model: 'x', connection: 'y' }]), [
      { variable: 'AGENT_CONNECTIONS__A_B__C', references: ['a-b/c', 'a_b/c'] },
    ]);
    assert.strictEqual(envCollisions([{ model: 'a', connection: 'b__c' }, { model: 'a__b', connection: 'c' }]).length, 1);
  });

  it('reads credentials, trims a trailing newline, refuses header-unsafe values without naming them', () => {
    const env = {
      AGENT_CONNECTIONS__M__C__API_KEY: 'sk-abc\n',
      AGENT_CONNECTIONS__M__BAD__API_KEY: 'sk-a\nX-Injected: 1',
      AGENT_CONNECTIONS__B__C__ACCESS_KEY_ID: 'AKIDTESTEXAMPLE0000',
    };
    assert.deepStrictEqual(credentialFromEnv(env, 'm', 'c', 'apiKey'), { kind: 'found', credential: { kind: 'apiKey', apiKey: 'sk-abc' }, secrets: ['sk-abc'] });
    const bad = credentialFromEnv(env, 'm', 'bad', 'apiKey');
    assert.strictEqual(bad.kind, 'invalid');
    assert.ok(!JSON.stringify(bad).includes('X-Injected'));
    assert.deepStrictEqual(credentialFromEnv(env, 'b', 'c', 'aws'), { kind: 'missing', variables: ['AGENT_CONNECTIONS__B__C__SECRET_ACCESS_KEY'], alternative: 'AGENT_CONNECTIONS__B__C__BEDROCK_API_KEY or AGENT_CONNECTIONS__B__C__AWS_PROFILE' });
    assert.deepStrictEqual(credentialFromEnv({}, 'm', 'c', 'none').kind, 'found');
    assert.ok(credentialValuesInEnv(env).includes('sk-abc'));
    assert.ok(!credentialValuesInEnv({ OTHER: 'x', AGENT_CONNECTIONS__X: 'y' }).length);
  });
});
