/**
 * The Connection Usage webview's messages, typed once for both sides. Imports nothing, so
 * the webview bundle can include it. Only counts, names and times cross: never a prompt,
 * a reply or a key.
 */

/** Calendar days of usage kept, today included. */
export const RETENTION_DAYS = 30;

export interface UsageViewRow {
  /** Stable id of the connection's usage (opaque to the page). */
  id: string;
  /** `model/connection`. */
  reference: string;
  /** The workspace folder's name when the workspace has more than one, else ''. */
  folder: string;
  provider: string;
  /** No longer in the manifest (removed or renamed): kept until Reset Usage. */
  removed: boolean;
  requests: number;
  errors: number;
  cancelled: number;
  /** e.g. "auth failed 2, rate limited 1". */
  errorDetail: string;
  inputTokens: number;
  outputTokens: number;
  /** Part of the tokens is our estimate (the provider reported none). */
  estimated: boolean;
  firstP50?: number;
  firstP95?: number;
  totalP50?: number;
  totalP95?: number;
  lastDay: string;
}

export interface UsageViewDay {
  day: string;
  requests: number;
  /** Failed requests (cancelled ones not included). */
  errors: number;
  cancelled: number;
  inputTokens: number;
  outputTokens: number;
}

export interface UsageViewData {
  type: 'usage';
  rows: UsageViewRow[];
  days: UsageViewDay[];
  retentionDays: number;
  latencySamples: number;
  /** Restricted Mode: shown, not reset. */
  readOnly: boolean;
}

/** Page → extension. */
export type UsageInbound = { type: 'ready' } | { type: 'reset' };

/** A message from the page, or undefined for anything else (dropped). */
export function parseUsageInbound(message: unknown): UsageInbound | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const keys = Object.keys(message);
  const type = (message as { type?: unknown }).type;
  if (keys.length !== 1 || (type !== 'ready' && type !== 'reset')) return undefined;
  return { type };
}

/** 1234 → "1,234"; 12_345 → "12.3k"; 2_500_000 → "2.5M". */
export function compactNumber(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(n / 1_000_000).toFixed(n < 100_000_000 ? 1 : 0).replace(/\.0$/, '')}M`;
}

/** 850 → "850 ms"; 1234 → "1.2 s"; 65_000 → "65 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
