import { describe, expect, test } from '@jest/globals';
import { GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { sdk } from '../../support/aws.js';
import { cliFor, emptyDir, fromSnapshot, useMoto } from '../../support/cli.js';

/**
 * Drift in a JSON document, as a person reads it: `status` names the widgets, statements and keys
 * that differ, in lines that fit a terminal, instead of printing both documents; `--json` carries
 * the same differences; `--verbose` prints the documents.
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url);
/** A converged account: setup-all runs for the first test that asks, later ones get a copy of moto's state after it. */
const converged = fromSnapshot(emulator, 'converged', async () => {
  expect((await cli(['setup-all', '--yes'], { cwd: emptyDir() })).code).toBe(0);
});

interface Widget {
  type: string;
  properties: { title?: string };
}

async function removeWidgets(n: number): Promise<string[]> {
  const { cw } = sdk(emulator().url);
  const body = JSON.parse(
    (await cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody!,
  ) as { widgets: Widget[] };
  const titled = body.widgets.filter((w) => w.properties.title);
  const gone = titled.slice(0, n);
  body.widgets = body.widgets.filter((w) => !gone.includes(w));
  await cw.send(
    new PutDashboardCommand({ DashboardName: 'BedrockUsageMonitoring', DashboardBody: JSON.stringify(body) }),
  );
  return gone.map((w) => w.properties.title!);
}

describe('status on a document changed by hand', () => {
  test('11 dashboard widgets deleted: each named as missing, in lines that fit the terminal', async () => {
    const cwd = emptyDir();
    await converged();
    const gone = await removeWidgets(11);
    expect(gone).toHaveLength(11);
    for (const run of [
      await cli(['status'], { cwd }),
      await cli(['status'], { cwd, stdoutTty: true, env: { COLUMNS: '160' } }),
    ]) {
      expect(run.code).toBe(3);
      const lines = run.stdout.split('\n');
      expect(lines.filter((l) => l.length > 160)).toEqual([]);
      // The drift details (indented under their row) fit an 80-column terminal.
      expect(lines.filter((l) => l.startsWith('    ') && l.length > 80)).toEqual([]);
      expect(run.stdout).toContain('body: 11 missing');
      for (const title of gone.slice(0, 11)) expect(run.stdout).toContain(`widget "${title}": missing`);
    }
    const json = (await cli(['status', '--json'], { cwd })).json<{
      rows: { resource: string; changes: { field: string; differences?: { path: string; change: string }[] }[] }[];
    }>();
    const dash = json.rows.find((r) => r.resource === 'dashboard')!;
    expect(dash.changes[0]!.differences).toEqual(gone.map((t) => ({ path: `widget "${t}"`, change: 'missing' })));
    // The whole documents only with --verbose.
    const verbose = await cli(['status', '--verbose'], { cwd });
    expect(verbose.stdout).toContain('"widgets"');
  }, 60_000);

  test('a bucket policy statement and a trust policy changed: named by Sid and element', async () => {
    const cwd = emptyDir();
    await converged();
    const { s3, iam } = sdk(emulator().url);
    const bucket = 'bedrock-logs-123456789012-us-east-1';
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!) as {
      Statement: { Sid: string; Condition?: Record<string, unknown> }[];
    };
    const first = policy.Statement[0]!;
    first.Condition = { ...first.Condition, StringEquals: { 'aws:SourceAccount': '999999999999' } };
    policy.Statement.push({ Sid: 'SomeoneElse', Effect: 'Allow', Principal: '*', Action: 's3:GetObject' } as never);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'BedrockCloudWatchLoggingRole-us-east-1',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const r = await cli(['status'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('    ') && l.length > 80)).toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`statement "${first.Sid}": changed \\(Condition`));
    expect(r.stdout).toMatch(/trustPolicy: .*changed/);
    expect(r.stdout).not.toContain('"Version"');
  }, 60_000);
});
