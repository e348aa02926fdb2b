/** Usage state → what the Connection Usage page shows (rows sorted by requests, the daily series). */
import type { UsageViewData, UsageViewRow } from './protocol';
import { dailyTotals, outcomeText, summarize } from './summary';
import { LATENCY_SAMPLES, RETENTION_DAYS, type ConnectionUsage, type UsageState } from './usage';

export interface ViewOptions {
  now: Date;
  /** Whether the connection is still in its folder's manifest. */
  present(c: ConnectionUsage): boolean;
  /** The folder's display name, or '' (single-folder workspace). */
  folderName(c: ConnectionUsage): string;
  readOnly: boolean;
}

export function usageView(state: UsageState, o: ViewOptions): UsageViewData {
  const rows: UsageViewRow[] = Object.entries(state.connections).map(([id, c]) => {
    const s = summarize(c);
    return {
      id,
      reference: `${c.model}/${c.connection}`,
      folder: o.folderName(c),
      provider: c.provider,
      removed: !o.present(c),
      requests: s.requests,
      errors: s.errors,
      cancelled: s.cancelled,
      errorDetail: s.byOutcome.map((x) => `${outcomeText(x.outcome)} ${x.count}`).join(', '),
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      estimated: s.estimatedTokens > 0,
      ...(s.firstToken ? { firstP50: s.firstToken.p50, firstP95: s.firstToken.p95 } : {}),
      ...(s.total ? { totalP50: s.total.p50, totalP95: s.total.p95 } : {}),
      lastDay: s.lastDay,
    };
  });
  rows.sort((a, b) => Number(a.removed) - Number(b.removed) || b.requests - a.requests || a.reference.localeCompare(b.reference));
  return { type: 'usage', rows, days: dailyTotals(state, o.now), retentionDays: RETENTION_DAYS, latencySamples: LATENCY_SAMPLES, readOnly: o.readOnly };
}
