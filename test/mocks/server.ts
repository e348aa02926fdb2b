/**
 * Shared plumbing of the mock provider servers: listening on 127.0.0.1, recording, scenario selection, the
 * transport-level scenarios (redirects, slow, drip, oversized, non-JSON, gzip bomb, huge headers, reset) and
 * closing everything. Provider files implement routes, auth and error shapes through {@link ProviderImpl}.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import type { MockOptions, MockProvider, MockProviderId, RecordedRequest, Scenario, TrapServer } from './types';
import { listen, startTrapServer } from './trap';
import type { StreamReply } from './streaming';

export const DEFAULT_KEY = 'sk-test-mock-key';
const DEFAULT_SLOW_MS = 60_000;
const DRIP_INTERVAL_MS = 200;
const OVERSIZED_BYTES = 20 * 1024 * 1024;
const GZIP_BOMB_BYTES = 1024 * 1024 * 1024;
const MAX_RECORDED_BODY = 8 * 1024 * 1024;
/** What a client that talks HTTP/2 without TLS ("prior knowledge", h2c) sends first. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** The message used by the 'markup' scenario (inside each provider's own error shape). */
export const MARKUP_MESSAGE =
  'Invalid request <script>alert(1)</script> <img src="x" onerror="alert(2)"> see <a href="javascript:alert(3)">the docs</a>';

// ---------------------------------------------------------------------------------------------------------------
// What provider files see

export interface MockRequest {
  readonly method: string;
  /** Raw path including the query, as received. */
  readonly rawPath: string;
  /** Raw path without the query, still percent-encoded. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** First value of a header (name in any case). */
  header(name: string): string | undefined;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  readonly json: unknown;
  readonly jsonError: boolean;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON, strings as they are. */
  body?: unknown;
  contentType?: string;
  /** A streamed answer: sent chunk by chunk instead of `body`. */
  stream?: StreamReply;
}

export interface ProviderContext {
  readonly options: MockOptions;
  /** Violations a test can assert never happen (exposed as MockProvider.violations). */
  readonly violations: string[];
  retryAfterSeconds(): number;
}

export interface ProviderImpl {
  /** Answer one request for the given (non-transport) scenario, 'default' included. */
  handle(req: MockRequest, scenario: Scenario): Reply | Promise<Reply>;
  /** A 200 success reply shaped like the provider's completion answer whose generated text is `text`. */
  success(req: MockRequest, text: string): Reply;
}

export type ProviderFactory = (ctx: ProviderContext) => ProviderImpl;

// ---------------------------------------------------------------------------------------------------------------
// Helpers for provider files

export function jsonReply(status: number, body: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return { status, body, headers };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Model lists: retired models stay listed (stage 1 succeeds) but completions fail (stage 2). */
export class ModelSet {
  readonly known: Set<string>;
  readonly retired: Set<string>;
  constructor(options: MockOptions, defaults: readonly string[], defaultRetired: readonly string[]) {
    const models = options.models ?? [...defaults];
    const retired = options.retiredModels ?? (options.models ? defaultRetired.filter((m) => models.includes(m)) : [...defaultRetired]);
    this.retired = new Set(retired);
    this.known = new Set([...models, ...retired]);
  }
  has(model: string): boolean { return this.known.has(model); }
  isRetired(model: string): boolean { return this.retired.has(model); }
  list(): string[] { return [...this.known]; }
}

export function requestId(prefix = ''): string {
  return prefix + crypto.randomBytes(16).toString('hex');
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Gzip bomb: ~1 MB of gzip expanding to 1 GiB of zeros, built once per process.
// A raw-deflate segment for 1 MiB of zeros ends with a full flush, so it references nothing before it and can be
// repeated; an empty final block and the gzip trailer (CRC-32 and size of the whole expansion) close the member.

let gzipBombPromise: Promise<Buffer> | undefined;

export function gzipBomb(): Promise<Buffer> {
  gzipBombPromise ??= new Promise<Buffer>((resolve, reject) => {
    const block = Buffer.alloc(1024 * 1024);
    const repeats = GZIP_BOMB_BYTES / block.length;
    const deflate = zlib.createDeflateRaw({ level: 9 });
    const parts: Buffer[] = [];
    deflate.on('data', (c: Buffer) => parts.push(c));
    deflate.on('error', reject);
    deflate.write(block);
    deflate.flush(zlib.constants.Z_FULL_FLUSH, () => {
      const segment = Buffer.concat(parts);
      deflate.close();
      let crc = 0;
      for (let i = 0; i < repeats; i++) crc = zlib.crc32(block, crc);
      const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
      const finalBlock = Buffer.from([0x03, 0x00]); // BFINAL=1, fixed Huffman, end-of-block
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(GZIP_BOMB_BYTES >>> 0, 4);
      resolve(Buffer.concat([header, ...new Array<Buffer>(repeats).fill(segment), finalBlock, trailer]));
    });
  });
  return gzipBombPromise;
}

// ---------------------------------------------------------------------------------------------------------------
// Self-signed certificate through the openssl CLI, generated once per process.

let certPromise: Promise<{ key: string; cert: string }> | undefined;

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('startMockProvider({ tls: true }) needs the `openssl` command-line tool on PATH to generate a self-signed certificate, and it was not found.'));
      } else {
        reject(new Error(`openssl failed to generate the mock's self-signed certificate: ${String(stderr).trim() || error.message}`));
      }
    });
  });
}

export function selfSignedCert(): Promise<{ key: string; cert: string }> {
  certPromise ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mock-provider-tls-'));
    try {
      const keyFile = path.join(dir, 'key.pem');
      const certFile = path.join(dir, 'cert.pem');
      await run('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ]);
      return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })();
  certPromise.catch(() => { certPromise = undefined; });
  return certPromise;
}

// ---------------------------------------------------------------------------------------------------------------

const REDIRECT_STATUS: Partial<Record<Scenario, number>> = {
  redirect_301: 301, redirect_302: 302, redirect_303: 303, redirect_307: 307, redirect_308: 308, redirect_loop: 302,
};

const HTML_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Welcome</title></head>
<body>
<h1>It works!</h1>
<p>This is the default web page for this server. The API you are looking for is somewhere else.</p>
</body>
</html>
`;

interface Override { scenario: Scenario; prefix: string; remaining: number }
interface Pending { cancel(): void }

class MockServer implements MockProvider {
  scenario: Scenario = 'default';
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  streamsClosedByClient = 0;
  origin = '';
  certPem?: string;
  private server!: http.Server;
  /** The server that listens: `server` itself with TLS, else a TCP front that hands each connection to HTTP/1.1 or HTTP/2. */
  private listener!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly pending = new Set<Pending>();
  private overrides: Override[] = [];
  private closed = false;
  private closing?: Promise<void>;
  private redirectTrap?: Promise<TrapServer>;
  private impl: ProviderImpl;

  constructor(readonly provider: MockProviderId, factory: ProviderFactory, private readonly options: MockOptions) {
    const ctx: ProviderContext = {
      options,
      violations: this.violations,
      retryAfterSeconds: () => options.retryAfterSeconds ?? 1.5,
    };
    this.impl = factory(ctx);
  }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`mock provider crashed: ${String(error)}\n`);
        } else {
          res.destroy();
        }
      });
    };
    const track = (socket: net.Socket): void => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    };
    if (this.options.tls) {
      const { key, cert } = await selfSignedCert();
      this.certPem = cert;
      this.server = https.createServer({ key, cert }, handler);
      this.listener = this.server;
    } else {
      this.server = http.createServer(handler);
      // Plain HTTP/2 on the same port, for clients that start with its preface: the AWS SDK's Bedrock runtime
      // client speaks HTTP/2 by default, to a plain-http endpoint as well. Its compatibility request and response
      // objects serve the same handler.
      const h2 = http2.createServer(handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
      this.listener = net.createServer((socket) => {
        track(socket);
        socket.on('error', () => socket.destroy());
        socket.once('data', (first: Buffer) => {
          const n = Math.min(first.length, H2_PREFACE.length);
          socket.pause();
          socket.unshift(first);
          if (first.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
            // The session takes the buffered bytes and then reads the socket itself.
            h2.emit('connection', socket);
          } else {
            this.server.emit('connection', socket);
            socket.resume();
          }
        });
      });
    }
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', track);
    this.server.on('clientError', (_err, socket: net.Socket) => socket.destroy());
    await listen(this.listener);
    const port = (this.listener.address() as net.AddressInfo).port;
    this.origin = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  setScenario(scenario: Scenario, options?: { forPathPrefix?: string; times?: number }): void {
    if (!options || (options.forPathPrefix === undefined && options.times === undefined)) {
      this.scenario = scenario;
      return;
    }
    this.overrides.unshift({ scenario, prefix: options.forPathPrefix ?? '', remaining: options.times ?? Infinity });
  }

  reset(): void {
    this.scenario = 'default';
    this.overrides = [];
    this.requests.length = 0;
    this.violations.length = 0;
    this.streamsClosedByClient = 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const p of [...this.pending]) p.cancel();
      const done = new Promise<void>((resolve) => this.listener.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await done;
      if (this.redirectTrap) await (await this.redirectTrap).close();
    })();
    return this.closing;
  }

  private pickScenario(rawPath: string): Scenario {
    for (const o of this.overrides) {
      if (o.remaining > 0 && rawPath.startsWith(o.prefix)) {
        o.remaining--;
        return o.scenario;
      }
    }
    return this.scenario;
  }

  /** Resolves true after `ms`, or false at once when the client goes away or the mock closes. */
  private wait(ms: number, res: http.ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed || res.destroyed) return resolve(false);
      let timer: NodeJS.Timeout | undefined = undefined;
      const entry: Pending = { cancel: () => finish(false) };
      const onClose = (): void => finish(false);
      const finish = (ok: boolean): void => {
        if (timer === undefined) return;
        clearTimeout(timer);
        timer = undefined;
        this.pending.delete(entry);
        res.off('close', onClose);
        resolve(ok && !this.closed);
      };
      timer = setTimeout(() => finish(true), ms);
      this.pending.add(entry);
      res.once('close', onClose);
    });
  }

  private readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        if (size < MAX_RECORDED_BODY) chunks.push(c);
        size += c.length;
      });
      const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
      req.on('end', done);
      req.on('error', done);
      req.on('aborted', done);
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const rawPath = req.url ?? '/';
    const headers = plainHeaders(req);
    this.requests.push({ method: req.method ?? 'GET', path: rawPath, headers: { ...headers }, body });
    const scenario = this.pickScenario(rawPath);
    if (this.options.latencyMs && !(await this.wait(this.options.latencyMs, res))) return;
    if (this.closed || res.destroyed) return;

    const mreq = makeRequest(req, headers, rawPath, body);
    const redirect = REDIRECT_STATUS[scenario];
    if (redirect) {
      const target = scenario === 'redirect_loop' ? this.origin : await this.redirectOrigin();
      res.writeHead(redirect, { location: target.replace(/\/$/, '') + rawPath, 'content-length': '0' }).end();
      return;
    }
    switch (scenario) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'slow':
        if (!(await this.wait(this.options.delayMs ?? DEFAULT_SLOW_MS, res))) return;
        return this.send(res, await this.impl.handle(mreq, 'default'));
      case 'drip':
        return this.drip(res);
      case 'oversized':
        return this.oversized(res, mreq);
      case 'non_json':
        return this.send(res, { status: 200, body: HTML_PAGE, contentType: 'text/html; charset=utf-8' });
      case 'gzip_bomb': {
        const bomb = await gzipBomb();
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
        return;
      }
      case 'huge_headers': {
        const reply = this.impl.success(mreq, 'pong');
        const headers = { ...reply.headers };
        const filler = 'x'.repeat(2000);
        for (let i = 0; i < 100; i++) headers[`x-mock-filler-${i}`] = filler;
        return this.send(res, { ...reply, headers });
      }
      case 'stream_error':
      case 'stream_stall':
        return this.send(res, await this.impl.handle(mreq, 'default'), scenario);
      default:
        return this.send(res, await this.impl.handle(mreq, scenario));
    }
  }

  private redirectOrigin(): Promise<string> {
    if (this.options.redirectTarget) return Promise.resolve(this.options.redirectTarget);
    this.redirectTrap ??= startTrapServer();
    return this.redirectTrap.then((t) => t.origin);
  }

  private send(res: http.ServerResponse, reply: Reply, streamScenario?: 'stream_error' | 'stream_stall'): void | Promise<void> {
    if (res.destroyed || this.closed) return;
    if (reply.stream) return this.stream(res, reply, reply.stream, streamScenario);
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const headers: Record<string, string | string[]> = {
      'content-type': reply.contentType ?? 'application/json',
      ...reply.headers,
      'content-length': String(Buffer.byteLength(text)),
    };
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  /** Writes a streamed answer chunk by chunk; the scenarios cut it after `prefix` chunks. */
  private async stream(res: http.ServerResponse, reply: Reply, stream: StreamReply, scenario?: 'stream_error' | 'stream_stall'): Promise<void> {
    res.writeHead(reply.status, { ...reply.headers, 'content-type': stream.contentType, 'cache-control': 'no-cache' });
    const chunks = scenario ? stream.chunks.slice(0, stream.prefix) : stream.chunks;
    const delay = this.options.streamDelayMs ?? 5;
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0 && delay > 0 && !(await this.wait(delay, res))) {
        if (!this.closed) this.streamsClosedByClient++;
        return;
      }
      if (res.destroyed || this.closed) return;
      res.write(chunks[i]);
    }
    if (scenario === 'stream_stall') {
      // Silent until the client gives up (or the mock closes).
      if (!(await this.wait(24 * 3600_000, res)) && !this.closed) this.streamsClosedByClient++;
      return;
    }
    if (scenario === 'stream_error') res.write(stream.errorChunk);
    res.end();
  }

  private drip(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    let first = true;
    const interval = setInterval(() => {
      if (res.destroyed || this.closed) return stop();
      res.write(first ? '{' : ' ');
      first = false;
    }, DRIP_INTERVAL_MS);
    const entry: Pending = { cancel: () => { stop(); res.destroy(); } };
    const stop = (): void => {
      clearInterval(interval);
      this.pending.delete(entry);
    };
    this.pending.add(entry);
    res.once('close', stop);
  }

  private async oversized(res: http.ServerResponse, mreq: MockRequest): Promise<void> {
    const marker = '\u0000MOCK-PAD\u0000';
    const reply = this.impl.success(mreq, marker);
    const text = JSON.stringify(reply.body);
    const at = text.indexOf(JSON.stringify(marker).slice(1, -1));
    const before = text.slice(0, at);
    const after = text.slice(at + JSON.stringify(marker).length - 2);
    res.writeHead(200, { ...reply.headers, 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const entry: Pending = { cancel: () => res.destroy() };
    this.pending.add(entry);
    try {
      res.write(before);
      for (let sent = 0; sent < OVERSIZED_BYTES; sent += chunk.length) {
        if (res.destroyed || this.closed) return;
        if (!res.write(chunk)) {
          const go = await new Promise<boolean>((resolve) => {
            const onDrain = (): void => { res.off('close', onClose); resolve(true); };
            const onClose = (): void => { res.off('drain', onDrain); resolve(false); };
            res.once('drain', onDrain);
            res.once('close', onClose);
          });
          if (!go) return;
        }
      }
      res.end(after);
    } finally {
      this.pending.delete(entry);
    }
  }
}

/**
 * A request's headers. Over HTTP/2: `:authority` kept (a SigV4 client signs it instead of `host`) and standing for
 * `host` when there is none (RFC 9113 §8.3.1); the other pseudo-headers are the method and path, dropped.
 */
function plainHeaders(req: http.IncomingMessage): http.IncomingHttpHeaders {
  if (req.httpVersionMajor !== 2) return req.headers;
  const out: http.IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':') || name === ':authority') out[name] = value;
  out.host ??= req.headers[':authority'] as string | undefined;
  return out;
}

function makeRequest(req: http.IncomingMessage, headers: http.IncomingHttpHeaders, rawPath: string, body: string): MockRequest {
  const q = rawPath.indexOf('?');
  const pathname = q < 0 ? rawPath : rawPath.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawPath.slice(q + 1));
  let json: unknown = undefined;
  let jsonError = false;
  if (body.trim() !== '') {
    try {
      json = JSON.parse(body);
    } catch {
      jsonError = true;
    }
  }
  return {
    method: req.method ?? 'GET',
    rawPath,
    pathname,
    query,
    headers,
    body,
    json,
    jsonError,
    header(name: string) {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
  };
}

export async function createMock(provider: MockProviderId, factory: ProviderFactory, options: MockOptions = {}): Promise<MockProvider> {
  return new MockServer(provider, factory, options).start();
}
