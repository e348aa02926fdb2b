/**
 * The core of "Move to SecretStorage": which credential a key shape can become, which
 * connections it fits, the edits that take it out of the file (a whole `apiKey:` line
 * goes, a key inside other text leaves the text), and finding it again after edits.
 */
import * as assert from 'assert';
import { applyEdits } from '../../src/core/manifest/edit';
import { findLeakAgain, leakCredentialKind, leakFitsProvider, leakFixEdits, leakProviders } from '../../src/core/secrets/leakFix';
import { findLeakedKeysInText, LEAKED_KEY_CODE } from '../../src/core/secrets/leakGuard';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { example } from './helpers';

// Obviously fake keys in the shapes the guard looks for.
const OPENAI = 'sk-' + 'test-leakfix-9f3b7c1d5e2a4086';
const ANTHROPIC = 'sk-' + 'ant-test-leakfix-0a1b2c3d4e5f67';
const AWS = 'AKIA' + 'TESTLEAKFIX23456';
const SLACK = 'xoxb-' + '000000000000-test-leakfix1';

const manifest = example('agent-connections.yaml');
/** The example manifest with `line` added after `name: prod-key-1` (gpt-4o/prod-key-1). */
const withLine = (line: string) => manifest.replace('      - name: prod-key-1\n', `      - name: prod-key-1\n${line}\n`);

describe('leak quick fix (core)', () => {
  it('knows which credential a key shape can become', () => {
    assert.strictEqual(leakCredentialKind('openai'), 'apiKey');
    assert.strictEqual(leakCredentialKind('anthropic'), 'apiKey');
    assert.strictEqual(leakCredentialKind('high-entropy'), 'apiKey');
    assert.strictEqual(leakCredentialKind('aws-access-key'), 'aws');
    // A Bedrock API key is removed only: the quick fix stores API keys and AWS key pairs, not that kind.
    for (const k of ['stripe', 'slack', 'private-key', 'bedrock-api-key']) assert.strictEqual(leakCredentialKind(k), undefined, k);
  });

  it('matches key shapes to providers; generic gateways take any API key, Bedrock only AWS keys', () => {
    assert.deepStrictEqual(leakProviders('anthropic'), ['anthropic']);
    assert.strictEqual(leakFitsProvider('anthropic', 'anthropic'), true);
    assert.strictEqual(leakFitsProvider('anthropic', 'openai'), false);
    assert.strictEqual(leakFitsProvider('anthropic', 'generic'), true);
    assert.strictEqual(leakFitsProvider('openai', 'openai'), true);
    assert.strictEqual(leakFitsProvider('high-entropy', 'azure-openai'), true);
    assert.strictEqual(leakFitsProvider('openai', 'amazon-bedrock'), false);
    assert.strictEqual(leakFitsProvider('aws-access-key', 'amazon-bedrock'), true);
    assert.strictEqual(leakFitsProvider('aws-access-key', 'generic'), false);
  });

  it('removes a key-only field (apiKey: …) with its whole line, through the edit module', () => {
    const text = withLine(`        apiKey: ${OPENAI}`);
    const [leak] = findLeakedKeysInText(text, 'manifest');
    assert.strictEqual(leak.model, 'gpt-4o');
    assert.strictEqual(leak.connection, 'prod-key-1');
    const fixed = applyEdits(text, leakFixEdits(text, 'manifest', leak));
    assert.strictEqual(fixed, manifest, 'exactly the original file again');
  });

  it('keeps the rest of a value or a comment and changes nothing else', () => {
    const cases: Array<[string, string]> = [
      [`        description: rotated ${OPENAI}`, '        description: rotated'],
      [`        description: ${OPENAI}`, "        description: ''"],
      [`        # old key ${ANTHROPIC}`, '        # old key '],
    ];
    for (const [line, expected] of cases) {
      const text = withLine(line);
      const [leak] = findLeakedKeysInText(text, 'manifest');
      const fixed = applyEdits(text, leakFixEdits(text, 'manifest', leak));
      assert.strictEqual(fixed, withLine(expected), line);
      assert.deepStrictEqual(analyzeManifest(fixed).problems.filter((p) => p.code === LEAKED_KEY_CODE), []);
    }
  });

  it('keeps CRLF line ends', () => {
    const crlf = withLine(`        apiKey: ${OPENAI}`).replace(/\n/g, '\r\n');
    const [leak] = findLeakedKeysInText(crlf, 'manifest');
    assert.strictEqual(applyEdits(crlf, leakFixEdits(crlf, 'manifest', leak)), manifest.replace(/\n/g, '\r\n'));
  });

  it('in agents files removes only the key characters', () => {
    const text = `agents:\n  - name: a\n    apiKey: ${OPENAI}\n    connection: gpt-4o/prod-key-1\n`;
    const [leak] = findLeakedKeysInText(text, 'agents');
    assert.strictEqual(applyEdits(text, leakFixEdits(text, 'agents', leak)), "agents:\n  - name: a\n    apiKey: ''\n    connection: gpt-4o/prod-key-1\n");
  });

  it('finds the same key again after the text moved, and not another one', () => {
    const text = withLine(`        apiKey: ${OPENAI}\n        # ${AWS}`);
    const found = findLeakedKeysInText(text, 'manifest');
    assert.strictEqual(found.length, 2);
    const moved = '# a line added meanwhile\n' + text;
    const again = findLeakAgain(moved, 'manifest', OPENAI, found[0].start);
    assert.ok(again);
    assert.strictEqual(again.start, found[0].start + '# a line added meanwhile\n'.length);
    assert.strictEqual(again.secret, OPENAI);
    assert.strictEqual(findLeakAgain(manifest, 'manifest', OPENAI, 0), undefined);
    assert.strictEqual(findLeakAgain(withLine(`        # ${SLACK}`), 'manifest', OPENAI, 0), undefined);
  });
});
