import * as assert from 'assert';
import { parseDocument } from 'yaml';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import {
  addConnection,
  addModel,
  applyEdits,
  deleteConnection,
  deleteModel,
  EditError,
  formatScalar,
  setConnectionEnabled,
  updateConnection,
  updateModel,
  type FieldValue,
  type TextEdit,
} from '../../src/core/manifest/edit';
import { loadYaml } from '../../src/core/yaml/yamlLoad';
import { fixture } from './helpers';

/** [golden name, input fixture, edit, 1-based input lines the edit may change or remove]. */
const cases: Array<[string, string, (text: string) => TextEdit[], number[]]> = [
  ['disable-existing', 'base', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'prod-key-1' }, false), [11]],
  ['enable-missing', 'base', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'backup' }, true), []],
  ['enable-flow', 'base', (t) => setConnectionEnabled(t, { model: 'gpt-4o', connection: 'flow-key' }, true), [18]],
  ['disable-flow-missing', 'base', (t) => setConnectionEnabled(t, { model: 'mistral', connection: 'b' }, false), [31]],
  ['delete-connection-with-comment', 'base', (t) => deleteConnection(t, { model: 'gpt-4o', connection: 'prod-key-1' }), [9, 10, 11, 12]],
  ['delete-connection-block-scalar', 'base', (t) => deleteConnection(t, { model: 'gpt-4o', connection: 'backup' }), [13, 14, 15, 16, 17]],
  ['delete-last-connection', 'base', (t) => deleteConnection(t, { model: 'claude', connection: 'only' }), [24, 25, 26]],
  ['delete-flow-connection', 'base', (t) => deleteConnection(t, { model: 'mistral', connection: 'a' }), [31]],
  ['delete-model', 'base', (t) => deleteModel(t, 'claude'), [20, 21, 22, 23, 24, 25, 26]],

  // addModel: canonical key order, after the last model, in the file's indentation.
  ['add-model', 'base', (t) => addModel(t, { description: 'Research: long context', name: 'gemini', provider: 'google-gemini', type: 'easy', model: 'gemini-2.5-flash', addedOn: '2026-11-22', location: 'Research' }, [{ apiVersion: 'v1beta', name: 'research', addedBy: 'dave', enabled: true, addedOn: '2026-11-22' }]), []],
  ['add-model-indent4', 'indent4', (t) => addModel(t, { name: 'local-vllm', type: 'api', provider: 'generic', model: 'qwen3', addedOn: '2026-11-22' }, [{ name: 'lab', baseUrl: 'http://localhost:8000/v1', authHeader: 'none', advancedProperties: { headers: { 'X-Team': 'lab' }, timeout: '30' } }]), []],
  ['add-model-indent0', 'shapes', (t) => addModel(t, { name: 'o3', type: 'easy', provider: 'openai', model: 'o3' }, [{ name: 'k', enabled: true }]), []],
  ['add-model-flow', 'flow', (t) => addModel(t, { name: 'claude', type: 'easy', provider: 'anthropic', model: 'claude-sonnet-4-5' }, [{ name: 'team', enabled: true }]), [5]],
  ['add-model-empty', 'models-empty', (t) => addModel(t, { name: 'gpt-4o', type: 'easy', provider: 'openai', model: 'gpt-4o' }, [{ name: 'k', enabled: true }]), [3]],
  ['add-model-null', 'models-null', (t) => addModel(t, { name: 'gpt-4o', type: 'easy', provider: 'openai', model: 'gpt-4o' }, [{ name: 'k', enabled: true }]), []],
  ['add-model-missing', 'models-missing', (t) => addModel(t, { name: 'gpt-4o', type: 'easy', provider: 'openai', model: 'gpt-4o' }), []],

  // addConnection: block, flow, `[]`, `connections:` and no `connections` at all.
  ['add-connection', 'base', (t) => addConnection(t, 'gpt-4o', { addedBy: 'carol', name: 'new-key', enabled: false, description: 'yes' }), []],
  ['add-connection-to-flow-list', 'base', (t) => addConnection(t, 'mistral', { name: 'c', baseUrl: 'http://localhost:8002/v1', apiFormat: 'openai', advancedProperties: { headers: { 'X-Title': 'a, b' } } }), [31]],
  ['add-connection-indent4', 'indent4', (t) => addConnection(t, 'azure-gpt', { name: 'staging', enabled: false, endpoint: 'https://my-staging.openai.azure.com', deployment: 'gpt-41-staging', apiVersion: '2025-04-01-preview', addedOn: '2026-11-22' }), []],
  ['add-connection-flow-empty', 'flow', (t) => addConnection(t, 'local', { name: 'lab', baseUrl: 'http://localhost:11434/v1', authHeader: 'none' }), [5]],
  ['add-connection-missing', 'shapes', (t) => addConnection(t, 'no-conns', { name: 'k', enabled: true }), []],
  ['add-connection-empty', 'shapes', (t) => addConnection(t, 'empty-conns', { name: 'k' }), [21]],
  ['add-connection-null', 'shapes', (t) => addConnection(t, 'null-conns', { name: 'east', region: 'us-east-1' }), []],

  // updateConnection / updateModel: values replaced in place, keys inserted at their canonical place or removed.
  ['update-connection', 'base', (t) => updateConnection(t, { model: 'gpt-4o', connection: 'backup' }, { name: 'backup', enabled: false, addedBy: undefined, addedOn: '2026-11-22', description: 'Short now' }), [14, 15, 16, 17]],
  ['update-connection-keeps-comment', 'base', (t) => updateConnection(t, { model: 'gpt-4o', connection: 'prod-key-1' }, { enabled: false, addedBy: 'alice', description: '#2 key' }), [11]],
  ['update-flow-connection', 'base', (t) => updateConnection(t, { model: 'mistral', connection: 'b' }, { enabled: true, description: 'local # 2', baseUrl: 'http://localhost:8003/v1', authHeader: 'none' }), [31]],
  ['update-connection-indent4', 'indent4', (t) => updateConnection(t, { model: 'groq', connection: 'team' }, { apiFormat: 'openai', advancedProperties: { headers: { 'X-Title': 'My agents', 'X-Env': 'staging', 'X-Extra': 'on' } } }), [31, 32]],
  ['update-connection-flow', 'flow', (t) => updateConnection(t, { model: 'gpt-4o', connection: 'k' }, { enabled: undefined, addedBy: 'eve' }), [4]],
  ['update-flow-connection-item', 'shapes', (t) => updateConnection(t, { model: 'flow-item', connection: 'k' }, { enabled: false }), [27]],
  ['update-model', 'base', (t) => updateModel(t, 'claude', { name: 'claude-opus', model: 'claude-opus-4-1', description: 'Renamed', location: 'Support' }), [20, 23]],
  ['update-model-indent4', 'indent4', (t) => updateModel(t, 'azure-gpt', { location: undefined, description: 'Support desk', addedOn: '2026-11-22' }), [11]],
  ['update-model-flow', 'flow', (t) => updateModel(t, 'local', { description: 'Ollama: llama3', location: 'Lab' }), [5]],
  ['update-flow-model-item', 'shapes', (t) => updateModel(t, 'flow-item', { name: 'mini', description: 'Small, cheap' }), [27]],
];

const toCrlf = (s: string) => s.replace(/\n/g, '\r\n');
const input = (name: string) => fixture('edits', `${name}.input.yaml`);

/** 1-based lines of `a` that are not kept in `b` (longest common subsequence of lines). */
function removedLines(a: string[], b: string[]): number[] {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) out.push(++i);
    else j++;
  }
  while (i < a.length) out.push(++i);
  return out;
}

const errorCodes = (text: string) => analyzeManifest(text).problems.filter((p) => p.severity === 'error').map((p) => p.code).sort();

function throwsEdit(fn: () => unknown, code: EditError['code'], message?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof EditError && e.code === code && (!message || message.test(e.message)));
}

describe('edit: minimal text edits (golden files)', () => {
  for (const [name, file, run] of cases) {
    it(`${name} (LF)`, () => {
      const text = input(file);
      assert.strictEqual(applyEdits(text, run(text)), fixture('edits', `${name}.expected.yaml`));
    });
    it(`${name} (CRLF + BOM)`, () => {
      const crlf = '\ufeff' + toCrlf(input(file));
      assert.strictEqual(applyEdits(crlf, run(crlf)), '\ufeff' + toCrlf(fixture('edits', `${name}.expected.yaml`)));
    });
  }

  it('every golden output parses, adds no error, and changes only the expected lines', () => {
    for (const [name, file, run, changed] of cases) {
      const text = input(file);
      const edits = run(text);
      const out = applyEdits(text, edits);
      assert.ok(analyzeManifest(out).syntaxOk, name);
      const before = errorCodes(text);
      assert.ok(errorCodes(out).every((c) => before.includes(c)), `${name}: ${errorCodes(out).join(', ')}`);
      assert.deepStrictEqual(removedLines(text.split('\n'), out.split('\n')), changed, name);
      // Sorted, not touching: any client (VS Code's WorkspaceEdit included) applies them the same way.
      edits.forEach((e, i) => assert.ok(i === 0 || e.start > edits[i - 1].end, `${name}: edits ${i - 1} and ${i}`));
    }
  });

  it('leaves the result parseable with the same models except the edited one', () => {
    const base = input('base');
    const out = applyEdits(base, deleteModel(base, 'claude'));
    const a = analyzeManifest(out);
    assert.deepStrictEqual(a.models.map((m) => m.name), ['gpt-4o', 'mistral']);
  });

  it('reads back what was written: new models and connections, nested maps', () => {
    const base = input('indent4');
    const out = applyEdits(base, addModel(base, { name: 'x', type: 'api', provider: 'generic', model: 'm' }, [{ name: 'k', baseUrl: 'https://h.example/v1', advancedProperties: { headers: { 'X-A': 'yes', 'X-B': '1' }, mode: 'null' } }]));
    const m = analyzeManifest(out).models.find((x) => x.name === 'x')!;
    assert.deepStrictEqual(m.connections[0].settings, { baseUrl: 'https://h.example/v1', advancedProperties: { headers: { 'X-A': 'yes', 'X-B': '1' }, mode: 'null' } });
  });

  it('adds enabled to a last connection at the end of a file without a final newline', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: k';
    const out = applyEdits(t, setConnectionEnabled(t, { model: 'm', connection: 'k' }, false));
    assert.strictEqual(out, t + '\n        enabled: false\n');
    assert.strictEqual(analyzeManifest(out).models[0].connections[0].enabled, false);
  });

  it('adds a connection and a model at the end of a file without a final newline', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: k';
    assert.strictEqual(applyEdits(t, addConnection(t, 'm', { name: 'j' })), t + '\n      - name: j\n');
    assert.strictEqual(applyEdits(t, addModel(t, { name: 'o', type: 'easy', provider: 'openai', model: 'o3' })), t + '\n  - name: o\n    type: easy\n    provider: openai\n    model: o3\n    connections: []\n');
    const u = 'version: 1\nmodels:';
    assert.strictEqual(applyEdits(u, addModel(u, { name: 'n' })), u + "\n  - name: 'n'\n    connections: []\n");
  });

  it('removes and rewrites the last pair of a file without a final newline', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        description: d';
    assert.strictEqual(applyEdits(t, updateConnection(t, { model: 'm', connection: 'k' }, { description: undefined })), 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n');
    assert.strictEqual(applyEdits(t, updateConnection(t, { model: 'm', connection: 'k' }, { description: 'e' })), t.slice(0, -1) + 'e');
  });

  it('does not treat a nested block range that runs into the next item as the item', () => {
    // The `yaml` range of a nested map runs over trailing comments and blank lines, up to the next `- `.
    const t = 'version: 1\nmodels:\n  - name: a\n    connections:\n      - name: k\n        advancedProperties:\n          x: 1\n          # about x\n\n  - name: b\n    connections: []\n';
    assert.strictEqual(applyEdits(t, deleteModel(t, 'a')), 'version: 1\nmodels:\n\n  - name: b\n    connections: []\n');
    assert.strictEqual(
      applyEdits(t, updateConnection(t, { model: 'a', connection: 'k' }, { custom: 'r' })),
      'version: 1\nmodels:\n  - name: a\n    connections:\n      - name: k\n        advancedProperties:\n          x: 1\n          # about x\n        custom: r\n\n  - name: b\n    connections: []\n',
    );
    assert.strictEqual(
      applyEdits(t, addConnection(t, 'a', { name: 'j' })),
      'version: 1\nmodels:\n  - name: a\n    connections:\n      - name: k\n        advancedProperties:\n          x: 1\n          # about x\n      - name: j\n\n  - name: b\n    connections: []\n',
    );
    assert.strictEqual(applyEdits(t, addModel(t, { name: 'c' })), t + '\n  - name: c\n    connections: []\n');
  });

  it('removes a first key written on the `- ` line by moving the next key up', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    connections:\n      - enabled: true   # on\n        name: k\n        addedBy: a\n';
    assert.strictEqual(applyEdits(t, updateConnection(t, { model: 'm', connection: 'k' }, { enabled: undefined, addedBy: undefined, description: 'd' })), 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        description: d\n');
  });

  it('replaces and removes nested maps and empty values', () => {
    const t = 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        description:   # later\n        advancedProperties: {headers: {A: b}, x: y}\n        baseUrl: ~\n';
    const out = applyEdits(t, updateConnection(t, { model: 'm', connection: 'k' }, { description: 'now', advancedProperties: { headers: { A: 'c' } }, baseUrl: 'https://h.example' }));
    assert.strictEqual(out, 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        description: now   # later\n        advancedProperties: {headers: {A: c}}\n        baseUrl: https://h.example\n');
    const cleared = applyEdits(t, updateConnection(t, { model: 'm', connection: 'k' }, { advancedProperties: {} }));
    assert.ok(cleared.includes('        advancedProperties: {}\n'));
    const block = 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        advancedProperties:\n          headers:\n            A: b\n        region: r\n';
    assert.strictEqual(
      applyEdits(block, updateConnection(block, { model: 'm', connection: 'k' }, { advancedProperties: { other: 'v' } })),
      'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        advancedProperties:\n          other: v\n        region: r\n',
    );
    assert.strictEqual(applyEdits(block, updateConnection(block, { model: 'm', connection: 'k' }, { advancedProperties: 'x' })), 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        advancedProperties: x\n        region: r\n');
    assert.strictEqual(applyEdits(block, updateConnection(block, { model: 'm', connection: 'k' }, { advancedProperties: undefined })), 'version: 1\nmodels:\n  - name: m\n    connections:\n      - name: k\n        region: r\n');
  });

  it('returns no edit when nothing changes, keeping the existing quoting', () => {
    const base = input('base');
    assert.deepStrictEqual(updateConnection(base, { model: 'gpt-4o', connection: 'backup' }, { name: 'backup', addedBy: 'bob', enabled: undefined }), []);
    assert.deepStrictEqual(updateModel(base, 'gpt-4o', { name: 'gpt-4o', model: 'gpt-4o', type: 'easy' }), []);
    assert.deepStrictEqual(setConnectionEnabled(base, { model: 'gpt-4o', connection: 'prod-key-1' }, true), []);
  });

  it('keeps a blank line between models when the file uses one', () => {
    const t = 'version: 1\nmodels:\n  - name: a\n    connections: []\n\n  # b is next\n  - name: b\n    connections: []\n';
    assert.strictEqual(applyEdits(t, addModel(t, { name: 'c' })), t + '\n  - name: c\n    connections: []\n');
  });

  it('works on a flow-style root mapping', () => {
    const t = '{version: 1}\n';
    const out = applyEdits(t, addModel(t, { name: 'm', type: 'easy' }, [{ name: 'k' }]));
    assert.strictEqual(out, '{version: 1, models: [{name: m, type: easy, connections: [{name: k}]}]}\n');
  });
});

describe('edit: refusals', () => {
  const base = input('base');

  it('never edits a file with YAML syntax errors', () => {
    const broken = base.replace('provider: openai', 'provider: [openai');
    throwsEdit(() => setConnectionEnabled(broken, { model: 'gpt-4o', connection: 'prod-key-1' }, false), 'syntax');
    throwsEdit(() => addModel(broken, { name: 'x' }), 'syntax');
    throwsEdit(() => addConnection(broken, 'gpt-4o', { name: 'x' }), 'syntax');
    throwsEdit(() => updateModel(broken, 'gpt-4o', { description: 'x' }), 'syntax');
    throwsEdit(() => updateConnection(broken, { model: 'gpt-4o', connection: 'backup' }, { description: 'x' }), 'syntax');
  });

  it('says which name is missing', () => {
    assert.throws(() => setConnectionEnabled(base, { model: 'gpt-4o', connection: 'nope' }, false), /no connection named `nope`/);
    assert.throws(() => deleteModel(base, 'nope'), /No model named `nope`/);
    throwsEdit(() => addConnection(base, 'nope', { name: 'k' }), 'not-found', /No model named `nope`/);
    throwsEdit(() => updateModel(base, 'nope', { description: 'x' }), 'not-found');
    throwsEdit(() => updateConnection(base, { model: 'gpt-4o', connection: 'nope' }, { description: 'x' }), 'not-found', /no connection named `nope`/);
    throwsEdit(() => updateConnection(base, { model: 'nope', connection: 'backup' }, { description: 'x' }), 'not-found');
  });

  it('refuses duplicate names', () => {
    throwsEdit(() => addModel(base, { name: 'claude' }), 'shape', /already exists/);
    throwsEdit(() => addConnection(base, 'gpt-4o', { name: 'backup' }), 'shape', /already has a connection named `backup`/);
    throwsEdit(() => addConnection(base, 'mistral', { name: 'a', baseUrl: 'http://localhost:1/v1' }), 'shape');
    throwsEdit(() => addModel(base, { name: 'new' }, [{ name: 'k' }, { name: 'k' }]), 'shape', /already has a connection named `k`/);
    throwsEdit(() => updateModel(base, 'claude', { name: 'mistral' }), 'shape', /already exists/);
  });

  it('refuses renaming a connection, and a model without a name', () => {
    throwsEdit(() => updateConnection(base, { model: 'gpt-4o', connection: 'backup' }, { name: 'backup-2' }), 'shape', /immutable once saved/);
    throwsEdit(() => updateConnection(base, { model: 'gpt-4o', connection: 'backup' }, { name: undefined }), 'shape', /immutable once saved/);
    throwsEdit(() => updateModel(base, 'claude', { name: undefined }), 'shape');
    throwsEdit(() => updateModel(base, 'claude', { name: '' }), 'shape');
    throwsEdit(() => addModel(base, { type: 'easy' }), 'shape', /needs a name/);
    throwsEdit(() => addConnection(base, 'claude', { enabled: true }), 'shape', /needs a name/);
  });

  it('refuses values and keys that have no place in the manifest', () => {
    const ref = { model: 'gpt-4o', connection: 'backup' };
    throwsEdit(() => updateConnection(base, ref, { description: NaN }), 'shape');
    throwsEdit(() => updateConnection(base, ref, { description: ['a'] as unknown as FieldValue }), 'shape');
    throwsEdit(() => updateConnection(base, ref, { description: null as unknown as FieldValue }), 'shape');
    throwsEdit(() => updateConnection(base, ref, JSON.parse('{"__proto__": "x"}') as Record<string, FieldValue>), 'shape');
    throwsEdit(() => updateConnection(base, ref, { advancedProperties: JSON.parse('{"__proto__": {"a": "b"}}') as FieldValue }), 'shape');
    throwsEdit(() => updateConnection(base, ref, { '<<': 'x' }), 'shape');
    throwsEdit(() => updateModel(base, 'claude', { connections: 'x' }), 'shape');
    throwsEdit(() => addModel(base, { name: 'x', connections: 'y' }), 'shape');
  });

  it('refuses a manifest whose shape it cannot extend', () => {
    throwsEdit(() => addModel('version: 1\nmodels: nope\n', { name: 'x' }), 'shape', /`models` is not a list/);
    throwsEdit(() => addModel('- a\n- b\n', { name: 'x' }), 'shape');
    throwsEdit(() => addConnection('version: 1\nmodels:\n  - name: m\n    connections: {}\n', 'm', { name: 'x' }), 'shape', /`connections` is not a list/);
  });
});

// ---------------------------------------------------------------------------------------
// Quoting

/** Reads `value` as written by formatScalar the way the extension does (YAML 1.2 core) and as YAML 1.1 would. */
function readBack(written: string, flow: boolean): { core: unknown; yaml11: unknown } {
  const src = flow ? `{k: ${written}}\n` : `k: ${written}\n`;
  const loaded = loadYaml(src, 'test');
  assert.ok(loaded.syntaxOk, `${JSON.stringify(written)} does not parse`);
  // Dates are the one YAML 1.1 type left plain on purpose (`addedOn: 2026-11-22`, `apiVersion: 2024-10-21`).
  const noDates = (tags: Array<string | { tag: string }>) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp');
  const yaml11 = parseDocument(src, { version: '1.1', customTags: noDates as never }).toJS() as { k: unknown };
  return { core: (loaded.data as { k: unknown }).k, yaml11: yaml11.k };
}

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'On', 'true', 'False', 'TRUE', 'null', 'Null', '~', '',
  '0', '1', '-1', '+1', '1.5', '.5', '1e3', '0x1', '0o7', '0b1', '017', '1_000', '1:20', '.inf', '-.Inf', '.nan', '<<', '=',
  ' lead', 'trail ', ' ', '\t', 'a: b', 'a:', 'key: value # c', 'a #b', 'x # y', '@user', '`cmd`', 'a`b',
  '-', '- item', '-x', '?', '? x', ':', ':x', ',', 'a,b', '[a]', ']', '{a}', '}', '&anchor', '*alias', '!tag', '!!str', '|', '>', "'q'", '"q"', "it's", '%TAG', '#c',
  '---', '...', '--- x', 'a\nb', 'a\r\nb', 'a\rb', '\n', 'tab\there', 'nul\u0000', 'bell\u0007', 'del\u007f', 'nel\u0085', 'ls\u2028', 'ps\u2029', 'bom\ufeff', 'rlo\u202e', 'zw\u200b',
  'lone\ud800', 'lone\udc00x', 'emoji 😀', 'é', 'naïve', '日本語', 'back\\slash', '\\n', 'a"b', "a'b", '%',
];
const KEEP_PLAIN = ['2024-10-21', '2026-11-22', 'v1', 'v1beta', 'gpt-4o', 'gpt-4.1', 'claude-sonnet-4-5', 'us.anthropic.claude-opus-4-1-20250805-v1:0', 'https://api.groq.com/openai/v1', 'http://localhost:8000/v1', 'My agents', 'alice', 'a#b', 'Ocp-Apim-Subscription-Key', 'prod-key-1', '2025-04-01-preview', 'us-east-1'];
const MUST_QUOTE = ['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'false', 'null', '~', '1', '1.5', '0x1', '0o7', '017', '1_000', '1:20', '.inf', '.nan', ' lead', 'trail ', 'a: b', 'a #b', '@user', '`cmd`', '-x', '?x', ':x', ',', '[a', ']', '{a', '}', '&a', '*a', '!a', '|', '>', "'a", '"a', '%a', '#a', '', 'a\nb', 'bom\ufeff', 'rlo\u202e'];

describe('edit: scalars are quoted only when needed and read back unchanged', () => {
  it('keeps ordinary values plain (dates and API versions stay unquoted)', () => {
    for (const s of KEEP_PLAIN) assert.strictEqual(formatScalar(s), s);
  });

  it('quotes what YAML 1.2 or 1.1 would read as something else, or could not read', () => {
    for (const s of MUST_QUOTE) assert.match(formatScalar(s), /^['"]/, JSON.stringify(s));
    assert.strictEqual(formatScalar('yes'), "'yes'");
    assert.strictEqual(formatScalar("it's: x"), "'it''s: x'");
    assert.strictEqual(formatScalar('a\nb'), '"a\\nb"');
    assert.strictEqual(formatScalar('rlo\u202e'), '"rlo\\u202e"');
    assert.strictEqual(formatScalar('a,b'), 'a,b');
    assert.strictEqual(formatScalar('a,b', true), "'a,b'");
    assert.strictEqual(formatScalar(true), 'true');
    assert.strictEqual(formatScalar(42), '42');
    throwsEdit(() => formatScalar(Infinity), 'shape');
  });

  it('round-trips tricky and random strings, in block and flow context', () => {
    const random = prng(20261122);
    const alphabet = [...'ab1 :#-?,[]{}&*!|>\'"%@`\\.~_=+0xeE\t\n\r', '\u0000', '\u0085', '\u00a0', '\u2028', '\ufeff', '\u202e', '\ud800', '\udc00', '😀', 'é'];
    const strings = [...TRICKY, ...KEEP_PLAIN];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(random() * 8);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      strings.push(s);
    }
    for (const s of strings) {
      for (const flow of [false, true]) {
        const written = formatScalar(s, flow);
        const { core, yaml11 } = readBack(written, flow);
        assert.strictEqual(core, s, `${JSON.stringify(s)} written as ${written}`);
        assert.strictEqual(yaml11, s, `${JSON.stringify(s)} written as ${written} (YAML 1.1)`);
        assert.ok(!/[\r\n]/.test(written), `${JSON.stringify(s)} written on several lines`);
      }
    }
  });

  it('round-trips through the edits themselves', () => {
    const base = input('base');
    for (const s of TRICKY) {
      const out = applyEdits(base, updateConnection(base, { model: 'gpt-4o', connection: 'backup' }, { description: s, addedBy: s }));
      const c = analyzeManifest(out).models[0].connections[1];
      assert.strictEqual(c.description, s);
      assert.strictEqual(c.addedBy, s);
      const flow = applyEdits(base, updateConnection(base, { model: 'mistral', connection: 'a' }, { description: s }));
      assert.strictEqual(analyzeManifest(flow).models[2].connections[0].description, s);
      const added = applyEdits(base, addModel(base, { name: `m ${JSON.stringify(s)}`, description: s }, [{ name: 'k', advancedProperties: { headers: { 'X-A': s } } }]));
      const m = analyzeManifest(added).models[3];
      assert.strictEqual(m.description, s);
      assert.deepStrictEqual(m.connections[0].settings.advancedProperties, { headers: { 'X-A': s } });
    }
  });
});
