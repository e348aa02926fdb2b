/**
 * Every analysis stage is linear in its input (issue 15): for each stage — YAML load on both paths, schema
 * errors, rules, the leak guard, agents resolution, edits — adversarial inputs are built at sizes n, 2n and 4n
 * (many keys, many tokens, long strings, many models, connections, agents, deep supervisors) and timed through the
 * core's public functions. The median time may grow at most 2.5× per doubling of the input. All sizes are
 * measured in the same run, interleaved round by round, so a loaded machine slows them alike; n is raised until
 * the 4n case takes a few milliseconds, so the ratio is not lost in timer noise. A quadratic stage gives ~4× per
 * doubling, a cubic one ~8×: both fail. The figures go to test-results/security/scaling.json and from there to
 * docs/SECURITY-TESTS.md.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { analyzeAgents } from '../../../src/core/agents/agents';
import { clearAgentConnection, setAgentConnection } from '../../../src/core/agents/agentsEdit';
import { resolveAssignments } from '../../../src/core/agents/assignments';
import { addConnection, applyEdits, deleteConnection, setConnectionEnabled, updateConnection } from '../../../src/core/manifest/edit';
import { analyzeManifest } from '../../../src/core/manifest/manifest';
import { MAX_PROBLEMS } from '../../../src/core/yaml/problems';
import { loadTree, setFastPath } from '../../../src/core/yaml/yamlLoad';
import { repoRoot } from './report';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

/**
 * The largest allowed growth of the median time per doubling of the input, from n to 4n (the square root of the
 * 4n/n ratio: linear gives ×2, quadratic ×4). Each single doubling may reach MAX_STEP, since one size can fall
 * on the other side of a cache or heap threshold.
 */
const MAX_RATIO = 2.5;
const MAX_STEP = 3.5;
/** The 4n case must take at least this long (n is doubled until it does, a few times at most). */
const MIN_MS = 5;
const ROUNDS = 5;
/** Each sample of a size takes about this long (calls repeated). */
const SAMPLE_MS = 4;

interface Family {
  stage: string;
  input: string;
  /** Starting size; doubled while the 4n case is too quick to time. */
  n: number;
  make: (n: number) => string;
  run: (text: string) => unknown;
  /** Checks on the 1× result that the input really exercises the stage (not a refusal before it). */
  check?: (result: unknown, text: string) => void;
}

/** Fake keys only: `sk-test-…` with a running number, random-looking enough for the leak guard. */
const fakeKey = (i: number) => `sk-test-abcdefgh1234${String(i).padStart(6, '0')}`;
const keys = (n: number, sep = ' ') => Array.from({ length: n }, (_, i) => fakeKey(i)).join(sep);
const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');

const MODEL = (name: string, conns: string) => `  - name: ${name}\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n${conns}`;
const CONN = (name: string, extra = '') => `      - name: ${name}\n${extra}`;
const manifest = (models: string) => `version: 1\nmodels:\n${models}`;
const oneModel = (extra: string, conns = CONN('c')) => manifest(`  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n${extra}    connections:\n${conns}`);
const generic = (name: string, conns: string) => `  - name: ${name}\n    type: api\n    provider: generic\n    model: llama\n    connections:\n${conns}`;
const manyModels = (n: number) => manifest(times(n, (i) => MODEL(`model-${i}`, CONN('prod-key-1') + CONN('prod-key-2'))));

type Problems = { problems: Array<{ code: string }> };
const codes = (r: unknown) => new Set((r as Problems).problems.map((p) => p.code));
const has = (code: string) => (r: unknown) => assert.ok(codes(r).has(code), `expected ${code}, got ${[...codes(r)].join(', ')}`);
const full = (r: unknown) => assert.strictEqual((r as Problems).problems.length, MAX_PROBLEMS, 'the input reaches the problem cap');

function withFullPath<T>(f: () => T): T {
  setFastPath(false);
  try {
    return f();
  } finally {
    setFastPath(true);
  }
}

/** Agents files: `agents` references `model-i/prod-key-1`, against a manifest of as many models. */
const agentsFile = (supervisors: string, agents: string) => `${supervisors ? `supervisors:\n${supervisors}` : ''}${agents ? `agents:\n${agents}` : ''}`;
const resolveWith = (models: string | undefined) => {
  const m = models === undefined ? undefined : analyzeManifest(models).models;
  return (text: string) => {
    const analysis = analyzeAgents(text);
    const r = resolveAssignments(text, analysis, m, { keyStatus: () => 'missing' });
    return { problems: [...analysis.problems, ...r.problems], assignments: r.assignments };
  };
};
/** Split the n of a family between a manifest (built once per size) and the agents file. */
const pairCache = new Map<string, ReturnType<typeof resolveWith>>();
const resolver = (key: string, models: () => string) => {
  let r = pairCache.get(key);
  if (!r) pairCache.set(key, (r = resolveWith(models())));
  return r;
};

const FAMILIES: Family[] = [
  // YAML load, fast path (the usual read) and full `yaml` path (what the fast parser hands over).
  ...(['fast', 'full'] as const).flatMap((p): Family[] => {
    const load = (text: string) => (p === 'full' ? withFullPath(() => loadTree(text, 'manifest')) : loadTree(text, 'manifest'));
    const onPath = (r: unknown) => assert.strictEqual((r as { fast: boolean }).fast, p === 'fast', `read by the ${p} path`);
    const stage = `YAML load (${p} path)`;
    return [
      { stage, input: 'many models', n: p === 'full' ? 50 : 200, make: manyModels, run: load, check: onPath },
      { stage, input: 'many keys in one mapping', n: p === 'full' ? 250 : 1000, make: (n) => oneModel('', CONN('c', `        advancedProperties:\n${times(n, (i) => `          k${i}: v${i}\n`)}`)), run: load, check: onPath },
      { stage, input: 'one long string', n: 20000, make: (n) => oneModel(`    description: ${'ab cd '.repeat(n / 6)}x\n`), run: load, check: onPath },
      { stage, input: 'many tokens in one value', n: 2000, make: (n) => oneModel(`    description: ${keys(n)}\n`), run: load, check: onPath },
      { stage, input: 'many comment lines', n: 1000, make: (n) => oneModel(times(n, (i) => `    # note ${i}: ${'x'.repeat(20)}\n`)), run: load, check: onPath },
      { stage, input: 'many flow items', n: p === 'full' ? 500 : 1000, make: (n) => oneModel('', CONN('c', `        advancedProperties: {list: [${times(n, (i) => `${i ? ', ' : ''}item-${i}`)}]}\n`)), run: load, check: onPath },
    ];
  }),
  { stage: 'YAML load (full path)', input: 'many duplicate keys (problem cap)', n: 300, make: (n) => oneModel('', CONN('c', `        advancedProperties:\n${times(n, () => '          k: v\n')}`)), run: (t) => loadTree(t, 'manifest'), check: (r) => assert.ok((r as Problems).problems.some((p) => p.code === 'duplicate-key')) },
  { stage: 'YAML load (full path)', input: 'many anchors and aliases (problem cap)', n: 200, make: (n) => oneModel('', CONN('c', `        advancedProperties:\n${times(n, (i) => `          a${i}: &x${i} v\n          b${i}: *x${i}\n`)}`)), run: (t) => loadTree(t, 'manifest'), check: (r) => assert.ok((r as Problems).problems.some((p) => p.code === 'yaml-alias')) },

  // Schema errors (ajv's errors mapped to the exact node), through the analysis.
  { stage: 'schema errors', input: 'many unknown keys in one model', n: 1000, make: (n) => oneModel(times(n, (i) => `    unknown${i}: x\n`)), run: analyzeManifest, check: (r) => { has('schema-unknown-key')(r); full(r); } },
  { stage: 'schema errors', input: 'many models with wrong values', n: 100, make: (n) => manifest(times(n, (i) => `  - name: m${i}\n    type: nope\n    provider: openai\n    model: gpt-4o\n    location: [1]\n    connections:\n${CONN('c', '        enabled: maybe\n')}`)), run: analyzeManifest, check: full },
  { stage: 'schema errors', input: 'agents file: many agents with unknown keys and wrong types', n: 120, make: (n) => agentsFile('', times(n, (i) => `  - name: a${i}\n    colour: red\n    connection: [x]\n`)), run: analyzeAgents, check: (r) => { has('schema-unknown-key')(r); has('schema-invalid-type')(r); } },

  // Rules (names, URLs, headers), through the analysis.
  { stage: 'rules', input: 'many models with the same name', n: 250, make: (n) => manifest(times(n, () => MODEL('same', CONN('c')))), run: analyzeManifest, check: has('duplicate-name') },
  { stage: 'rules', input: 'many connections with the same name', n: 500, make: (n) => manifest(MODEL('m', times(n, () => CONN('same')))), run: analyzeManifest, check: has('duplicate-name') },
  { stage: 'rules', input: 'many generic connections with plain-http URLs and bad headers', n: 150, make: (n) => manifest(generic('g', times(n, (i) => CONN(`c${i}`, `        baseUrl: http://10.0.0.${i % 250}/v1\n        advancedProperties:\n          headers:\n            Host: evil.example\n            X-Ok-${i}: fine\n`)))), run: analyzeManifest, check: has('insecure-url') },
  { stage: 'rules', input: 'many headers on one connection', n: 500, make: (n) => manifest(generic('g', CONN('c', `        baseUrl: https://api.example.com/v1\n        advancedProperties:\n          headers:\n${times(n, (i) => `            X-H-${i}: v${i}\n`)}`))), run: analyzeManifest },

  // The leak guard: the case of issue 15 first (8,000 keys in one description took 5.5 s).
  { stage: 'leak guard', input: 'many keys in one value (issue 15)', n: 2000, make: (n) => oneModel(`    description: ${keys(n)}\n`), run: analyzeManifest, check: (r) => { has('leaked-key')(r); full(r); } },
  { stage: 'leak guard', input: 'many keys in one comment line', n: 2000, make: (n) => oneModel(`    # ${keys(n)}\n`), run: analyzeManifest, check: (r) => { has('leaked-key')(r); full(r); } },
  { stage: 'leak guard', input: 'many comment lines with a key', n: 1000, make: (n) => oneModel(times(n, (i) => `    # old: ${fakeKey(i)}\n`)), run: analyzeManifest, check: has('leaked-key') },
  { stage: 'leak guard', input: 'many connections with a key (attributed to each)', n: 300, make: (n) => manifest(MODEL('m', times(n, (i) => CONN(`c${i}`, `        description: ${fakeKey(i)}\n`)))), run: analyzeManifest, check: has('leaked-key') },
  { stage: 'leak guard', input: 'many escaped keys in one double-quoted value', n: 1000, make: (n) => oneModel(`    description: "${fakeKey(0)} ${Array.from({ length: n }, (_, i) => fakeKey(i + 1).replace('abc', '\\x61bc')).join(' ')}"\n`), run: analyzeManifest, check: has('leaked-key') },
  { stage: 'leak guard', input: 'many key-shaped placeholders (rejected)', n: 2000, make: (n) => oneModel(`    description: ${times(n, () => 'sk-aaaaaaaaaaaaaaaaaaaaaaaa ')}\n`), run: analyzeManifest },
  { stage: 'leak guard', input: 'many random tokens in advancedProperties', n: 300, make: (n) => manifest(generic('g', CONN('c', `        baseUrl: https://api.example.com/v1\n        advancedProperties:\n${times(n, (i) => `          t${i}: Zq8${i}Xw2Rt5Yp9Lk3Mn7Bv4Cx${i}\n`)}`))), run: analyzeManifest, check: has('leaked-key') },
  { stage: 'leak guard', input: 'agents file: many keys in comments and values', n: 150, make: (n) => agentsFile('', times(n, (i) => `  - name: a${i} # ${fakeKey(i)}\n    description: ${fakeKey(i + n)}\n`)), run: analyzeAgents, check: has('leaked-key') },

  // Agents: structure and resolution against the manifest.
  { stage: 'agents resolution', input: 'many agents referencing many models', n: 150, make: (n) => agentsFile('', times(n, (i) => `  - name: a${i}\n    connection: model-${i}/prod-key-1\n`)), run: (t) => resolver(`models:${t.length}`, () => manyModels(t.split('\n').length >> 1))(t), check: (r) => assert.strictEqual((r as Problems).problems.filter((p) => p.code !== 'no-key').length, 0) },
  { stage: 'agents resolution', input: 'many references to unknown models (did-you-mean)', n: 150, make: (n) => agentsFile('', times(n, (i) => `  - name: a${i}\n    connection: modl-${i}/prod-key-1\n`)), run: (t) => resolver(`unknown:${t.length}`, () => manyModels(t.split('\n').length >> 1))(t), check: has('unknown-model') },
  { stage: 'agents resolution', input: 'deep supervisors (a chain)', n: 100, make: (n) => agentsFile(times(n, (i) => `  - name: s${i}\n${i === 0 ? '    connection: model-0/prod-key-1\n' : ''}    agents: [${i + 1 < n ? `s${i + 1}` : 'a'}]\n`), '  - name: a\n'), run: resolver('chain', () => manyModels(1)), check: (r) => assert.strictEqual((r as { assignments: Array<{ name: string; effective?: { inheritedFrom?: string } }> }).assignments.find((a) => a.name === 'a')?.effective?.inheritedFrom, 's0') },
  { stage: 'agents resolution', input: 'deep supervisors listing the root (cycles)', n: 100, make: (n) => agentsFile(times(n, (i) => `  - name: s${i}\n    agents: [${i + 1 < n ? `s${i + 1}, ` : ''}s0]\n`), '  - name: a\n'), run: resolver('none', () => manyModels(1)), check: has('supervisor-cycle') },
  { stage: 'agents resolution', input: 'many supervisors listing one agent', n: 100, make: (n) => agentsFile(times(n, (i) => `  - name: s${i}\n    agents: [a]\n`), '  - name: a\n'), run: resolver('none', () => manyModels(1)), check: has('several-supervisors') },
  { stage: 'agents resolution', input: 'many supervisors listing unknown names', n: 100, make: (n) => agentsFile(times(n, (i) => `  - name: s${i}\n    agents: [x${i}, y${i}]\n`), times(n, (i) => `  - name: a${i}\n`)), run: resolver('none', () => manyModels(1)), check: has('unknown-agent') },

  // Edits (the last connection or agent of a large file, so the edit has to find it).
  { stage: 'edits', input: 'disable the last connection of many models', n: 200, make: manyModels, run: (t) => setConnectionEnabled(t, { model: lastModel(t), connection: 'prod-key-2' }, false) },
  { stage: 'edits', input: 'add a connection to the last of many models', n: 200, make: manyModels, run: (t) => addConnection(t, lastModel(t), { name: 'added', enabled: true }) },
  { stage: 'edits', input: 'delete the last connection of many models', n: 200, make: manyModels, run: (t) => deleteConnection(t, { model: lastModel(t), connection: 'prod-key-2' }) },
  { stage: 'edits', input: 'update a connection of a model with many connections', n: 300, make: (n) => manifest(MODEL('m', times(n, (i) => CONN(`c${i}`, `        description: d${i}\n`)))), run: (t) => updateConnection(t, { model: 'm', connection: `c${(t.split('\n').length - 8) / 2 - 1}` }, { description: 'changed', addedBy: 'scaling test' }) },
  { stage: 'edits', input: 'update a connection with a long description', n: 20000, make: (n) => manifest(MODEL('m', CONN('c', `        description: ${'ab cd '.repeat(n / 6)}x\n`))), run: (t) => updateConnection(t, { model: 'm', connection: 'c' }, { enabled: false }) },
  { stage: 'edits', input: 'assign a connection to the last of many agents', n: 300, make: (n) => agentsFile('', times(n, (i) => `  - name: a${i}\n    connection: model-0/prod-key-1\n`)), run: (t) => setAgentConnection(t, { kind: 'agent', name: lastAgent(t) }, 'model-1/prod-key-2') },
  { stage: 'edits', input: 'clear the connection of the last of many supervisors', n: 300, make: (n) => agentsFile(times(n, (i) => `  - name: s${i}\n    connection: model-0/prod-key-1\n    agents: [a]\n`), '  - name: a\n'), run: (t) => clearAgentConnection(t, { kind: 'supervisor', name: `s${(t.split('\n').length - 4) / 3 - 1}` }) },
];

function lastModel(text: string): string {
  const at = text.lastIndexOf('- name: model-') + 8;
  return text.slice(at, text.indexOf('\n', at));
}
function lastAgent(text: string): string {
  return text.slice(text.lastIndexOf('- name: ') + 8, text.indexOf('\n', text.lastIndexOf('- name: ')));
}

interface Figure {
  stage: string;
  input: string;
  sizes: number[];
  kb: number[];
  medianMs: number[];
  /** √(t(4n) / t(n)) */
  perDoubling?: number;
  steps?: number[];
  rounds: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * CPU time of one call, in ms: the time the stage costs. Wall-clock time would also count the time other
 * processes of a loaded machine hold the CPU.
 */
function time(run: (text: string) => unknown, text: string, calls = 1): number {
  // A young-generation collection first: the garbage of the previous sample is not charged to this one.
  gc({ type: 'minor' });
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) run(text);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000 / calls;
}

/**
 * Medians of `rounds` interleaved rounds (n, 2n, 4n, n, 2n, 4n …) after a warm-up (three calls of each size); a sample of a quick size
 * repeats the call until it takes about SAMPLE_MS, so every size is timed as precisely.
 */
function measure(f: Family, texts: string[], rounds: number): number[] {
  for (let w = 0; w < 2; w++) for (const t of texts) f.run(t);
  const calls = texts.map((t) => Math.max(1, Math.min(50, Math.round(SAMPLE_MS / Math.max(0.01, time(f.run, t))))));
  const samples: number[][] = texts.map(() => []);
  for (let r = 0; r < rounds; r++) texts.forEach((t, i) => samples[i].push(time(f.run, t, calls[i])));
  return samples.map(median);
}
const figures: Figure[] = [];

describe('hostile: every analysis stage is linear in its input (issue 15)', function () {
  this.timeout(60_000);

  for (const f of FAMILIES) {
    it(`${f.stage}: ${f.input}`, () => {
      // Raise n until the 4n case is long enough to time (a quadratic stage gets there at once).
      // n is doubled (a few times at most) while the 4n case takes less than MIN_MS, too quick to time. It is
      // never lowered: at a small n the linear part of a stage can hide a quadratic one.
      let n = f.n;
      let ms4 = time(f.run, f.make(4 * n));
      for (let i = 0; i < 4 && ms4 < MIN_MS; i++) ms4 = time(f.run, f.make(4 * (n *= 2)));
      // Far slower than planned (a super-linear stage, or a very slow machine): fewer rounds, so it fails quickly.
      const slow = ms4 > 50 * MIN_MS;
      const sizes = [n, 2 * n, 4 * n];
      const texts = sizes.map(f.make);
      f.check?.(f.run(texts[2]), texts[2]);
      const ratiosOf = (ms: number[]) => ({ perDoubling: Math.sqrt(ms[2] / ms[0]), steps: [ms[1] / ms[0], ms[2] / ms[1]] });
      const fails = (r: ReturnType<typeof ratiosOf>) => r.perDoubling > MAX_RATIO || Math.max(...r.steps) > MAX_STEP;
      let ms = measure(f, texts, slow ? 3 : ROUNDS);
      let r = ratiosOf(ms);
      // A burst of load on the machine can hit one size: measure once more before calling it super-linear.
      if (fails(r) && !slow) r = ratiosOf((ms = measure(f, texts, 2 * ROUNDS)));
      const round2 = (x: number) => Math.round(x * 100) / 100;
      const figure: Figure = { stage: f.stage, input: f.input, sizes, kb: texts.map((t) => Math.round(t.length / 102.4) / 10), medianMs: ms.map(round2), perDoubling: round2(r.perDoubling), steps: r.steps.map(round2), rounds: ROUNDS };
      figures.push(figure);
      console.log(`      ${sizes.join('/')} (${figure.kb.join('/')} KB): ${figure.medianMs.join(' / ')} ms, ×${figure.perDoubling} per doubling (steps ×${r.steps.map(round2).join(', ×')})`);
      assert.ok(!fails(r), `${f.stage}, ${f.input}: the time grows ×${figure.perDoubling} per doubling of the input (at most ×${MAX_RATIO}), steps ×${r.steps.map(round2).join(', ×')} (at most ×${MAX_STEP}); medians ${figure.medianMs.join(' / ')} ms at ${sizes.join(' / ')}`);
    });
  }

  it('the 8,000-token description of issue 15 takes under 100 ms', () => {
    const text = oneModel(`    description: ${keys(8000)}\n`);
    analyzeManifest(text);
    const ms = median([0, 1, 2, 3, 4].map(() => time(analyzeManifest, text)));
    const r = analyzeManifest(text);
    assert.strictEqual(r.problems.length, MAX_PROBLEMS);
    // The first findings by position are the ones kept at the cap: the first key of the description is among them.
    assert.ok(r.problems.some((p) => p.code === 'leaked-key' && text.slice(p.start, p.end) === fakeKey(0)));
    figures.push({ stage: 'leak guard', input: '8,000 keys in one description (issue 15: 5,521 ms before)', sizes: [8000], kb: [Math.round(text.length / 102.4) / 10], medianMs: [Math.round(ms * 100) / 100], rounds: 5 });
    assert.ok(ms < 100, `${ms.toFixed(1)} ms`);
  });

  after(() => {
    const dir = path.join(repoRoot, 'test-results', 'security');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'scaling.json'), JSON.stringify({ date: new Date().toISOString(), maxRatio: MAX_RATIO, maxStep: MAX_STEP, node: process.version, figures }, null, 2) + '\n');
  });
});

// Guards the guard: the families above must each produce valid edits (a refused edit would time nothing useful).
describe('hostile: the scaling inputs are what they claim', () => {
  it('edits on the largest inputs apply and keep the file valid', () => {
    const t = manyModels(50);
    const out = applyEdits(t, setConnectionEnabled(t, { model: lastModel(t), connection: 'prod-key-2' }, false));
    assert.strictEqual(analyzeManifest(out).models[49].connections[1].enabled, false);
    const a = agentsFile('', times(20, (i) => `  - name: a${i}\n    connection: model-0/prod-key-1\n`));
    assert.strictEqual(analyzeAgents(applyEdits(a, setAgentConnection(a, { kind: 'agent', name: lastAgent(a) }, 'model-1/prod-key-2'))).agents[19].connection, 'model-1/prod-key-2');
  });
});
