import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import type { RequestRecord } from '../../src/lib/aws/clients.js';
import { Moto } from '../support/emulator.js';
import {
  checkRun,
  describeViolations,
  newRunState,
  validateWithBotocore,
  validateWithBotocoreOn,
  type Sent,
} from './contracts.js';

// eslint-disable-next-line no-control-regex -- strips terminal escape sequences
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * Every request any CLI run of this test file sent. Each run is checked against AWS's documented
 * rules as soon as it ends (a violation fails the test that made it); all of them together are
 * validated against botocore's service models once the file's tests are done (one python3).
 */
const sentInFile: Sent[] = [];
const contractState = newRunState();

afterAll(async () => {
  // By this worker's moto server when there is one (botocore's models are loaded there already).
  const server = sharedServer();
  const violations = server ? await validateWithBotocoreOn(server.url, sentInFile) : validateWithBotocore(sentInFile);
  sentInFile.length = 0;
  if (violations.length) throw new Error(`requests that AWS would reject:\n${describeViolations(violations)}`);
});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  requests: RequestRecord[];
  writes: RequestRecord[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json<T = any>(): T;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Pretend stdin and stderr are terminals (for prompts). */
  tty?: boolean;
  /** Pretend stdout is a terminal (COLUMNS sets its width): tables are fitted instead of printed whole. */
  stdoutTty?: boolean;
  stdin?: PassThrough;
  sleep?: (ms: number) => Promise<void>;
  /** The clock the command sees (default: the real one). */
  now?: Date;
  /** An HTTP handler answering instead of AWS (recorded real responses), for faults moto cannot make. */
  requestHandler?: unknown;
  /** Attempts per AWS call (default 2, so that retried faults stay fast); undefined leaves it to the SDK. */
  maxAttempts?: number | undefined;
  /** Scripted answers: when stderr shows `prompt` (in order), type `keys` (implies tty). */
  answers?: { prompt: RegExp; keys: string }[];
}

/** Directories this test file made with emptyDir(), removed once its tests are done. */
const madeDirs: string[] = [];
afterAll(() => {
  for (const d of madeDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export const emptyDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bm-test-'));
  madeDirs.push(dir);
  return dir;
};

/**
 * The file's cache directory (XDG_CACHE_HOME of its CLI runs unless a test gives its own): what a run caches (S3
 * downloads, the record of log files read whole) stays in this test file, never in the machine's ~/.cache.
 */
let fileCache: string | undefined;
const cacheHome = (): string => (fileCache ??= emptyDir());

/** Runs the real CLI in-process, with captured stdout/stderr and every AWS request counted. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = opts.stdin ?? new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const pending = [...(opts.answers ?? [])];
  let answeredUpTo = 0;
  // A prompt that never shows would leave the CLI waiting for input until jest's timeout: after 20 s
  // of silence with answers still pending, it presses Ctrl-C: the prompt aborts and the test fails at once.
  let watchdog: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(watchdog);
    if (pending.length) watchdog = setTimeout(() => stdin.write('\u0003'), 20_000);
  };
  arm();
  stderr.on('data', (d: Buffer) => {
    arm();
    if (process.env.DEBUG_CLI) process.stderr.write(d);
    err += d.toString();
    const next = pending[0];
    // Without escape sequences, and with the terminal's line wrapping undone (a long prompt wraps).
    const plain = err.slice(answeredUpTo).replace(ESCAPES, '').replace(/\s+/g, ' ');
    if (next && next.prompt.test(plain)) {
      pending.shift();
      answeredUpTo = err.length;
      setTimeout(() => stdin.write(next.keys), 20);
    }
  });
  // Like the real stderr, the test's cannot be ended (inquirer ends its output when a prompt closes).
  stderr.end = ((cb?: () => void) => {
    cb?.();
    return stderr;
  }) as typeof stderr.end;
  const tty = opts.tty ?? opts.answers !== undefined;
  if (tty)
    Object.assign(stderr, {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
  if (tty) Object.assign(stdin, { isTTY: true, setRawMode: () => stdin });
  if (opts.stdoutTty) Object.assign(stdout, { isTTY: true, columns: Number(opts.env?.COLUMNS ?? 100) });
  const requests: RequestRecord[] = [];
  const env: Record<string, string | undefined> = {
    NO_COLOR: '1',
    COLUMNS: '100',
    TZ: 'UTC',
    XDG_CACHE_HOME: cacheHome(),
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const cpuBefore = process.cpuUsage();
  const code = await main(
    args,
    { stdout, stderr, stdin, env, cwd: opts.cwd ?? emptyDir() },
    {
      onRequest: (r) => requests.push(r),
      sleep: opts.sleep ?? (() => Promise.resolve()),
      ...('maxAttempts' in opts ? { maxAttempts: opts.maxAttempts } : { maxAttempts: 2 }),
      ...(opts.now ? { now: () => opts.now! } : {}),
      ...(opts.requestHandler ? { requestHandler: opts.requestHandler } : {}),
    },
  );
  await new Promise((r) => setImmediate(r));
  clearTimeout(watchdog);
  if (pending.length)
    throw new Error(`prompts never shown: ${pending.map((p) => String(p.prompt)).join(', ')}\n${err}`);
  sentInFile.push(...requests);
  // BM_REQUEST_LOG=file: one line per CLI run (test file, test, arguments, AWS requests, the worker's CPU in ms during
  // the run, its other threads included), to find where the suite's time goes (docs/testing.md).
  if (process.env.BM_REQUEST_LOG) {
    const { testPath, currentTestName } = expect.getState();
    const { user, system } = process.cpuUsage(cpuBefore);
    const line = [testPath, currentTestName, args.join(' '), requests.length, Math.round((user + system) / 1000)];
    appendFileSync(process.env.BM_REQUEST_LOG, `${line.join('\t')}\n`);
  }
  const violations = checkRun(requests, contractState);
  if (violations.length)
    throw new Error(
      `bedrock-monitor ${args.join(' ')} sent requests that break AWS's documented ` +
        `rules:\n${describeViolations(violations)}`,
    );
  return {
    code,
    stdout: out,
    stderr: err,
    requests,
    writes: requests.filter((r) => r.write),
    json: () => JSON.parse(out) as never,
  };
}

/** A runner bound to one emulator and Region. */
export function cliFor(endpoint: () => string, region = 'us-east-1') {
  return (args: string[], opts: CliOptions = {}) =>
    runCli(args, { ...opts, env: { AWS_ENDPOINT_URL: endpoint(), AWS_REGION: region, ...opts.env } });
}

/** The moto server jest's global setup started for this worker (test/support/global-setup.mjs), if any. */
function sharedServer(): { url: string; dir: string } | undefined {
  const shared = process.env.BM_MOTO_SERVERS
    ? (JSON.parse(process.env.BM_MOTO_SERVERS) as { url: string; dir: string }[])
    : [];
  return shared[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % Math.max(1, shared.length)];
}

/**
 * The moto server of this jest worker (started once by test/support/global-setup.mjs), reset before
 * each test; a file run without the global setup starts its own. Returns a getter, since the server
 * is known only once beforeAll has run.
 */
export function useMoto(): () => Moto {
  let moto: Moto | undefined;
  let own = false;
  beforeAll(async () => {
    // The server jest's global setup started for this worker, else one of this file's own.
    const mine = sharedServer();
    own = mine === undefined;
    moto = mine ? Moto.attach(mine.url, mine.dir) : await Moto.start();
  });
  afterAll(async () => {
    if (own) await moto?.stop();
  });
  beforeEach(async () => {
    await moto?.reset();
  });
  return () => {
    if (!moto) throw new Error('moto is not running (useMoto() must be called at the top level of a test file)');
    return moto;
  };
}

/**
 * For a beforeEach that builds the same account before each of many tests: the first time, `build` runs
 * on the reset emulator (with every assertion it makes) and moto's state is saved; later, a copy of that
 * state is put back instead of building it again. Saved per test file and name, on this worker's server.
 *   beforeEach(fromSnapshot(emulator, 'converged', setupAll));
 */
export function fromSnapshot(emulator: () => Moto, name: string, build: () => Promise<void>): () => Promise<void> {
  return async () => {
    const key = `${expect.getState().testPath ?? ''}#${name}`;
    if (await emulator().restore(key)) return;
    await build();
    await emulator().snapshot(key);
  };
}
