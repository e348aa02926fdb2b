/**
 * The one HTTP helper every provider client uses. It owns what keeps a test safe
 * and bounded (SECURITY.md §2, §3, §7): an overall deadline that also stops a
 * server dripping bytes, a connect timeout, no redirects ever (a redirect is an
 * outcome naming only the Location's origin), a cap on bytes read (also after
 * decompression), TLS always verified, and proxies from settings or environment.
 */
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { Agent, EnvHttpProxyAgent, request } from './undiciParts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body was longer than the cap and was cut. */
  truncated: boolean;
}

export type TransportOutcome = 'timeout' | 'network_error' | 'tls_error' | 'redirect_blocked' | 'cancelled' | 'invalid_response';

export class HttpFailure extends Error {
  constructor(readonly outcome: TransportOutcome, message: string, readonly details: { status?: number; location?: string; code?: string } = {}) {
    super(message);
    this.name = 'HttpFailure';
  }
}

export interface HttpOptions {
  /** Overall deadline for the whole exchange, body included. */
  deadlineMs: number;
  connectTimeoutMs?: number;
  /** Largest body read, after decompression. */
  maxBytes?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export const MAX_DEADLINE_MS = 30_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const TIMER_SLACK_MS = 1_000;

export interface ProxySettings {
  /** VS Code's `http.proxy`, or empty to use HTTPS_PROXY / HTTP_PROXY from the environment. */
  proxy?: string;
  noProxy?: string;
  connectTimeoutMs?: number;
}

/**
 * A dispatcher for provider tests. A bundled undici is not patched by VS Code's
 * proxy support, so the proxy is honoured here: the `http.proxy` setting, else the
 * environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
 */
export function createDispatcher(settings: ProxySettings = {}): Dispatcher {
  const common = { connect: { timeout: settings.connectTimeoutMs ?? 10_000, rejectUnauthorized: true }, maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: 4_000 };
  const env = process.env;
  const proxy = settings.proxy?.trim();
  const hasEnvProxy = Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
  if (proxy || hasEnvProxy) {
    return new EnvHttpProxyAgent({
      ...common,
      ...(proxy ? { httpProxy: proxy, httpsProxy: proxy } : {}),
      ...(settings.noProxy !== undefined ? { noProxy: settings.noProxy } : {}),
    });
  }
  return new Agent(common);
}

let defaultDispatcher: Dispatcher | undefined;

const TLS_CODES = /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR') return code;
  }
  return undefined;
}

function describeNetworkCode(code: string | undefined, host: string): string {
  switch (code) {
    case 'ECONNREFUSED': return `${host} refused the connection (nothing listening on that port).`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `The host name ${host} could not be resolved.`;
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return `${host} closed the connection without answering.`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${host} is unreachable from this machine.`;
    case 'UND_ERR_HEADERS_OVERFLOW': return `${host} answered with more than ${MAX_HEADER_BYTES / 1024} KB of headers.`;
    default: return `Could not reach ${host}${code ? ` (${code})` : ''}.`;
  }
}

/**
 * Stops reading a body we no longer want. undici's BodyReadable emits an 'error'
 * (RequestAbortedError) when destroyed before its end, so a listener must be in
 * place or the whole process dies of an unhandled 'error' event.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function decode(buffer: Buffer, encoding: string | undefined, maxBytes: number): { text: string; truncated: boolean } {
  const enc = (encoding ?? '').trim().toLowerCase();
  let out = buffer;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') out = gunzipSync(buffer, { maxOutputLength: maxBytes });
    else if (enc === 'deflate') out = inflateSync(buffer, { maxOutputLength: maxBytes });
    else if (enc === 'br') out = brotliDecompressSync(buffer, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test(String(err))) return { text: '', truncated: true };
    throw new HttpFailure('invalid_response', `The response body could not be decoded (${enc}).`);
  }
  return { text: out.toString('utf8'), truncated: false };
}

/** Sends one request. Resolves with any non-redirect status; rejects with `HttpFailure` for transport outcomes. */
export async function send(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  const deadlineMs = Math.max(1, Math.min(options.deadlineMs, MAX_DEADLINE_MS));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const url = new URL(req.url);
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const dispatcher = options.dispatcher ?? (defaultDispatcher ??= createDispatcher());
  const failure = (err: unknown): HttpFailure => {
    if (err instanceof HttpFailure) return err;
    if (options.signal?.aborted) return new HttpFailure('cancelled', 'The test was cancelled.');
    if (deadline.aborted) return new HttpFailure('timeout', `No complete answer from ${url.host} within ${deadlineMs / 1000} s.`);
    const code = errorCode(err);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new HttpFailure('timeout', `No complete answer from ${url.host} within ${deadlineMs / 1000} s.`, { code });
    return transportFailure(code, url.host);
  };

  let res: Dispatcher.ResponseData;
  try {
    res = await request(dispatcher, url, {
      method: req.method,
      headers: { 'accept-encoding': 'gzip, deflate, br', ...req.headers },
      body: req.body,
      signal,
      // undici's own timers are coarse (≈0.5 s ticks) and can fire before the deadline;
      // the precise overall signal decides, these only back it up.
      headersTimeout: deadlineMs + TIMER_SLACK_MS,
      bodyTimeout: deadlineMs + TIMER_SLACK_MS,
    });
  } catch (err) {
    throw failure(err);
  }

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }

  if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
    discard(res.body);
    let where = 'an unnamed location';
    const loc = headers.location;
    if (loc) {
      try {
        where = new URL(loc, url).origin;
      } catch {
        where = 'an invalid location';
      }
    }
    throw new HttpFailure('redirect_blocked', `${url.host} answered ${res.statusCode}, redirecting to ${where}. Requests carrying a key never follow redirects.`, { status: res.statusCode, location: where });
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        chunks.push(buf.subarray(0, buf.length - (size - maxBytes)));
        truncated = true;
        discard(res.body);
        break;
      }
      chunks.push(buf);
    }
  } catch (err) {
    throw failure(err);
  }
  if (truncated) return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8'), truncated: true };
  const decoded = decode(Buffer.concat(chunks), headers['content-encoding'], maxBytes);
  return { status: res.statusCode, headers, body: decoded.text, truncated: decoded.truncated };
}

export interface StreamOptions {
  /** Deadline for the status line, headers and the first body byte (capped at 30 s). */
  firstByteMs: number;
  /** Longest silence allowed between two body chunks once the first arrived. */
  idleMs: number;
  /** Largest streamed body overall. */
  maxBytes?: number;
  /** Largest error body read when the status is not 2xx. */
  maxErrorBytes?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export const DEFAULT_MAX_STREAM_BYTES = 32 * 1024 * 1024;

/** A streamed answer: a 2xx with its body as chunks, or any other non-redirect status with its (capped) text. */
export type HttpStream =
  | { status: number; headers: Record<string, string>; ok: true; chunks: AsyncGenerator<Buffer> }
  | { status: number; headers: Record<string, string>; ok: false; response: HttpResponse };

/**
 * Sends one request whose answer arrives in pieces (server-sent events, AWS event
 * streams). Same rules as `send` — no redirects, TLS verified, proxies — but instead
 * of a total deadline there is one for the first byte and an idle timeout between
 * chunks, so a long answer that keeps flowing is never cut while a stalled one is.
 * The body is asked for uncompressed. Leaving the loop early, or aborting the signal,
 * closes the connection.
 */
export async function sendStream(req: HttpRequest, options: StreamOptions): Promise<HttpStream> {
  const firstByteMs = Math.max(1, Math.min(options.firstByteMs, MAX_DEADLINE_MS));
  const idleMs = Math.max(1, options.idleMs);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_STREAM_BYTES;
  const url = new URL(req.url);
  const timer = new AbortController();
  let phase: 'first' | 'idle' = 'first';
  let handle = setTimeout(() => timer.abort(), firstByteMs);
  const rearm = (ms: number): void => {
    clearTimeout(handle);
    handle = setTimeout(() => timer.abort(), ms);
  };
  const signal = options.signal ? AbortSignal.any([timer.signal, options.signal]) : timer.signal;
  const dispatcher = options.dispatcher ?? (defaultDispatcher ??= createDispatcher());
  const failure = (err: unknown): HttpFailure => {
    if (err instanceof HttpFailure) return err;
    if (options.signal?.aborted) return new HttpFailure('cancelled', 'The request was cancelled.');
    if (timer.signal.aborted) {
      return phase === 'first'
        ? new HttpFailure('timeout', `No first byte from ${url.host} within ${firstByteMs / 1000} s.`)
        : new HttpFailure('timeout', `${url.host} stopped sending for ${idleMs / 1000} s in the middle of the answer.`);
    }
    const code = errorCode(err);
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return new HttpFailure('timeout', `No first byte from ${url.host} within ${firstByteMs / 1000} s.`, { code });
    if (code === 'UND_ERR_BODY_TIMEOUT') return new HttpFailure('timeout', `${url.host} stopped sending for ${idleMs / 1000} s in the middle of the answer.`, { code });
    return transportFailure(code, url.host);
  };

  let res: Dispatcher.ResponseData;
  try {
    res = await request(dispatcher, url, {
      method: req.method,
      headers: { ...req.headers, 'accept-encoding': 'identity' },
      body: req.body,
      signal,
      // Backups only: the precise timers above decide.
      headersTimeout: firstByteMs + TIMER_SLACK_MS,
      bodyTimeout: Math.max(firstByteMs, idleMs) + TIMER_SLACK_MS,
    });
  } catch (err) {
    clearTimeout(handle);
    throw failure(err);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const body = res.body;
  if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
    clearTimeout(handle);
    discard(body);
    let where = 'an unnamed location';
    if (headers.location) {
      try {
        where = new URL(headers.location, url).origin;
      } catch {
        where = 'an invalid location';
      }
    }
    throw new HttpFailure('redirect_blocked', `${url.host} answered ${res.statusCode}, redirecting to ${where}. Requests carrying a key never follow redirects.`, { status: res.statusCode, location: where });
  }
  body.on('error', () => undefined);

  if (res.statusCode < 200 || res.statusCode >= 300) {
    const cap = options.maxErrorBytes ?? DEFAULT_MAX_BYTES;
    const parts: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of body) {
        rearm(idleMs);
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > cap) {
          parts.push(buf.subarray(0, buf.length - (size - cap)));
          truncated = true;
          break;
        }
        parts.push(buf);
      }
    } catch (err) {
      throw failure(err);
    } finally {
      clearTimeout(handle);
      if (!body.destroyed) body.destroy();
    }
    return { status: res.statusCode, headers, ok: false, response: { status: res.statusCode, headers, body: Buffer.concat(parts).toString('utf8'), truncated } };
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    let size = 0;
    try {
      for await (const chunk of body) {
        phase = 'idle';
        clearTimeout(handle);
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > maxBytes) throw new HttpFailure('invalid_response', `The streamed answer from ${url.host} was larger than ${Math.round(maxBytes / 1024 / 1024)} MB and was stopped.`);
        // The consumer's own time does not count as the server's silence.
        yield buf;
        rearm(idleMs);
      }
    } catch (err) {
      throw failure(err);
    } finally {
      clearTimeout(handle);
      if (!body.destroyed) body.destroy();
    }
  }
  return { status: res.statusCode, headers, ok: true, chunks: chunks() };
}

/** A failure of the connection itself (not a timeout of ours), by undici's or Node's error code. */
function transportFailure(code: string | undefined, host: string): HttpFailure {
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new HttpFailure('timeout', `Connecting to ${host} timed out.`, { code });
  // The server did answer, with more headers than we read: not a connection problem.
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return new HttpFailure('invalid_response', describeNetworkCode(code, host), { code });
  if (code && TLS_CODES.test(code)) return new HttpFailure('tls_error', `The TLS certificate of ${host} could not be verified (${code}). Nothing was sent.`, { code });
  return new HttpFailure('network_error', describeNetworkCode(code, host), { code });
}
