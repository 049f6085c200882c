import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP relay in front of an endpoint that counts the connections clients open to it: what a run costs in TCP
 * (and, against AWS, TLS) handshakes, and whether the run leaves a connection open once it has returned.
 */
export interface ConnectionCounter {
  url: string;
  /** Connections clients opened. */
  opened(): number;
  /** Resolves once no client connection is open, or rejects after `ms` naming how many still are. */
  drained(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function connectionCounter(target: string): Promise<ConnectionCounter> {
  const to = new URL(target);
  const upstream = new Agent({ keepAlive: true });
  let opened = 0;
  const live = new Set<Socket>();
  const server = createServer((req, res) => {
    const up = request(
      { agent: upstream, host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        // This server's own keep-alive, not the emulator's (whose short idle timeout would make a client drop an
        // idle connection and open another, which is not what is counted here).
        const headers = { ...answer.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    opened++;
    live.add(socket);
    socket.on('close', () => live.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    opened: () => opened,
    drained: async (ms = 2000) => {
      const until = Date.now() + ms;
      while (live.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      if (live.size > 0) throw new Error(`${live.size} connection(s) still open ${ms} ms after the run returned`);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        upstream.destroy();
        server.close(() => r());
      }),
  };
}
