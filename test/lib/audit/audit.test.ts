import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { emptyDir, runCli } from '../../support/cli.js';
import {
  cloudTrailCorpus,
  generateRecords,
  truthOf,
  writeCorpus,
  type GeneratedRecord,
  type PrincipalTruth,
} from '../../support/cloudtrail.js';
import { expectGolden } from '../../support/golden.js';
import { overlong, WIDTHS, widthName } from '../../support/render.js';
import { principalOf, roleOf } from '../../../src/lib/core/identity.js';
import { readEventHistory } from '../../../src/lib/audit/history.js';
import { countTrailCalls } from '../../../src/lib/audit/engine.js';
import { Interruption } from '../../../src/lib/core/abort.js';
import { createContext } from '../../../src/lib/context/context.js';
import { Output } from '../../../src/lib/io/output.js';
import { Limiter } from '../../../src/lib/core/concurrency.js';
import { ensure } from '../../../src/lib/aws/ensure.js';
import { trailResource } from '../../../src/lib/resources/trail.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const END = new Date('2026-03-10T12:00:00Z');
const START = new Date(END.getTime() - 24 * 3_600_000);
const OPTS = { account: ACCOUNT, region: REGION, start: START, end: END };
const WINDOW = ['--since', START.toISOString(), '--until', END.toISOString()];
const env = { AWS_REGION: REGION };

interface Row {
  role: string;
  calls: number;
  errors: number;
  accessDenied: number;
  eventNames: Record<string, number>;
  sourceIps: string[];
  firstSeen: string;
  lastSeen: string;
  new: boolean | null;
}

/** The audit's rows, as the generator's truth is shaped (source IPs sorted: the audit ranks them by count). */
function asTruth(rows: Row[]): Record<string, PrincipalTruth> {
  return Object.fromEntries(
    rows.map((r) => [
      r.role,
      {
        calls: r.calls,
        errors: r.errors,
        accessDenied: r.accessDenied,
        eventNames: r.eventNames,
        sourceIps: [...r.sourceIps].sort(),
        firstSeen: r.firstSeen,
        lastSeen: r.lastSeen,
        new: r.new as boolean,
      },
    ]),
  );
}

/** The callers as logged in the window (the ARN, session name kept; a service by name), read off the records. */
function sessionsIn(records: GeneratedRecord[]): Set<string> {
  const inWindow = records.filter(
    (r) => r.actor && r.record.awsRegion === REGION && r.time >= START.getTime() && r.time < END.getTime(),
  );
  return new Set(
    inWindow.map((r) => {
      const u = r.record.userIdentity as { arn?: string; invokedBy?: string };
      return u.arn ?? u.invokedBy!;
    }),
  );
}

function corpusDir(
  calls?: number,
  deliveryMinutes?: number,
): { dir: string; truth: Record<string, PrincipalTruth>; records: GeneratedRecord[] } {
  const corpus = cloudTrailCorpus({
    ...OPTS,
    ...(calls ? { calls } : {}),
    ...(deliveryMinutes ? { deliveryMinutes } : {}),
  });
  const dir = emptyDir();
  writeCorpus(dir, corpus.files);
  return { dir, truth: corpus.truth, records: corpus.records };
}

describe('audit --source trail over CloudTrail files in a directory', () => {
  // 300 calls a window (the generator's default is 2,000): the same five principals, refused and failing calls, new
  // and known callers, several event names and source IPs each (the truth is the generator's, whatever the size),
  // delivered hourly (a file may hold records of any time before its delivery, as the demo's): 93 files instead of
  // 515 at CloudTrail's usual 5 minutes, the same records and truth.
  const corpus = corpusDir(300, 60);

  test('Ctrl-C: the query over the files stops as interrupted (the run signal reaches DuckDB)', async () => {
    const files = readdirSync(corpus.dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json.gz'))
      .map((f) => join(corpus.dir, f));
    const w = { start: START, end: END, previousStart: new Date(2 * START.getTime() - END.getTime()) };
    const counted = await countTrailCalls(files, w, {}, () => undefined);
    expect(counted).toEqual([]);
    const run = new Interruption();
    run.stop('SIGINT');
    await expect(countTrailCalls(files, w, {}, () => undefined, run.signal)).rejects.toMatchObject({
      interrupted: true,
      exitCode: 130,
    });
  });

  test("per role, the audit equals the generated corpus's truth, with no AWS request", async () => {
    const r = await runCli(['audit', '--logs', corpus.dir, ...WINDOW, '--by', 'role', '--json'], { env, now: END });
    expect(r.code).toBe(0);
    expect(r.requests).toEqual([]);
    const data = r.json<{
      rows: Row[];
      totals: Record<string, number>;
      source: Record<string, unknown>;
      groupBy: string;
    }>();
    expect(data.groupBy).toBe('role');
    expect(asTruth(data.rows)).toEqual(corpus.truth);
    expect(Object.keys(corpus.truth)).toHaveLength(5);
    const t = Object.values(corpus.truth);
    expect(data.totals).toEqual({
      calls: t.reduce((n, x) => n + x.calls, 0),
      errors: t.reduce((n, x) => n + x.errors, 0),
      accessDenied: t.reduce((n, x) => n + x.accessDenied, 0),
      principals: sessionsIn(corpus.records).size,
      sourceIps: new Set(t.flatMap((x) => x.sourceIps)).size,
      new: t.filter((x) => x.new).length,
    });
    expect(data.source).toMatchObject({ kind: 'trail', location: corpus.dir, dataEvents: true });
  });

  test('--hours 24 ending now is the same window', async () => {
    const a = await runCli(['audit', '--logs', corpus.dir, '--hours', '24', '--by', 'role', '--json'], {
      env,
      now: END,
    });
    expect(asTruth(a.json<{ rows: Row[] }>().rows)).toEqual(corpus.truth);
  });

  test('--denied keeps refused calls only; new still means "no call at all before"', async () => {
    const args = ['audit', '--logs', corpus.dir, ...WINDOW, '--denied', '--by', 'role', '--json'];
    const r = await runCli(args, { env, now: END });
    const rows = r.json<{ rows: Row[] }>().rows;
    const refused = Object.entries(corpus.truth).filter(([, t]) => t.accessDenied > 0);
    expect(rows.map((x) => [x.role, x.calls, x.accessDenied, x.new])).toEqual(
      expect.arrayContaining(refused.map(([p, t]) => [p, t.accessDenied, t.accessDenied, t.new])),
    );
    expect(rows).toHaveLength(refused.length);
  });

  test('--by event counts each event name across principals', async () => {
    const r = await runCli(['audit', '--logs', corpus.dir, ...WINDOW, '--by', 'event', '--json'], { env, now: END });
    const byEvent: Record<string, number> = {};
    for (const t of Object.values(corpus.truth))
      for (const [e, n] of Object.entries(t.eventNames)) byEvent[e] = (byEvent[e] ?? 0) + n;
    const rows = r.json<{ rows: { eventName: string; calls: number }[] }>().rows;
    expect(Object.fromEntries(rows.map((x) => [x.eventName, x.calls]))).toEqual(byEvent);
  });

  test('files that begin with the window: a warning that "new" cannot be trusted', async () => {
    const { files } = cloudTrailCorpus({ ...OPTS, calls: 50, deliveryMinutes: 60 });
    const dir = emptyDir();
    writeCorpus(
      dir,
      files.filter((f) => !/\/2026\/03\/0[1-8]\//.test(f.key)),
    );
    const r = await runCli(['audit', '--logs', dir, ...WINDOW], { env, now: END });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'no CloudTrail files before 2026-03-09: if the trail is younger than the previous window, "new" marks ' +
        'every principal',
    );
    const full = await runCli(['audit', '--logs', corpus.dir, ...WINDOW], { env, now: END });
    expect(full.stderr).not.toContain('no CloudTrail files before');
  });

  test('an empty directory: one line, a warning, exit 0', async () => {
    const r = await runCli(['audit', '--logs', emptyDir(), ...WINDOW], { env, now: END });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No Bedrock calls in us-east-1 between 2026-03-09 12:00 and 2026-03-10 12:00 UTC/);
    expect(r.stderr).toContain('no CloudTrail files for us-east-1');
  });
});

describe('what people read', () => {
  const small = corpusDir(40);
  test.each([
    ['table-160.txt', ['--output', 'table'], '160'],
    ['table-80.txt', ['--output', 'table'], '80'],
    ['table-60.txt', ['--output', 'table'], '60'],
    ['table-piped.txt', ['--output', 'table'], 'piped'],
    ['audit.csv', ['--output', 'csv'], 'piped'],
    ['audit.md', ['--output', 'markdown'], 'piped'],
    ['by-source-ip.txt', ['--by', 'source-ip'], '120'],
    ['by-role.txt', ['--by', 'role'], '120'],
  ])('%s', async (name, args, columns) => {
    // In a terminal of COLUMNS width; into a pipe nothing is cut.
    const tty = columns === 'piped' ? {} : { stdoutTty: true, env: { ...env, COLUMNS: columns } };
    const r = await runCli(['audit', '--logs', small.dir, ...WINDOW, ...args], { env, ...tty, now: END });
    expect(r.code).toBe(0);
    const text = r.stdout.replaceAll(small.dir, '<DIR>');
    expectGolden(`${name}`, text);
    expect(overlong(text, columns === 'piped' ? undefined : Number(columns))).toEqual([]);
  });
});

describe('invalid input: one line naming the flag, exit 2, no request', () => {
  test.each([
    [['--hours', '24', '--since', '2026-03-01T00:00:00Z'], '--hours cannot be combined'],
    [['--hours', '2200'], "beyond CloudTrail's event history"],
    [['--source', 'history', '--logs', '.'], "--logs reads a trail's files"],
    [['--logs', '/nonexistent/dir'], '"/nonexistent/dir" is not a directory'],
    [['--logs', 's3://Bad_Bucket/x'], '--logs:'],
    [['--logs', 'https://example.com/x'], 'neither s3://bucket/prefix nor a directory'],
    [['--by', 'model'], '--by: "model" is not one of principal, role, event, source-ip, error'],
    [['--until', '2026-03-01T00:00:00Z'], '--until needs --since'],
    [['--logs', ''], '--logs: empty (give s3://bucket/prefix or a directory)'],
    [['--since', '2026-02-30T00:00:00Z'], '--since: "2026-02-30T00:00:00Z" is not a date of the calendar'],
    [['--hours', '9000', '--source', 'trail'], 'longer than 366 days (--hours at most 8784)'],
    [['--hours', '99999999999999', '--source', 'trail'], '--hours 99999999999999 reaches before any date there is'],
  ])('%j', async (args, message) => {
    const r = await runCli(['audit', ...args], { env, now: END });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.requests).toEqual([]);
  });
});

describe('an invalid input, golden at each width', () => {
  test.each(WIDTHS.map((w) => [widthName(w), w] as const))('at %s', async (label, width) => {
    const terminal =
      width === undefined ? {} : { tty: true, stdoutTty: true, env: { ...env, CI: '1', COLUMNS: String(width) } };
    const r = await runCli(['audit', '--hours', '24', '--since', '2026-03-01T00:00:00Z'], {
      env,
      ...terminal,
      now: END,
    });
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
    expectGolden(`error-${label}.txt`, r.stderr);
    expect(overlong(r.stderr, width)).toEqual([]);
  });
});

describe('principal and role from userIdentity (the rule report --by principal / --by role applies too)', () => {
  const base = { type: null, arn: null, principalId: null, accountId: null, invokedBy: null, issuerArn: null };
  const sso = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_abc123';
  test.each([
    // IAM Identity Center: the session name is the person; the role keeps the assumed-role form.
    [
      {
        ...base,
        type: 'AssumedRole',
        arn: `${sso}/jane@example.com`,
        issuerArn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_abc123',
      },
      `${sso}/jane@example.com`,
      sso,
    ],
    [
      { ...base, type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/R/session-9' },
      'arn:aws:sts::111122223333:assumed-role/R/session-9',
      'arn:aws:sts::111122223333:assumed-role/R',
    ],
    // No ARN: the issuer in its sessions' form for the role; the principal ID for the principal.
    [
      { ...base, type: 'AssumedRole', principalId: 'AROAX:s', issuerArn: 'arn:aws:iam::1:role/path/R' },
      'AROAX:s',
      'arn:aws:sts::1:assumed-role/R',
    ],
    [
      { ...base, type: 'IAMUser', arn: 'arn:aws:iam::1:user/alice' },
      'arn:aws:iam::1:user/alice',
      'arn:aws:iam::1:user/alice',
    ],
    [
      { ...base, type: 'AWSService', invokedBy: 'bedrock.amazonaws.com' },
      'bedrock.amazonaws.com',
      'bedrock.amazonaws.com',
    ],
    [
      { ...base, type: 'AWSAccount', accountId: '999988887777', principalId: 'AIDAX' },
      'account:999988887777',
      'account:999988887777',
    ],
    [{ ...base, principalId: 'AIDAONLY' }, 'AIDAONLY', 'AIDAONLY'],
    [base, '(unknown)', '(unknown)'],
  ])('%j → %s, role %s', (identity, principal, role) => {
    expect(principalOf(identity)).toBe(principal);
    expect(roleOf(identity)).toBe(role);
  });
});

// ---------------------------------------------------------------------------------------------
// The event history (LookupEvents): moto does not implement it, so a client mock plays CloudTrail.

function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
  });
}

const MANAGEMENT = (r: GeneratedRecord): boolean => r.record.eventCategory === 'Management';

/**
 * LookupEvents as the API describes it: the Region's management events in [StartTime, EndTime], newest first, 50 a
 * page.
 */
function eventHistory(records: GeneratedRecord[], region: string) {
  const events: Event[] = records
    .filter((r) => MANAGEMENT(r) && r.record.awsRegion === region)
    .sort((a, b) => b.time - a.time)
    .map((r) => ({
      EventId: String(r.record.eventID),
      EventName: String(r.record.eventName),
      EventTime: new Date(r.time),
      EventSource: String(r.record.eventSource),
      CloudTrailEvent: JSON.stringify(r.record),
    }));
  return (input: LookupEventsCommandInput) => {
    const from = input.StartTime!.getTime();
    const to = input.EndTime!.getTime();
    const inRange = events.filter(
      (e) =>
        e.EventSource === input.LookupAttributes?.[0]?.AttributeValue &&
        e.EventTime!.getTime() >= from &&
        e.EventTime!.getTime() <= to,
    );
    const offset = Number(input.NextToken ?? 0);
    const page = inRange.slice(offset, offset + (input.MaxResults ?? 50));
    return {
      Events: page,
      ...(offset + page.length < inRange.length ? { NextToken: String(offset + page.length) } : {}),
    };
  };
}

describe('audit from the event history (LookupEvents)', () => {
  const ct = mockClient(CloudTrailClient);
  // The records alone: LookupEvents serves them, no file is written.
  const records = generateRecords({ ...OPTS, calls: 400 });
  beforeEach(() => void ct.reset());
  afterEach(() => void ct.reset());

  test('pages through every event, retries throttling, and equals the truth for management events', async () => {
    const answer = eventHistory(records, REGION);
    let calls = 0;
    ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      if (++calls === 3) throw awsError('ThrottlingException', 'Rate exceeded', 400);
      return answer(input);
    });
    const sleeps: number[] = [];
    const r = await runCli(['audit', ...WINDOW, '--by', 'role', '--json'], {
      env,
      now: END,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    });
    expect(r.code).toBe(0);
    expect(asTruth(r.json<{ rows: Row[] }>().rows)).toEqual(truthOf(records, OPTS, MANAGEMENT));
    const inputs = ct.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    const pages = Math.ceil(
      records.filter(
        (x) =>
          MANAGEMENT(x) &&
          x.record.eventSource === 'bedrock.amazonaws.com' &&
          x.record.awsRegion === REGION &&
          x.time >= START.getTime() - 86_400_000 &&
          x.time <= END.getTime(),
      ).length / 50,
    );
    expect(inputs).toHaveLength(pages + 1);
    const tokens = Array.from({ length: pages }, (_v, k) => (k === 0 ? null : String(k * 50)));
    // The third request was throttled and sent again with the same token.
    expect(inputs.map((i) => i.NextToken ?? null)).toEqual([...tokens.slice(0, 3), tokens[2], ...tokens.slice(3)]);
    for (const i of inputs) {
      expect(i).toMatchObject({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'bedrock.amazonaws.com' }],
        MaxResults: 50,
        EndTime: END,
      });
      // One sweep covers the previous window too, for "new".
      expect(i.StartTime).toEqual(new Date(START.getTime() - 86_400_000));
    }
    expect(sleeps).toContain(1000);
    const data = r.json<{ source: unknown; previousWindow: unknown }>();
    expect(data.source).toEqual({ kind: 'event-history', dataEvents: false });
    expect(data.previousWindow).toEqual({ start: '2026-03-08T12:00:00.000Z', end: START.toISOString() });
  });

  test('throttling that does not stop: a clear error after the retries, exit 1', async () => {
    ct.on(LookupEventsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400));
    const r = await runCli(['audit', '--hours', '1'], { env, now: END });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CloudTrail kept throttling LookupEvents after 6 attempts');
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(6);
  });

  test('a previous window beyond the 90 days: "new" is null, with a warning, and only the window is read', async () => {
    ct.on(LookupEventsCommand).callsFake(eventHistory(records, REGION));
    const r = await runCli(['audit', '--hours', String(24 * 60), '--json'], { env, now: END });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('"new" is unknown');
    const data = r.json<{ rows: Row[]; previousWindow: unknown }>();
    expect(data.previousWindow).toBeNull();
    expect(data.rows.every((x) => x.new === null)).toBe(true);
    expect(ct.commandCalls(LookupEventsCommand)[0]!.args[0].input.StartTime).toEqual(
      new Date(END.getTime() - 60 * 86_400_000),
    );
  });

  test('requests start at least 500 ms apart (2 per second), retries included', async () => {
    let now = 0;
    const times: number[] = [];
    const answer = eventHistory(records, REGION);
    let calls = 0;
    ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      times.push(now);
      if (++calls === 2) throw awsError('ThrottlingException', 'Rate exceeded', 400);
      return answer(input);
    });
    const sleep = (ms: number): Promise<void> => ((now += ms), Promise.resolve());
    const io = {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      env: { AWS_REGION: REGION },
      cwd: emptyDir(),
    };
    const ctx = await createContext({}, {}, io, new Output(io, { json: true, color: false, verbose: false }), {
      sleep,
      now: () => END,
    });
    const window = { start: START, end: END, previousStart: new Date(START.getTime() - 86_400_000) };
    const { pages } = await readEventHistory(
      ctx,
      { window, previous: true, limiter: new Limiter(1, 500, sleep, () => now) },
      () => undefined,
    ).finally(() => ctx.aws.close());
    expect(pages).toBeGreaterThan(5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
  });
});

// ---------------------------------------------------------------------------------------------
// Trail writes that moto never refuses: IAM propagation and a bucket policy without CloudTrail.

describe('creating the trail on AWS', () => {
  const ct = mockClient(CloudTrailClient);
  const sts = mockClient(STSClient);
  beforeEach(() => {
    ct.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    ct.on(GetTrailCommand).rejects(awsError('TrailNotFoundException', 'Unknown trail', 400));
  });
  afterEach(() => {
    ct.reset();
    sts.reset();
  });

  async function auditCtx(sleeps: number[]) {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({ audit: { enabled: true, cloudWatchLogs: true } }),
    );
    const io = {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      env: { AWS_REGION: REGION },
      cwd: dir,
    };
    return createContext({}, {}, io, new Output(io, { json: false, color: false, verbose: false }), {
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    });
  }

  test(
    'waits while CloudTrail cannot use the new CloudWatch Logs role yet ("Access denied"), then selectors, ' +
      'then logging',
    async () => {
      ct.on(CreateTrailCommand)
        .rejectsOnce(
          awsError(
            'InvalidCloudWatchLogsRoleArnException',
            'Access denied. Check the trust relationships for your role.',
            400,
          ),
        )
        .rejectsOnce(
          awsError(
            'InvalidCloudWatchLogsLogGroupArnException',
            'Access denied. Check the permissions for your role.',
            400,
          ),
        )
        .resolves({});
      const sleeps: number[] = [];
      const ctx = await auditCtx(sleeps);
      const outcome = await ensure(await trailResource(ctx), ctx).finally(() => ctx.aws.close());
      expect(outcome.action).toBe('created');
      expect(ct.commandCalls(CreateTrailCommand)).toHaveLength(3);
      expect(sleeps).toEqual([2000, 3000]);
      const order = ct
        .calls()
        .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)
        .filter((n) => /Create|Put|Start/.test(n));
      expect(order).toEqual([
        'CreateTrailCommand',
        'CreateTrailCommand',
        'CreateTrailCommand',
        'PutEventSelectorsCommand',
        'StartLoggingCommand',
      ]);
      expect(ct.commandCalls(CreateTrailCommand)[0]!.args[0].input).toMatchObject({
        Name: 'bedrock-monitor-trail',
        CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/bedrock-monitor:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/BedrockMonitorCloudTrailToLogs-${REGION}`,
        TagsList: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }],
      });
    },
  );

  test('a bucket policy without the CloudTrail statements: an error that names the step that adds them', async () => {
    ct.on(CreateTrailCommand).rejects(
      awsError('InsufficientS3BucketPolicyException', 'Incorrect S3 bucket policy is detected for bucket: b', 400),
    );
    const ctx = await auditCtx([]);
    await expect(ensure(await trailResource(ctx), ctx).finally(() => ctx.aws.close())).rejects.toMatchObject({
      message: expect.stringContaining('CloudTrail may not write to the log bucket'),
      hint: expect.stringContaining('bedrock-monitor create-bucket'),
    });
  });
});
