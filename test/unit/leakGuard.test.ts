/**
 * The leak guard: key-shaped strings anywhere in a manifest or an agents file are errors whose message never
 * repeats the value; the findings give a quick fix the exact range, the connection and the key material.
 */
import * as assert from 'assert';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { applyEdits } from '../../src/core/manifest/edit';
import { checkLeakedKeys, findLeakedKeys, findLeakedKeysInText, leakAt, leakRemovalEdit, looksLikeSecretToken, LEAKED_KEY_CODE } from '../../src/core/secrets/leakGuard';
import { MAX_PROBLEMS } from '../../src/core/yaml/problems';
import { loadTree, loadYaml, ProblemList } from '../../src/core/yaml/yamlLoad';
import { example } from './helpers';

// Fake keys in each provider's real shape, assembled so no key-shaped literal sits in this file.
const KEYS = {
  openai: 'sk-' + 'Xq7b2LmN9pR4sT6vW8yZ1aC3dE5fG7hJ9kL0mN2pQ4rS6tU',
  openaiProject: 'sk-' + 'proj-' + 'Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5Yz7_-aB9cD1eF3',
  anthropic: 'sk-' + 'ant-api03-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7-_Zx6Yw5Vu4',
  aws: 'AKIA' + 'Q3ZK7N2W5XR8TB4M',
  google: 'AIza' + 'SyB7c9D1e3F5g7H9i1J3k5L7m9N1o3P5q7R',
  groq: 'gsk_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6',
  github: 'ghp_' + 'R4nd0mT0k3nW1thD1g1ts4ndL3tt3rsXyZ9876',
  slack: 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  // A long-term Bedrock API key's shape; what it encodes says it is fake.
  bedrock: 'ABSK' + Buffer.from('BedrockAPIKey-FAKE-TEST-KEY-at-000000000000:this-is-not-a-real-secret-only-a-test-0123456789abcdefghij').toString('base64'),
};

const LABELS: Record<keyof typeof KEYS, RegExp> = {
  openai: /an OpenAI API key \(sk-…\)/,
  openaiProject: /OpenAI project API key \(sk-proj-…\)/,
  anthropic: /an Anthropic API key \(sk-ant-…\)/,
  aws: /an AWS access key ID \(AKIA…\)/,
  google: /a Google API key \(AIza…\)/,
  groq: /a Groq API key \(gsk_…\)/,
  github: /a GitHub token \(ghp_…\)/,
  slack: /a Slack token \(xoxb-…\)/,
  bedrock: /an Amazon Bedrock API key \(ABSK…\)/,
};

const head = `version: 1
models:
  - name: m
    type: easy
    provider: openai
    model: gpt-4o
    connections:
      - name: c
`;

const generic = (headers: string) => `version: 1
models:
  - name: g
    type: api
    provider: generic
    model: llama
    connections:
      - name: gw
        baseUrl: https://gw.example.com/v1
        advancedProperties:
          headers:
${headers}`;

function leaks(text: string) {
  return analyzeManifest(text).problems.filter((p) => p.code === LEAKED_KEY_CODE);
}

describe('leak guard', () => {
  it('the example manifest and agents file have no leaked key', () => {
    assert.deepStrictEqual(leaks(example('agent-connections.yaml')), []);
    assert.deepStrictEqual(findLeakedKeysInText(example('agents', 'support.agents.yaml'), 'agents'), []);
  });

  for (const [kind, key] of Object.entries(KEYS) as Array<[keyof typeof KEYS, string]>) {
    it(`finds ${kind} keys anywhere, at the exact range, without repeating them`, () => {
      const text = head + `        description: "prod key ${key} do not share"\n`;
      const found = leaks(text);
      assert.strictEqual(found.length, 1, JSON.stringify(found));
      const p = found[0];
      assert.strictEqual(p.severity, 'error');
      assert.strictEqual(text.slice(p.start, p.end), key);
      assert.match(p.message, LABELS[kind]);
      assert.match(p.message, /SecretStorage/);
      assert.ok(!p.message.includes(key), 'the message never repeats the key');
      assert.ok(!p.message.includes(key.slice(6, 16)), 'not even a part of it');
      assert.strictEqual(p.range.start.line, 8);
    });
  }

  it('finds keys in comments, mapping keys and agents files', () => {
    const text = head + `        # old key: ${KEYS.openai}\n`;
    const [p] = leaks(text);
    assert.ok(p, 'a key in a comment is found');
    assert.match(p.message, /^This comment contains an OpenAI API key/);
    assert.strictEqual(text.slice(p.start, p.end), KEYS.openai);

    const asKey = findLeakedKeysInText(`agents:\n  - name: a\n    ${KEYS.groq}: x\n`, 'agents');
    assert.strictEqual(asKey.length, 1);
    assert.strictEqual(asKey[0].where, 'key');

    const agents = `agents:\n  - name: billing\n    description: uses ${KEYS.anthropic}\n`;
    const loaded = loadYaml(agents, 'agents file');
    const problems = new ProblemList(loaded.index);
    const found = checkLeakedKeys(loaded.doc, problems, 'agents');
    assert.strictEqual(found.length, 1);
    assert.strictEqual(problems.items[0].code, 'leaked-key');
    assert.match(problems.items[0].message, /Keys never go in an agents file/);
  });

  it('still finds a key in a file with YAML errors', () => {
    const found = leaks(`version: 1\nmodels: [\n  token ${KEYS.aws}\n`);
    assert.strictEqual(found.length, 1);
  });

  it('leaves placeholders, examples, the mock key and short strings alone', () => {
    for (const v of ['ABSK' + 'A'.repeat(120), 'ABSK-short-' + 'x'.repeat(20), 'sk-your-openai-key-goes-here', 'sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'sk-test-mock-key', 'AKIAIOSFODNN7EXAMPLE', 'AIza-wrong', 'gsk_short', 'see https://platform.openai.com/api-keys']) {
      assert.deepStrictEqual(leaks(head + `        description: "${v}"\n`), [], v);
    }
  });

  it('flags long random tokens in header and advancedProperties values only', () => {
    const hex = '3f9a8c7b6d5e4f3a2b1c0d9e8f7a6b5c';
    const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK3m9QpL2x';
    for (const v of [hex, awsSecret, 'Bearer abc.def.ghi-jkl', 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==']) {
      const text = generic(`            X-Upstream: '${v}'\n`);
      const found = leaks(text);
      assert.strictEqual(found.length, 1, v);
      assert.ok(!found[0].message.includes(v), 'not repeated');
    }
    for (const v of ['agent-connections-example', 'https://example.com/app', '123e4567-e89b-12d3-a456-426614174000', 'org-AbCdEf1234567890XyZaBcDe', 'my-service-v2-production-eu-1', 'My agents', 'application/json']) {
      assert.deepStrictEqual(leaks(generic(`            X-Info: '${v}'\n`)), [], v);
    }
    // The same random token in a description is not a key shape: only headers and advanced properties are that suspicious.
    assert.deepStrictEqual(leaks(head + `        description: ${hex}\n`), []);
    assert.strictEqual(looksLikeSecretToken(hex), true);
    assert.strictEqual(looksLikeSecretToken('MyAgentsApplication2024'), false);
  });

  it('gives a quick fix the key, the connection and the range, and never serialises the key', () => {
    const text = generic(`            X-Trace: on\n`).replace('        baseUrl:', `        description: rotated ${KEYS.openai}\n        baseUrl:`);
    const [leak] = findLeakedKeysInText(text, 'manifest');
    assert.strictEqual(leak.secret, KEYS.openai);
    assert.strictEqual(leak.model, 'g');
    assert.strictEqual(leak.connection, 'gw');
    assert.deepStrictEqual(leak.path, ['models', 0, 'connections', 0, 'description']);
    assert.ok(!JSON.stringify(leak).includes(KEYS.openai), 'JSON never carries the key');
    assert.ok(!JSON.stringify({ ...leak }).includes(KEYS.openai), 'nor a spread copy');
    assert.ok(!JSON.stringify(structuredClone(leak)).includes(KEYS.openai), 'nor a structured clone');
    const p = leaks(text)[0];
    assert.strictEqual(leakAt(text, 'manifest', p.start, p.end)?.secret, KEYS.openai);
  });

  it('removes the key with a minimal edit that leaves a clean file', () => {
    const cases = [
      head + `        description: rotated ${KEYS.openai}\n`,
      head + `        description: ${KEYS.openai}\n`,
      head + `        # ${KEYS.openai}\n`,
      generic(`            X-Upstream: "Bearer ${KEYS.openai}"\n`),
      generic(`            {X-A: b, X-Upstream: ${KEYS.github}}\n`).replace(/headers:\n {12}\{/, 'headers: {').replace('}}\n', '}\n'),
    ];
    for (const text of cases) {
      const [leak] = findLeakedKeysInText(text, 'manifest');
      assert.ok(leak, text);
      const fixed = applyEdits(text, [leakRemovalEdit(text, leak)]);
      assert.ok(!fixed.includes(leak.secret), fixed);
      const after = analyzeManifest(fixed);
      assert.ok(after.syntaxOk, fixed);
      assert.deepStrictEqual(after.problems.filter((x) => x.code === LEAKED_KEY_CODE), [], fixed);
    }
    const text = head + `        description: rotated ${KEYS.openai}\n`;
    const fixed = applyEdits(text, [leakRemovalEdit(text, findLeakedKeysInText(text, 'manifest')[0])]);
    assert.strictEqual(fixed, head + '        description: rotated\n');
  });

  it('points at the whole scalar when escapes hide the key in the source', () => {
    const escaped = KEYS.openai.replace('Xq7', '\\x58q7');
    const text = head + `        description: "${escaped}"\n`;
    const [p] = leaks(text);
    assert.ok(p);
    assert.strictEqual(text.slice(p.start, p.end), `"${escaped}"`);
  });

  it('finds a key that only an escape spells, where the text holds no key shape at all', () => {
    const escaped = KEYS.openai.replace('sk-', 'sk\\x2d');
    assert.ok(!escaped.includes('sk-'));
    const text = head + `        description: "${escaped}"\n`;
    const [p] = leaks(text);
    assert.ok(p);
    assert.strictEqual(text.slice(p.start, p.end), `"${escaped}"`);
    const agents = `agents:\n  - name: a\n    description: "${escaped}"\n`;
    const [a] = findLeakedKeysInText(agents, 'agents');
    assert.strictEqual(a?.secret, KEYS.openai);
    assert.strictEqual(agents.slice(a.start, a.end), `"${escaped}"`);
  });

  it('without a key shape in the text, finds exactly what the full walk finds (advancedProperties tokens only)', () => {
    const hex = '3f9a8c7b6d5e4f3a2b1c0d9e8f7a6b5c';
    const texts: Array<[string, 'manifest' | 'agents']> = [
      [generic(`            X-Upstream: '${hex}'\n            X-Other: Bearer abcdefgh12345678\n`), 'manifest'],
      [generic(`            {X-A: b, X-Upstream: ${hex}}\n`).replace(/headers:\n {12}\{/, 'headers: {').replace('}}\n', '}\n'), 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`).replace('        advancedProperties:\n', `        advancedProperties: ${hex}\n        advancedProperties:\n`), 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`).replace('    connections:\n', `    advancedProperties:\n      token: ${hex}\n    connections:\n`), 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`).replace('models:\n', `models:\n  - {name: f, connections: [{name: c, advancedProperties: {t: ${hex}}}]}\n`), 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`) + `models:\n  - name: again\n    connections:\n      - advancedProperties: {t: ${hex}}\n`, 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`).replace('        advancedProperties:\n          headers:\n', `        description: no advancedProperties here\n        ? |-\n          advancedProperties\n        : headers:\n`), 'manifest'],
      [generic(`            X-Upstream: ${hex}\n`).replace('        advancedProperties:\n', `        'advancedProperties':\n`) + '# advancedProperties\n', 'manifest'],
      [`agents:\n  - name: a\n    advancedProperties:\n      token: ${hex}\n`, 'agents'],
    ];
    const shown = (l: ReturnType<typeof findLeakedKeys>) => l.map((x) => ({ ...x, secret: x.secret }));
    for (const [text, kind] of texts) {
      // A backslash in a trailing comment makes the guard walk every node.
      const full = text + '# \\\n';
      const quick = findLeakedKeys(loadTree(text, kind).doc, loadTree(text, kind).index, kind);
      const walked = findLeakedKeys(loadTree(full, kind).doc, loadTree(full, kind).index, kind);
      assert.deepStrictEqual(shown(quick), shown(walked), text);
    }
    assert.strictEqual(findLeakedKeysInText(texts[0][0], 'manifest').length, 2);
    assert.strictEqual(findLeakedKeysInText(texts[4][0], 'manifest').length, 2);
    assert.strictEqual(findLeakedKeysInText(texts[6][0], 'manifest').length, 1);
    assert.strictEqual(findLeakedKeysInText(texts[7][0], 'manifest').length, 1);
  });

  it('stays fast on a large manifest', () => {
    let text = 'version: 1\nmodels:\n';
    for (let i = 0; i < 400; i++) {
      text += `  - name: m${i}\n    type: api\n    provider: generic\n    model: llama\n    connections:\n`;
      for (let j = 0; j < 5; j++) text += `      - name: c${j}\n        baseUrl: https://gw${i}.example.com/v1\n        description: connection ${j} of model ${i}\n        advancedProperties:\n          headers:\n            X-Trace: trace-${i}-${j}\n`;
    }
    const started = performance.now();
    const found = findLeakedKeysInText(text, 'manifest');
    assert.deepStrictEqual(found, []);
    assert.ok(performance.now() - started < 3000, `took ${performance.now() - started} ms`);
  });

  it('at the problem cap, reports the first keys by position: a limited scan gives exactly the first findings of a full one', () => {
    const key = (i: number) => KEYS.openai.slice(0, -6) + String(i).padStart(6, '0');
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');
    const texts: Array<[string, 'manifest' | 'agents']> = [
      [`version: 1\n# ${many(40, (i) => key(i) + ' ')}\nmodels:\n  - name: m\n    description: ${many(40, (i) => key(i + 100) + ' ')}\n    connections:\n${many(40, (i) => `      - name: c${i} # ${key(i + 200)}\n        description: "${key(i + 300)} x ${key(i + 400).replace('Xq7', '\\x58q7')} ${key(i + 500)}"\n`)}`, 'manifest'],
      [`agents:\n${many(60, (i) => `  - name: a${i} # ${key(i)}\n    description: ${key(i + 100)} ${key(i + 200)}\n`)}`, 'agents'],
    ];
    for (const [text, kind] of texts) {
      const loaded = loadTree(text, kind);
      const all = findLeakedKeys(loaded.doc, loaded.index, kind);
      assert.ok(all.length > 150, `${all.length} findings`);
      assert.ok(all.some((l) => l.where === 'comment') && all.some((l) => l.where === 'value'));
      for (const limit of [0, 1, 2, 39, 40, 41, 99, all.length - 1, all.length, all.length + 5]) {
        const some = findLeakedKeys(loaded.doc, loaded.index, kind, limit);
        assert.deepStrictEqual(some.map((l) => ({ ...l, secret: l.secret })), all.slice(0, limit).map((l) => ({ ...l, secret: l.secret })), `limit ${limit}`);
      }
    }
    // Through the analysis: 600 keys in one value give 500 problems, the first keys of the value among them.
    const text = `version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    description: ${many(600, (i) => key(i) + ' ')}\n    connections:\n      - name: c\n`;
    const problems = analyzeManifest(text).problems;
    assert.strictEqual(problems.length, MAX_PROBLEMS);
    const leaked = problems.filter((p) => p.code === LEAKED_KEY_CODE).map((p) => text.slice(p.start, p.end));
    assert.deepStrictEqual(leaked, Array.from({ length: leaked.length }, (_, i) => key(i)));
  });
});
