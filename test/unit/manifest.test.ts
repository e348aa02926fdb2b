import * as assert from 'assert';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { analyzeAgents } from '../../src/core/agents/agents';
import { example } from './helpers';

function codes(text: string): string[] {
  return analyzeManifest(text).problems.map((p) => p.code);
}

function problemAt(text: string, code: string) {
  const p = analyzeManifest(text).problems.find((x) => x.code === code);
  assert.ok(p, `expected a ${code} problem, got ${JSON.stringify(analyzeManifest(text).problems.map((x) => x.code))}`);
  return { ...p, text: text.slice(p.start, p.end) };
}

const head = (provider: string, model: string, type = provider === 'generic' ? 'api' : 'easy') =>
  `version: 1\nmodels:\n  - name: m\n    type: ${type}\n    provider: ${provider}\n    model: ${model}\n    connections:\n      - name: c\n`;

describe('manifest: parsing and the tree model', () => {
  it('reads the example manifest without problems', () => {
    const a = analyzeManifest(example('agent-connections.yaml'));
    assert.deepStrictEqual(a.problems, []);
    assert.strictEqual(a.models.length, 8);
    const providers = new Set(a.models.map((m) => m.provider));
    assert.strictEqual(providers.size, 7, 'all seven providers appear in the example');
    const gpt = a.models.find((m) => m.name === 'gpt-4o')!;
    assert.deepStrictEqual(gpt.connections.map((c) => [c.name, c.enabled]), [['prod-key-1', true], ['prod-key-2', true], ['staging', false]]);
    assert.strictEqual(gpt.location, 'Support');
    const azure = a.models.find((m) => m.provider === 'azure-openai')!;
    assert.strictEqual(azure.connections[0].settings.endpoint, 'https://contoso-eastus.openai.azure.com');
  });

  it('reads the example agents file without problems', () => {
    const a = analyzeAgents(example('agents', 'support.agents.yaml'));
    assert.deepStrictEqual(a.problems, []);
    assert.deepStrictEqual(a.supervisors.map((s) => [s.name, s.connection, s.agents]), [['triage', 'gpt-4o/prod-key-1', ['billing', 'refunds', 'research']]]);
    assert.strictEqual(a.agents.find((x) => x.name === 'billing')!.connection, 'claude-bedrock/us-east');
  });

  it('reports dates that are not on the calendar, at the date, for models and connections', () => {
    const real = ['2024-02-29', '2000-02-29', '0004-02-29', '2026-12-31', '2026-04-30', '9999-01-01'];
    const unreal = ['2023-02-29', '1900-02-29', '0000-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-32'];
    for (const date of [...real, ...unreal]) {
      for (const text of [head('openai', 'gpt-4o').replace('    connections:', `    addedOn: ${date}\n    connections:`), head('openai', 'gpt-4o') + `        addedOn: '${date}'\n`]) {
        const found = analyzeManifest(text).problems.filter((p) => p.code === 'invalid-date');
        if (real.includes(date)) assert.deepStrictEqual(found, [], date);
        else {
          assert.strictEqual(found.length, 1, date);
          assert.strictEqual(text.slice(found[0].start, found[0].end).replace(/'/g, ''), date);
          assert.strictEqual(found[0].message, `\`${date}\` is not a real date.`);
        }
      }
    }
  });

  it('defaults location to Default and enabled to true', () => {
    const a = analyzeManifest(head('openai', 'gpt-4o'));
    assert.strictEqual(a.models[0].location, 'Default');
    assert.strictEqual(a.models[0].connections[0].enabled, true);
  });

  it('gives node ranges for models and connections', () => {
    const t = head('openai', 'gpt-4o');
    const m = analyzeManifest(t).models[0];
    assert.strictEqual(t.slice(m.nameSpan.start, m.nameSpan.end), 'm');
    assert.strictEqual(t.slice(m.connections[0].nameSpan.start, m.connections[0].nameSpan.end), 'c');
  });
});

describe('manifest: schema problems at the exact node', () => {
  it('an Azure field on a Gemini connection', () => {
    const p = problemAt(head('google-gemini', 'gemini-2.5-pro') + '        endpoint: https://x.openai.azure.com\n', 'schema-unknown-key');
    assert.strictEqual(p.text, 'endpoint');
    assert.match(p.message, /setting of Azure OpenAI connections/);
    assert.deepStrictEqual([p.range.start.line, p.range.start.character], [8, 8]);
  });

  it('did-you-mean for a misspelt key', () => {
    const p = problemAt(head('openai', 'gpt-4o') + '        descripton: x\n', 'schema-unknown-key');
    assert.match(p.message, /did you mean `description`/);
  });

  it('a credential field is refused with the reason', () => {
    const p = problemAt(head('openai', 'gpt-4o') + '        apiKey: sk-test-not-a-real-key\n', 'schema-unknown-key');
    assert.strictEqual(p.text, 'apiKey');
    assert.match(p.message, /SecretStorage/);
    assert.ok(!p.message.includes('sk-test'), 'the value is never repeated');
  });

  it('a credential field is refused even when the provider is unknown', () => {
    const p = problemAt(head('openia', 'gpt-4o') + '        apiKey: sk-test-not-a-real-key\n', 'schema-unknown-key');
    assert.strictEqual(p.text, 'apiKey');
  });

  it('a misspelt provider suggests the right one', () => {
    const p = problemAt(head('openia', 'gpt-4o'), 'schema-invalid-value');
    assert.strictEqual(p.text, 'openia');
    assert.match(p.message, /did you mean `openai`/);
  });

  it('a missing required Azure setting names the connection', () => {
    const p = problemAt(head('azure-openai', 'gpt-4.1') + '        endpoint: https://x.openai.azure.com\n        apiVersion: v1\n', 'schema-missing-key');
    assert.match(p.message, /connection `c` of model `m` is missing `deployment`/i);
  });

  it('type must match the provider', () => {
    assert.match(problemAt(head('openai', 'gpt-4o', 'api'), 'schema-invalid-value').message, /must be `easy`/);
    assert.match(problemAt(head('generic', 'llama', 'easy') + '        baseUrl: https://api.groq.com/openai/v1\n', 'schema-invalid-value').message, /must be `api`/);
  });

  it('YAML 1.1 booleans are explained', () => {
    const p = problemAt(head('openai', 'gpt-4o') + '        enabled: yes\n', 'schema-invalid-type');
    assert.match(p.message, /`true` or `false`/);
  });

  it('names with a slash are refused', () => {
    const p = problemAt(head('openai', 'gpt-4o').replace('name: c', 'name: a/b'), 'schema-invalid-value');
    assert.strictEqual(p.text, 'a/b');
  });
});

describe('manifest: rules beyond the schema', () => {
  it('duplicate model and connection names', () => {
    const t = head('openai', 'gpt-4o') + '      - name: c\n' + head('openai', 'gpt-4o').split('\n').slice(2).join('\n');
    const dups = analyzeManifest(t).problems.filter((p) => p.code === 'duplicate-name');
    assert.strictEqual(dups.length, 2);
    assert.ok(dups.some((d) => /connection named `c`/.test(d.message)));
    assert.ok(dups.some((d) => /model names must be unique/.test(d.message)));
  });

  it('Gemini preview model on v1', () => {
    const p = problemAt(head('google-gemini', 'gemini-3.1-pro-preview') + '        apiVersion: v1\n', 'gemini-api-version');
    assert.strictEqual(p.text, 'v1');
    assert.deepStrictEqual(codes(head('google-gemini', 'gemini-3.1-pro-preview') + '        apiVersion: v1beta\n'), []);
    assert.deepStrictEqual(codes(head('google-gemini', 'gemini-2.5-flash') + '        apiVersion: v1\n'), []);
  });

  it('Bedrock model ID shape, prefix vs region, and models that need a profile', () => {
    assert.ok(codes(head('amazon-bedrock', 'claude opus') + '        region: us-east-1\n').includes('bedrock-model-id'));
    assert.strictEqual(problemAt(head('amazon-bedrock', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0') + '        region: us-east-1\n', 'bedrock-region').text, 'us-east-1');
    assert.deepStrictEqual(codes(head('amazon-bedrock', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0') + '        region: eu-west-1\n'), []);
    assert.deepStrictEqual(codes(head('amazon-bedrock', 'anthropic.claude-sonnet-4-5-20250929-v1:0') + '        region: us-east-1\n'), ['bedrock-needs-profile']);
    assert.deepStrictEqual(codes(head('amazon-bedrock', 'amazon.nova-pro-v1:0') + '        region: us-east-1\n'), []);
  });

  it('Azure endpoint URL checks', () => {
    const az = (endpoint: string) => codes(head('azure-openai', 'gpt-4.1') + `        endpoint: ${endpoint}\n        deployment: d\n        apiVersion: 2024-10-21\n`);
    assert.deepStrictEqual(az('https://contoso.openai.azure.com'), []);
    assert.ok(az('https://user:pw@contoso.openai.azure.com').includes('url-userinfo'));
    assert.ok(az('http://contoso.openai.azure.com').includes('insecure-url'));
    assert.ok(az('https://contoso.openai.azure.com.evil.example').includes('azure-endpoint-host'));
    assert.ok(az('https://contoso.openai.azure.com/?x=1').includes('url-query'));
  });

  it('a URL written in many connections is reported at each of them, as azure endpoint or generic baseUrl', () => {
    const url = 'http://gw.example.com/openai/deployments/x?api-key=1';
    const conn = (i: number, setting: string) => `      - name: c${i}\n        ${setting}: ${url}\n`;
    const text = `version: 1\nmodels:\n  - name: g\n    type: api\n    provider: generic\n    model: llama\n    connections:\n${[1, 2, 3].map((i) => conn(i, 'baseUrl')).join('')}`
      + `  - name: a\n    type: easy\n    provider: azure-openai\n    model: gpt-4.1\n    connections:\n${[1, 2].map((i) => conn(i, 'endpoint') + '        deployment: d\n        apiVersion: 2024-10-21\n').join('')}`;
    const urlProblems = analyzeManifest(text).problems.filter((p) => ['url-query', 'insecure-url', 'azure-endpoint-host', 'azure-endpoint-path'].includes(p.code));
    const shown = urlProblems.map((p) => `${p.range.start.line + 1} ${p.code} ${p.severity} ${text.slice(p.start, p.end) === url}`);
    assert.deepStrictEqual(shown, [
      '9 url-query error true', '9 insecure-url warning true',
      '11 url-query error true', '11 insecure-url warning true',
      '13 url-query error true', '13 insecure-url warning true',
      '20 url-query error true', '20 insecure-url error true', '20 azure-endpoint-host warning true', '20 azure-endpoint-path warning true',
      '24 url-query error true', '24 insecure-url error true', '24 azure-endpoint-host warning true', '24 azure-endpoint-path warning true',
    ]);
    assert.match(urlProblems[6].message, /the api-version comes from `apiVersion`/);
    assert.doesNotMatch(urlProblems[0].message, /api-version/);
  });

  it('generic headers: forbidden names and line breaks', () => {
    const t = head('generic', 'llama') + '        baseUrl: https://api.groq.com/openai/v1\n        advancedProperties:\n          headers:\n            Authorization: Bearer x\n            Host: evil.example\n            "bad header": x\n';
    const c = codes(t);
    assert.strictEqual(c.filter((x) => x === 'header-forbidden').length, 2);
    assert.ok(c.includes('header-name'));
  });

  it('invisible and bidi characters in names', () => {
    const p = problemAt(head('openai', 'gpt-4o').replace('name: c', 'name: "prod\u202ekey"'), 'invisible-characters');
    assert.ok(p.message.includes('\\u202e'), 'the character is shown escaped');
  });

  it('a model without connections is a warning', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections: []\n';
    const p = analyzeManifest(t).problems;
    assert.deepStrictEqual(p.map((x) => [x.code, x.severity]), [['no-connections', 'warning']]);
  });

  it('agents: reference syntax and duplicate names', () => {
    const a = analyzeAgents('agents:\n  - name: a\n    connection: just-a-model\n  - name: a\n');
    assert.deepStrictEqual(a.problems.map((p) => p.code).sort(), ['duplicate-name', 'reference-syntax']);
  });
});
