import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A slow endpoint: an HTTP proxy in front of the emulator that holds each request for `delayMs`
 * before forwarding it, as a distant Region or a busy API would. Interrupt tests press Ctrl-C while
 * requests are in flight.
 */
export interface SlowProxy {
  url: string;
  /** Requests it has forwarded so far. */
  forwarded(): number;
  close(): Promise<void>;
}

export async function slowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const to = new URL(target);
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const timer = setTimeout(() => {
        count++;
        const up = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            // One connection per request, as before moto kept connections alive: this server drops an idle
            // connection after 1 s (keepAliveTimeout), which an SDK client reusing it would see as ECONNRESET.
            const headers: Record<string, string | string[] | undefined> = { ...answer.headers, connection: 'close' };
            delete headers['keep-alive'];
            res.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(res);
          },
        );
        up.on('error', () => res.destroy());
        up.end(Buffer.concat(chunks));
      }, delayMs);
      // The caller went away (an aborted request): nothing to forward.
      res.on('close', () => clearTimeout(timer));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded: () => count,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
