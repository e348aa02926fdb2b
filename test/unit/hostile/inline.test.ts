// The first hostile-YAML checks, written inline (the corpus in files.test.ts covers these kinds and more, with exact positions).
import * as assert from 'assert';
import { analyzeAgents } from '../../../src/core/agents/agents';
import { analyzeManifest } from '../../../src/core/manifest/manifest';
import { setConnectionEnabled } from '../../../src/core/manifest/edit';

const valid = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n';

/** Each hostile input must end in this problem code, fast, without throwing. */
const cases: Array<[string, string, string]> = [
  ['alias bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n', 'yaml-alias'],
  ['deep flow nesting', 'version: 1\nmodels: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n', 'yaml-syntax|too-deep'],
  ['deep block nesting', 'version: 1\nmodels:\n' + Array.from({ length: 60 }, (_, i) => ' '.repeat(i * 2 + 2) + 'k:').join('\n') + ' 1\n', 'too-deep'],
  ['huge file', 'version: 1\nmodels: []\n#' + 'x'.repeat(9 * 1024 * 1024) + '\n', 'file-too-large'],
  ['duplicate keys', valid.replace('model: gpt-4o', 'model: gpt-4o\n    model: gpt-3.5'), 'duplicate-key'],
  ['__proto__ key', valid + '        __proto__: {polluted: true}\n', 'forbidden-key'],
  ['custom tag', valid.replace('model: gpt-4o', 'model: !!js/function "x"'), 'yaml-tag'],
  ['local tag', valid.replace('model: gpt-4o', 'model: !env OPENAI_MODEL'), 'yaml-tag'],
  ['%YAML 1.1 directive', '%YAML 1.1\n---\n' + valid + '        enabled: no\n', 'yaml-version'],
  ['merge key', valid + '        <<: {enabled: true}\n', 'yaml-merge-key'],
  ['multiple documents', valid + '---\nversion: 1\nmodels: []\n', 'multiple-documents'],
  ['empty file', '', 'empty-file'],
  ['only a BOM and whitespace', '\ufeff\n\n', 'empty-file'],
  ['only comments', '# nothing here\n', 'empty-file'],
  ['root is a list', '- a\n- b\n', 'schema-invalid-type'],
  ['root is a scalar', 'hello\n', 'schema-invalid-type'],
  ['non-string key', valid.replace('    model: gpt-4o', '    ? [a, b]\n    : x\n    model: gpt-4o'), 'non-string-key'],
  ['tab indentation', 'version: 1\nmodels:\n\t- name: m\n', 'yaml-syntax'],
  ['unterminated quote', 'version: 1\nmodels:\n  - name: "m\n', 'yaml-syntax'],
  ['path tricks in names', valid.replace('name: c', 'name: ../../etc/passwd'), 'schema-invalid-value'],
  ['zero-width in a name', valid.replace('name: m', 'name: "gpt\u200b-4o"'), 'invisible-characters'],
  ['bidi override in a name', valid.replace('name: c', 'name: "key\u202egnp.exe"'), 'invisible-characters'],
  ['control character in a name', valid.replace('name: c', 'name: "a\\u0007b"'), 'schema-invalid-value'],
  ['javascript: endpoint', valid.replace('provider: openai', 'provider: azure-openai').replace('model: gpt-4o', 'model: gpt-4.1') + '        endpoint: "javascript:alert(1)"\n        deployment: d\n        apiVersion: v1\n', 'invalid-url'],
  ['file: base URL', valid.replace('type: easy', 'type: api').replace('provider: openai', 'provider: generic') + '        baseUrl: file:///etc/passwd\n', 'invalid-url'],
  ['userinfo lookalike host', valid.replace('type: easy', 'type: api').replace('provider: openai', 'provider: generic') + '        baseUrl: https://api.groq.com@evil.example/v1\n', 'url-userinfo'],
  ['internal address over http', valid.replace('provider: openai', 'provider: azure-openai').replace('model: gpt-4o', 'model: gpt-4.1') + '        endpoint: http://169.254.169.254\n        deployment: d\n        apiVersion: v1\n', 'insecure-url'],
  ['punycode lookalike host', valid.replace('provider: openai', 'provider: azure-openai').replace('model: gpt-4o', 'model: gpt-4.1') + '        endpoint: https://xn--pnai-2qa.openai.azure.com\n        deployment: d\n        apiVersion: v1\n', 'idn-host'],
];

describe('hostile manifests end in a precise problem, quickly', () => {
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const t0 = performance.now();
      const a = analyzeManifest(text);
      const ms = performance.now() - t0;
      const want = new RegExp(`^(${expected})$`);
      assert.ok(a.problems.some((p) => want.test(p.code)), `expected ${expected}, got ${JSON.stringify(a.problems.map((p) => p.code))}`);
      assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
      for (const p of a.problems) {
        assert.ok(p.message.length < 600, 'messages stay short');
        assert.ok(p.start <= p.end && p.end <= text.length);
      }
    });
  }

  it('the same guards protect agents files', () => {
    assert.ok(analyzeAgents('agents:\n  - &a {name: x}\n  - *a\n').problems.some((p) => p.code === 'yaml-alias'));
    assert.ok(analyzeAgents('agents:\n  - name: a\n    __proto__: {x: 1}\n').problems.some((p) => p.code === 'forbidden-key'));
  });

  it('a valid file with BOM and CRLF has no problems and correct ranges', () => {
    const t = '\ufeff' + valid.replace(/\n/g, '\r\n');
    const a = analyzeManifest(t);
    assert.deepStrictEqual(a.problems, []);
    const m = a.models[0];
    assert.strictEqual(t.slice(m.nameSpan.start, m.nameSpan.end), 'm');
  });

  it('__proto__ never reaches the prototype', () => {
    analyzeManifest(valid + '        __proto__: {polluted: true}\n');
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a hostile file cannot be edited', () => {
    assert.throws(() => setConnectionEnabled(valid + '---\nx: 1\n', { model: 'm', connection: 'c' }, false), /YAML errors/);
  });
});
