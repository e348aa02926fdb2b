/** Usage → what people read: totals per connection, latency percentiles, a series per day, the tooltip line. */
import { compactNumber, duration, type UsageViewDay } from './protocol';
import { retainedDays, USAGE_OUTCOMES, type ConnectionUsage, type UsageOutcome, type UsageState } from './usage';

/** The p-th percentile (0 < p ≤ 100) by the nearest-rank method; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export interface Percentiles {
  p50: number;
  p95: number;
  /** How many samples they were computed from. */
  samples: number;
}

function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  return { p50: percentile(values, 50)!, p95: percentile(values, 95)!, samples: values.length };
}

export interface UsageSummary {
  requests: number;
  /** Failed requests, cancelled ones not included. */
  errors: number;
  cancelled: number;
  /** Failed requests by outcome (cancelled not included), most frequent first. */
  byOutcome: Array<{ outcome: UsageOutcome; count: number }>;
  inputTokens: number;
  outputTokens: number;
  /** Tokens in inputTokens + outputTokens that are our estimate. */
  estimatedTokens: number;
  /** Time to the first text or tool call, over the kept samples of successful requests. */
  firstToken?: Percentiles;
  /** Time to the end of the reply. */
  total?: Percentiles;
  /** Last day with requests, `YYYY-MM-DD`. */
  lastDay: string;
}

export function summarize(c: ConnectionUsage): UsageSummary {
  const byOutcome = new Map<UsageOutcome, number>();
  let requests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let estimatedTokens = 0;
  for (const d of c.days) {
    requests += d.requests;
    inputTokens += d.inputTokens;
    outputTokens += d.outputTokens;
    estimatedTokens += d.estimatedInputTokens + d.estimatedOutputTokens;
    for (const o of USAGE_OUTCOMES) if (d.errors[o]) byOutcome.set(o, (byOutcome.get(o) ?? 0) + d.errors[o]!);
  }
  const cancelled = byOutcome.get('cancelled') ?? 0;
  byOutcome.delete('cancelled');
  const list = [...byOutcome].map(([outcome, count]) => ({ outcome, count })).sort((a, b) => b.count - a.count);
  const firsts = c.latency.flatMap((s) => (s.firstMs !== undefined ? [s.firstMs] : []));
  const firstToken = percentiles(firsts);
  const total = percentiles(c.latency.map((s) => s.totalMs));
  return {
    requests, errors: list.reduce((n, x) => n + x.count, 0), cancelled, byOutcome: list, inputTokens, outputTokens, estimatedTokens,
    ...(firstToken ? { firstToken } : {}), ...(total ? { total } : {}),
    lastDay: c.days.at(-1)?.day ?? '',
  };
}

/** One day's totals: the page's UsageViewDay (errors are failed requests, cancelled ones not included). */
export type DayTotals = UsageViewDay;

/** Every day of the retention window up to `now` (oldest first, zeros included), summed over the connections `which` keeps. */
export function dailyTotals(state: UsageState, now: Date, which: (c: ConnectionUsage) => boolean = () => true): DayTotals[] {
  const out = retainedDays(now).map((day) => ({ day, requests: 0, errors: 0, cancelled: 0, inputTokens: 0, outputTokens: 0 }));
  const index = new Map(out.map((d, i) => [d.day, i]));
  for (const c of Object.values(state.connections)) {
    if (!which(c)) continue;
    for (const d of c.days) {
      const i = index.get(d.day);
      if (i === undefined) continue;
      const t = out[i];
      t.requests += d.requests;
      t.inputTokens += d.inputTokens;
      t.outputTokens += d.outputTokens;
      for (const o of USAGE_OUTCOMES) {
        const n = d.errors[o] ?? 0;
        if (o === 'cancelled') t.cancelled += n;
        else t.errors += n;
      }
    }
  }
  return out;
}

export const outcomeText = (o: UsageOutcome): string => o.replace(/_/g, ' ');
const plural = (n: number, one: string, many = `${one}s`): string => `${compactNumber(n)} ${n === 1 ? one : many}`;

/**
 * The short line of a connection's tooltip, e.g.
 * `12 requests · 1,234 tokens in, 567 out · 1 error (auth failed) · first token p50 120 ms, p95 300 ms · total p50 1.2 s, p95 2.0 s`.
 * `~` marks token counts that are in part our estimate.
 */
export function usageLine(s: UsageSummary): string {
  const parts = [plural(s.requests, 'request')];
  parts.push(`${s.estimatedTokens > 0 ? '~' : ''}${compactNumber(s.inputTokens)} tokens in, ${compactNumber(s.outputTokens)} out`);
  if (s.errors > 0) parts.push(`${plural(s.errors, 'error')} (${s.byOutcome.map((x) => (s.byOutcome.length > 1 ? `${outcomeText(x.outcome)} ${x.count}` : outcomeText(x.outcome))).join(', ')})`);
  if (s.cancelled > 0) parts.push(`${compactNumber(s.cancelled)} cancelled`);
  if (s.firstToken) parts.push(`first token p50 ${duration(s.firstToken.p50)}, p95 ${duration(s.firstToken.p95)}`);
  if (s.total) parts.push(`total p50 ${duration(s.total.p50)}, p95 ${duration(s.total.p95)}`);
  return parts.join(' · ');
}
