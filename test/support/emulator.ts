import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The local AWS emulator (moto server) for tests, `npm run demo` and `npm run bench`: started on a
 * free port, reset between uses, with moto's request recorder, and stopped whatever happens.
 */
export const MOTO_MISSING =
  'moto server is not installed for python3; install it with: pip install "moto[server]==5.2.1"';

/**
 * moto's server with the operations it lacks that the tests and demo need (test/support/moto_server.py:
 * CloudWatch composite alarms; moto_extras.py, which it imports: Budgets tags, subscribers and
 * UpdateBudget, Service Quotas for "bedrock" from a file),
 * found next to this file when it runs from test/support, or from the project root when it runs
 * compiled from .build/test/support (the demo and the benchmark).
 */
export function motoServerScript(): string {
  const candidates = ['./moto_server.py', '../../../test/support/moto_server.py'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`test/support/moto_server.py not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** A Service Quotas ServiceQuota as ListServiceQuotas returns it (the fields bedrock-monitor reads). */
export interface SyntheticQuota {
  ServiceCode: 'bedrock';
  QuotaCode: string;
  QuotaName: string;
  Value: number;
  Unit?: string;
  Adjustable?: boolean;
  GlobalQuota?: boolean;
}

export class Moto {
  private constructor(
    readonly url: string,
    /** Undefined for a server this handle attached to: someone else stops it. */
    private readonly proc: ChildProcess | undefined,
    /** The server's working directory (its recorder file, the synthetic quota file). */
    readonly dir: string,
  ) {}

  /** A handle on a server started elsewhere (jest's global setup shares one per worker). */
  static attach(url: string, dir: string): Moto {
    return new Moto(url, undefined, dir);
  }

  /**
   * Queues answers moto gives in place of what it cannot compute (its injection API, moto-api/static/…): `athena`
   * the GetQueryResults rows of the next queries (moto runs no SQL), `ce` the GetCostAndUsage answers. Throws
   * unless moto took them.
   */
  async queueResults(kind: 'athena' | 'ce', body: unknown): Promise<void> {
    const path = kind === 'athena' ? 'athena/query-results' : 'ce/cost-and-usage-results';
    const r = await fetch(`${this.url}/moto-api/static/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`moto did not take the queued ${kind} results: HTTP ${r.status}`);
  }

  /**
   * SYNTHETIC Service Quotas for ServiceCode "bedrock" (moto has none): `applied` answers
   * ListServiceQuotas, `defaults` ListAWSDefaultServiceQuotas. Cleared by reset().
   */
  setBedrockQuotas(quotas: { applied: SyntheticQuota[]; defaults: SyntheticQuota[] }): void {
    writeFileSync(join(this.dir, 'service-quotas.json'), JSON.stringify(quotas));
  }

  /**
   * Starts a server. Without moto (or flask) for python3, or without python3, it throws MOTO_MISSING: told from
   * the server's own exit, not from a separate `python3 -c "import moto.server"` first (that cost as much CPU
   * as moto's start-up again, on every start).
   */
  static async start(): Promise<Moto> {
    const port = await freePort();
    // moto's request recorder writes a file into its working directory: keep that out of the project.
    const dir = mkdtempSync(join(tmpdir(), 'moto-'));
    const proc = spawn('python3', [motoServerScript(), '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
      // Where the server writes botocore's data directory (test/support/aws-model.ts reads it).
      env: { ...process.env, BM_MOTO_BOTOCORE_DATA: join(dir, 'botocore-data') },
    });
    let stderr = '';
    let failedToStart: Error | undefined;
    proc.on('error', (err) => (failedToStart = err));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (failedToStart) throw new Error(`${MOTO_MISSING}\n${failedToStart.message}`);
      if (proc.exitCode !== null) {
        // Its stderr may still be arriving: wait for the end of it before deciding what it says.
        if (proc.stderr && !proc.stderr.closed) await new Promise((r) => proc.stderr.once('close', r));
        if (/ModuleNotFoundError|No module named/.test(stderr)) throw new Error(`${MOTO_MISSING}\n${stderr}`);
        throw new Error(`moto server exited: ${stderr}`);
      }
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
    return new Moto(url, proc, dir);
  }

  async reset(): Promise<void> {
    await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
    rmSync(join(this.dir, 'service-quotas.json'), { force: true });
  }

  /**
   * Saves the emulator's whole state under `name`, S3 objects' bodies included (test/support/moto_server.py keeps
   * the last 8); restore(name) resets the emulator and puts a copy of it back. Not the synthetic quota file.
   */
  async snapshot(name: string): Promise<void> {
    const r = await fetch(`${this.url}/moto-api/bm-snapshot?name=${encodeURIComponent(name)}`, { method: 'POST' });
    if (!r.ok) throw new Error(`moto snapshot ${name}: ${r.status} ${await r.text()}`);
  }

  /** Puts the state saved by snapshot(name) back; false when there is none (never made, or dropped). */
  async restore(name: string): Promise<boolean> {
    const r = await fetch(`${this.url}/moto-api/bm-restore?name=${encodeURIComponent(name)}`, { method: 'POST' });
    if (r.status === 404) return false;
    if (!r.ok) throw new Error(`moto restore ${name}: ${r.status} ${await r.text()}`);
    return true;
  }

  async startRecording(): Promise<void> {
    await fetch(`${this.url}/moto-api/recorder/reset-recording`, { method: 'POST' });
    await fetch(`${this.url}/moto-api/recorder/start-recording`, { method: 'POST' });
  }

  /** Stops recording and returns the AWS requests made meanwhile, classified as reads or writes. */
  async stopRecording(): Promise<RecordedRequest[]> {
    await fetch(`${this.url}/moto-api/recorder/stop-recording`, { method: 'POST' });
    const text = await (await fetch(`${this.url}/moto-api/recorder/download-recording`)).text();
    return splitJsonObjects(text)
      .map((t) => JSON.parse(t) as RawRecord)
      .filter((r) => !r.url.includes('/moto-api/'))
      .map(classify);
  }

  /** Stops recording; the SNS Publish requests received meanwhile, decoded (SNS speaks the query protocol). */
  async stopRecordingPublishes(): Promise<URLSearchParams[]> {
    await fetch(`${this.url}/moto-api/recorder/stop-recording`, { method: 'POST' });
    const text = await (await fetch(`${this.url}/moto-api/recorder/download-recording`)).text();
    return splitJsonObjects(text)
      .map((t) => JSON.parse(t) as RawRecord)
      .map((r) => new URLSearchParams(r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body))
      .filter((p) => p.get('Action') === 'Publish');
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
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

interface RawRecord {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  body_encoded: boolean;
}

export interface RecordedRequest {
  operation: string;
  write: boolean;
  /** The SDK's invocation ID: the same for a request and its retries. */
  invocation: string | undefined;
  /** The access key ID that signed the request. */
  signedBy: string | undefined;
  /** The Region in the signature's credential scope. */
  signedIn: string | undefined;
}

/** Names the operation of a recorded request (query, JSON and REST protocols) and whether it writes. */
export function classify(r: RawRecord): RecordedRequest {
  const invocation = r.headers['Amz-Sdk-Invocation-Id'] ?? r.headers['amz-sdk-invocation-id'];
  const auth = r.headers.Authorization ?? r.headers.authorization ?? '';
  const signedBy = /Credential=([^/]+)\//.exec(auth)?.[1];
  const signedIn = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(auth)?.[1];
  return { ...operationOf(r), invocation, signedBy, signedIn };
}

function operationOf(r: RawRecord): Pick<RecordedRequest, 'operation' | 'write'> {
  const target = r.headers['X-Amz-Target'] ?? r.headers['x-amz-target'];
  const body = r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  const named = target?.split('.').pop() ?? action;
  if (named) return { operation: named, write: !/^(Get|List|Describe|Head|Filter)/.test(named) };
  const path = new URL(r.url).pathname;
  const readMethod = r.method === 'GET' || r.method === 'HEAD';
  if (path.startsWith('/logging/')) return { operation: `${r.method} ${path}`, write: !readMethod };
  return {
    operation: `S3 ${r.method} ${path.split('/').length > 2 ? 'object' : 'bucket'}${new URL(r.url).search}`,
    write: !readMethod,
  };
}

/** moto writes concurrent requests' records back to back, not always one per line: split by depth. */
/**
 * What Athena's GetQueryResults gives for `rows` (every cell a string, NULL as an empty Datum, a header row first, each
 * column varchar), as moto's queued-results API takes it for `account` and `region`: `queueResults('athena', …)`.
 */
export function athenaResultsBody(
  rows: Record<string, unknown>[],
  names: string[],
  where: { account: string; region: string },
): unknown {
  const cell = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? { VarCharValue: String(v) } : {};
  return {
    account_id: where.account,
    region: where.region,
    results: [
      {
        rows: [
          { Data: names.map((n) => ({ VarCharValue: n })) },
          ...rows.map((r) => ({ Data: names.map((n) => cell(r[n])) })),
        ],
        column_info: names.map((n) => ({ Name: n, Type: 'varchar' })),
      },
    ],
  };
}

export function splitJsonObjects(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) out.push(text.slice(start, i + 1));
  }
  return out;
}
