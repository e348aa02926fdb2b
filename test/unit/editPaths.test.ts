/**
 * Edits on files read by the fast parser are checked region by region; on other files,
 * and with the fast path off, the whole result is re-read. Both must give the same edits.
 */
import * as assert from 'assert';
import { addConnection, addModel, applyEdits, deleteConnection, EditError, setConnectionEnabled, updateConnection, updateModel, verifyEdits, type TextEdit } from '../../src/core/manifest/edit';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { loadTree, setFastPath } from '../../src/core/yaml/yamlLoad';
import { benchCorpus } from './corpus';

function bothPaths(f: () => TextEdit[]): TextEdit[] {
  setFastPath(false);
  let full: TextEdit[] | Error;
  try {
    full = f();
  } catch (e) {
    full = e as Error;
  } finally {
    setFastPath(true);
  }
  let fast: TextEdit[] | Error;
  try {
    fast = f();
  } catch (e) {
    fast = e as Error;
  }
  assert.deepStrictEqual(fast, full);
  if (fast instanceof Error) throw fast;
  return fast;
}

describe('edits: region check ≡ whole-file check', function () {
  this.timeout(60_000);
  let text = '';
  before(async () => {
    text = (await benchCorpus([1000])).get('bench 1000')!;
    assert.ok(loadTree(text, 'manifest').fast);
  });

  it('gives the same edits on a benchmark manifest, and only the edited lines change', () => {
    const models = analyzeManifest(text).models;
    for (const mi of [0, 7, models.length - 1]) {
      const m = models[mi];
      const c = m.connections[m.connections.length - 1];
      const ref = { model: m.name, connection: c.name };
      const runs: Array<[string, () => TextEdit[]]> = [
        ['enable', () => setConnectionEnabled(text, ref, !c.enabled)],
        ['update', () => updateConnection(text, ref, { description: 'Rotated: see ticket #42', addedBy: 'zed', region: undefined })],
        ['add connection', () => addConnection(text, m.name, { name: 'new-key', enabled: false, addedBy: 'zed', addedOn: '2026-12-03' })],
        ['update model', () => updateModel(text, m.name, { description: "It's new", location: 'Research' })],
        ['delete connection', () => deleteConnection(text, ref)],
        ['add model', () => addModel(text, { name: `new-${mi}`, type: 'easy', provider: 'openai', model: 'gpt-4o' }, [{ name: 'k1' }])],
      ];
      for (const [what, run] of runs) {
        const edits = bothPaths(run);
        const after = applyEdits(text, edits);
        const a = analyzeManifest(after);
        assert.deepStrictEqual(a.problems.filter((p) => p.severity === 'error'), [], `${what} on model #${mi}`);
        // Only the edited lines: every line before and after the edits is unchanged.
        const before = text.split('\n');
        const lines = after.split('\n');
        let p = 0;
        while (before[p] === lines[p]) p++;
        let s = 0;
        while (s < before.length - p && before[before.length - 1 - s] === lines[lines.length - 1 - s]) s++;
        assert.ok(before.length - p - s <= 8 && lines.length - p - s <= 8, `${what} on model #${mi} changed ${before.length - p - s} → ${lines.length - p - s} lines`);
      }
    }
  });

  it('an edit next to a model with a comment, a CRLF file and a BOM', () => {
    const crlf = '\ufeff' + text.replace(/\n/g, '\r\n');
    const models = analyzeManifest(crlf).models;
    const m = models[3];
    const edits = bothPaths(() => updateConnection(crlf, { model: m.name, connection: m.connections[0].name }, { description: 'x' }));
    assert.ok(!applyEdits(crlf, edits).replace(/\r\n/g, '').includes('\n'), 'CRLF kept');
  });

  it('still refuses files with YAML errors and impossible changes', () => {
    const broken = text.replace('models:\n', 'models:\n  - name: [\n');
    assert.throws(() => setConnectionEnabled(broken, { model: 'x', connection: 'y' }, false), (e: unknown) => e instanceof EditError && e.code === 'syntax');
    const m = analyzeManifest(text).models[2];
    assert.throws(() => bothPaths(() => updateConnection(text, { model: m.name, connection: m.connections[0].name }, { name: 'renamed' })), EditError);
  });
});

describe('edits: the region check refuses results that do not read as intended', () => {
  const text = 'version: 1\nmodels:\n  - name: a\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: k1\n        enabled: true\n\n  # b is next\n  - name: b\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: k2\n  - name: c\n    type: easy\n    provider: openai\n    model: o3\n    connections: []\n';
  const at = (s: string) => text.indexOf(s);
  type Models = Array<{ connections: Array<Record<string, unknown>> }>;
  const disableK2 = (d: Record<string, unknown>) => void ((d.models as Models)[1].connections[0].enabled = false);

  it('accepts the right edit through the region check and through the whole-file check', () => {
    const edit = { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '        enabled: false\n' };
    assert.ok(loadTree(text, 'manifest').fast);
    assert.deepStrictEqual(verifyEdits(text, [edit], disableK2, [1]), [edit]);
    assert.deepStrictEqual(verifyEdits(text, [edit], disableK2), [edit]);
  });

  const wrong: Array<[string, TextEdit]> = [
    ['another value', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '        enabled: true\n' }],
    ['the line at the model’s indentation', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '    enabled: false\n' }],
    ['a duplicate key', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '        enabled: false\n        enabled: false\n' }],
    ['a syntax error', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '        enabled: [false\n' }],
    ['a line that ends the list', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '        enabled: false\nextra: 1\n' }],
    ['tab indentation', { start: at('      - name: k2\n') + 17, end: at('      - name: k2\n') + 17, newText: '\t      enabled: false\n' }],
  ];
  for (const [what, edit] of wrong) {
    it(`refuses ${what}`, () => {
      assert.throws(() => verifyEdits(text, [edit], disableK2, [1]), EditError);
      assert.throws(() => verifyEdits(text, [edit], disableK2), EditError);
    });
  }
});
