import * as assert from 'assert';
import { analyzeManifest } from '../../src/core/manifest';
import { applyEdits, deleteConnection, deleteModel, EditError, setConnectionEnabled, type TextEdit } from '../../src/core/edit';
import { fixture } from './helpers';

const cases: Array<[string, (text: string) => TextEdit[]]> = [
  ['disable-existing', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'prod-key-1' }, false)],
  ['enable-missing', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'backup' }, true)],
  ['enable-flow', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'flow-key' }, true)],
  ['disable-flow-missing', (t) => setConnectionEnabled(t, { model: 'mistral', connection: 'b' }, false)],
  ['delete-connection-with-comment', (t) => deleteConnection(t, { model: 'gpt-4o', connection: 'prod-key-1' })],
  ['delete-connection-block-scalar', (t) => deleteConnection(t, { model: 'gpt-4o', connection: 'backup' })],
  ['delete-last-connection', (t) => deleteConnection(t, { model: 'claude', connection: 'only' })],
  ['delete-flow-connection', (t) => deleteConnection(t, { model: 'mistral', connection: 'a' })],
  ['delete-model', (t) => deleteModel(t, 'claude')],
];

const toCrlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('edit: minimal text edits (golden files)', () => {
  const input = fixture('edits', 'base.input.yaml');
  for (const [name, run] of cases) {
    it(`${name} (LF)`, () => {
      assert.strictEqual(applyEdits(input, run(input)), fixture('edits', `${name}.expected.yaml`));
    });
    it(`${name} (CRLF + BOM)`, () => {
      const crlf = '\ufeff' + toCrlf(input);
      assert.strictEqual(applyEdits(crlf, run(crlf)), '\ufeff' + toCrlf(fixture('edits', `${name}.expected.yaml`)));
    });
  }

  it('leaves the result parseable with the same models except the edited one', () => {
    const out = applyEdits(input, deleteModel(input, 'claude'));
    const a = analyzeManifest(out);
    assert.deepStrictEqual(a.models.map((m) => m.name), ['gpt-4o', 'mistral']);
  });

  it('adds enabled to a last connection at the end of a file without a final newline', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: k';
    const out = applyEdits(t, setConnectionEnabled(t, { model: 'm', connection: 'k' }, false));
    assert.strictEqual(out, t + '\n        enabled: false\n');
    assert.strictEqual(analyzeManifest(out).models[0].connections[0].enabled, false);
  });

  it('never edits a file with YAML syntax errors', () => {
    const broken = input.replace('provider: openai', 'provider: [openai');
    assert.throws(() => setConnectionEnabled(broken, { model: 'gpt-4o', connection: 'prod-key-1' }, false), (e: unknown) => e instanceof EditError && e.code === 'syntax');
  });

  it('says which name is missing', () => {
    assert.throws(() => setConnectionEnabled(input, { model: 'gpt-4o', connection: 'nope' }, false), /no connection named `nope`/);
    assert.throws(() => deleteModel(input, 'nope'), /No model named `nope`/);
  });

  it('changes only the edited line', () => {
    const out = applyEdits(input, setConnectionEnabled(input, { model: 'gpt-4o', connection: 'prod-key-1' }, false));
    const a = input.split('\n');
    const b = out.split('\n');
    assert.strictEqual(a.length, b.length);
    assert.deepStrictEqual(a.map((l, i) => (l === b[i] ? null : i)).filter((x) => x !== null), [10]);
  });
});
