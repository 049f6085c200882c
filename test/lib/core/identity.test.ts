import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ASSUMED_ROLE_PATTERN, principalOf, roleOf, roleOfArn } from '../../../src/lib/core/identity.js';
import { queryJsonFiles } from '../../../src/lib/logs/duckdb.js';
import { DUCKDB, dimExpr } from '../../../src/lib/logs/sql.js';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { insightsDim } from '../../../src/lib/logs/insights.js';
import { emptyDir, runCli } from '../../support/cli.js';
import { AuditDocSchema, schemaIssues } from '../../support/schemas.js';

/**
 * Issue 20: `audit` and `report` agree on who a principal is. The principal is the caller as logged, an assumed-role
 * session's name kept; the role is the role or user behind it. For IAM Identity Center the session name is the person,
 * so two people of one permission set are two principals and one role.
 *
 * CloudTrail's `userIdentity` of an assumed-role session, in the shape of "userIdentity with temporary security
 * credentials" on
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * (type, principalId `<role id>:<session name>`, arn `…:assumed-role/<role>/<session name>`,
 * sessionContext.sessionIssuer with the IAM role's ARN, path included). The invocation log's `identity` is
 * `{"arn": …}`, the caller's ARN:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html. The names are the issue's.
 */

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROLE = 'AWSReservedSSO_Dev_abc123';
const SSO = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}`;
const JANE = `${SSO}/jane@example.com`;
const BOB = `${SSO}/bob@example.com`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const END = new Date('2026-03-10T12:00:00Z');
const WINDOW = ['--since', '2026-03-10T00:00:00Z', '--until', END.toISOString()];
const env = { AWS_REGION: REGION };

function ssoIdentity(session: string) {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEID:${session}`,
    arn: `${SSO}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEID',
        arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${ROLE}`,
        accountId: ACCOUNT,
        userName: ROLE,
      },
      attributes: { creationDate: '2026-03-10T08:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

const aliceIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: ALICE,
  accountId: ACCOUNT,
  userName: 'alice',
};

let n = 0;
function call(identity: Record<string, unknown>, time: string, over: Record<string, unknown> = {}) {
  n++;
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: time,
    eventSource: 'bedrock.amazonaws.com',
    eventName: 'Converse',
    awsRegion: REGION,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' },
    responseElements: null,
    requestID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventID: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...over,
  };
}

function writeTrail(dir: string, name: string, records: unknown[]): string {
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/03/10/${ACCOUNT}_CloudTrail_${REGION}_${name}.json.gz`;
  const path = join(dir, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  return key;
}

/** Jane twice, Bob once (one permission set), Alice once; and two records in the window that cannot be placed. */
function trailDir(): { dir: string; odd: string } {
  const dir = emptyDir();
  writeTrail(dir, '20260310T1000Z_aaaa', [
    call(ssoIdentity('jane@example.com'), '2026-03-10T10:01:00Z'),
    call(ssoIdentity('jane@example.com'), '2026-03-10T10:02:00Z'),
    call(ssoIdentity('bob@example.com'), '2026-03-10T10:03:00Z', { errorCode: 'AccessDeniedException' }),
    call(aliceIdentity, '2026-03-10T10:04:00Z'),
  ]);
  const noSource = call(aliceIdentity, '2026-03-10T11:00:00Z');
  delete (noSource as Record<string, unknown>).eventSource;
  const noRegion = call(ssoIdentity('jane@example.com'), '2026-03-10T11:01:00Z');
  delete (noRegion as Record<string, unknown>).awsRegion;
  const odd = writeTrail(dir, '20260310T1100Z_bbbb', [
    noSource,
    noRegion,
    // Outside the window (before the previous one, and in it): the figures are the window's, so not listed.
    { ...noSource, eventTime: '2026-03-01T00:00:00Z' },
    { ...noSource, eventTime: '2026-03-09T18:00:00Z' },
    { ...noRegion, eventTime: '2026-03-09T18:00:00Z' },
    call(ssoIdentity('bob@example.com'), '2026-03-10T11:02:00Z'),
  ]);
  return { dir, odd };
}

interface Doc {
  rows: { principal?: string; role?: string; calls: number; principals: string[]; accessDenied: number }[];
  totals: { calls: number; principals: number };
  skipped: { records: number; by: { file: string; reason: string; records: number }[] };
}

describe('audit: the principal is the caller as logged, --by role merges the sessions', () => {
  const { dir, odd } = trailDir();

  test('--by principal: Jane and Bob are two rows; --by role: one, naming both', async () => {
    const byPrincipal = await runCli(['audit', '--logs', dir, ...WINDOW, '--json'], { env, now: END });
    expect(byPrincipal.code).toBe(0);
    expect(byPrincipal.requests).toEqual([]);
    const p = byPrincipal.json<Doc>();
    expect(schemaIssues(AuditDocSchema, p)).toEqual([]);
    expect(p.rows.map((r) => [r.principal, r.calls, r.accessDenied])).toEqual([
      // Equal counts in name order.
      [BOB, 2, 1],
      [JANE, 2, 0],
      [ALICE, 1, 0],
    ]);
    expect(p.totals).toMatchObject({ calls: 5, principals: 3 });

    const byRole = (
      await runCli(['audit', '--logs', dir, ...WINDOW, '--by', 'role', '--json'], { env, now: END })
    ).json<Doc>();
    expect(schemaIssues(AuditDocSchema, byRole)).toEqual([]);
    expect(byRole.rows.map((r) => [r.role, r.calls, r.principals])).toEqual([
      [SSO, 4, [BOB, JANE]],
      [ALICE, 1, [ALICE]],
    ]);
    expect(byRole.totals).toMatchObject({ calls: 5, principals: 3 });
  });

  test('what people read: the session is shown, in the table, CSV and Markdown', async () => {
    const table = await runCli(['audit', '--logs', dir, ...WINDOW], { env, now: END });
    expect(table.stdout).toContain('assumed-role/AWSReservedSSO_Dev_abc123/jane@example.com');
    expect(table.stdout).toContain('assumed-role/AWSReservedSSO_Dev_abc123/bob@example.com');
    const roles = await runCli(['audit', '--logs', dir, ...WINDOW, '--by', 'role'], { env, now: END });
    expect(roles.stdout).toMatch(/^ROLE +/m);
    expect(roles.stdout).toContain('by role');
    // Each session of the row's role by its session name: the people behind the permission set.
    expect(roles.stdout).toContain('bob@example.com, jane@example.com');
    expect(roles.stdout).toMatch(/^assumed-role\/AWSReservedSSO_Dev_abc123 +.* 4 /m);
    const csv = await runCli(['audit', '--logs', dir, ...WINDOW, '--by', 'role', '--output', 'csv'], {
      env,
      now: END,
    });
    expect(csv.stdout.split('\n')[0]).toMatch(/^role,calls,/);
    expect(csv.stdout).toContain(`${SSO},4,`);
    expect(csv.stdout).toContain(`${BOB};${JANE}`);
    const md = await runCli(['audit', '--logs', dir, ...WINDOW, '--output', 'markdown'], { env, now: END });
    expect(md.stdout).toContain('| assumed-role/AWSReservedSSO_Dev_abc123/jane@example.com |');
  });

  test('a record without eventSource or awsRegion is not counted, and said: skipped, per file and reason', async () => {
    const r = await runCli(['audit', '--logs', dir, ...WINDOW, '--json'], { env, now: END });
    expect(r.json<Doc>().skipped).toEqual({
      records: 2,
      by: [
        { file: odd, reason: 'Bedrock record without awsRegion: cannot tell which Region it was made in', records: 1 },
        { file: odd, reason: 'record without eventSource: cannot tell whether it is a Bedrock call', records: 1 },
      ],
    });
    const human = await runCli(['audit', '--logs', dir, ...WINDOW], { env, now: END });
    expect(human.stdout).toContain('Not counted: 2 records in the window (1 in AWSLogs/');
    expect(human.stdout).toContain('record without eventSource: cannot tell whether it is a Bedrock call');
    const md = await runCli(['audit', '--logs', dir, ...WINDOW, '--output', 'markdown'], { env, now: END });
    expect(md.stdout).toContain('Not counted: 2 records in the window');
  });

  test('with nothing to count, the skipped records are still said', async () => {
    const only = emptyDir();
    const r = call(aliceIdentity, '2026-03-10T11:00:00Z');
    delete (r as Record<string, unknown>).eventSource;
    writeTrail(only, '20260310T1100Z_cccc', [r]);
    const human = await runCli(['audit', '--logs', only, ...WINDOW], { env, now: END });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^No Bedrock calls in us-east-1/);
    expect(human.stdout).toContain('Not counted: 1 record in the window');
    const json = await runCli(['audit', '--logs', only, ...WINDOW, '--json'], { env, now: END });
    expect(json.json<Doc>().skipped.records).toBe(1);
  });
});

describe('report reads the same identities from the invocation logs', () => {
  test('report --by principal and --by role give the rows audit gives', async () => {
    const dir = emptyDir();
    const key = `AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${REGION}/2026/03/10/10/${ACCOUNT}_a.json.gz`;
    const rec = (arn: string, t: string) =>
      JSON.stringify({
        schemaType: 'ModelInvocationLog',
        schemaVersion: '1.0',
        timestamp: t,
        accountId: ACCOUNT,
        identity: { arn },
        region: REGION,
        requestId: `r-${t}`,
        operation: 'Converse',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        input: { inputContentType: 'application/json', inputTokenCount: 10 },
        output: { outputContentType: 'application/json', outputTokenCount: 5 },
      });
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    const lines = [
      rec(JANE, '2026-03-10T10:01:00Z'),
      rec(JANE, '2026-03-10T10:02:00Z'),
      rec(BOB, '2026-03-10T10:03:00Z'),
      rec(ALICE, '2026-03-10T10:04:00Z'),
    ];
    writeFileSync(join(dir, key), gzipSync(lines.join('\n')));
    const report = async (by: string): Promise<Record<string, unknown>> => {
      const r = await runCli(['report', '--by', by, '--logs', dir, '--no-reconcile', ...WINDOW, '--json'], {
        env,
        now: END,
      });
      expect(r.code).toBe(0);
      const rows = r.json<{ rows: Record<string, unknown>[] }>().rows;
      return Object.fromEntries(rows.map((x): [string, unknown] => [String(x[by]), x.invocations]));
    };
    expect(await report('principal')).toEqual({ [JANE]: 2, [BOB]: 1, [ALICE]: 1 });
    expect(await report('role')).toEqual({ [SSO]: 3, [ALICE]: 1 });
  });

  // One rule in four places: the TypeScript function (audit), DuckDB and Athena SQL (report), Logs Insights (report).
  const arns = [
    JANE,
    `arn:aws-us-gov:sts::${ACCOUNT}:assumed-role/R/i-0123456789abcdef0`,
    `arn:aws:sts::${ACCOUNT}:assumed-role/R`,
    ALICE,
    `arn:aws:iam::${ACCOUNT}:root`,
    `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
  ];
  test('the role of an ARN: the same in TypeScript and in the SQL the report runs', async () => {
    const dir = emptyDir();
    const file = join(dir, 'ids.json');
    writeFileSync(file, arns.map((arn) => JSON.stringify({ identity: { arn } })).join('\n'));
    const role = dimExpr(parseDims('role')[0]!, DUCKDB);
    const principal = dimExpr(parseDims('principal')[0]!, DUCKDB);
    const { rows } = await queryJsonFiles({
      files: [file],
      columns: `{identity: 'STRUCT(arn VARCHAR)'}`,
      format: 'newline_delimited',
      errors: 'fail',
      view: 'ids',
      filename: false,
      sql: `SELECT "identity".arn AS arn, ${principal} AS principal, ${role} AS role FROM ids`,
      tempDir: dir,
    });
    expect(rows).toEqual(arns.map((arn) => ({ arn, principal: principalOf({ arn }), role: roleOf({ arn }) })));
    expect(rows.map((r) => r.role)).toEqual(arns.map(roleOfArn));
    expect(roleOfArn(JANE)).toBe(SSO);
  });

  test('Logs Insights parses the role out of the message by the same pattern', () => {
    const q = insightsDim(parseDims('role')[0]!, 0);
    expect(q.parse).toContain(ASSUMED_ROLE_PATTERN.slice(2, 30).replace(/\//g, '\\/'));
    // The regex as Logs Insights reads it (slashes escaped) over the record's JSON text (its @message).
    const re = new RegExp(q.parse!.slice('parse @message /'.length, -1));
    for (const arn of arns) {
      const message = JSON.stringify({ schemaType: 'ModelInvocationLog', identity: { arn }, modelId: 'm' });
      // coalesce(role0, the caller's ARN, …)
      expect(re.exec(message)?.groups?.role0 ?? arn).toBe(roleOfArn(arn));
    }
  });
});
