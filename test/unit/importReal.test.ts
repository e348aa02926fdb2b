/**
 * `agent-connections import` on real LiteLLM and Continue configs from public repositories
 * (test/fixtures/import/real, each naming its source; keys replaced with fake `sk-test-…`
 * ones). Each file is imported by the CLI as a child process: it never crashes, the exit
 * status says what happened, the manifest it writes passes `validate`, no key of the file
 * reaches the manifest, stdout or stderr, and every entry that was not imported is named on
 * stderr with the reason. Then what a few of them must give, per LiteLLM's and Continue's
 * documented meaning of their fields.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { repoRoot } from './helpers';

const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'main.js');
const REAL = path.join(repoRoot, 'test', 'fixtures', 'import', 'real');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Imported {
  run: Run;
  /** The manifest written with --out, when one was written. */
  manifest?: string;
  /** model name → model fields and its connections. */
  models: Record<string, { provider: string; model: string; type: string; connections: Array<Record<string, unknown>> }>;
}

function importFile(file: string, env: Record<string, string> = {}): Imported {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-real-'));
  const kind = file.startsWith('litellm-') ? 'litellm' : 'continue';
  const run = cli(['import', kind, path.join(REAL, file), '--out', 'agent-connections.yaml'], dir, env);
  const out = path.join(dir, 'agent-connections.yaml');
  const manifest = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined;
  const models: Imported['models'] = {};
  if (manifest) {
    const data = parse(manifest) as { models: Array<{ name: string; provider: string; model: string; type: string; connections: Array<Record<string, unknown>> }> };
    for (const m of data.models) models[m.name] = m;
  }
  if (manifest) {
    const v = cli(['validate', '--manifest', 'agent-connections.yaml'], dir);
    assert.strictEqual(v.code, 0, `${file}: the imported manifest validates\n${v.stdout}${v.stderr}\n${manifest}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { run, manifest, models };
}

/** The fake keys and passwords written in a fixture (every real one was replaced by such a value). */
function secretsOf(text: string): string[] {
  return [...new Set(text.match(/\bsk-test-[\w-]+|\btest-[\w-]*password[\w-]*/g) ?? [])];
}

/** The entries of a fixture: LiteLLM model_list, Continue models and tabAutocompleteModel (full-line `//` comments dropped for JSON). */
function entriesOf(file: string, text: string): number {
  let data: Record<string, unknown>;
  try {
    data = parse(text.replace(/^\s*\/\/.*$/gm, ''), { merge: true, uniqueKeys: false }) as Record<string, unknown>;
  } catch {
    return 0;
  }
  if (file.startsWith('litellm-')) return Array.isArray(data.model_list) ? data.model_list.length : 0;
  const tab = data.tabAutocompleteModel;
  return (Array.isArray(data.models) ? data.models.length : 0) + (Array.isArray(tab) ? tab.length : tab ? 1 : 0);
}

const connectionCount = (r: Imported) => Object.values(r.models).reduce((n, m) => n + m.connections.length, 0);
const warningLines = (r: Imported) => r.run.stderr.split('\n').filter((l) => l.startsWith('warning: '));

/** What each file must give; `exit` for all of them. */
const EXIT: Record<string, number> = {
  'litellm-helmi-oss-llmops-stack.yaml': 2,
  'continue-mercurievv-mcp-only.yaml': 2,
  'litellm-gapminder-wildcard.yaml': 1,
  'litellm-roxlukas-wildcards.yaml': 1,
  'litellm-aihpi-embedding.yaml': 1,
  'litellm-govchat-nl-librechat.yaml': 1,
  'continue-ia-generative-onyxia.json': 1,
  'continue-b2f-autodetect.yaml': 1,
  'litellm-jiny0ung-shin-empty-list.yaml': 1,
  'litellm-armmyc-model-from-env.yaml': 1,
};

const files = fs.readdirSync(REAL).filter((f) => /^(litellm|continue)-.*\.(ya?ml|json)$/.test(f)).sort();

describe('import: real configs from public repositories (CLI)', function () {
  this.timeout(120_000);
  const results = new Map<string, Imported>();
  const get = (file: string): Imported => {
    let r = results.get(file);
    if (!r) results.set(file, r = importFile(file));
    return r;
  };

  it('the corpus has at least 15 LiteLLM and 10 Continue configs, each naming its source', () => {
    assert.ok(files.filter((f) => f.startsWith('litellm-')).length >= 15, files.join(', '));
    assert.ok(files.filter((f) => f.startsWith('continue-')).length >= 10, files.join(', '));
    assert.ok(files.some((f) => f.endsWith('.json')) && files.some((f) => f.startsWith('continue-') && f.endsWith('.yaml')), 'both config.json and config.yaml');
    for (const f of files) assert.match(fs.readFileSync(path.join(REAL, f), 'utf8'), /^(#|\/\/) Source: github\.com\/[\w.-]+\/[\w.-]+ @ [0-9a-f]{12}, \S+/, f);
  });

  for (const file of files) {
    it(`${file}: no crash, a meaningful exit status, a manifest that validates, no key in any output, every entry accounted for`, () => {
      const text = fs.readFileSync(path.join(REAL, file), 'utf8');
      const r = get(file);
      const { code, stdout, stderr } = r.run;
      const expected = EXIT[file] ?? 0;
      assert.strictEqual(code, expected, `${file}: exit ${code}\n${stderr}`);
      assert.doesNotMatch(stderr, /\n\s+at |TypeError|RangeError|ReferenceError|Cannot read propert/, `${file}: no stack trace`);
      assert.strictEqual(stdout, '', 'with --out nothing goes to standard output');
      for (const secret of secretsOf(text)) {
        assert.ok(!stderr.includes(secret), `${file}: ${secret} is not on stderr`);
        assert.ok(!(r.manifest ?? '').includes(secret), `${file}: ${secret} is not in the manifest`);
      }
      assert.ok(!(r.manifest ?? '').includes('os.environ/') && !(r.manifest ?? '').includes('${{'), 'no references in the manifest');
      if (expected === 2) {
        assert.strictEqual(r.manifest, undefined, 'nothing written');
        assert.match(stderr, /^agent-connections: /m);
        return;
      }
      if (expected === 1) {
        assert.strictEqual(r.manifest, undefined, 'nothing imported: no manifest written');
        assert.match(stderr, /No model could be imported|lists no models/);
      } else {
        assert.ok(r.manifest, 'a manifest was written');
        assert.match(stderr, new RegExp(`Imported ${Object.keys(r.models).length} models? with ${connectionCount(r)} connections?`));
      }
      // Every entry is a connection, a repeat imported once, or named as skipped with its reason.
      const warnings = warningLines(r);
      const skipped = warnings.filter((l) => /\bskipped\b/.test(l) && /(model_list|models|tabAutocompleteModel) entry \d+|`tabAutocompleteModel`/.test(l));
      const repeats = warnings.filter((l) => /repeats the one .* it was imported once/.test(l));
      const entries = entriesOf(file, text);
      assert.strictEqual(connectionCount(r) + repeats.length + skipped.length, entries, `${file}: ${entries} entries = ${connectionCount(r)} connections + ${repeats.length} repeats + ${skipped.length} skipped\n${stderr}`);
      for (const l of skipped) assert.match(l, /: .{12,}/, `a reason: ${l}`);
      const named = skipped.map((l) => /(?:model_list|models|tabAutocompleteModel) entry (\d+)|`tabAutocompleteModel`/.exec(l)![0]);
      assert.strictEqual(new Set(named).size, named.length, `each skipped entry once: ${named.join(', ')}`);
    });
  }

  const conn = (r: Imported, model: string, i = 0) => r.models[model]?.connections[i];
  const of = (r: Imported, model: string) => r.models[model] && [r.models[model].provider, r.models[model].model];

  describe('what they mean (LiteLLM docs: model_list, provider prefixes, os.environ/, model_info)', () => {
    it('plain provider prefixes and keys from os.environ/ (1aboveio/litellm-deploy)', () => {
      const r = get('litellm-1aboveio-litellm-deploy.yaml');
      assert.deepStrictEqual(Object.keys(r.models), ['gpt-5.4-mini', 'gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514']);
      assert.deepStrictEqual(of(r, 'gpt-4o'), ['openai', 'gpt-4o']);
      assert.deepStrictEqual(of(r, 'claude-sonnet-4-20250514'), ['anthropic', 'claude-sonnet-4-20250514']);
      assert.match(r.run.stderr, /gpt-4o\/default\n {4}apiKey: from the environment variable OPENAI_API_KEY; CI: set AGENT_CONNECTIONS__GPT_4O__DEFAULT__API_KEY/);
    });

    it('a model_name load-balanced over three Ollama hosts is one model with a connection per host (ollama farm)', () => {
      const r = get('litellm-gabrielfranciscosm-ollama-farm.yaml');
      assert.deepStrictEqual(of(r, 'local-chat'), ['generic', 'qwen3.5:0.8b']);
      assert.deepStrictEqual(r.models['local-chat'].connections.map((c) => [c.name, c.baseUrl, c.authHeader]), [
        ['ollama1', 'http://ollama1:11434/v1', 'none'], ['ollama2', 'http://ollama2:11434/v1', 'none'], ['ollama3', 'http://ollama3:11434/v1', 'none'],
      ]);
      assert.match(r.run.stderr, /`tpm`, `rpm`/);
    });

    it('Azure deployments load-balanced over two resources; inline keys listed by connection, never shown (BerriAI azure_config_with_tpm)', () => {
      const r = get('litellm-berriai-azure-tpm.yaml');
      assert.deepStrictEqual(of(r, 'gpt-3.5-turbo'), ['azure-openai', 'gpt-3.5-turbo']);
      assert.deepStrictEqual(r.models['gpt-3.5-turbo'].connections.map((c) => [c.name, c.endpoint, c.deployment, c.apiVersion]), [
        ['my-endpoint-canada-berri992', 'https://my-endpoint-canada-berri992.openai.azure.com', 'gpt-35-1', '2024-10-21'],
        ['my-endpoint-europe-berri-992', 'https://my-endpoint-europe-berri-992.openai.azure.com', 'gpt-35-2', '2024-10-21'],
      ]);
      assert.strictEqual((r.run.stderr.match(/apiKey: written inline in \S*litellm-berriai-azure-tpm\.yaml \(line \d+\)/g) ?? []).length, 2);
    });

    it('Azure endpoint and API version from os.environ/: skipped naming the variable when unset, imported when set; an embedding deployment is not a chat model (GovChat)', () => {
      const unset = get('litellm-govchat-nl-librechat.yaml');
      assert.match(unset.run.stderr, /`gpt-5\.4` \(model_list entry 2\): `api_base` comes from the environment variable AZURE_OPENAI_API_BASE, which is not set here; set it and import again\. It was skipped\./);
      assert.match(unset.run.stderr, /`govchat-embedding` \(model_list entry 1\): .*embedding.*skipped/);
      const set = importFile('litellm-govchat-nl-librechat.yaml', { AZURE_OPENAI_API_BASE: 'https://govchat-test.openai.azure.com/', AZURE_OPENAI_API_VERSION: '2025-04-01-preview' });
      assert.strictEqual(set.run.code, 0, set.run.stderr);
      assert.deepStrictEqual(Object.keys(set.models), ['gpt-5.4', 'govchat-default', 'govchat-versimpelaar']);
      const c = conn(set, 'govchat-default')!;
      assert.deepStrictEqual([c.endpoint, c.deployment, c.apiVersion], ['https://govchat-test.openai.azure.com', 'gpt-5.4', '2025-04-01-preview']);
      assert.deepStrictEqual(of(set, 'govchat-default'), ['azure-openai', 'gpt-5.4'], 'the deployment named like a model code is the better guess than the alias');
    });

    it('Bedrock: regions tell connections apart; `<replace_with_…>` placeholders are not keys (chenxqdu)', () => {
      const r = get('litellm-chenxqdu-bedrock-regions.yaml');
      assert.deepStrictEqual(of(r, 'bedrock-claude-v3-sonnet'), ['amazon-bedrock', 'anthropic.claude-3-sonnet-20240229-v1:0']);
      assert.deepStrictEqual(r.models['bedrock-claude-v3-sonnet'].connections.map((c) => [c.name, c.region]), [['us-west-2', 'us-west-2'], ['us-east-1', 'us-east-1']]);
      assert.doesNotMatch(r.run.stderr, /written inline/, 'a placeholder is not an inline key');
      assert.match(r.run.stderr, /`aws_access_key_id` is a placeholder \(`<replace_with_your_access_key>`\), not a key/);
    });

    it('Bedrock cross-region prefixes without a region get a region of that geography, with a warning (46ki75, ClickHouse)', () => {
      const apac = get('litellm-46ki75-open-webui-bedrock-local.yaml');
      assert.deepStrictEqual(of(apac, 'Amazon Nova Pro'), ['amazon-bedrock', 'apac.amazon.nova-pro-v1:0']);
      assert.strictEqual(conn(apac, 'Amazon Nova Pro')!.region, 'ap-northeast-1');
      const eu = get('litellm-clickhouse-bedrock-eu.yaml');
      assert.strictEqual(conn(eu, 'bedrock-claude')!.region, 'eu-central-1');
      assert.strictEqual(conn(eu, 'bedrock-claude')!.description, 'AWS Bedrock - Anthropic Claude Sonnet 4.5', 'model_info.description is kept');
    });

    it('OpenAI-compatible servers: api_base makes a generic connection; dummy, fake, lm-studio and no-key are no key (Git-Jay13, AzPepoze, hefty111)', () => {
      const r = get('litellm-git-jay13-local-ai-gateway.yaml');
      assert.deepStrictEqual(of(r, 'lmstudio-local'), ['generic', 'local-model']);
      assert.deepStrictEqual([conn(r, 'lmstudio-local')!.baseUrl, conn(r, 'lmstudio-local')!.authHeader], ['http://host.docker.internal:1234/v1', 'none']);
      assert.deepStrictEqual([conn(r, 'llamacpp-local')!.baseUrl, conn(r, 'llamacpp-local')!.authHeader], ['http://host.docker.internal:8080/v1', 'none']);
      assert.deepStrictEqual(of(r, 'llama3-local'), ['generic', 'llama3'], 'ollama_chat/');
      assert.strictEqual(conn(r, 'llama3-local')!.baseUrl, 'http://host.docker.internal:11434/v1');
      assert.deepStrictEqual(of(r, 'openrouter-auto'), ['generic', 'auto']);
      assert.strictEqual(conn(r, 'openrouter-auto')!.baseUrl, 'https://openrouter.ai/api/v1');
      assert.match(r.run.stderr, /`my-custom-endpoint` \(model_list entry 10\): the model `<model-name-on-that-server>` is a placeholder.*skipped/);
      for (const f of ['litellm-azpepoze-llamacpp-setup.yaml', 'litellm-hefty111-mock-llm.yaml']) {
        const x = get(f);
        for (const m of Object.values(x.models)) assert.strictEqual(m.connections[0].authHeader, 'none', f);
        assert.doesNotMatch(x.run.stderr, /written inline/, `${f}: a dummy key is no key`);
      }
    });

    it('same name, other provider or model code: separate models named by what differs, at word boundaries (Abbiirr)', () => {
      const r = get('litellm-abbiirr-unified-llm-api.yaml');
      assert.deepStrictEqual(of(r, 'default'), ['generic', 'meta-llama/llama-3.3-70b-instruct:free']);
      assert.strictEqual(conn(r, 'default')!.baseUrl, 'https://openrouter.ai/api/v1');
      assert.deepStrictEqual(of(r, 'mistral_free-codestral'), ['generic', 'codestral-latest']);
      assert.deepStrictEqual(of(r, 'groq_free-llama-3.1-8b-instant'), ['generic', 'llama-3.1-8b-instant']);
      assert.match(r.run.stderr, /`default` \(model_list entry 9\): the LiteLLM provider `github` \(`github\/DeepSeek-R1`\) is not one this import maps; it was skipped/);
      assert.match(r.run.stderr, /Cloudflare Workers AI cannot be described in the manifest; it was skipped/);
      assert.match(r.run.stderr, /`local` \(model_list entry 17\): `api_base` comes from the environment variable OLLAMA_API_BASE, which is not set here; set it and import again\. It was skipped\./);
    });

    it('names with `/` become `-`; a model without a prefix is told by its name (CIRISProxy)', () => {
      const r = get('litellm-cirisai-cirisproxy.yaml');
      assert.deepStrictEqual(of(r, 'openai-gpt-4o-mini'), ['openai', 'gpt-4o-mini']);
      assert.deepStrictEqual(of(r, 'llama-4-maverick'), ['generic', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8']);
      assert.strictEqual(conn(r, 'llama-4-maverick')!.baseUrl, 'https://api.together.xyz/v1');
      assert.match(r.run.stderr, /Model name `groq\/llama-4-maverick` was changed to `groq-llama-4-maverick`/);
    });

    it('image, embedding and TTS models are not chat models; Vertex AI and unmapped providers are named (D0wn10ad, Causal-Insights, aihpi)', () => {
      const r = get('litellm-d0wn10ad-ai-gateway.yaml');
      assert.ok(!r.models['gpt-image-1.5'] && !r.models['gemini-3-pro-image-preview']);
      assert.match(r.run.stderr, /`gpt-image-1\.5` \(model_list entry 7\): `model_info\.mode` is `image_generation`: connection tests send a chat request, which such models do not answer, so it was skipped/);
      assert.strictEqual(conn(r, 'claude-sonnet-4-6')!.description, "Anthropic's most capable model - premium option, uses budget faster");
      const c = get('litellm-causal-insights-vertex.yaml');
      assert.match(c.run.stderr, /`gemini-3\.1-pro` \(model_list entry 5\): Vertex AI .* skipped/);
      assert.match(c.run.stderr, /`gpt-image-2` \(model_list entry 4\): .*image.*skipped/);
      assert.match(c.run.stderr, /`gemma-4-large` \(model_list entry 1\): `api_base` comes from the environment variable MLX_VLM_API_BASE, which is not set here; set it and import again\. It was skipped\./);
      assert.ok(!c.models['gemma-4-large'], 'not imported as an OpenAI model');
      assert.match(get('litellm-aihpi-embedding.yaml').run.stderr, /`model_info\.mode` is `embedding`/);
    });

    it('tpm/rpm written beside litellm_params are named as not imported; an unknown prefix is skipped with its name (BerriAI load_balancer)', () => {
      const r = get('litellm-berriai-load-balancer.yaml');
      assert.match(r.run.stderr, /`gpt-3\.5-turbo` \(model_list entry 1\): not imported \(LiteLLM's own settings of the entry\): `tpm`, `rpm`/);
      assert.match(r.run.stderr, /`mistral-7b-instruct` \(model_list entry 4\): the LiteLLM provider `mistralai` .* skipped/);
      assert.deepStrictEqual(r.models['gpt-3.5-turbo'].connections.map((c) => c.name), ['default', 'default-2']);
    });

    it('a model_list written twice over the same vLLM hosts, flow style (Hoangnhvt); an empty model_list imports nothing, exit 1 (UniBridge)', () => {
      const r = get('litellm-hoangnhvt-vllm-aliases.yaml');
      assert.deepStrictEqual(of(r, 'gpt-4o'), ['generic', 'Qwen2.5-Coder-32B-Instruct-AWQ'], 'an alias named like an OpenAI model that runs on vLLM');
      assert.deepStrictEqual([conn(r, 'gpt-4o')!.name, conn(r, 'gpt-4o')!.baseUrl, conn(r, 'gpt-4o')!.authHeader], ['vllm-coder-lg', 'http://vllm-coder-lg:8000/v1', 'none']);
      assert.match(get('litellm-jiny0ung-shin-empty-list.yaml').run.stderr, /Nothing imported: \S*litellm-jiny0ung-shin-empty-list\.yaml lists no models/);
    });

    it('a top-level key written twice: the later one is used, as LiteLLM (PyYAML) reads it, with a warning (AdarshYadav04)', () => {
      const r = get('litellm-adarshyadav04-duplicate-key.yaml');
      assert.deepStrictEqual(Object.keys(r.models), ['gpt-4o', 'claude-sonnet', 'groq-llama', 'groq-mixtral', 'groq-gpt-oss-120b']);
      assert.match(r.run.stderr, /:39: Duplicate key `litellm_settings` \(also on line 29\): the later one is used, as LiteLLM reads it\./);
    });

    it('the model itself from os.environ/: skipped naming the variable when unset, imported when set (ArmmyC)', () => {
      const unset = get('litellm-armmyc-model-from-env.yaml');
      assert.match(unset.run.stderr, /`active-lanta-model` \(model_list entry 1\): `model` comes from the environment variable VLLM_MODEL_ID, which is not set here; set it and import again\. It was skipped\./);
      const set = importFile('litellm-armmyc-model-from-env.yaml', { VLLM_MODEL_ID: 'openai/qwen36-27b', VLLM_BASE_URL: 'http://vllm.test:8000/v1' });
      assert.strictEqual(set.run.code, 0, set.run.stderr);
      assert.deepStrictEqual(of(set, 'active-lanta-model'), ['generic', 'qwen36-27b']);
      assert.strictEqual(conn(set, 'active-lanta-model')!.baseUrl, 'http://vllm.test:8000/v1');
      assert.match(set.run.stderr, /apiKey: from the environment variable VLLM_API_KEY/);
    });

    it('Gemini: GA models get apiVersion v1, previews v1beta (IrfanNizam); a catch-all `*` route is skipped, the rest kept (Jaisev-Sachdev); SGLang\'s `/model` is the model code (HerzigGroup)', () => {
      const g = get('litellm-irfannizam-gemini-fallback.yaml');
      assert.deepStrictEqual([...of(g, 'gemini-flash')!, conn(g, 'gemini-flash')!.apiVersion], ['google-gemini', 'gemini-2.5-flash-lite', 'v1']);
      assert.deepStrictEqual([...of(g, 'gemini-flash-fallback')!, conn(g, 'gemini-flash-fallback')!.apiVersion], ['google-gemini', 'gemini-3.1-flash-lite-preview', 'v1beta']);
      const j = get('litellm-jaisev-sachdev-catch-all.yaml');
      assert.deepStrictEqual(Object.keys(j.models), ['claude-sonnet-4-20250514', 'claude-sonnet-4-6', 'claude-opus-4-20250514']);
      assert.match(j.run.stderr, /`\*` \(model_list entry 4\) is a wildcard route/);
      const h = get('litellm-herziggroup-sglang-aliases.yaml');
      assert.deepStrictEqual(of(h, 'claude-opus-4-7'), ['generic', '/model']);
      assert.deepStrictEqual([conn(h, 'claude-opus-4-7')!.baseUrl, conn(h, 'claude-opus-4-7')!.authHeader], ['http://localhost:30000/v1', 'none']);
    });

    it('a config whose models live in the proxy database says so (Helmi); wildcards only: nothing imported, exit 1 (Gapminder)', () => {
      assert.match(get('litellm-helmi-oss-llmops-stack.yaml').run.stderr, /no `model_list`.*store_model_in_db/);
      assert.match(get('litellm-gapminder-wildcard.yaml').run.stderr, /`openai\/\*` \(model_list entry 1\) is a wildcard route/);
    });
  });

  describe('what they mean (Continue docs: models, roles, apiBase, secrets, config.json)', () => {
    it('config.json with comments (JSONC) is read, as Continue reads it (Guebbit)', () => {
      const r = get('continue-guebbit-jsonc.json');
      assert.deepStrictEqual(Object.keys(r.models), ['Coder — Safe (30B)', 'Coder — Agent (30B)', 'Quick — Balanced (4B)', 'Editor Autocomplete (30B)']);
      assert.deepStrictEqual(of(r, 'Coder — Safe (30B)'), ['generic', 'qwen3-coder-30b-safe']);
      assert.strictEqual(conn(r, 'Editor Autocomplete (30B)')!.description, 'Continue roles: autocomplete');
      assert.match(r.run.stderr, /`embeddingsProvider`/);
    });

    it('config.json: ollama with apiKey "" and no apiBase is the local server without a key; the tab model is a model (Gipetto)', () => {
      const r = get('continue-gipetto-ollama.json');
      assert.deepStrictEqual(of(r, 'Deepseek R1 (14b)'), ['generic', 'deepseek-r1:14b']);
      assert.deepStrictEqual([conn(r, 'Deepseek R1 (14b)')!.baseUrl, conn(r, 'Deepseek R1 (14b)')!.authHeader], ['http://localhost:11434/v1', 'none']);
      assert.deepStrictEqual(of(r, 'Deepseek Coder V2'), ['generic', 'deepseek-coder-v2:16b']);
    });

    it('provider openai with apiBase is a generic connection; "API_KEY" is a placeholder, not a key; the repeated tab model is imported once (Bernankez)', () => {
      const r = get('continue-bernankez-deepseek.json');
      assert.deepStrictEqual(of(r, 'DeepSeek'), ['generic', 'deepseek-chat']);
      const c = conn(r, 'DeepSeek')!;
      assert.deepStrictEqual([c.baseUrl, c.authHeader], ['https://api.deepseek.com', undefined], 'DeepSeek needs a key: Bearer, stored with Set Key…');
      assert.doesNotMatch(r.run.stderr, /written inline/);
      assert.match(r.run.stderr, /`apiKey` is a placeholder \(`API_KEY`\), not a key/);
      assert.strictEqual(r.models.DeepSeek.connections.length, 1);
    });

    it('YAML anchors, merge keys and %YAML 1.1 are read; ${VAR} and $VAR keys are environment variables, not inline keys (Mih-Nig-Afe, Curmens)', () => {
      const r = get('continue-mih-nig-afe-anchors.yaml');
      assert.deepStrictEqual(of(r, '🧠 DeepSeek Reasoning Core'), ['generic', 'deepseek/deepseek-r1:free']);
      assert.strictEqual(conn(r, '🧠 DeepSeek Reasoning Core')!.baseUrl, 'https://openrouter.ai/api/v1');
      assert.strictEqual(conn(r, '🧠 DeepSeek Reasoning Core')!.description, 'Continue roles: chat, edit, apply');
      assert.match(r.run.stderr, /apiKey: from the environment variable OPENROUTER_API_KEY \(written as \$\{OPENROUTER_API_KEY\}\)/);
      const c = get('continue-curmens-router.yaml');
      assert.doesNotMatch(c.run.stderr, /written inline/);
      assert.match(c.run.stderr, /apiKey: from the environment variable ROUTER_API_KEY \(written as \$ROUTER_API_KEY\)/);
      assert.deepStrictEqual([conn(c, 'Auto (Smart Routing)')!.baseUrl, conn(c, 'Auto (Smart Routing)')!.authHeader], ['http://localhost:8080/v1', undefined]);
    });

    it('AUTODETECT is not a model: both entries skipped, exit 1 (B2F)', () => {
      const r = get('continue-b2f-autodetect.yaml');
      assert.match(r.run.stderr, /`Ollama` \(models entry 1\): `model: AUTODETECT` lists the server's models when Continue runs; add each model by name\. It was skipped\./);
    });

    it('roles: an embed-only model is skipped, autocomplete and chat kept in the description (KseniaPar, FernandoAFOliveira)', () => {
      const r = get('continue-kseniapar-roles.yaml');
      assert.deepStrictEqual(Object.keys(r.models), ['Qwen2.5-Coder 7B (chat)', 'Qwen2.5 14B (chat heavy)', 'Qwen2.5-Coder 1.5B (autocomplete)']);
      assert.strictEqual(conn(r, 'Qwen2.5-Coder 7B (chat)')!.baseUrl, 'http://127.0.0.1:11434/v1');
      assert.strictEqual(conn(r, 'Qwen2.5-Coder 1.5B (autocomplete)')!.description, 'Continue roles: autocomplete');
      assert.match(get('continue-fernandoafoliveira-local.yaml').run.stderr, /`Nomic Embed` \(models entry 3\) is used only for embed/);
    });

    it('inline keys (OpenRouter, a local gateway) are listed by connection and never shown (Forwall100, JitenSabharwal)', () => {
      const r = get('continue-forwall100-openrouter.yaml');
      assert.deepStrictEqual(of(r, 'GLM 4 32B'), ['generic', 'thudm/glm-4-32b']);
      assert.strictEqual((r.run.stderr.match(/apiKey: written inline/g) ?? []).length, 2);
      const j = get('continue-jitensabharwal-jarvis.yaml');
      assert.match(j.run.stderr, /JARVIS API \(OpenAI-Compatible\)\/local\n {4}apiKey: written inline in \S*continue-jitensabharwal-jarvis\.yaml \(line 12\)/);
    });

    it('a hosted service with apiKey "" needs a key all the same: Bearer, with a warning (Aurnova); Continue secrets and refused credential headers (DevilTea)', () => {
      const r = get('continue-aurnova-openrouter-blank-key.yaml');
      assert.deepStrictEqual(of(r, 'Qwen3 Coder Next'), ['generic', 'qwen/qwen3-coder-next']);
      assert.deepStrictEqual([conn(r, 'Qwen3 Coder Next')!.baseUrl, conn(r, 'Qwen3 Coder Next')!.authHeader], ['https://openrouter.ai/api/v1', undefined]);
      assert.match(r.run.stderr, /`apiKey: ''` is not a key, and OpenRouter needs one: store the key/);
      const d = get('continue-deviltea-secrets-headers.yaml');
      assert.deepStrictEqual([conn(d, 'Granite4.1 8B [Q6]')!.baseUrl, conn(d, 'Granite4.1 8B [Q6]')!.authHeader, conn(d, 'Granite4.1 8B [Q6]')!.advancedProperties], ['https://llm.deviltea.me/v1', undefined, undefined]);
      assert.match(d.run.stderr, /apiKey: from the Continue secret LM_STUDIO_API_KEY/);
      assert.match(d.run.stderr, /Header `Cf-Access-Client-Secret` carries credentials and was not imported/);
      const a = get('continue-atomz-title-local-key.yaml');
      assert.deepStrictEqual(of(a, 'Local Hybrid (Graphify+RTK+MLX)'), ['generic', 'mlx-community/Qwen3.5-4B-MLX-8bit'], 'config.yaml with `title` (no name)');
    });

    it('a placeholder apiBase is named with its reason; a config with no models is refused, exit 2 (IA-Generative, MercurieVV)', () => {
      assert.match(get('continue-ia-generative-onyxia.json').run.stderr, /`olmo2 13b` \(models entry 2\): the `apiBase` cannot be used \(`__PLACEHOLDER_OLLAMA_URL__\/v1` is not a URL|`olmo2 13b` \(models entry 2\): the `apiBase` cannot be used \(`__PLACEHOLDER_OLLAMA_URL__` is not a URL/);
      assert.match(get('continue-mercurievv-mcp-only.yaml').run.stderr, /no `models` list/);
    });
  });
});
