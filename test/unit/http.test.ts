/**
 * The shared HTTP helper (src/core/net/http.ts): no redirects, an overall deadline that also stops a drip-feed, byte
 * and decompression caps, TLS verified, proxies honoured, and transport failures as outcomes whose text names no
 * secret.
 */
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as zlib from 'zlib';
import { createDispatcher, DEFAULT_MAX_BYTES, HttpFailure, send, type HttpOptions, type HttpRequest } from '../../src/core/net/http';
import { testConnection } from '../../src/core/providers/connectionTest';
import { DEFAULT_KEY, startMockProvider, startProxyServer, startTrapServer } from '../mocks';
import type { MockProvider } from '../mocks';

interface Local {
  origin: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A throwaway HTTP server on 127.0.0.1 for shapes the provider mocks do not produce. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Local> {
  const requests: Local['requests'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

const get = (url: string, headers: Record<string, string> = {}): HttpRequest => ({ method: 'GET', url, headers });

async function failure(req: HttpRequest, options: HttpOptions): Promise<HttpFailure> {
  try {
    const res = await send(req, options);
    assert.fail(`expected a failure, got ${res.status}`);
  } catch (err) {
    assert.ok(err instanceof HttpFailure, `not an HttpFailure: ${String(err)}`);
    return err;
  }
}

describe('http helper (send)', function () {
  this.timeout(10_000);

  describe('bodies', () => {
    let local: Local;
    const json = JSON.stringify({ ok: true, text: 'héllo' });
    before(async () => {
      local = await serve((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        switch (u.pathname) {
          case '/gzip': res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(json)); return;
          case '/deflate': res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateSync(json)); return;
          case '/br': res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync(json)); return;
          case '/plain': res.writeHead(200, { 'content-type': 'application/json' }).end(json); return;
          case '/corrupt': res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('this is not gzip at all')); return;
          case '/big': res.writeHead(200).end('a'.repeat(10_000)); return;
          case '/zeros': res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024))); return;
          case '/not-modified': res.writeHead(304).end(); return;
          case '/huge-headers': {
            const headers: Record<string, string> = {};
            for (let i = 0; i < 60; i++) headers[`x-filler-${i}`] = 'y'.repeat(2000);
            res.writeHead(200, headers).end('{}');
            return;
          }
          default: res.writeHead(404).end();
        }
      });
    });
    after(() => local.close());

    it('decodes gzip, deflate and br, and asks for them', async () => {
      for (const enc of ['gzip', 'deflate', 'br', 'plain']) {
        const res = await send(get(`${local.origin}/${enc}`), { deadlineMs: 2_000 });
        assert.deepStrictEqual([res.status, res.body, res.truncated], [200, json, false], enc);
      }
      assert.strictEqual(local.requests[0].headers['accept-encoding'], 'gzip, deflate, br');
    });

    it('a body that does not decode → invalid_response', async () => {
      const f = await failure(get(`${local.origin}/corrupt`), { deadlineMs: 2_000 });
      assert.strictEqual(f.outcome, 'invalid_response');
      assert.match(f.message, /could not be decoded \(gzip\)/);
    });

    it('caps the bytes read, and the bytes after decompression', async () => {
      const big = await send(get(`${local.origin}/big`), { deadlineMs: 2_000, maxBytes: 1_000 });
      assert.strictEqual(big.truncated, true);
      assert.strictEqual(big.body.length, 1_000);
      // 8 MiB of zeros gzip to ~8 KB: the raw read fits, the decompression does not.
      const zeros = await send(get(`${local.origin}/zeros`), { deadlineMs: 2_000, maxBytes: 64 * 1024 });
      assert.strictEqual(zeros.truncated, true);
      assert.ok(zeros.body.length <= 64 * 1024);
    });

    it('304 is not a redirect', async () => {
      const res = await send(get(`${local.origin}/not-modified`), { deadlineMs: 2_000 });
      assert.strictEqual(res.status, 304);
    });

    it('more than 64 KB of headers → invalid_response, with a clear message', async () => {
      const f = await failure(get(`${local.origin}/huge-headers`), { deadlineMs: 2_000 });
      assert.strictEqual(f.outcome, 'invalid_response');
      assert.strictEqual(f.details.code, 'UND_ERR_HEADERS_OVERFLOW');
      assert.match(f.message, /more than 64 KB of headers/);
    });
  });

  describe('hostile mock answers', () => {
    let mock: MockProvider;
    before(async () => {
      mock = await startMockProvider('openai');
    });
    after(() => mock.close());
    beforeEach(() => mock.reset());
    const chat = (): HttpRequest => ({ method: 'POST', url: `${mock.origin}/v1/chat/completions`, headers: { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' }, body: '{"model":"gpt-5-mini","messages":[{"role":"user","content":"ping"}],"max_completion_tokens":16}' });

    it('a 1 GiB gzip bomb is cut at the cap: prompt, and no huge memory', async () => {
      mock.setScenario('gzip_bomb');
      const rss = process.memoryUsage().rss;
      const started = performance.now();
      // A cap above the compressed size (~1 MB) so that the decompression cap is what stops it.
      const res = await send(chat(), { deadlineMs: 5_000, maxBytes: 4 * 1024 * 1024 });
      assert.strictEqual(res.truncated, true);
      assert.ok(performance.now() - started < 3_000);
      assert.ok(process.memoryUsage().rss - rss < 100 * 1024 * 1024);
    });

    it('a 20 MB body is cut at the default cap', async () => {
      mock.setScenario('oversized');
      const rss = process.memoryUsage().rss;
      const res = await send(chat(), { deadlineMs: 5_000 });
      assert.strictEqual(res.truncated, true);
      assert.ok(Buffer.byteLength(res.body) <= DEFAULT_MAX_BYTES);
      assert.ok(process.memoryUsage().rss - rss < 100 * 1024 * 1024);
    });

    it('a drip-feed ends as timeout at the deadline (bodyTimeout alone would never fire)', async () => {
      mock.setScenario('drip');
      for (const deadlineMs of [300, 900]) {
        const started = performance.now();
        const f = await failure(chat(), { deadlineMs });
        const elapsed = performance.now() - started;
        assert.strictEqual(f.outcome, 'timeout');
        assert.ok(elapsed >= deadlineMs - 20 && elapsed <= deadlineMs + 250, `${deadlineMs}: ${elapsed} ms`);
      }
    });

    it('no headers in time → timeout at the deadline, not before', async () => {
      mock.setScenario('slow');
      const started = performance.now();
      const f = await failure(chat(), { deadlineMs: 700 });
      const elapsed = performance.now() - started;
      assert.strictEqual(f.outcome, 'timeout');
      assert.ok(elapsed >= 680 && elapsed <= 950, `${elapsed} ms`);
      assert.match(f.message, /within 0\.7 s/);
    });

    it('the caller\'s signal → cancelled', async () => {
      mock.setScenario('slow');
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const f = await failure(chat(), { deadlineMs: 5_000, signal: ac.signal });
      assert.strictEqual(f.outcome, 'cancelled');
    });

    it('a reset connection and a closed port → network_error', async () => {
      mock.setScenario('reset');
      const reset = await failure(chat(), { deadlineMs: 2_000 });
      assert.strictEqual(reset.outcome, 'network_error');
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const refused = await failure(get(`http://127.0.0.1:${port}/`), { deadlineMs: 2_000 });
      assert.strictEqual(refused.outcome, 'network_error');
      assert.strictEqual(refused.details.code, 'ECONNREFUSED');
    });

    it('a header value with CR/LF fails without echoing the value', async () => {
      const secret = 'sk-test-header-injection-0123456789';
      const f = await failure({ ...chat(), headers: { authorization: `Bearer ${secret}\r\nX-Injected: 1` } }, { deadlineMs: 2_000 });
      assert.ok(!f.message.includes(secret), f.message);
      assert.ok(!f.message.includes('X-Injected'), f.message);
      assert.strictEqual(mock.requests.length, 0);
    });
  });

  describe('redirects', () => {
    let local: Local;
    let trap: Awaited<ReturnType<typeof startTrapServer>>;
    let location: string | undefined;
    let status = 302;
    before(async () => {
      trap = await startTrapServer();
      local = await serve((_req, res) => {
        res.writeHead(status, location === undefined ? {} : { location }).end('moved');
      });
    });
    after(async () => {
      await local.close();
      await trap.close();
    });

    it('every 3xx → redirect_blocked naming only the Location\'s origin (no user info, path or query)', async () => {
      location = 'https://user:hunter2@evil.example:8443/steal/path?key=SECRETVALUE#frag';
      for (const s of [300, 301, 302, 303, 307, 308]) {
        status = s;
        const f = await failure({ method: 'POST', url: `${local.origin}/v1/x`, headers: { 'api-key': 'k' }, body: '{}' }, { deadlineMs: 2_000 });
        assert.strictEqual(f.outcome, 'redirect_blocked');
        assert.deepStrictEqual([f.details.status, f.details.location], [s, 'https://evil.example:8443']);
        for (const part of ['hunter2', 'user', '/steal', 'SECRETVALUE', 'frag']) assert.ok(!f.message.includes(part), `${s}: ${f.message}`);
      }
    });

    it('relative, invalid and missing Location headers', async () => {
      status = 307;
      location = '/elsewhere?x=1';
      assert.strictEqual((await failure(get(`${local.origin}/a`), { deadlineMs: 2_000 })).details.location, local.origin);
      location = 'http://[broken';
      assert.match((await failure(get(`${local.origin}/a`), { deadlineMs: 2_000 })).message, /an invalid location/);
      location = undefined;
      assert.match((await failure(get(`${local.origin}/a`), { deadlineMs: 2_000 })).message, /an unnamed location/);
    });

    it('307/308 with a body and a credential header: the target receives nothing', async () => {
      location = `${trap.origin}/v1/chat/completions`;
      for (const s of [301, 302, 303, 307, 308]) {
        status = s;
        const f = await failure({ method: 'POST', url: `${local.origin}/v1/chat/completions`, headers: { 'x-api-key': 'k', 'x-goog-api-key': 'k', authorization: 'Bearer k' }, body: '{"a":1}' }, { deadlineMs: 2_000 });
        assert.strictEqual(f.outcome, 'redirect_blocked');
      }
      assert.strictEqual(trap.connections, 0);
      assert.strictEqual(trap.bytesReceived, 0);
    });
  });

  describe('TLS', () => {
    let mock: MockProvider;
    before(async () => {
      mock = await startMockProvider('openai', { tls: true });
    });
    after(() => mock.close());

    it('a self-signed certificate → tls_error and nothing is sent, with the default and a created dispatcher', async () => {
      assert.ok(mock.origin.startsWith('https://'));
      assert.ok(mock.certPem?.includes('BEGIN CERTIFICATE'));
      const dispatcher = createDispatcher({ proxy: '' });
      try {
        for (const d of [undefined, dispatcher]) {
          const f = await failure(get(`${mock.origin}/v1/models/gpt-5-mini`, { authorization: `Bearer ${DEFAULT_KEY}` }), { deadlineMs: 2_000, dispatcher: d });
          assert.strictEqual(f.outcome, 'tls_error', f.message);
          assert.match(f.message, /certificate/);
        }
      } finally {
        await dispatcher.close();
      }
      assert.strictEqual(mock.requests.length, 0);
    });

    it('testConnection: tls_error, nothing else (no request reached the server, no key in the result)', async () => {
      for (const depth of ['full', 'quick'] as const) {
        const r = await testConnection({ provider: 'openai', modelName: 'm', connectionName: 'c', model: 'gpt-5-mini', settings: {} }, { kind: 'apiKey', apiKey: DEFAULT_KEY }, {
          depth, deadlineMs: 2_000, endpoints: { openai: mock.origin },
        });
        assert.strictEqual(r.outcome, 'tls_error', r.message);
        assert.strictEqual(r.status, undefined);
        assert.match(r.hint, /certificate could not be verified/);
        assert.ok(!JSON.stringify(r).includes(DEFAULT_KEY));
      }
      assert.strictEqual(mock.requests.length, 0);
    });
  });

  describe('proxy', () => {
    let mock: MockProvider;
    let proxy: Awaited<ReturnType<typeof startProxyServer>>;
    before(async () => {
      mock = await startMockProvider('openai');
      proxy = await startProxyServer();
    });
    after(async () => {
      await mock.close();
      await proxy.close();
    });
    beforeEach(() => {
      proxy.targets.length = 0;
      mock.reset();
    });
    const host = (): string => new URL(mock.origin).host;
    const target = { provider: 'openai' as const, modelName: 'm', connectionName: 'c', model: 'gpt-5-mini', settings: {} };

    it('createDispatcher({ proxy }) sends through the proxy and the test still passes', async () => {
      const dispatcher = createDispatcher({ proxy: proxy.url, noProxy: '' });
      try {
        for (const depth of ['full', 'quick'] as const) {
          const r = await testConnection(target, { kind: 'apiKey', apiKey: DEFAULT_KEY }, { depth, deadlineMs: 3_000, endpoints: { openai: mock.origin }, dispatcher });
          assert.strictEqual(r.outcome, 'ok', r.message);
        }
      } finally {
        await dispatcher.close();
      }
      assert.ok(proxy.targets.length >= 1);
      assert.deepStrictEqual([...new Set(proxy.targets)], [host()]);
      assert.strictEqual(mock.requests.length, 2);
    });

    it('HTTPS_PROXY from the environment is honoured; NO_PROXY bypasses it', async () => {
      const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, HTTP_PROXY: process.env.HTTP_PROXY };
      let viaEnv;
      try {
        process.env.HTTPS_PROXY = proxy.url;
        process.env.HTTP_PROXY = proxy.url;
        viaEnv = createDispatcher({ noProxy: '' });
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      const bypass = createDispatcher({ proxy: proxy.url, noProxy: '127.0.0.1' });
      try {
        assert.strictEqual((await send(get(`${mock.origin}/v1/models/gpt-5-mini`, { authorization: `Bearer ${DEFAULT_KEY}` }), { deadlineMs: 3_000, dispatcher: viaEnv })).status, 200);
        assert.deepStrictEqual(proxy.targets, [host()]);
        assert.strictEqual((await send(get(`${mock.origin}/v1/models/gpt-5-mini`, { authorization: `Bearer ${DEFAULT_KEY}` }), { deadlineMs: 3_000, dispatcher: bypass })).status, 200);
        assert.deepStrictEqual(proxy.targets, [host()]);
      } finally {
        await viaEnv.close();
        await bypass.close();
      }
    });

    it('TLS is still verified through the proxy tunnel', async () => {
      const tls = await startMockProvider('openai', { tls: true });
      const dispatcher = createDispatcher({ proxy: proxy.url, noProxy: '' });
      try {
        const r = await testConnection(target, { kind: 'apiKey', apiKey: DEFAULT_KEY }, { depth: 'full', deadlineMs: 3_000, endpoints: { openai: tls.origin }, dispatcher });
        assert.strictEqual(r.outcome, 'tls_error', r.message);
        assert.deepStrictEqual(proxy.targets, [new URL(tls.origin).host]);
        assert.strictEqual(tls.requests.length, 0);
      } finally {
        await dispatcher.close();
        await tls.close();
      }
    });
  });
});
