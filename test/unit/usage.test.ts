import * as assert from 'assert';
import { compactNumber, duration, parseUsageInbound } from '../../src/core/usage/protocol';
import { dailyTotals, percentile, summarize, usageLine } from '../../src/core/usage/summary';
import {
  dayKey, emptyUsage, LATENCY_SAMPLES, MAX_CONNECTIONS, parseUsage, pruneUsage, recordRequest, RETENTION_DAYS, usageKey,
  type RequestRecord, type UsageState,
} from '../../src/core/usage/usage';
import { usageView } from '../../src/core/usage/view';

const FOLDER = 'file:///work/project';
/** Local noon, so the calendar day does not depend on the machine's time zone. */
const at = (y: number, m: number, d: number, h = 12): Date => new Date(y, m - 1, d, h);
const NOW = at(2026, 3, 15);

function req(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    folder: FOLDER, model: 'gpt-4o', connection: 'prod', provider: 'openai', outcome: 'ok',
    inputTokens: 11, inputSource: 'provider', outputTokens: 5, outputSource: 'provider', firstMs: 100, totalMs: 400, ...over,
  };
}

function record(state: UsageState, recs: Array<[Partial<RequestRecord>, Date?]>): UsageState {
  return recs.reduce((s, [r, when]) => recordRequest(s, req(r), when ?? NOW), state);
}

const conn = (s: UsageState, model = 'gpt-4o', connection = 'prod') => s.connections[usageKey(FOLDER, model, connection)];

describe('usage: recording', () => {
  it('counts requests, provider tokens, errors by outcome and cancellations per local day', () => {
    const s = record(emptyUsage(), [[{}], [{}], [{ outcome: 'auth_failed', inputTokens: 0, outputTokens: 0 }], [{ outcome: 'cancelled', inputTokens: 0, outputTokens: 0 }], [{}, at(2026, 3, 14)]]);
    const c = conn(s);
    assert.deepStrictEqual(c.days.map((d) => d.day), ['2026-03-14', '2026-03-15']);
    const today = c.days[1];
    assert.strictEqual(today.requests, 4);
    assert.strictEqual(today.inputTokens, 22);
    assert.strictEqual(today.outputTokens, 10);
    assert.strictEqual(today.estimatedInputTokens, 0);
    assert.deepStrictEqual(today.errors, { auth_failed: 1, cancelled: 1 });
    // Latency only from successful requests.
    assert.strictEqual(c.latency.length, 3);
    const sum = summarize(c);
    assert.strictEqual(sum.requests, 5);
    assert.strictEqual(sum.errors, 1);
    assert.strictEqual(sum.cancelled, 1);
    assert.deepStrictEqual(sum.byOutcome, [{ outcome: 'auth_failed', count: 1 }]);
    assert.strictEqual(sum.estimatedTokens, 0);
  });

  it('marks estimated tokens apart from the provider\'s', () => {
    const s = record(emptyUsage(), [[{ inputSource: 'estimate', inputTokens: 40, outputTokens: 7 }]]);
    const d = conn(s).days[0];
    assert.strictEqual(d.estimatedInputTokens, 40);
    assert.strictEqual(d.estimatedOutputTokens, 0);
    assert.strictEqual(summarize(conn(s)).estimatedTokens, 40);
    assert.match(usageLine(summarize(conn(s))), /~40 tokens in, 7 out/);
  });

  it('never changes the state it is given, and keeps connections apart', () => {
    const a = record(emptyUsage(), [[{}]]);
    const frozen = JSON.stringify(a);
    const b = record(a, [[{ connection: 'staging' }], [{}]]);
    assert.strictEqual(JSON.stringify(a), frozen);
    assert.strictEqual(conn(b).days[0].requests, 2);
    assert.strictEqual(conn(b, 'gpt-4o', 'staging').days[0].requests, 1);
  });

  it('sanitises counts it is given: negative, NaN and fractions', () => {
    const s = record(emptyUsage(), [[{ inputTokens: -5, outputTokens: Number.NaN, firstMs: Number.POSITIVE_INFINITY, totalMs: 12.6 }]]);
    const c = conn(s);
    assert.strictEqual(c.days[0].inputTokens, 0);
    assert.strictEqual(c.days[0].outputTokens, 0);
    assert.deepStrictEqual(c.latency, [{ day: '2026-03-15', totalMs: 13 }]);
  });
});

describe('usage: bounds', () => {
  it(`keeps the last ${RETENTION_DAYS} calendar days and drops a connection with none left`, () => {
    let s = emptyUsage();
    for (let i = 0; i < 45; i++) s = recordRequest(s, req(), at(2026, 2, 1 + i));
    const c = conn(s);
    assert.strictEqual(c.days.length, RETENTION_DAYS);
    assert.strictEqual(c.days[0].day, dayKey(at(2026, 2, 45 - RETENTION_DAYS + 1)));
    assert.ok(c.latency.every((x) => x.day >= c.days[0].day));
    const later = pruneUsage(s, at(2026, 6, 1));
    assert.deepStrictEqual(later.connections, {});
  });

  it(`keeps the newest ${LATENCY_SAMPLES} latency samples`, () => {
    let s = emptyUsage();
    for (let i = 0; i < LATENCY_SAMPLES + 30; i++) s = recordRequest(s, req({ totalMs: i }), NOW);
    const c = conn(s);
    assert.strictEqual(c.latency.length, LATENCY_SAMPLES);
    assert.strictEqual(c.latency[0].totalMs, 30);
    assert.strictEqual(c.days[0].requests, LATENCY_SAMPLES + 30);
  });

  it(`keeps at most ${MAX_CONNECTIONS} connections, dropping the one used longest ago`, () => {
    let s = emptyUsage();
    for (let i = 0; i <= MAX_CONNECTIONS; i++) s = recordRequest(s, req({ connection: `c${i}` }), new Date(NOW.getTime() + i * 1000));
    assert.strictEqual(Object.keys(s.connections).length, MAX_CONNECTIONS);
    assert.ok(!conn(s, 'gpt-4o', 'c0'));
    assert.ok(conn(s, 'gpt-4o', `c${MAX_CONNECTIONS}`));
  });

  it('stays small: a month of heavy use of one connection is a few kilobytes', () => {
    let s = emptyUsage();
    for (let i = 0; i < 3000; i++) s = recordRequest(s, req({ outcome: i % 7 === 0 ? 'rate_limited' : 'ok' }), at(2026, 3, 1 + (i % 30)));
    const bytes = JSON.stringify(s).length;
    assert.ok(bytes < 12_000, `${bytes} bytes`);
  });
});

describe('usage: percentiles and summaries', () => {
  it('computes nearest-rank percentiles', () => {
    assert.strictEqual(percentile([], 50), undefined);
    assert.strictEqual(percentile([7], 95), 7);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.strictEqual(percentile(hundred, 50), 50);
    assert.strictEqual(percentile(hundred, 95), 95);
    assert.strictEqual(percentile([1, 2, 3, 4], 50), 2);
    assert.strictEqual(percentile([1, 2, 3, 4], 95), 4);
  });

  it('gives first-token and total percentiles over the samples; a reply without text has no first token', () => {
    let s = emptyUsage();
    for (let i = 1; i <= 20; i++) s = recordRequest(s, req({ firstMs: i * 10, totalMs: i * 100 }), NOW);
    s = recordRequest(s, req({ firstMs: undefined, totalMs: 5 }), NOW);
    const sum = summarize(conn(s));
    assert.deepStrictEqual(sum.firstToken, { p50: 100, p95: 190, samples: 20 });
    assert.deepStrictEqual(sum.total, { p50: 1000, p95: 1900, samples: 21 });
  });

  it('writes the tooltip line', () => {
    const s = record(emptyUsage(), [[{ firstMs: 120, totalMs: 1234 }], [{ outcome: 'auth_failed', inputTokens: 0, outputTokens: 0 }], [{ outcome: 'cancelled', inputTokens: 0, outputTokens: 0 }]]);
    assert.strictEqual(usageLine(summarize(conn(s))), '3 requests · 11 tokens in, 5 out · 1 error (auth failed) · 1 cancelled · first token p50 120 ms, p95 120 ms · total p50 1.2 s, p95 1.2 s');
    const two = record(s, [[{ outcome: 'rate_limited', inputTokens: 0, outputTokens: 0 }], [{ outcome: 'rate_limited', inputTokens: 0, outputTokens: 0 }]]);
    assert.match(usageLine(summarize(conn(two))), /3 errors \(rate limited 2, auth failed 1\)/);
    assert.strictEqual(compactNumber(1234), '1,234');
    assert.strictEqual(compactNumber(12_345), '12.3k');
    assert.strictEqual(compactNumber(2_500_000), '2.5M');
    assert.strictEqual(duration(65_000), '65 s');
  });

  it('sums every day of the window for the chart, zeros included', () => {
    const s = record(emptyUsage(), [[{}], [{ connection: 'other', outcome: 'server_error', inputTokens: 0, outputTokens: 0 }], [{}, at(2026, 3, 1)], [{ outcome: 'cancelled' }, at(2026, 3, 1)]]);
    const days = dailyTotals(s, NOW);
    assert.strictEqual(days.length, RETENTION_DAYS);
    assert.strictEqual(days.at(-1)!.day, '2026-03-15');
    assert.deepStrictEqual(days.at(-1), { day: '2026-03-15', requests: 2, errors: 1, cancelled: 0, inputTokens: 11, outputTokens: 5 });
    assert.deepStrictEqual(days.find((d) => d.day === '2026-03-01'), { day: '2026-03-01', requests: 2, errors: 0, cancelled: 1, inputTokens: 22, outputTokens: 10 });
    assert.strictEqual(days.filter((d) => d.requests === 0).length, RETENTION_DAYS - 2);
    assert.strictEqual(dailyTotals(s, NOW, (c) => c.connection === 'other').reduce((n, d) => n + d.requests, 0), 1);
  });

  it('builds the page\'s rows: removed connections last and marked', () => {
    const s = record(emptyUsage(), [[{}], [{ connection: 'gone' }], [{ connection: 'gone' }], [{ connection: 'b', inputSource: 'estimate' }]]);
    const view = usageView(s, { now: NOW, present: (c) => c.connection !== 'gone', folderName: () => '', readOnly: false });
    assert.deepStrictEqual(view.rows.map((r) => [r.reference, r.removed, r.requests, r.estimated]), [['gpt-4o/b', false, 1, true], ['gpt-4o/prod', false, 1, false], ['gpt-4o/gone', true, 2, false]]);
    assert.strictEqual(view.days.length, RETENTION_DAYS);
    assert.strictEqual(view.rows[1].firstP50, 100);
  });
});

describe('usage: reading stored state back', () => {
  const good = (): UsageState => record(emptyUsage(), [[{}], [{ outcome: 'rate_limited' }], [{ connection: 'b' }]]);

  it('reads back what it stored, through JSON', () => {
    const s = good();
    const back = parseUsage(JSON.parse(JSON.stringify(s)), NOW);
    assert.strictEqual(back.dropped, 0);
    assert.deepStrictEqual(back.state, s);
  });

  it('starts empty for nothing stored, another version or a wrong shape', () => {
    assert.deepStrictEqual(parseUsage(undefined, NOW), { state: emptyUsage(), dropped: 0 });
    for (const raw of [42, 'x', [], { v: 2, connections: {} }, { v: 1 }, { v: 1, connections: [] }]) {
      const p = parseUsage(raw, NOW);
      assert.deepStrictEqual(p.state, emptyUsage(), JSON.stringify(raw));
      assert.strictEqual(p.dropped, 1);
    }
  });

  it('drops corrupt pieces and keeps the rest', () => {
    const raw = JSON.parse(JSON.stringify(good())) as { connections: Record<string, Record<string, unknown>> };
    const k = usageKey(FOLDER, 'gpt-4o', 'prod');
    const b = usageKey(FOLDER, 'gpt-4o', 'b');
    const days = raw.connections[k].days as Array<Record<string, unknown>>;
    days.push({ ...days[0], day: '2026-03-14', requests: -1 });
    days.push({ ...days[0], day: '2026-13-14' });
    days.push({ ...days[0], day: '2026-03-13', errors: { toString: 3 } });
    days.push({ ...days[0], day: '2026-03-12', errors: { server_error: 99 } });
    days.push({ ...days[0], day: '2026-03-11', estimatedInputTokens: 1e9 });
    (raw.connections[k].latency as unknown[]).push({ day: '2026-03-15', totalMs: 'slow' }, { day: '2026-03-15', firstMs: 9, totalMs: 1 });
    raw.connections[b].model = 'renamed'; // key no longer matches
    raw.connections['["x"]'] = { folder: FOLDER };
    Object.defineProperty(raw.connections, '__proto__', { value: { polluted: true }, enumerable: true });
    const p = parseUsage(raw, NOW);
    assert.deepStrictEqual(Object.keys(p.state.connections), [k]);
    assert.deepStrictEqual(p.state.connections[k], good().connections[k]);
    assert.strictEqual(p.dropped, 5 + 2 + 3);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it('prunes old days while reading', () => {
    const p = parseUsage(JSON.parse(JSON.stringify(good())), at(2026, 5, 1));
    assert.deepStrictEqual(p.state.connections, {});
    assert.strictEqual(p.dropped, 0);
  });
});

describe('usage: the page\'s messages', () => {
  it('accepts ready and reset only', () => {
    assert.deepStrictEqual(parseUsageInbound({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(parseUsageInbound({ type: 'reset' }), { type: 'reset' });
    for (const m of [undefined, null, 'reset', [], { type: 'delete' }, { type: 'reset', all: true }, { type: { toString: 'reset' } }]) assert.strictEqual(parseUsageInbound(m), undefined, JSON.stringify(m));
  });
});
