import * as http from 'node:http';
import * as net from 'node:net';
import type { ProxyServer } from './types';
import { listen } from './trap';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (!(port > 0 && port < 65536)) return undefined;
  return { host: m[1], port };
}

/**
 * A forward proxy on 127.0.0.1: HTTP CONNECT tunnels and absolute-URI plain HTTP requests. Every target asked for
 * is recorded as 'host:port' before anything else happens. Only loopback targets are served (a test must never
 * reach the internet through it): others are recorded, then refused with 403.
 */
export async function startProxyServer(): Promise<ProxyServer> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('proxy: absolute URI required\n');
      return;
    }
    if (url.protocol !== 'http:') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('proxy: only http:// absolute URIs (use CONNECT for https)\n');
      return;
    }
    const port = Number(url.port || 80);
    targets.push(`${url.hostname}:${port}`);
    if (!LOOPBACK.has(url.hostname)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('proxy: only loopback targets are served in tests\n');
      return;
    }
    const headers = { ...req.headers };
    for (const name of Object.keys(headers)) {
      if (name.startsWith('proxy-')) delete headers[name];
    }
    const upstream = http.request(
      { host: url.hostname.replace(/^\[|\]$/g, ''), port, method: req.method, path: url.pathname + url.search, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('connection', track);
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const target = splitAuthority(req.url ?? '', 443);
    targets.push(target ? `${target.host}:${target.port}` : String(req.url));
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (!LOOPBACK.has(target.host)) {
      client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: target.host.replace(/^\[|\]$/g, ''), port: target.port });
    track(upstream);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });

  await listen(server);
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
