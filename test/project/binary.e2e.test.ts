import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary (npm test builds first), as a shell runs it: signals and exit codes. */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('Ctrl-C', () => {
  test('SIGINT while a request is in flight: exit 130, one line, not reported as an error', async () => {
    // An endpoint that accepts connections and never answers: the command waits on it.
    const sockets: Socket[] = [];
    let connected: () => void = () => undefined;
    const reached = new Promise<void>((r) => (connected = r));
    const server = createServer((s) => {
      sockets.push(s);
      connected();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const child = spawn(
        process.execPath,
        ['bin/bedrock-monitor.js', 'status', '--region', 'us-east-1', '--endpoint-url', `http://127.0.0.1:${port}`],
        {
          cwd: root,
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      await reached;
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr.trim()).toBe('Interrupted: nothing more was changed.');
      expect(stdout).toBe('');
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
