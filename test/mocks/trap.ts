import * as net from 'node:net';
import type { TrapServer } from './types';

/**
 * A raw TCP server on 127.0.0.1 that counts connections and bytes. On the first bytes of a connection it answers
 * a bare `404` and closes, so a client that wrongly talks to it does not hang; a test asserts bytesReceived === 0.
 */
export async function startTrapServer(): Promise<TrapServer> {
  let bytesReceived = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      if (!answered) {
        answered = true;
        socket.end('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nconnection: close\r\n\r\ntrap\n');
      }
    });
  });
  await listen(server);
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    get bytesReceived() { return bytesReceived; },
    get connections() { return connections; },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

export function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
