/**
 * The leak guard in agents files: analyzeAgents reports key-shaped strings as
 * `leaked-key` errors at the key's exact range, without repeating the value, and the
 * quick fix's helpers find the same key again in the text.
 */
import * as assert from 'assert';
import { analyzeAgents } from '../../src/core/agents/agents';
import { applyEdits } from '../../src/core/manifest/edit';
import { leakAt, leakRemovalEdit, LEAKED_KEY_CODE } from '../../src/core/secrets/leakGuard';
import { example } from './helpers';

// Obviously fake, but in the shapes the guard looks for (assembled, so no key-shaped literal sits here).
const OPENAI = 'sk-' + 'test-agents-9f3b7c1d5e2a4086';
const ANTHROPIC = 'sk-' + 'ant-test-agents-0a1b2c3d4e5f6789';
const AWS = 'AKIA' + 'TESTAGENTS234567';

const leaks = (text: string) => analyzeAgents(text).problems.filter((p) => p.code === LEAKED_KEY_CODE);
const offsetOf = (text: string, p: { range: { start: { line: number; character: number } } }) =>
  text.split('\n').slice(0, p.range.start.line).reduce((n, l) => n + l.length + 1, 0) + p.range.start.character;

describe('leak guard in agents files', () => {
  it('the example agents file has no leaked key', () => {
    assert.deepStrictEqual(leaks(example('agents', 'support.agents.yaml')), []);
  });

  it('reports a key in a value, in a comment and as a mapping key, never repeating it', () => {
    const text = [
      'agents:',
      '  - name: billing',
      `    description: uses ${OPENAI} for now`,
      `    # old key ${ANTHROPIC}`,
      '    connection: gpt-4o/prod-key-1',
      `  - name: ${AWS}`,
      '',
    ].join('\n');
    const found = leaks(text);
    assert.strictEqual(found.length, 3, JSON.stringify(found, null, 2));
    for (const p of found) {
      assert.strictEqual(p.severity, 'error');
      for (const k of [OPENAI, ANTHROPIC, AWS]) assert.ok(!p.message.includes(k), `the message repeats the key: ${p.message}`);
      assert.match(p.message, /an agents file/);
    }
    assert.match(found[0].message, /This value contains an OpenAI API key \(sk-…\)/);
    assert.match(found[1].message, /This comment contains an Anthropic API key \(sk-ant-…\)/);
    assert.match(found[2].message, /an AWS access key ID \(AKIA…\)/);
    // Exact ranges: the key characters only.
    const lines = text.split('\n');
    assert.deepStrictEqual(found[0].range, { start: { line: 2, character: lines[2].indexOf(OPENAI) }, end: { line: 2, character: lines[2].indexOf(OPENAI) + OPENAI.length } });
    assert.strictEqual(found[1].range.start.line, 3);
    assert.strictEqual(found[1].range.start.character, lines[3].indexOf(ANTHROPIC));
  });

  it('reports keys even when the file does not parse', () => {
    const text = `agents:\n  - name: x\n    connection: [unclosed\n# ${OPENAI}\n`;
    const a = analyzeAgents(text);
    assert.strictEqual(a.syntaxOk, false);
    assert.strictEqual(a.problems.filter((p) => p.code === LEAKED_KEY_CODE).length, 1);
  });

  it('keeps placeholders and references quiet', () => {
    const text = 'agents:\n  - name: a\n    description: "put sk-your-key-here in SecretStorage, not here"\n    connection: gpt-4o/prod-key-1\n';
    assert.deepStrictEqual(leaks(text), []);
  });

  it('the quick fix finds the key at the diagnostic range and removes only it', () => {
    const text = `agents:\n  - name: billing\n    description: "${OPENAI}"\n    connection: gpt-4o/prod-key-1 # ${ANTHROPIC}\n`;
    const found = leaks(text);
    assert.strictEqual(found.length, 2);
    let fixed = text;
    // Last first, so the earlier offsets stay valid.
    for (const p of [...found].reverse()) {
      const start = offsetOf(fixed, p);
      const leak = leakAt(fixed, 'agents', start, start + (p.range.end.character - p.range.start.character));
      assert.ok(leak, 'leakAt finds the key at the diagnostic range');
      assert.strictEqual(leak.model, undefined, 'agents files attribute no connection');
      fixed = applyEdits(fixed, [leakRemovalEdit(fixed, leak)]);
    }
    assert.strictEqual(fixed, "agents:\n  - name: billing\n    description: ''\n    connection: gpt-4o/prod-key-1 # \n");
    assert.deepStrictEqual(leaks(fixed), []);
    assert.deepStrictEqual(analyzeAgents(fixed).problems.filter((p) => p.severity === 'error'), []);
  });
});
