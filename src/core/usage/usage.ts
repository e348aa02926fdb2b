/**
 * Usage of the connections as chat models, per connection: requests, tokens, errors by
 * outcome and latency samples, in daily buckets. Only counts and times are kept — never a
 * prompt, a reply or a key. Bounded: the last RETENTION_DAYS calendar days, the last
 * LATENCY_SAMPLES latencies, at most MAX_CONNECTIONS connections. State read back from
 * storage is checked piece by piece (parseUsage): what is not valid is dropped, never trusted.
 */
import { OUTCOMES, type Outcome } from '../providers/types';
import { RETENTION_DAYS } from './protocol';

export { RETENTION_DAYS };
export const USAGE_VERSION = 1;
/** Latency samples kept per connection (successful requests only, newest last). */
export const LATENCY_SAMPLES = 100;
/** Connections kept; beyond it the one used longest ago is dropped. */
export const MAX_CONNECTIONS = 100;

export type UsageOutcome = Exclude<Outcome, 'ok'>;
export const USAGE_OUTCOMES: readonly UsageOutcome[] = OUTCOMES.filter((o): o is UsageOutcome => o !== 'ok');

/** One connection's usage on one local calendar day. */
export interface DayUsage {
  /** `YYYY-MM-DD`, local time. */
  day: string;
  /** Every request, failed and cancelled ones included. */
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** The part of inputTokens / outputTokens that is our estimate (the provider reported none). */
  estimatedInputTokens: number;
  estimatedOutputTokens: number;
  /** Failed requests by outcome; `cancelled` too. */
  errors: Partial<Record<UsageOutcome, number>>;
}

/** Latency of one successful request, in ms: to the first text or tool call, and to the end. */
export interface LatencySample {
  day: string;
  /** Undefined when the reply had no text and no tool call. */
  firstMs?: number;
  totalMs: number;
}

export interface ConnectionUsage {
  /** The workspace folder's URI, the model's and the connection's names. */
  folder: string;
  model: string;
  connection: string;
  provider: string;
  /** Ascending by day, one entry per day with requests. */
  days: DayUsage[];
  latency: LatencySample[];
  /** ISO time of the last request. */
  lastAt: string;
}

export interface UsageState {
  v: typeof USAGE_VERSION;
  /** By usageKey(folder, model, connection). */
  connections: Record<string, ConnectionUsage>;
}

/** One finished request, as the chat provider saw it. */
export interface RequestRecord {
  folder: string;
  model: string;
  connection: string;
  provider: string;
  outcome: Outcome;
  inputTokens: number;
  inputSource: 'provider' | 'estimate';
  outputTokens: number;
  outputSource: 'provider' | 'estimate';
  firstMs?: number;
  totalMs: number;
}

export function emptyUsage(): UsageState {
  return { v: USAGE_VERSION, connections: {} };
}

export function usageKey(folder: string, model: string, connection: string): string {
  return JSON.stringify([folder, model, connection]);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The local calendar day of `d`, `YYYY-MM-DD`. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The first day kept at `now` (RETENTION_DAYS days, today included). */
export function firstKeptDay(now: Date): string {
  return dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (RETENTION_DAYS - 1)));
}

/** The RETENTION_DAYS days up to today, oldest first. */
export function retainedDays(now: Date): string[] {
  return Array.from({ length: RETENTION_DAYS }, (_, i) => dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (RETENTION_DAYS - 1 - i))));
}

const count = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.min(Math.round(n), Number.MAX_SAFE_INTEGER) : 0);
const add = (a: number, b: number): number => Math.min(a + b, Number.MAX_SAFE_INTEGER);

/** `state` with `rec` counted on the day of `now`, then pruned. `state` itself is not changed. */
export function recordRequest(state: UsageState, rec: RequestRecord, now: Date): UsageState {
  const key = usageKey(rec.folder, rec.model, rec.connection);
  const before = Object.prototype.hasOwnProperty.call(state.connections, key) ? state.connections[key] : undefined;
  const day = dayKey(now);
  const days = before ? before.days.map((d) => ({ ...d, errors: { ...d.errors } })) : [];
  let bucket = days.find((d) => d.day === day);
  if (!bucket) {
    bucket = { day, requests: 0, inputTokens: 0, outputTokens: 0, estimatedInputTokens: 0, estimatedOutputTokens: 0, errors: {} };
    days.push(bucket);
    days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }
  const inTokens = count(rec.inputTokens);
  const outTokens = count(rec.outputTokens);
  bucket.requests = add(bucket.requests, 1);
  bucket.inputTokens = add(bucket.inputTokens, inTokens);
  bucket.outputTokens = add(bucket.outputTokens, outTokens);
  if (rec.inputSource === 'estimate') bucket.estimatedInputTokens = add(bucket.estimatedInputTokens, inTokens);
  if (rec.outputSource === 'estimate') bucket.estimatedOutputTokens = add(bucket.estimatedOutputTokens, outTokens);
  if (rec.outcome !== 'ok') bucket.errors[rec.outcome] = add(bucket.errors[rec.outcome] ?? 0, 1);
  const latency = before ? [...before.latency] : [];
  if (rec.outcome === 'ok' && Number.isFinite(rec.totalMs) && rec.totalMs >= 0) {
    const first = rec.firstMs !== undefined && Number.isFinite(rec.firstMs) && rec.firstMs >= 0 ? Math.round(rec.firstMs) : undefined;
    latency.push({ day, ...(first !== undefined ? { firstMs: first } : {}), totalMs: Math.round(rec.totalMs) });
  }
  const next: ConnectionUsage = {
    folder: rec.folder, model: rec.model, connection: rec.connection, provider: rec.provider,
    days, latency: latency.slice(-LATENCY_SAMPLES), lastAt: now.toISOString(),
  };
  return pruneUsage({ v: USAGE_VERSION, connections: { ...state.connections, [key]: next } }, now);
}

/** Drops days (and latency samples) before the retention window, connections left without days, and the oldest connections beyond MAX_CONNECTIONS. */
export function pruneUsage(state: UsageState, now: Date): UsageState {
  const first = firstKeptDay(now);
  const kept: Array<[string, ConnectionUsage]> = [];
  for (const [key, c] of Object.entries(state.connections)) {
    const days = c.days.filter((d) => d.day >= first);
    if (days.length === 0) continue;
    const latency = c.latency.filter((s) => s.day >= first).slice(-LATENCY_SAMPLES);
    kept.push([key, days.length === c.days.length && latency.length === c.latency.length ? c : { ...c, days, latency }]);
  }
  kept.sort((a, b) => (a[1].lastAt < b[1].lastAt ? 1 : a[1].lastAt > b[1].lastAt ? -1 : 0));
  return { v: USAGE_VERSION, connections: Object.fromEntries(kept.slice(0, MAX_CONNECTIONS)) };
}

// ------------------------------------------------------------------------------------------
// Reading stored state back: every piece is checked; what is not valid is dropped.

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MAX_NAME = 1_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME;
}

function parseDay(v: unknown): DayUsage | undefined {
  if (!isObject(v)) return undefined;
  const day = own(v, 'day');
  const fields = ['requests', 'inputTokens', 'outputTokens', 'estimatedInputTokens', 'estimatedOutputTokens'] as const;
  if (typeof day !== 'string' || !DAY.test(day) || !fields.every((f) => isCount(own(v, f)))) return undefined;
  const n = (f: (typeof fields)[number]): number => own(v, f) as number;
  const rawErrors = own(v, 'errors');
  if (rawErrors !== undefined && !isObject(rawErrors)) return undefined;
  const errors: Partial<Record<UsageOutcome, number>> = {};
  let failed = 0;
  for (const [k, c] of Object.entries(rawErrors ?? {})) {
    if (!(USAGE_OUTCOMES as readonly string[]).includes(k) || !isCount(c)) return undefined;
    if (c > 0) errors[k as UsageOutcome] = c;
    failed += c;
  }
  if (failed > n('requests') || n('estimatedInputTokens') > n('inputTokens') || n('estimatedOutputTokens') > n('outputTokens')) return undefined;
  return { day, requests: n('requests'), inputTokens: n('inputTokens'), outputTokens: n('outputTokens'), estimatedInputTokens: n('estimatedInputTokens'), estimatedOutputTokens: n('estimatedOutputTokens'), errors };
}

function parseSample(v: unknown): LatencySample | undefined {
  if (!isObject(v)) return undefined;
  const day = own(v, 'day');
  const firstMs = own(v, 'firstMs');
  const totalMs = own(v, 'totalMs');
  if (typeof day !== 'string' || !DAY.test(day) || !isCount(totalMs)) return undefined;
  if (firstMs !== undefined && (!isCount(firstMs) || firstMs > totalMs)) return undefined;
  return { day, ...(firstMs !== undefined ? { firstMs } : {}), totalMs };
}

function parseConnection(key: string, v: unknown): ConnectionUsage | undefined {
  if (!isObject(v)) return undefined;
  const folder = own(v, 'folder');
  const model = own(v, 'model');
  const connection = own(v, 'connection');
  const provider = own(v, 'provider');
  const lastAt = own(v, 'lastAt');
  const days = own(v, 'days');
  const latency = own(v, 'latency');
  if (!isName(folder) || !isName(model) || !isName(connection) || !isName(provider)) return undefined;
  if (key !== usageKey(folder, model, connection)) return undefined;
  if (typeof lastAt !== 'string' || lastAt.length > 64 || Number.isNaN(Date.parse(lastAt)) || !Array.isArray(days) || !Array.isArray(latency)) return undefined;
  const parsedDays: DayUsage[] = [];
  for (const d of days.slice(0, RETENTION_DAYS * 4)) {
    const p = parseDay(d);
    if (p && !parsedDays.some((x) => x.day === p.day)) parsedDays.push(p);
  }
  parsedDays.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const samples = latency.slice(-LATENCY_SAMPLES).map(parseSample).filter((s): s is LatencySample => s !== undefined);
  if (parsedDays.length === 0) return undefined;
  return { folder, model, connection, provider, days: parsedDays, latency: samples, lastAt: new Date(lastAt).toISOString() };
}

export interface ParsedUsage {
  state: UsageState;
  /** How many stored pieces (connections, days or samples) were not valid and were dropped; 0 for nothing stored. */
  dropped: number;
}

/** Stored state → usage, pruned at `now`; never throws: what does not check is dropped and counted. */
export function parseUsage(raw: unknown, now: Date): ParsedUsage {
  if (raw === undefined || raw === null) return { state: emptyUsage(), dropped: 0 };
  if (!isObject(raw) || own(raw, 'v') !== USAGE_VERSION || !isObject(own(raw, 'connections'))) return { state: emptyUsage(), dropped: 1 };
  const connections: Record<string, ConnectionUsage> = {};
  let dropped = 0;
  // Only the first MAX_CONNECTIONS * 2 are read; the others are counted (keys only: no entry pairs for a corrupt million).
  const stored = own(raw, 'connections') as Record<string, unknown>;
  const keys = Object.keys(stored);
  for (const key of keys.slice(0, MAX_CONNECTIONS * 2)) {
    const value = stored[key];
    const c = parseConnection(key, value);
    if (!c) {
      dropped++;
      continue;
    }
    const v = value as Record<string, unknown>;
    dropped += (own(v, 'days') as unknown[]).length - c.days.length + Math.min((own(v, 'latency') as unknown[]).length, LATENCY_SAMPLES) - c.latency.length;
    connections[key] = c;
  }
  dropped += Math.max(0, keys.length - MAX_CONNECTIONS * 2);
  return { state: pruneUsage({ v: USAGE_VERSION, connections }, now), dropped };
}
