import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

/**
 * Records as others published them (test/fixtures/records/SOURCES.md says where each comes from; the
 * values are as published, redactions included, one record per line). The local engine reads them
 * and every figure is held against counts made by hand from the records, written here with how
 * each was counted. Run one Region at a time, as the report does.
 */

const LOGS = join(process.cwd(), 'test/fixtures/records/invocation-logs');
const NOW = new Date('2026-10-01T00:00:00Z');
const WINDOW = ['--since', '2025-10-01T00:00:00Z', '--until', '2026-10-01T00:00:00Z'];

interface Row {
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  errors: number;
  latencyP50Ms: number | null;
  priced: boolean;
  [key: string]: unknown;
}

interface Doc {
  rows: Row[];
  totals: Row & { latencyP90Ms: number | null; latencyP99Ms: number | null; unpricedModels: string[] };
  skipped: { malformedLines: number; outsideTargets: { records: number } };
  warnings: string[];
}

async function report(by: 'principal' | 'model', region: string, window = WINDOW, now = NOW) {
  const r = await runCli(['report', '--by', by, '--logs', LOGS, '--no-reconcile', ...window, '--json'], {
    env: { AWS_REGION: region },
    now,
  });
  expect(r.code).toBe(0);
  // Read from the directory: no AWS request at all.
  expect(r.requests).toEqual([]);
  return r.json<Doc>();
}

/** The figures of a row, by its key, for comparison with the hand counts. */
const figures = (rows: Row[], key: 'principal' | 'model') =>
  Object.fromEntries(
    rows.map((r) => [
      r[key] as string,
      [r.invocations, r.inputTokens, r.outputTokens, r.cacheWriteTokens, r.errors, r.latencyP50Ms],
    ]),
  );

describe('published invocation-log records, counted by hand', () => {
  // us-west-2 holds the three records of the "Bedrock Invocation Log Format Reference" (keys in AWS's
  // current order: timestamp … identity, inferenceRegion, schemaType, schemaVersion):
  //   R2 Converse, global.anthropic.claude-opus-4-5-20251101-v1:0, user/your-iam-username:
  //      input 255, output 113, cache write 0, latencyMs 3114 (outputBodyJson.metrics).
  //   R3 ConverseStream with an OBJECT body (not a list of events), global.anthropic.claude-opus-4-6-v1,
  //      123456789012 user/your-br-api-key: input 3, output 52, cache write 24,479, latencyMs 7460.
  //   R4 InvokeModelWithResponseStream, a profile ARN (…:inference-profile/global.anthropic.claude-opus-4-7),
  //      565521294060 user/your-br-api-key, outputBodyJson a list holding one STRING: input 6, output 167,
  //      cache write 225,913, no latency in the record.
  test('us-west-2 by principal: three callers, one record each; a stream array of strings is read', async () => {
    const doc = await report('principal', 'us-west-2');
    // [invocations, input, output, cache write, errors, p50 latency]
    expect(figures(doc.rows, 'principal')).toEqual({
      'arn:aws:iam::123456789012:user/your-iam-username': [1, 255, 113, 0, 0, 3114], // R2
      'arn:aws:iam::123456789012:user/your-br-api-key': [1, 3, 52, 24_479, 0, 7460], // R3
      'arn:aws:iam::565521294060:user/your-br-api-key': [1, 6, 167, 225_913, 0, null], // R4: no latency field
    });
    // Totals: 255 + 3 + 6 = 264 input; 113 + 52 + 167 = 332 output; 24,479 + 225,913 = 250,392 cache write;
    // no cache reads (every cacheReadInputTokenCount is 0); no errorCode.
    expect(doc.totals).toMatchObject({
      invocations: 3,
      inputTokens: 264,
      outputTokens: 332,
      cacheReadTokens: 0,
      cacheWriteTokens: 250_392,
      errors: 0,
    });
    // Latency over the two records that carry one, 3114 and 7460 ms, linear between ranks:
    // p50 = 3114 + 0.5 × 4346 = 5287; p90 = 3114 + 0.9 × 4346 = 7025.4; p99 = 3114 + 0.99 × 4346 = 7416.54.
    expect([doc.totals.latencyP50Ms, doc.totals.latencyP90Ms, doc.totals.latencyP99Ms]).toEqual([
      5287, 7025.4, 7416.54,
    ]);
    // The us-east-1 records (R5, R6, R7) are the other Region's: 3 left out, and said.
    expect(doc.skipped.outsideTargets.records).toBe(3);
    expect(doc.skipped.malformedLines).toBe(0);
  });

  test('us-west-2 by model: global profile IDs and a profile ARN; Opus 4.7 is not in the price table', async () => {
    const doc = await report('model', 'us-west-2');
    const arn = 'arn:aws:bedrock:us-west-2:565521294060:inference-profile/global.anthropic.claude-opus-4-7';
    expect(figures(doc.rows, 'model')).toEqual({
      'global.anthropic.claude-opus-4-5-20251101-v1:0': [1, 255, 113, 0, 0, 3114], // R2
      'global.anthropic.claude-opus-4-6-v1': [1, 3, 52, 24_479, 0, 7460], // R3
      [arn]: [1, 6, 167, 225_913, 0, null], // R4
    });
    // The bundled table has Opus 4.5 and 4.6 but no 4.7: R4 is unpriced, and the report says so.
    expect(doc.rows.find((r) => r.model === arn)?.priced).toBe(false);
    expect(doc.totals.unpricedModels).toEqual([arn]);
    expect(doc.warnings).toContainEqual(expect.stringContaining(`${arn} is not in the price table`));
  });

  // us-east-1 holds:
  //   R5, R6 (a CloudWatch agent's integration test, "real Bedrock logs"): ConverseStream on
  //      global.anthropic.claude-haiku-4-5-20251001-v1:0 with NO identity key; R5 input 1023, output 89;
  //      R6 errorCode ThrottlingException and no input/output at all.
  //   R7 (a security lab write-up): ConverseStream on us.anthropic.claude-sonnet-4-5-20250929-v1:0 by an
  //      AgentCore harness session, accountId "<acct>", inputTokenCount 4512, outputTokenCount "<count>".
  test('us-east-1 by principal: records without identity are one "(unknown)" row; "<count>" adds nothing', async () => {
    const doc = await report('principal', 'us-east-1');
    const session =
      'arn:aws:sts::<acct>:assumed-role/AmazonBedrockAgentCoreHarnessDefaultServiceRole-<sfx>/' +
      'BedrockAgentCore-<session-uuid>';
    expect(figures(doc.rows, 'principal')).toEqual({
      // R5 + R6: 2 invocations, 1023 input, 89 output, 1 error (R6's ThrottlingException).
      '(unknown)': [2, 1023, 89, 0, 1, null],
      // R7: 4512 input; its "<count>" output is not a number, so no output tokens are counted.
      // depends on records-logs: that branch also names the record under `skipped` with a warning.
      [session]: [1, 4512, 0, 0, 0, null],
    });
    // 1023 + 4512 = 5535 input; 89 output; 1 error in 3 invocations.
    expect(doc.totals).toMatchObject({ invocations: 3, inputTokens: 5535, outputTokens: 89, errors: 1 });
    expect(doc.skipped.outsideTargets.records).toBe(3); // R2, R3, R4 are us-west-2's
  });

  test('us-east-1 by model: a global. and a us. profile ID', async () => {
    const doc = await report('model', 'us-east-1');
    expect(figures(doc.rows, 'model')).toEqual({
      'global.anthropic.claude-haiku-4-5-20251001-v1:0': [2, 1023, 89, 0, 1, null], // R5 + R6
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0': [1, 4512, 0, 0, 0, null], // R7 (depends on records-logs)
    });
  });

  // R1 (an MCP server's setup notes): ConverseStream on amazon.nova-lite-v1:0, object body, the older key
  // order (schemaType first, identity after accountId), accountId "XXXXXXXXXXXXX": input 4, output 38, 302 ms.
  // It is from 2025-03-11, outside the windows above (which never counted it), and alone in its own.
  test('R1, in a window of its own: the older key order and a redacted account are read', async () => {
    const window = ['--since', '2025-03-11T00:00:00Z', '--until', '2025-03-12T00:00:00Z'];
    const doc = await report('principal', 'us-east-1', window, new Date('2025-03-12T00:00:00Z'));
    expect(figures(doc.rows, 'principal')).toEqual({
      'arn:aws:iam::XXXXXXXXXXXX:user/dheeraj': [1, 4, 38, 0, 0, 302],
    });
  });
});

// G1–G4: the four test records of Panther's AWS.BedrockModelInvocation.GuardRailIntervened rule (SOURCES.md), as
// Panther normalises them (keys in alphabetical order, a `region` key, timestamp "2025-05-15 14:17:22.000000000":
// a space and nine fractional digits), all us-west-2, anthropic.claude-3-haiku-20240307-v1:0, account 111111111111:
//   G1 14:17:22 operation ListModels,  …/role_details/regular.user,    inputTokenCount 0, outputTokenCount 0, 249 ms
//   G2 14:17:22 Converse,              …/role_details/regular.user,    0, 0, 249 ms
//   G3 14:17:22 Converse,              …/role_details/suspicious.user, 0, 0, 249 ms, stopReason guardrail_intervened
//   G4 14:14:49 InvokeModel,           …/role_details/suspicious.user, NO token counts at all, no latencyMs (its only
//      timing is the guardrail's own guardrailProcessingLatency 179), amazon-bedrock-guardrailAction INTERVENED.
// G1–G3 share one requestId (bb98d9a8-…): the engine does not de-duplicate by it, so each is counted.
// None has an errorCode: a guardrail intervention is a successful call, not an error.
describe('published guardrail-intervened records with 0 tokens, counted by hand', () => {
  const WINDOW_G = ['--since', '2025-05-15T00:00:00Z', '--until', '2025-05-16T00:00:00Z'];
  const NOW_G = new Date('2025-05-16T00:00:00Z');
  const USER = 'arn:aws:sts::111111111111:assumed-role/role_details';

  test('by principal: two sessions, two records each, no tokens, no errors', async () => {
    const doc = await report('principal', 'us-west-2', WINDOW_G, NOW_G);
    // [invocations, input, output, cache write, errors, p50 latency]
    expect(figures(doc.rows, 'principal')).toEqual({
      [`${USER}/regular.user`]: [2, 0, 0, 0, 0, 249], // G1 + G2, both 249 ms
      [`${USER}/suspicious.user`]: [2, 0, 0, 0, 0, 249], // G3 + G4; only G3 carries a latency
    });
    // 4 records, 0 + 0 + 0 + 0 tokens of every kind; latency over G1, G2, G3 (249 each): every percentile 249.
    expect(doc.totals).toMatchObject({
      invocations: 4,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      errors: 0,
      latencyP50Ms: 249,
      latencyP90Ms: 249,
      latencyP99Ms: 249,
    });
    expect(doc.skipped.malformedLines).toBe(0);
    // Nothing else in the directory falls on 2025-05-15, in any Region.
    expect(doc.skipped.outsideTargets.records).toBe(0);
  });

  test('by model: one model, four records; the roles the sessions belong to are one', async () => {
    const doc = await report('model', 'us-west-2', WINDOW_G, NOW_G);
    expect(figures(doc.rows, 'model')).toEqual({
      'anthropic.claude-3-haiku-20240307-v1:0': [4, 0, 0, 0, 0, 249], // G1–G4
    });
  });

  test('by hour: the space-separated times land in their hour, named in ISO form', async () => {
    const r = await runCli(['report', '--by', 'hour', '--logs', LOGS, '--no-reconcile', ...WINDOW_G, '--json'], {
      env: { AWS_REGION: 'us-west-2' },
      now: NOW_G,
    });
    expect(r.code).toBe(0);
    const rows = r.json<Doc>().rows.filter((row) => row.invocations > 0);
    // G4 at 14:14:49 and G1–G3 at 14:17:22: all four in the 14:00 hour.
    expect(rows.map((row) => [row.hour, row.invocations])).toEqual([['2025-05-15T14:00:00Z', 4]]);
  });
});

const TRAIL = join(process.cwd(), 'test/fixtures/records/cloudtrail');
const TRAIL_WINDOW = ['--since', '2025-01-21T00:00:00Z', '--until', '2025-01-22T00:00:00Z'];

interface AuditRow {
  calls: number;
  errors: number;
  accessDenied: number;
  eventNames: Record<string, number>;
  sourceIps: string[];
  principals: string[];
  firstSeen: string;
  lastSeen: string;
  [key: string]: unknown;
}

async function audit(by: 'principal' | 'role' | 'event') {
  const r = await runCli(['audit', '--logs', TRAIL, ...TRAIL_WINDOW, '--by', by, '--json'], {
    env: { AWS_REGION: 'us-west-2' },
    now: new Date('2025-01-22T00:00:00Z'),
  });
  expect(r.code).toBe(0);
  expect(r.requests).toEqual([]);
  return r.json<{ rows: AuditRow[]; totals: Record<string, number>; source: { files: number } }>();
}

// Four distinct records from Panther's published Bedrock rule tests (SOURCES.md), all by one IAM Identity
// Center session (assumed-role/DevAdmin/dr.evil, role …/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin) from
// the console (sessionCredentialFromConsole, a browser user agent), with eventTime as Panther publishes it
// ("2025-01-21 17:39:10.000000000": a space, nine fractional digits):
//   17:39:10 UpdateGuardrail from 123.123.123.123
//   17:49:47 DeleteModelInvocationLoggingConfiguration from 161.97.249.211
//   18:12:33 DeleteGuardrail from 123.123.123.123
//   18:12:33 ListGuardrails from 123.123.123.123 (published in both files, the same eventID: kept once)
describe('published CloudTrail records, counted by hand', () => {
  const SESSION = 'arn:aws:sts::123123123123:assumed-role/DevAdmin/dr.evil';
  // The role as report --by role names it too: the session's role, the session name dropped.
  const ROLE = 'arn:aws:sts::123123123123:assumed-role/DevAdmin';

  test('by principal: one caller, four calls, two source IPs, console-only event names', async () => {
    const doc = await audit('principal');
    // The two Panther files, AWS's Insights example and Permiso's record (both below; neither in this window).
    expect(doc.source.files).toBe(4);
    expect(doc.rows).toHaveLength(1);
    const [row] = doc.rows;
    // The principal is the caller as logged, session kept (audit and report agree; `role` is the role behind it).
    expect(row!.principal).toBe(SESSION);
    expect(row).toMatchObject({
      calls: 4, // the four records above
      errors: 0, // none has an errorCode
      accessDenied: 0,
      eventNames: {
        UpdateGuardrail: 1,
        DeleteModelInvocationLoggingConfiguration: 1,
        DeleteGuardrail: 1,
        ListGuardrails: 1,
      },
      firstSeen: '2025-01-21T17:39:10.000Z', // UpdateGuardrail, the earliest
      lastSeen: '2025-01-21T18:12:33.000Z', // DeleteGuardrail and ListGuardrails
    });
    // 123.123.123.123 (three calls) and 161.97.249.211 (one).
    expect([...row!.sourceIps].sort()).toEqual(['123.123.123.123', '161.97.249.211']);
    expect(doc.totals).toMatchObject({ calls: 4, errors: 0, accessDenied: 0, principals: 1, sourceIps: 2 });
  });

  test('by role: the session folded into the Identity Center role behind it', async () => {
    const doc = await audit('role');
    expect(doc.rows).toHaveLength(1);
    expect(doc.rows[0]).toMatchObject({ role: ROLE, calls: 4 });
  });

  test('by event: one row per event name, each one call at its own time and address', async () => {
    const doc = await audit('event');
    const rows = Object.fromEntries(
      doc.rows.map((r) => [r.eventName as string, [r.calls, r.sourceIps.join(','), r.firstSeen]]),
    );
    expect(rows).toEqual({
      UpdateGuardrail: [1, '123.123.123.123', '2025-01-21T17:39:10.000Z'],
      DeleteModelInvocationLoggingConfiguration: [1, '161.97.249.211', '2025-01-21T17:49:47.000Z'],
      DeleteGuardrail: [1, '123.123.123.123', '2025-01-21T18:12:33.000Z'],
      ListGuardrails: [1, '123.123.123.123', '2025-01-21T18:12:33.000Z'],
    });
  });
});

interface AuditDoc {
  rows: AuditRow[];
  totals: Record<string, number>;
  skipped: { records: number; by: { file: string; reason: string; records: number }[] };
  warnings: string[];
}

/** audit over the published trail records in one Region and window, as its --json prints it. */
async function auditIn(region: string, since: string, until: string, by: 'principal' | 'role' = 'principal') {
  const r = await runCli(['audit', '--logs', TRAIL, '--since', since, '--until', until, '--by', by, '--json'], {
    env: { AWS_REGION: region },
    now: new Date(until),
  });
  expect(r.code).toBe(0);
  expect(r.requests).toEqual([]);
  return r.json<AuditDoc>();
}

// AWS's published Insights example (SOURCES.md): two records, Start at 2019-10-17T10:05:00Z and End at 10:13:00Z,
// us-east-1. Neither has userIdentity, sourceIPAddress or a top-level eventSource (it is inside insightDetails:
// ssm.amazonaws.com); both have eventTime and awsRegion. audit cannot tell whether such a record is a Bedrock call:
// it counts neither, and says so, naming the file.
describe('published CloudTrail Insights records (no userIdentity, no sourceIPAddress), counted by hand', () => {
  test('in their window and Region: nothing counted, both skipped with the reason, the file named', async () => {
    const doc = await auditIn('us-east-1', '2019-10-17T00:00:00Z', '2019-10-18T00:00:00Z');
    expect(doc.rows).toEqual([]);
    expect(doc.totals).toMatchObject({ calls: 0, errors: 0, accessDenied: 0, principals: 0, sourceIps: 0 });
    expect(doc.skipped).toEqual({
      records: 2, // Start and End
      by: [
        {
          file: join(TRAIL, 'aws-docs-insights-events.json'),
          reason: 'record without eventSource: cannot tell whether it is a Bedrock call',
          records: 2,
        },
      ],
    });
  });

  test('the human view says the two records were not counted, and why', async () => {
    const r = await runCli(
      ['audit', '--logs', TRAIL, '--since', '2019-10-17T00:00:00Z', '--until', '2019-10-18T00:00:00Z'],
      {
        env: { AWS_REGION: 'us-east-1' },
        now: new Date('2019-10-18T00:00:00Z'),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Not counted: 2 records in the window');
    expect(r.stdout).toContain('record without eventSource: cannot tell whether it is a Bedrock call');
  });

  test('outside their window: not read as skipped (only records in the window are said)', async () => {
    const doc = await auditIn('us-east-1', '2019-10-17T10:14:00Z', '2019-10-18T00:00:00Z');
    expect(doc.skipped.records).toBe(0); // both are before 10:14
  });
});

// Permiso's published InvokeModel record (SOURCES.md): eventTime "2024-07-08T17:06:49.0000000Z" (SEVEN fractional
// digits), eu-west-3, IAM user arn:aws:iam::1234567890:user/administrator (account redacted to ten digits, as
// published), from 198.44.136.222, errorCode AccessDenied, anthropic.claude-3-sonnet-20240229-v1:0.
describe('a published CloudTrail record with seven fractional digits in eventTime, counted by hand', () => {
  const USER = 'arn:aws:iam::1234567890:user/administrator';

  test('by principal: one refused call, at its second, by the IAM user', async () => {
    const doc = await auditIn('eu-west-3', '2024-07-08T00:00:00Z', '2024-07-09T00:00:00Z');
    expect(doc.rows).toHaveLength(1);
    expect(doc.rows[0]).toMatchObject({
      principal: USER,
      calls: 1,
      errors: 1, // errorCode AccessDenied
      accessDenied: 1, // AccessDenied… is a refused call
      eventNames: { InvokeModel: 1 },
      sourceIps: ['198.44.136.222'],
      firstSeen: '2024-07-08T17:06:49.000Z',
      lastSeen: '2024-07-08T17:06:49.000Z',
    });
    expect(doc.totals).toMatchObject({ calls: 1, errors: 1, accessDenied: 1, principals: 1, sourceIps: 1 });
    expect(doc.skipped.records).toBe(0);
  });

  test('the seven-digit time is placed to the second: in [17:06:49, 17:06:50), not in [17:06:50, 18:00)', async () => {
    const at = await auditIn('eu-west-3', '2024-07-08T17:06:49Z', '2024-07-08T17:06:50Z');
    expect(at.totals.calls).toBe(1);
    const after = await auditIn('eu-west-3', '2024-07-08T17:06:50Z', '2024-07-08T18:00:00Z');
    expect(after.totals.calls).toBe(0);
    expect(after.skipped.records).toBe(0);
  });

  test('by role: an IAM user is its own role row', async () => {
    const doc = await auditIn('eu-west-3', '2024-07-08T00:00:00Z', '2024-07-09T00:00:00Z', 'role');
    expect(doc.rows.map((r) => [r.role, r.calls])).toEqual([[USER, 1]]);
  });

  test('in another Region: not counted (the record says eu-west-3)', async () => {
    const doc = await auditIn('us-west-2', '2024-07-08T00:00:00Z', '2024-07-09T00:00:00Z');
    expect(doc.totals.calls).toBe(0);
  });
});
