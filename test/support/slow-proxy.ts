import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A slow endpoint: an HTTP proxy in front of the emulator that holds each request for `delayMs`
 * before forwarding it, as a distant Region or a busy API would. Interrupt tests press Ctrl-C while
 * requests are in flight: `hold()` stops forwarding (every request from then on waits in the proxy),
 * so the key lands while the run is waiting on AWS, at a point the test chose by what the run has
 * sent, not by a sleep; `release()` once the key is pressed lets the requests the run still waits for
 * go on, `delayMs` later (its shielded calls: a resource's creation and its ownership mark, `ensure`
 * in src/lib/aws/ensure.ts, finish before the run stops).
 */
export interface SlowProxy {
  url: string;
  /** Requests it has forwarded so far. */
  forwarded(): number;
  /** From now on, forward nothing: requests wait in the proxy (until the caller gives up on them). */
  hold(): void;
  /** Forward again, the requests waiting first (each `delayMs` from now). */
  release(): void;
  /** The requests waiting in the proxy now (held and not given up by the caller): their headers. */
  held(): IncomingHttpHeaders[];
  /** Resolves once `ready()` is true (checked every 10 ms). */
  until(ready: () => boolean): Promise<void>;
  close(): Promise<void>;
}

/** The Region a request was signed for (SigV4's credential scope). */
export const signedRegion = (headers: IncomingHttpHeaders): string | undefined =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headers.authorization ?? '')?.[1];

export async function slowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const to = new URL(target);
  let count = 0;
  let holding = false;
  const waiting = new Map<object, { headers: IncomingHttpHeaders; forward: () => void }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const key = {};
    const forward = (): void => {
      waiting.delete(key);
      count++;
      const up = request(
        // Upstream too: a kept-alive connection to the emulator would keep the test's process from ending.
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, connection: 'close' },
        },
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
    };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const timer = setTimeout(() => {
        if (holding) waiting.set(key, { headers: req.headers, forward });
        else forward();
      }, delayMs);
      // The caller went away (an aborted request): nothing to forward.
      res.on('close', () => {
        clearTimeout(timer);
        waiting.delete(key);
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded: () => count,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const w of [...waiting.values()]) setTimeout(w.forward, delayMs);
    },
    held: () => [...waiting.values()].map((w) => w.headers),
    until: async (ready) => {
      while (!ready()) await new Promise((r) => setTimeout(r, 10));
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
