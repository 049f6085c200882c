import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { spawn } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { sdk } from '../support/aws.js';
import { cliFor, emptyDir, useMoto } from '../support/cli.js';
import { defaultSpec, putCorpus } from '../support/corpus.js';
import { signedRegion, slowProxy, type SlowProxy } from '../support/slow-proxy.js';
import { DEMO_MODELS, putMetrics, seedingClients, syntheticUsage } from '../support/synthetic.js';

/**
 * Ctrl-C as a person presses it: the key in a real pseudo-terminal (test/support/pty_run.py), with
 * the spinner on screen, against a slow endpoint (a proxy that holds each request 50 ms before it
 * reaches the emulator). The key is pressed while the run waits on AWS: once the terminal shows a
 * given text and the run has sent so many requests more, the proxy stops answering, and the key goes
 * as soon as a request waits there (no fixed sleep: the run is mid-request whatever the machine's
 * speed); then the proxy answers again (slowly), for the calls a run finishes before it stops. The
 * command ends within 2 s with exit 130, lists what it had done, and a second run converges from
 * there. SIGTERM ends it the same way with 143.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const BIN = fileURLToPath(new URL('../../bin/bedrock-monitor.js', import.meta.url));
const PTY = fileURLToPath(new URL('../support/pty_run.py', import.meta.url));
const direct = cliFor(() => emulator().url, REGION);
let proxy: SlowProxy;

beforeAll(async () => {
  proxy = await slowProxy(emulator().url, 50);
});
beforeEach(() => proxy.release());
afterAll(async () => {
  await proxy.close();
});

const env = (): Record<string, string> => ({
  AWS_ENDPOINT_URL: proxy.url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_MAX_ATTEMPTS: '1',
  NO_COLOR: '1',
  TERM: 'xterm',
  CI: '',
});

interface PtyRun {
  code: number;
  output: string;
  /** Seconds from the key to the exit. */
  elapsed: number | null;
}

// eslint-disable-next-line no-control-regex -- strips terminal escape sequences
const plain = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/**
 * Once the run has sent `more` requests from now, the endpoint stops answering; resolves when the run
 * waits on it (`waiting` of the requests held in the proxy, by default any one).
 */
async function stallAfter(more: number, waiting = (held: IncomingHttpHeaders[]) => held.length > 0): Promise<void> {
  const base = proxy.forwarded();
  await proxy.until(() => proxy.forwarded() >= base + more);
  proxy.hold();
  await proxy.until(() => waiting(proxy.held()));
}

/**
 * The CLI in a pseudo-terminal; once the terminal first shows `after` (a text or a pattern), Ctrl-C
 * as soon as `when()` resolves (it says the run is where the test wants it). Not spawnSync: the proxy
 * answers from this process's event loop.
 */
async function ptyRun(
  args: string[],
  key: { after: string | RegExp; when: () => Promise<void> },
  cwd: string,
): Promise<PtyRun> {
  const spec = {
    argv: [process.execPath, BIN, ...args],
    env: env(),
    cwd,
    keys: 'stdin',
    after: typeof key.after === 'string' ? key.after : { pattern: key.after.source },
    timeout: 90,
  };
  const child = spawn('python3', [PTY, JSON.stringify(spec)]);
  let out = '';
  let err = '';
  let shown = (): void => undefined;
  const seen = new Promise<void>((r) => (shown = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('seen\n')) shown();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  // A run that ends before it shows the text (or gets where the test wants it) is not waited for.
  const ready = seen.then(key.when);
  if ((await Promise.race([ready.then(() => 'ready'), exited])) === 'ready') child.stdin.end('"\\u0003"\n');
  proxy.release();
  const status = await exited;
  if (status !== 0) throw new Error(`pty_run.py failed: ${err}`);
  const run = JSON.parse(out.replace(/^seen\n/, '')) as PtyRun;
  return { ...run, output: plain(run.output) };
}

describe('Ctrl-C in a terminal, spinner on screen, slow endpoint', () => {
  test('setup-all --yes: exit 130 within 2 s, what was created listed; a second run converges', async () => {
    const cwd = emptyDir();
    // Once a step has finished (its line is on the terminal), so that something was created.
    const r = await ptyRun(['setup-all', '--yes'], { after: '✔', when: () => stallAfter(0) }, cwd);
    expect({ code: r.code, fast: r.elapsed !== null && r.elapsed < 2 }).toEqual({ code: 130, fast: true });
    expect(r.output).toMatch(/^created\s+\S+\s+\S+/m);
    expect(r.output).toMatch(/^(interrupted|not started)\s+\S+/m);
    expect(r.output).toContain('Interrupted: what is listed above was done; run setup-all again to finish');
    // The terminal is left as it was: not in raw mode (the spinner does not take stdin).
    const again = await direct(['setup-all', '--yes'], { cwd });
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const status = await direct(['status', '--json'], { cwd });
    expect(status.json<{ ok: boolean }>().ok).toBe(true);
  }, 120_000);

  test('cleanup --yes: exit 130 within 2 s, what was deleted listed; a second run deletes the rest', async () => {
    const cwd = emptyDir();
    expect((await direct(['setup-all', '--yes'], { cwd })).code).toBe(0);
    // Once a deletion is done (the spinner counts it), so that something was deleted and the rest waits.
    const r = await ptyRun(['cleanup', '--yes'], { after: /Deleting: [1-9]\d* of/, when: () => stallAfter(0) }, cwd);
    expect({ code: r.code, fast: r.elapsed !== null && r.elapsed < 2 }).toEqual({ code: 130, fast: true });
    expect(r.output).toMatch(/^deleted\s+\S+\s+\S+/m);
    expect(r.output).toMatch(/^not-started\s+\S+/m);
    expect(r.output).toContain('run cleanup again to delete the rest');
    const again = await direct(['cleanup', '--yes', '--json'], { cwd });
    expect(again.code).toBe(0);
    expect(again.json<{ outcomes: { action: string }[] }>().outcomes.every((o) => o.action === 'deleted')).toBe(true);
    const status = await direct(['status', '--json'], { cwd });
    expect(status.json<{ rows: { status: string }[] }>().rows.every((row) => row.status === 'missing')).toBe(true);
  }, 120_000);

  test('cleanup --yes over two Regions: exit 130, each target a row saying what it had done', async () => {
    const cwd = emptyDir();
    const regions = ['--regions', 'us-east-1,eu-west-1'];
    expect((await direct(['setup-all', '--yes', ...regions], { cwd })).code).toBe(0);
    const r = await ptyRun(
      ['cleanup', '--yes', ...regions],
      {
        after: 'Targets: 0/2',
        // Each target waiting on AWS.
        when: () => stallAfter(0, (held) => new Set(held.map(signedRegion)).size === 2),
      },
      cwd,
    );
    expect({ code: r.code, fast: r.elapsed !== null && r.elapsed < 2 }).toEqual({ code: 130, fast: true });
    // Both targets are in the table, each with what it did before the key; the run says it was interrupted.
    // An interrupted target is `interrupted`, not `failed`, in the table and in the summary line.
    expect(r.output).toMatch(/^\d{12}\s+us-east-1\s+interrupted\s+.*then interrupted/m);
    expect(r.output).toMatch(/^\d{12}\s+eu-west-1\s+interrupted\s+.*then interrupted/m);
    expect(r.output).toMatch(/0 ok, 0 failed, 2 interrupted/);
    expect(r.output).toContain('Interrupted: the table says what each target had done');
    const again = await direct(['cleanup', '--yes', ...regions, '--json'], { cwd });
    expect(again.code).toBe(0);
    expect(again.json<{ summary: { ok: number } }>().summary.ok).toBe(2);
  }, 120_000);

  test('report on the invocation logs: Ctrl-C while it downloads ends within 2 s with 130', async () => {
    const spec = defaultSpec({ filesPerHour: 20, records: 1_200 });
    const { s3, bedrock } = sdk(emulator().url, REGION);
    await s3.send(new CreateBucketCommand({ Bucket: 'bedrock-logs-interrupt' }));
    await bedrock.send(
      new PutModelInvocationLoggingConfigurationCommand({
        loggingConfig: { s3Config: { bucketName: 'bedrock-logs-interrupt' }, textDataDeliveryEnabled: true },
      }),
    );
    await putCorpus(s3, 'bedrock-logs-interrupt', spec);
    const until = new Date(spec.start.getTime() + spec.hours * 3_600_000);
    const window = ['--since', spec.start.toISOString(), '--until', until.toISOString()];
    const r = await ptyRun(
      ['report', '--by', 'principal', '--no-cache', '--no-reconcile', ...window],
      { after: 'Fetching logs', when: () => stallAfter(0) },
      emptyDir(),
    );
    expect({ code: r.code, fast: r.elapsed !== null && r.elapsed < 2, output: r.output }).toEqual({
      code: 130,
      fast: true,
      output: expect.stringMatching(/Interrupted/),
    });
  }, 120_000);
});

describe('SIGTERM', () => {
  test('ends setup-all with 143 and the --json document lists the outcomes so far', async () => {
    const child = spawn(process.execPath, [BIN, 'setup-all', '--yes', '--json'], {
      cwd: emptyDir(),
      env: { ...process.env, ...env() },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Once the first resources exist (the proxy has forwarded a dozen of its requests), while it waits on AWS.
    await stallAfter(12);
    const sent = Date.now();
    child.kill('SIGTERM');
    proxy.release();
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect({ code, fast: Date.now() - sent < 2000 }).toEqual({ code: 143, fast: true });
    const doc = JSON.parse(out) as {
      outcomes: { action: string }[];
      steps: { status: string }[];
      error: { exitCode: number };
    };
    expect(doc.error.exitCode).toBe(143);
    expect(doc.steps.some((s) => s.status === 'interrupted' || s.status === 'not-started')).toBe(true);
    expect(doc.outcomes.some((o) => o.action === 'created')).toBe(true);
    expect(err).toContain('Interrupted');
  }, 120_000);

  test('report over two Regions (CloudWatch metrics): exit 130 within 2 s, no half-read figures printed', async () => {
    // Metrics in both Regions, put straight into moto: the report's GetMetricData calls go through the slow proxy.
    const end = new Date();
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { cw } = seedingClients(emulator().url, region);
      await putMetrics(cw, syntheticUsage(DEMO_MODELS.slice(0, 3), new Date(end.getTime() - 3 * 3_600_000), end));
    }
    const args = ['report', '--hours', '6', '--regions', 'us-east-1,eu-west-1'];
    const r = await ptyRun(
      args,
      {
        after: '0/2 account and Region targets read',
        when: () => stallAfter(0),
      },
      emptyDir(),
    );
    // Before: the calls cut short became "could not be fetched" warnings and a table of n/a, exit 0.
    expect({ code: r.code, fast: r.elapsed !== null && r.elapsed < 2 }).toEqual({ code: 130, fast: true });
    expect(r.output).toContain('Interrupted');
    expect(r.output).not.toMatch(/could not be fetched|^TOTAL/m);
  }, 120_000);
});
