import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A moto server for one test file: started on a free port, reset between tests, stopped at the end. */
export class Moto {
  private constructor(
    readonly url: string,
    private readonly proc: ChildProcess,
  ) {}

  static async start(): Promise<Moto> {
    const probe = spawnSync('python3', ['-c', 'import moto.server, flask'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `The integration tests need the moto AWS emulator with its server extra in python3 (moto 5.2.1): pip install "moto[server]==5.2.1"\n${probe.stderr ?? ''}`,
      );
    }
    const port = await freePort();
    const proc = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`moto server exited: ${stderr}`);
      try {
        const r = await fetch(`${url}/moto-api/`);
        if (r.ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) {
        proc.kill();
        throw new Error(`moto server did not start within 30s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return new Moto(url, proc);
  }

  async reset(): Promise<void> {
    await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
