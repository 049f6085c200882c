import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { emptyDir, runCli } from '../../support/cli.js';
import { logsReportDocSchema } from '../../support/schemas.js';
import { noneOutside, type Aggregate } from '../../../src/lib/logs/aggregate.js';
import { computeLogsReport } from '../../../src/lib/report/logs-compute.js';

/**
 * Every record counted, or said why (issue 20): a log file not readable whole is left out whole and named; a token
 * count that is not a number is reported, not read as 0; --strict makes either an error; the logs report is not held
 * to CloudWatch's retention; --no-reconcile over a directory makes no request.
 */

const env = { AWS_REGION: 'us-east-1' };
const now = new Date('2026-11-22T00:00:00Z');
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T03:00:00Z'];
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function record(i: number, who: string, output: unknown, modelId = HAIKU): string {
  return JSON.stringify({
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: `2026-11-20T01:0${i}:00Z`,
    accountId: '123456789012',
    region: 'us-east-1',
    requestId: `r-${who}-${i}`,
    operation: 'Converse',
    modelId,
    identity: { arn: `arn:aws:iam::123456789012:user/${who}` },
    // An incompressible body, so that a gzip cut in half still holds whole records before the cut.
    input: {
      inputContentType: 'application/json',
      inputTokenCount: 10,
      inputBodyJson: randomBytes(1500).toString('hex'),
    },
    output: { outputContentType: 'application/json', outputTokenCount: output },
  });
}

/** Where logsDir() puts the files, below its directory. */
const HOUR = 'AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/11/20/01';

function logsDir(files: Record<string, Buffer | string>): string {
  const dir = emptyDir();
  const tree = join(dir, HOUR);
  mkdirSync(tree, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(tree, name), body);
  return dir;
}

/** A gzip file cut short: `gzip -t` says "unexpected end of file"; DuckDB alone read its first records. */
/** `report --by principal --json` over the directory: exit 0, and its document as documented. */
async function principalJson(dir: string) {
  const r = await runCli(['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW, '--json'], {
    env,
    now,
  });
  expect(r.code).toBe(0);
  return logsReportDocSchema(['principal']).parse(r.json());
}

function truncatedGzip(): Buffer {
  const whole = gzipSync([0, 1, 2, 3, 4].map((i) => record(i, 'truncated', 20)).join('\n') + '\n');
  return whole.subarray(0, Math.floor(whole.length / 2));
}

describe('the record of log files read whole (the cache: checked/)', () => {
  const cache = emptyDir();
  const dir = logsDir({
    'a.json.gz': gzipSync(record(1, 'alice', 5) + '\n'),
    'b.json.gz': gzipSync(record(2, 'bob', 7) + '\n'),
  });
  const tree = join(dir, HOUR);
  const report = (...extra: string[]) =>
    runCli(['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW, '--json', ...extra], {
      env: { ...env, XDG_CACHE_HOME: cache },
      now,
    });
  const recorded = (): string[] =>
    readdirSync(join(cache, 'bedrock-monitor', 'checked')).flatMap((f) =>
      Object.keys(
        (JSON.parse(readFileSync(join(cache, 'bedrock-monitor', 'checked', f), 'utf8')) as { files: object }).files,
      ),
    );

  test('a file found whole is recorded; one cut short since is checked again and left out', async () => {
    const first = await report();
    expect(first.json().totals.invocations).toBe(2);
    expect(recorded().sort()).toEqual(['a.json.gz', 'b.json.gz']);
    writeFileSync(join(tree, 'b.json.gz'), truncatedGzip());
    const second = await report();
    expect(second.json().totals.invocations).toBe(1);
    expect(second.json().skipped.unreadableFiles).toEqual([
      { file: expect.stringMatching(/b\.json\.gz$/), reason: 'truncated gzip (unexpected end of file)' },
    ]);
    expect(second.json().complete).toBe(false);
    // It is no longer recorded as whole.
    expect(recorded()).toEqual(['a.json.gz']);
  });

  test('a cache inside the logs directory is not read as logs (the records are not *.json)', async () => {
    const inside = logsDir({ 'a.json.gz': gzipSync(record(1, 'alice', 5) + '\n') });
    const run = () =>
      runCli(['report', '--by', 'principal', '--logs', inside, '--no-reconcile', ...WINDOW, '--json'], {
        env: { ...env, XDG_CACHE_HOME: join(inside, 'cache') },
        now,
      });
    await run();
    const second = (await run()).json();
    expect(second.totals.invocations).toBe(1);
    expect(second.skipped.malformedLines).toBe(0);
    expect(second.complete).toBe(true);
  });

  test('--no-cache neither reads nor writes the record', async () => {
    // A forged record calling the cut file whole, as the tool writes it: trusted without --no-cache, not with it.
    const records = join(cache, 'bedrock-monitor', 'checked');
    const [only] = readdirSync(records);
    const doc = JSON.parse(readFileSync(join(records, only!), 'utf8')) as { files: Record<string, string> };
    const s = statSync(join(tree, 'b.json.gz'), { bigint: true });
    doc.files['b.json.gz'] = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    writeFileSync(join(records, only!), JSON.stringify(doc));
    expect((await report()).json().skipped.unreadableFiles).toEqual([]);
    expect((await report('--no-cache')).json().skipped.unreadableFiles).toHaveLength(1);
    rmSync(join(cache, 'bedrock-monitor'), { recursive: true, force: true });
    const r = await report('--no-cache');
    expect(r.code).toBe(0);
    expect(existsSync(records)).toBe(false);
  });
});

describe('a log file not readable whole is named under skipped and adds no row', () => {
  const dir = logsDir({
    'good.json.gz': gzipSync(record(7, 'alice', 5) + '\n'),
    'cut.json.gz': truncatedGzip(),
  });

  test('--json: named with the reason, none of its records counted, complete false', async () => {
    const doc = await principalJson(dir);
    expect(doc.rows.map((row) => (row as Record<string, unknown>).principal)).toEqual([
      'arn:aws:iam::123456789012:user/alice',
    ]);
    expect(doc.totals.invocations).toBe(1);
    expect(doc.totals.outputTokens).toBe(5);
    expect(doc.skipped.malformedLines).toBe(0);
    expect(doc.skipped.unreadableFiles).toEqual([
      { file: expect.stringMatching(/cut\.json\.gz$/), reason: 'truncated gzip (unexpected end of file)' },
    ]);
    expect(doc.complete).toBe(false);
    expect(doc.warnings.join('\n')).toMatch(/1 log file could not be read whole .*none of its records counted/);
  });

  test('--json: a file that is not gzip at all (DuckDB refuses it too) is named once; the others count', async () => {
    const mixed = logsDir({
      'a.json.gz': gzipSync(record(1, 'alice', 5) + '\n'),
      'text.json.gz': 'plain text, not gzip',
      'b.json.gz': gzipSync(record(2, 'bob', 7) + '\n'),
    });
    const doc = await principalJson(mixed);
    expect(doc.totals.invocations).toBe(2);
    expect(doc.totals.outputTokens).toBe(12);
    expect(doc.skipped.unreadableFiles).toEqual([
      { file: expect.stringMatching(/text\.json\.gz$/), reason: expect.stringMatching(/^corrupt gzip \(/) },
    ]);
    expect(doc.complete).toBe(false);
  });

  test('the human view says the figures are incomplete', async () => {
    const r = await runCli(['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW], { env, now });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Incomplete: 1 log file not readable whole');
    expect(r.stdout).toContain('Skipped: 0 malformed lines, 0 objects that are not log files, 1 unreadable file.');
    expect(r.stderr).toContain('cut.json.gz (truncated gzip (unexpected end of file))');
  });

  test('--strict: exit 1, E_LOGS_INCOMPLETE', async () => {
    const r = await runCli(
      ['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW, '--strict', '--json'],
      {
        env,
        now,
      },
    );
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('E_LOGS_INCOMPLETE');
    expect(r.json().error.message).toContain('1 log file not readable whole');
  });

  test('--strict with every input read: exit 0; with the CloudWatch report: refused (exit 2)', async () => {
    const whole = logsDir({ 'good.json.gz': gzipSync(record(7, 'alice', 5) + '\n') });
    const ok = await runCli(['report', '--by', 'principal', '--logs', whole, '--no-reconcile', ...WINDOW, '--strict'], {
      env,
      now,
    });
    expect(ok.code).toBe(0);
    const metrics = await runCli(['report', '--strict', ...WINDOW], { env, now });
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain('--strict');
    expect(metrics.requests).toEqual([]);
  });
});

describe('a token count that is not a number is reported, not read as 0', () => {
  const dir = logsDir({
    'a.json': [record(1, 'alice', 20), record(2, 'alice', '<count>'), record(3, 'alice', 7)].join('\n') + '\n',
  });

  test('the record counts, its output tokens do not, and a warning names the field and how many', async () => {
    const doc = await principalJson(dir);
    expect(doc.totals.invocations).toBe(3);
    expect(doc.totals.inputTokens).toBe(30);
    expect(doc.totals.outputTokens).toBe(27);
    expect(doc.skipped.unreadableFields).toEqual([{ field: 'output.outputTokenCount', records: 1 }]);
    expect(doc.complete).toBe(false);
    expect(doc.warnings).toContainEqual(expect.stringContaining('1 record with output.outputTokenCount not a number'));
    const strict = await runCli(
      ['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW, '--strict'],
      {
        env,
        now,
      },
    );
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('1 token count not a number');
  });
});

describe('the logs report is not held to CloudWatch, and offline it asks nothing', () => {
  const APP = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
  const dir = logsDir({ 'a.json': [record(1, 'alice', 20), record(2, 'bob', 4, APP)].join('\n') + '\n' });

  test('--since beyond 455 days is accepted for --logs (it still is not for the CloudWatch report)', async () => {
    const r = await runCli(['report', '--by', 'principal', '--logs', dir, '--no-reconcile', '--since', '2023-01-01'], {
      env,
      now,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('arn:aws:iam::123456789012:user/alice');
    const metrics = await runCli(['report', '--since', '2023-01-01'], { env, now });
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain('455 days');
  });

  test('--no-reconcile over a directory, no credentials: no request, exit 0, the profile unpriced', async () => {
    let calls = 0;
    const requestHandler = {
      handle: () => {
        calls++;
        return Promise.reject(new Error('no network'));
      },
    };
    const r = await runCli(['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...WINDOW], {
      env: { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined },
      now,
      requestHandler,
    });
    expect(r.code).toBe(0);
    expect(r.requests).toEqual([]);
    expect(calls).toBe(0);
    expect(r.stderr).toContain(`application inference profile ${APP} could not be resolved to a model (not looked up`);
  });

  test('--by principal --by role is --by principal,role', async () => {
    const r = await runCli(
      ['report', '--by', 'principal', '--by', 'role', '--logs', dir, '--no-reconcile', ...WINDOW, '--json'],
      {
        env,
        now,
      },
    );
    expect(r.code).toBe(0);
    expect(r.json().groupBy).toEqual(['principal', 'role']);
    const twice = await runCli(['report', '--by', 'role', '--by', 'role', '--logs', dir, '--no-reconcile', ...WINDOW], {
      env,
      now,
    });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('"role" is given twice');
  });
});

describe('a reconciliation that does not add up says what it means', () => {
  const aggregate = (invocations: number): Aggregate => ({
    groups: invocations
      ? [{ keys: ['p'], model: HAIKU, ...zero(), invocations, inputTokens: 10 * invocations, outputTokens: 0 }]
      : [],
    targets: [],
    latency: [],
    totalLatency: { count: 0, p50: null, p90: null, p99: null },
    skipped: { malformedLines: 0, objects: 0, unreadableFiles: [], outsideTargets: noneOutside() },
    source: { kind: 'logs', engine: 'local', location: 's3://b/p', bodyUsageFields: true, exactPercentiles: true },
    warnings: [],
  });
  const zero = () => ({
    invocations: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    errors: 0,
  });
  const compute = (invocations: number) =>
    computeLogsReport({
      aggregate: aggregate(invocations),
      dims: [{ kind: 'principal', name: 'principal' }],
      window: { start: new Date('2026-11-20T00:00:00Z'), end: now, periodSeconds: 172800, granularitySeconds: 60 },
      region: 'us-east-1',
      overrides: {},
      pricedAs: new Map(),
      metrics: {
        ok: true,
        models: new Map([[HAIKU, { invocations: 1510, inputTokens: 15100, outputTokens: 0 }]]),
      },
      priceTable: { source: 'test', date: '2026-11-22' },
    });

  test('0 log records against 1,510 invocations in CloudWatch: a verdict asking whether logging is on', () => {
    expect(compute(0).warnings).toContainEqual(
      'the logs hold 0 of the 1,510 invocations CloudWatch counted in us-east-1: is invocation logging on for this ' +
        'Region, and do --logs, --regions and --accounts point at its logs?',
    );
  });

  test('fewer: a verdict naming delivery or logging gaps; all of them: none', () => {
    expect(compute(1500).warnings.join('\n')).toContain('the logs hold 1,500 of the 1,510 invocations');
    expect(compute(1510).warnings.join('\n')).not.toContain('the logs hold');
  });
});
