/**
 * Corrupt usage state in workspace storage (src/core/usage/usage.ts parseUsage): absurd sizes (a million
 * connections, million-entry day and latency arrays, huge strings), negative, fractional, NaN and infinite counts,
 * wrong types and prototype keys. parseUsage never throws, keeps at most MAX_CONNECTIONS connections, RETENTION_DAYS
 * days and LATENCY_SAMPLES samples each, only non-negative safe integers, and counts what it dropped. Its time is
 * checked by ratios, never absolute figures: flat in the length of the arrays it caps (16× the input, at most 3× the
 * time), and within a small factor of merely listing the keys of the connections it was given.
 */
import * as assert from 'assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import { dayKey, LATENCY_SAMPLES, MAX_CONNECTIONS, parseUsage, RETENTION_DAYS, usageKey, type UsageState } from '../../../src/core/usage/usage';
import { mb, recordCase } from './report';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

const NOW = new Date(2026, 10, 20, 12, 0, 0);
const TODAY = dayKey(NOW);
const day = (extra: Record<string, unknown> = {}) => ({ day: TODAY, requests: 3, inputTokens: 30, outputTokens: 9, estimatedInputTokens: 0, estimatedOutputTokens: 0, errors: { timeout: 1 }, ...extra });
const conn = (i: number, extra: Record<string, unknown> = {}) => ({ folder: 'file:///w', model: `m${i}`, connection: 'c', provider: 'openai', lastAt: NOW.toISOString(), days: [day()], latency: [{ day: TODAY, firstMs: 5, totalMs: 9 }], ...extra });
const stateOf = (...cs: Array<ReturnType<typeof conn>>) => ({ v: 1, connections: Object.fromEntries(cs.map((c) => [usageKey(c.folder, c.model, c.connection), c])) });

/**
 * Per-call CPU time of `f` (a loaded machine's other processes are not charged), repeated until a sample lasts
 * ~4 ms (timer noise), after a young-generation collection (the previous sample's garbage is not charged to this one).
 */
function sample(f: () => unknown): number {
  gc({ type: 'minor' });
  let calls = 0;
  const t0 = process.cpuUsage();
  let ms = 0;
  do {
    f();
    calls++;
    const d = process.cpuUsage(t0);
    ms = (d.user + d.system) / 1000;
  } while (ms < 4);
  return ms / calls;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Ratio of the cost of `b` to that of `a`: the lowest sample of each over interleaved rounds (what the call costs
 * when nothing else interferes: a collection or a tier-up in one sample only raises that sample). A burst of load
 * can still hit every round of one side: when the ratio exceeds `limit`, it is measured once more, with more rounds.
 */
function costRatio(a: () => unknown, b: () => unknown, limit: number): { ratio: number; bMs: number } {
  const measure = (rounds: number) => {
    const as: number[] = [];
    const bs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      as.push(sample(a));
      bs.push(sample(b));
    }
    return { ratio: Math.min(...bs) / Math.min(...as), bMs: median(bs) };
  };
  a();
  b();
  const first = measure(7);
  return first.ratio < limit ? first : measure(15);
}

/** Every invariant of a parsed state. */
function assertBounded(state: UsageState, where: string): void {
  const cs = Object.values(state.connections);
  assert.ok(cs.length <= MAX_CONNECTIONS, `${where}: ${cs.length} connections`);
  for (const c of cs) {
    assert.ok(c.days.length <= RETENTION_DAYS && c.latency.length <= LATENCY_SAMPLES, `${where}: ${c.days.length} days, ${c.latency.length} samples`);
    for (const d of c.days) {
      for (const n of [d.requests, d.inputTokens, d.outputTokens, d.estimatedInputTokens, d.estimatedOutputTokens, ...Object.values(d.errors)]) {
        assert.ok(Number.isSafeInteger(n) && (n as number) >= 0, `${where}: count ${String(n)}`);
      }
    }
    for (const s of c.latency) assert.ok(Number.isSafeInteger(s.totalMs) && s.totalMs >= 0, `${where}: latency ${s.totalMs}`);
  }
}

describe('hostile input: corrupt usage state', function () {
  this.timeout(120_000);

  const BAD_COUNTS: Array<[string, unknown]> = [
    ['negative', -5], ['fractional', 1.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['1e308', 1e308],
    ['beyond safe integers', 2 ** 53], ['a string', '3'], ['null', null], ['an object', { valueOf: () => 3 }], ['a bigint', 3n],
  ];
  for (const [label, bad] of BAD_COUNTS) {
    it(`count ${label}: drops that day (and a connection left with none), never a negative or unsafe total`, () => {
      const t0 = performance.now();
      for (const field of ['requests', 'inputTokens', 'estimatedOutputTokens']) {
        const r = parseUsage(stateOf(conn(0, { days: [day({ [field]: bad })] }), conn(1)), NOW);
        assertBounded(r.state, `${label} ${field}`);
        assert.deepStrictEqual(Object.values(r.state.connections).map((c) => c.model), ['m1'], `${label} ${field}`);
        assert.strictEqual(r.dropped, 1, `${label} ${field}`);
        // In errors and latency samples too.
        const e = parseUsage(stateOf(conn(0, { days: [day({ errors: { timeout: bad } }), day({ day: dayKey(new Date(2026, 10, 19)) })], latency: [{ day: TODAY, totalMs: bad }, { day: TODAY, totalMs: 4 }] })), NOW);
        assertBounded(e.state, `${label} errors`);
        assert.strictEqual(e.dropped, 2, `${label}: a day and a sample`);
      }
      recordCase('usage', `a count that is ${label} (requests, tokens, estimated tokens, errors, latency)`, performance.now() - t0, true);
    });
  }

  it('wrong types, prototype keys and mismatched keys are dropped and counted, never thrown on', () => {
    const cases: Array<[string, unknown]> = [
      ['a string', 'usage'], ['an array', [1, 2]], ['another version', { v: 2, connections: {} }], ['connections an array', { v: 1, connections: [conn(0)] }],
      ['a connection that is null', { v: 1, connections: { x: null } }],
      ['a __proto__ connection', JSON.parse(`{"v":1,"connections":{"__proto__":${JSON.stringify(conn(0))}}}`)],
      ['a key that is not its own', { v: 1, connections: { [usageKey('file:///w', 'other', 'c')]: conn(0) } }],
      ['days not an array', stateOf(conn(0, { days: { 0: day() } }))],
      ['a day in a wrong format', stateOf(conn(0, { days: [day({ day: '2026-13-45' })] }))],
      ['more estimated tokens than tokens', stateOf(conn(0, { days: [day({ estimatedInputTokens: 99 })] }))],
      ['more errors than requests', stateOf(conn(0, { days: [day({ errors: { timeout: 4 } })] }))],
      ['an unknown error outcome', stateOf(conn(0, { days: [day({ errors: { ok: 1 } })] }))],
      ['a 10 MB folder name', stateOf(conn(0, { folder: 'f'.repeat(10 * 1024 * 1024) }))],
      ['a 10 MB lastAt', stateOf(conn(0, { lastAt: '2026-11-20T12:00:00.000Z' + ' '.repeat(10 * 1024 * 1024) }))],
    ];
    for (const [label, raw] of cases) {
      const t0 = performance.now();
      const r = parseUsage(raw, NOW);
      assertBounded(r.state, label);
      assert.strictEqual(Object.keys(r.state.connections).length, 0, label);
      assert.strictEqual(r.dropped, 1, label);
      recordCase('usage', label, performance.now() - t0, true);
    }
    assert.strictEqual(({} as Record<string, unknown>).model, undefined);
  });

  it('1,000,000 connections: at most MAX_CONNECTIONS kept, the rest counted; time within a small factor of listing their keys, memory a fraction of the input', () => {
    const n = 1_000_000;
    gc();
    const before = process.memoryUsage().heapUsed;
    const connections: Record<string, unknown> = {};
    for (let i = 0; i < MAX_CONNECTIONS * 3; i++) {
      const c = conn(i);
      connections[usageKey(c.folder, c.model, c.connection)] = c;
    }
    for (let i = MAX_CONNECTIONS * 3; i < n; i++) connections[`k${i}`] = i % 2 ? null : { days: [] };
    const raw = { v: 1, connections };
    gc();
    const heap = process.memoryUsage().heapUsed;
    const inputMb = mb(before, heap);
    const t0 = performance.now();
    const r = parseUsage(raw, NOW);
    const ms = performance.now() - t0;
    const grown = mb(heap, process.memoryUsage().heapUsed);
    assertBounded(r.state, '1e6');
    assert.strictEqual(Object.keys(r.state.connections).length, MAX_CONNECTIONS);
    assert.strictEqual(r.dropped, n - MAX_CONNECTIONS * 2, 'read the first 200 (100 kept, the most recent), counted the rest');
    assert.ok(grown < inputMb / 2, `parsing grew the heap by ${grown.toFixed(1)} MB for an input of ${inputMb.toFixed(1)} MB`);
    // Ratio: parsing against merely listing the keys (what any reader of that object pays), interleaved, medians.
    const { ratio } = costRatio(() => Object.keys(connections).length, () => parseUsage(raw, NOW), 3);
    assert.ok(ratio < 3, `parseUsage took ${ratio.toFixed(1)}× the time of Object.keys on the same object`);
    recordCase('usage', '1,000,000 connections', ms, true, grown, { ratioToListingKeys: Math.round(ratio * 100) / 100, inputMb: Math.round(inputMb), kept: MAX_CONNECTIONS, dropped: r.dropped });
  });

  const FLAT: Array<{ name: string; make: (n: number) => unknown; kept: (s: UsageState) => boolean }> = [
    { name: 'a day array', make: (n) => stateOf(conn(0, { days: new Array(n).fill(day()) })), kept: (s) => Object.values(s.connections)[0]?.days.length === 1 },
    { name: 'a latency array', make: (n) => stateOf(conn(0, { latency: new Array(n).fill({ day: TODAY, totalMs: 9 }) })), kept: (s) => Object.values(s.connections)[0]?.latency.length === LATENCY_SAMPLES },
    { name: 'a day array of junk', make: (n) => stateOf(conn(0, { days: [...new Array(n - 1).fill(-1), day()] })), kept: (s) => Object.keys(s.connections).length === 0 },
  ];
  for (const f of FLAT) {
    it(`${f.name} of 62,500 to 1,000,000 entries: the time stays flat (16× the input, < 3× the time)`, () => {
      const small = f.make(62_500);
      const large = f.make(1_000_000);
      const r = parseUsage(large, NOW);
      assertBounded(r.state, f.name);
      assert.ok(f.kept(r.state), `${f.name}: ${JSON.stringify(r.state).slice(0, 300)}`);
      const { ratio, bMs } = costRatio(() => parseUsage(small, NOW), () => parseUsage(large, NOW), 3);
      assert.ok(ratio < 3, `${f.name}: 16× the entries took ${ratio.toFixed(1)}× the time`);
      recordCase('usage', `${f.name} of 1,000,000 entries`, bMs, true, undefined, { ratio16x: Math.round(ratio * 100) / 100, dropped: r.dropped });
    });
  }
});
