/** Small helpers the provider clients share: URLs, JSON, status → outcome, retry-after. */
import type { HttpResponse } from '../net/http';
import { parseOrigin, OriginError } from '../net/origin';
import { TargetError, type Outcome, type ProviderVerdict } from './types';

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function setting(settings: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = settings[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Validates a base URL a key may be sent to and returns it without a trailing slash. */
export function checkedBase(url: string, what: string): string {
  try {
    parseOrigin(url);
  } catch (err) {
    throw new TargetError(`${what}: ${err instanceof OriginError ? err.message : String(err)}`);
  }
  const u = new URL(url);
  if (u.search || u.hash) throw new TargetError(`${what} must not have a query or fragment.`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * The base URL of a built-in provider: the official one, or the override's origin and
 * path prefix followed by the official path (a gateway at `https://gw.corp/openai`
 * serves `https://gw.corp/openai/v1/...`).
 */
export function officialBase(official: string, override: string | undefined, provider: string): string {
  if (!override) return official;
  const o = checkedBase(override, `The endpoint override for ${provider}`);
  return `${o}${new URL(official).pathname.replace(/\/+$/, '')}`;
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

/** `retry-after-ms`, then `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const ra = headers['retry-after'];
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.round(Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Status → outcome, before a provider refines it with its error code. */
export function outcomeForStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  switch (status) {
    case 400: case 409: case 413: case 415: case 422: return 'bad_request';
    case 401: case 498: return 'auth_failed';
    case 402: return 'quota_exceeded';
    case 403: return 'permission_denied';
    case 404: case 410: return 'not_found';
    case 408: return 'timeout';
    case 429: return 'rate_limited';
    case 503: case 529: return 'overloaded';
    default: return status >= 500 ? 'server_error' : 'bad_request';
  }
}

const RETIRED = /\b(deprecated|decommissioned|retired|end[- ]of[- ](its[- ])?life|no longer (available|supported|served)|has been shut ?down|(was|been) removed|legacy)\b/i;

export function mentionsRetirement(message: string | undefined): boolean {
  return !!message && RETIRED.test(message);
}

/** A 2xx whose body is not the JSON the provider sends (e.g. a web page at a wrong base URL). */
export function invalidResponse(res: HttpResponse, stage: ProviderVerdict['stage'], expected: string): ProviderVerdict {
  const type = res.headers['content-type'] ?? 'no content type';
  return {
    outcome: 'invalid_response',
    status: res.status,
    stage,
    message: res.truncated ? `The answer was larger than the limit and was cut (${type}).` : `Status ${res.status} but the body is not ${expected} (${type}).`,
  };
}

/** Parses a 2xx body and checks it has the expected shape. */
export function expectJson(res: HttpResponse, stage: ProviderVerdict['stage'], expected: string, check: (body: Record<string, unknown>) => boolean): ProviderVerdict | undefined {
  const body = res.truncated ? undefined : parseJson(res.body);
  if (!isObject(body) || !check(body)) return invalidResponse(res, stage, expected);
  return undefined;
}

/** The first request-id header present. */
export function requestId(headers: Record<string, string>, ...names: string[]): string | undefined {
  for (const n of names) if (headers[n]) return headers[n].slice(0, 200);
  return undefined;
}

export const PING = 'ping';
