/**
 * The test corpus of manifest and agents texts, for the read-path equivalence test:
 * every YAML file under test/fixtures and examples, the benchmark manifests, a list of
 * edge cases written for the fast parser, every text any other unit test loads (recorded
 * while the suite runs), and small mutations of a few seeds (truncations, indentation
 * changes, inserted characters) so that the fast parser's give-up decisions are exercised.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { observeLoadedTexts } from '../../src/core/yaml/yamlLoad';
import { repoRoot } from './helpers';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

/** Every YAML file of the repository's tests and example, by relative path. */
export function fileCorpus(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of ['test/fixtures', 'examples']) {
    for (const f of yamlFiles(path.join(repoRoot, dir))) out.set(path.relative(repoRoot, f), fs.readFileSync(f, 'utf8'));
  }
  return out;
}

type Generate = (connections: number) => { text: string };

/** The benchmark's generated manifests (bench/generate.mjs is an ES module). */
export async function benchCorpus(sizes: readonly number[] = [100, 1000, 10000]): Promise<Map<string, string>> {
  // A real dynamic import (TypeScript would turn `import()` into `require()`, which cannot load .mjs).
  const load = new Function('u', 'return import(u)') as (u: string) => Promise<{ generateManifest: Generate }>;
  const { generateManifest } = await load(pathToFileURL(path.join(repoRoot, 'bench', 'generate.mjs')).href);
  return new Map(sizes.map((n) => [`bench ${n}`, generateManifest(n).text]));
}

const HEAD = 'version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n';

/** Edge cases of the subset the fast parser reads, and of what it must refuse. */
export const EDGE_CASES: readonly string[] = [
  // Scalar typing of the YAML 1.2 core schema.
  ...['null', 'Null', 'NULL', '~', '', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
    '0', '-0', '+0', '007', '+12', '-12', '0x1F', '0xff', '0X1F', '0o17', '0o8', '017', '1_000', '1.5', '-1.5', '+.5', '.5', '5.', '1e3', '1E-3', '-1.5e+10', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'nan', 'inf',
    '2026-11-22', '2026-11-22T10:00:00Z', '1:20', '12:30:00', 'v1', '1.2.3', '0.0.0.0', '-', '-a', 'a-', 'e5', '1e', '0x', '0o', '+', '.', '-.5e3', '1__0', "it's", 'a#b', 'a #b', 'https://x.example/v1?q=1#f', 'mailto:x@y', '@x', '`x`', '%x', '!x', '&x', '*x', '|', '>', '? x', ': x', '- x', 'a: b', 'a:', '[]', '{}', '[a, b]', '{a: 1}', "'q'", '"q"']
    .map((v) => `version: 1\nvalue: ${v}\nnext: x\n`),
  // Quoted scalars and escapes.
  'a: "x\\ty\\n\\\\ \\" \\u00e9 \\x41 \\U0001F600 \\/ \\0 \\a \\b \\e \\f \\r \\v \\N \\_ \\L \\P \\ "\nb: \'it\'\'s\'\n',
  'a: "unknown \\q escape"\n', 'a: "x" # c\nb: \'y\'   # d\n', 'a: "x"#c\n', 'a: "x" y\n', 'a: ""\nb: \'\'\n', 'a: "multi\n  line"\n', "a: 'multi\n  line'\n",
  '"quoted key": 1\n', "'k': 1\n", 'a:\n  - "x": 1\n', 'a:\n  - "x"\n  - \'y\'\n  - [1, 2]\n  - {k: v}\n',
  // Flow collections on one line, and what is not.
  'a: {x: 1, y: [a, b], z: {}}\nb: []\nc: [ a , b ]\nd: { k: v }  # c\n', 'a: {x: 1,}\n', 'a: [a,]\n', 'a: [a: 1]\n', 'a: {x}\n', 'a: {x: }\n', 'a: {"x": 1}\n', "a: {'x': 'y'}\n", 'a: {x:1}\n', 'a: [a, [b, [c]]]\n', 'a: [\n  b\n]\n', 'a: {x: 1, x: 2}\n', 'a: [a #c\n]\n', 'a: ["a", \'b\']\n', 'a: [a, "b" ]\n', 'a: [1, 2.5, true, null, ~, 0x10]\n',
  // Block structure.
  'a:\n- x\n- y\nb: 1\n', 'a:\n  - x\n  b: 1\n', '- a\n- b\n', '- a\nb: 1\n', 'a: 1\n  b: 2\n', 'a:\n    b: 1\n   c: 2\n', 'a:\n  b: 1\n c: 2\n', 'a:\n  - x: 1\n    y: 2\n  -   z: 3\n      w: 4\n', 'a:\n  - - x\n', 'a:\n  -\n    x: 1\n', 'a:\n  -x\n',
  'a: b: c\n', 'a: b\n  c\n', 'a:\n  b\n', 'a: x\nb\n', 'a : 1\n', 'a:1\n', 'a:  \n', 'a:\n\n\nb: 1\n', 'a:   # c\nb: 1\n', 'a:   # c\n  # more\nb: 1\n', 'a:\n  b:   # c\n  c: 1\n', 'a:\n  b:   # c\n\n  c: 1\n', 'a:   # c\n', 'a: # c\n  b: 1\n', 'a:\n  # c\n  b: 1\n', 'a:\n# c\n  b: 1\n', 'a:\n  b: 1\n  # end\n', 'a:\n  b: 1\n# end\n', 'a:\n  b:\n  # c\nz: 1\n',
  'a:\n  - x: 1\n\n  # c\n  - x: 2\n', 'a:\n  - x: 1\n    # c\n  - x: 2\n', 'a:\n  - b:\n      - 1\n  # c\nz: 1\n', 'a:\n  - x: 1\n      # deeper\n  - x: 2\n', 'x: 1\n  # c\ny: 2\n', 'a: 1\n\n\n', 'a: 1', 'a:', 'a:\n  b:', '\n\na: 1\n', '  a: 1\n', '# only\n', 'a: 1\n---\nb: 2\n', '---\na: 1\n', 'a: 1\n...\n', '%YAML 1.2\n---\na: 1\n',
  'a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: 1\n', '<<: {a: 1}\n', '__proto__: 1\n', 'a: 1\na: 2\n', '1: x\n', 'null: x\n', 'true: x\n', '~: x\n', 'a: |\n  x\n', 'a: >-\n  x\n  y\n', 'a:\t1\n', '\ta: 1\n', 'a: 1\r\nb: 2\r\n', 'a:\r\n  - x: 1\r\n    y:\r\n', 'a: 1\rb: 2\n', '\ufeffa: 1\n', '\ufeff# c\na: 1\n', 'a: x\ufeffy\n', 'a: "\u0007"\n', 'a: x\u2028y\n', 'a: x\u00a0y\n', 'a: é ü 日本\n', 'k' .repeat(1100) + ': 1\n',
  // Manifests with small twists.
  HEAD, HEAD.replace(/\n/g, '\r\n'), '\ufeff' + HEAD, HEAD + '        enabled: no\n', HEAD + '        addedOn: 2026-02-30\n', HEAD.replace('name: c', 'name: "c"'), HEAD.replace('connections:\n      - name: c\n', 'connections: []\n'), HEAD.replace('connections:\n      - name: c\n', 'connections:\n'), HEAD + '  - name: m\n    type: easy\n    provider: openai\n    model: x\n    connections: [{name: c}, {name: c}]\n',
  HEAD.replace('    model: gpt-4o\n', '    model: gpt-4o\n    # note\n'), HEAD + '        advancedProperties: {headers: {Host: x}}\n', HEAD + '        apiKey: sk-proj-abcdefghijklmnopqrstuvwx1234567890ABCD\n', HEAD + '# sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789\n',
  'version: 1\nmodels:\n' + Array.from({ length: 30 }, (_, i) => ' '.repeat(i * 2 + 2) + 'k:').join('\n') + ' 1\n',
  'version: 1\nmodels:\n' + Array.from({ length: 12 }, (_, i) => ' '.repeat(i * 2 + 2) + 'k:').join('\n') + ' 1\n',
];

const recorded = new Set<string>();
observeLoadedTexts((text) => {
  if (text.length <= 2_000_000) recorded.add(text);
});

/**
 * The texts loaded by the unit tests that ran before the call (mocha runs the test files
 * in name order, so those of every file named before the caller's), and stops recording.
 */
export function recordedTexts(): string[] {
  observeLoadedTexts(undefined);
  return [...recorded];
}

/** mulberry32, so every run tests the same mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [' ', '  ', '\n', '\r\n', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '\t', '&', '*', '!', '|', '>', '?', '%', '@', '`', '\\', '~', '0', 'x', '\u200b', '\ufeff', '---\n', '  - ', 'k: v\n'];

/** Seeded mutations of one text: truncations, lines indented one more or less, inserted and deleted characters. */
export function mutations(text: string, count: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      out.push(text.slice(0, Math.floor(r() * text.length)));
    } else if (kind === 1) {
      const copy = [...lines];
      const li = Math.floor(r() * copy.length);
      copy[li] = r() < 0.5 ? ' ' + copy[li] : copy[li].replace(/^ /, '');
      out.push(copy.join('\n'));
    } else if (kind === 2) {
      const at = Math.floor(r() * text.length);
      out.push(text.slice(0, at) + INSERTS[Math.floor(r() * INSERTS.length)] + text.slice(at));
    } else {
      const at = Math.floor(r() * text.length);
      out.push(text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3)));
    }
  }
  return out;
}
