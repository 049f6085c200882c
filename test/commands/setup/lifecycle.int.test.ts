import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { cliFor, emptyDir, fromSnapshot, useMoto, type CliResult } from '../../support/cli.js';
import { faultsInFront, restJsonError, when } from '../../support/fake-aws.js';
import { ACCOUNT, sdk } from '../../support/aws.js';

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const ROLE = `BedrockCloudWatchLoggingRole-${REGION}`;
const SINGLE_STEPS = ['setup-iam', 'create-bucket', 'create-log-group', 'enable-logging', 'dashboard', 'alarms'];
const NOT_CI = { CI: undefined };

function actions(outcomes: { action: string; resource: string; name: string }[]): string[] {
  return outcomes.map((o) => `${o.action} ${o.resource} ${o.name}`).sort();
}

/**
 * A converged account with one alert address, made once: the first test that needs it runs
 * `setup-all --yes --email oncall@example.com --json` (its result kept for the test that checks that run), later ones
 * start from a copy of the emulator's state after it.
 */
let convergedRun: CliResult | undefined;
const setUp = fromSnapshot(emulator, 'converged', async () => {
  convergedRun = await cli(['setup-all', '--yes', '--email', 'oncall@example.com', '--json']);
  expect(convergedRun.code).toBe(0);
});

describe('setup-all --yes (unattended)', () => {
  test('creates everything the single steps create, in fewer requests, and a second run writes nothing', async () => {
    const args = ['--email', 'oncall@example.com', '--json'];
    const single: string[] = [];
    let singleRequests = 0;
    for (const step of SINGLE_STEPS) {
      const r = await cli([step, ...(step === 'alarms' ? ['--email', 'oncall@example.com'] : []), '--json']);
      expect(r.code).toBe(0);
      single.push(...actions(r.json().outcomes));
      singleRequests += r.requests.length;
    }
    await emulator().reset();

    await setUp();
    const all = convergedRun!;
    expect(all.code).toBe(0);
    expect(actions(all.json().outcomes)).toEqual(single.sort());
    expect(all.requests.length).toBeLessThan(singleRequests);
    expect(all.requests.filter((r) => r.operation === 'GetCallerIdentity')).toHaveLength(1);
    expect((await cli(['status'])).code).toBe(0);

    const again = await cli(['setup-all', '--yes', ...args]);
    expect(again.code).toBe(0);
    expect(again.writes).toEqual([]);
    expect(new Set(again.json().outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['unchanged']));
    // 21: the dashboard's tags are read too (ListTagsForResource), since ownership rests on its tag.
    expect(again.requests.length).toBeLessThanOrEqual(21);
  });

  test('never prompts without a terminal, even without --yes', async () => {
    const r = await cli(['setup-all'], { env: NOT_CI });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('?');
  });

  test('--dry-run prints the whole plan and makes no write request', async () => {
    const r = await cli(['setup-all', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.writes).toEqual([]);
    const outcomes = r.json().outcomes;
    expect(outcomes.map((o: { resource: string }) => o.resource)).toEqual(
      expect.arrayContaining([
        'iam-role',
        's3-bucket',
        'log-group',
        'sns-topic',
        'logging-config',
        'dashboard',
        'alarm',
      ]),
    );
    expect(new Set(outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['would-create']));
  });

  test(
    'a failure in the middle skips what depends on it, finishes ' + 'the rest, exits 1, and a re-run resumes',
    async () => {
      // The bucket name is taken by a bucket in another Region: create-bucket fails.
      await sdk(emulator().url, 'eu-west-3').s3.send(
        new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-3' } }),
      );
      const failed = await cli(['setup-all', '--yes', '--json']);
      expect(failed.code).toBe(1);
      const steps = Object.fromEntries(
        failed.json().steps.map((s: { step: string; status: string }) => [s.step, s.status]),
      );
      expect(steps).toEqual({
        'setup-iam': 'ok',
        'create-bucket': 'failed',
        'create-log-group': 'ok',
        topic: 'ok',
        'enable-logging': 'skipped',
        // They read metrics, not logs: a failed bucket does not leave the account without them.
        dashboard: 'ok',
        alarms: 'ok',
      });
      // The step's own message, hint and exit code reach the user once, through the one error path.
      expect(failed.json().error).toMatchObject({
        exitCode: 1,
        message: expect.stringContaining('create-bucket failed:'),
      });
      expect(failed.json().error.message).toContain('Skipped, because they need it: enable-logging.');
      expect(failed.stderr).toContain('error: create-bucket failed:');
      expect(failed.json().steps.find((s: { step: string }) => s.step === 'create-bucket').error).toMatchObject({
        exitCode: 1,
        message: expect.any(String),
        hint: expect.any(String),
      });

      // Fix the cause, run again: completed steps read as unchanged, only the rest is written.
      await sdk(emulator().url, 'eu-west-3').s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
      const resumed = await cli(['setup-all', '--yes', '--json']);
      expect(resumed.code).toBe(0);
      const byResource = (res: string): string[] =>
        resumed
          .json<{ outcomes: { resource: string; action: string }[] }>()
          .outcomes.filter((o) => o.resource === res)
          .map((o) => o.action);
      expect(byResource('iam-role')).toEqual(['unchanged']);
      expect(byResource('log-group')).toEqual(['unchanged']);
      expect(byResource('sns-topic')).toEqual(['unchanged']);
      expect(byResource('s3-bucket')).toEqual(['created']);
      expect(byResource('logging-config')).toEqual(['created']);
      expect(byResource('dashboard')).toEqual(['unchanged']);
      expect(resumed.writes.some((w) => w.operation === 'CreateRole' || w.operation === 'CreateLogGroup')).toBe(false);
      expect((await cli(['status'])).code).toBe(0);
    },
  );

  test('two runs started at the same moment both succeed and leave one correct set', async () => {
    const [a, b] = await Promise.all([cli(['setup-all', '--yes']), cli(['setup-all', '--yes'])]);
    expect([a.code, b.code, a.stderr.includes('failed'), b.stderr.includes('failed')]).toEqual([0, 0, false, false]);
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const { sns, cw } = aws();
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toHaveLength(1);
    const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect([alarms.MetricAlarms, alarms.CompositeAlarms].map((a) => a?.length)).toEqual([7, 2]);
  });
});

describe('setup-all in a terminal (interactive)', () => {
  test('asks for the Region and addresses, shows the plan, and writes only after confirmation', async () => {
    const r = await cli(['setup-all'], {
      env: { ...NOT_CI, AWS_REGION: '' },
      answers: [
        { prompt: /AWS Region to monitor/, keys: 'eu-west-1\r' },
        { prompt: /Alert email addresses/, keys: 'oncall@example.com, lead@example.com\r' },
        { prompt: /record who calls Bedrock in a CloudTrail trail/, keys: '\r' },
        { prompt: /for next time\?/, keys: 'n\r' },
        { prompt: /Create or repair \d+ resources in eu-west-1\?/, keys: 'y\r' },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Plan for eu-west-1 (21 to create, 0 as configured):');
    expect(r.stderr).toMatch(/create\s+iam-role\s+BedrockCloudWatchLoggingRole-eu-west-1/);
    const eu = sdk(emulator().url, 'eu-west-1');
    expect(
      (await eu.iam.send(new GetRoleCommand({ RoleName: 'BedrockCloudWatchLoggingRole-eu-west-1' }))).Role,
    ).toBeDefined();
    expect(r.stdout).toContain('created       sns-subscription  lead@example.com');
    // The plan was read before the first write.
    const firstWrite = r.requests.findIndex((q) => q.write);
    expect(r.requests.slice(0, firstWrite).some((q) => q.operation === 'GetModelInvocationLoggingConfiguration')).toBe(
      true,
    );
  });

  test('an invalid answer is rejected at the prompt, and declining writes nothing (exit 2)', async () => {
    const r = await cli(['setup-all'], {
      env: NOT_CI,
      answers: [
        { prompt: /AWS Region to monitor/, keys: 'mars-1\r' },
        { prompt: /not an AWS Region code/, keys: '\u0015us-east-1\r' },
        { prompt: /Alert email addresses/, keys: 'not-an-email\r' },
        { prompt: /not a valid email address/, keys: '\u0015\r' },
        { prompt: /record who calls Bedrock in a CloudTrail trail/, keys: '\r' },
        { prompt: /for next time\?/, keys: 'n\r' },
        { prompt: /Create or repair/, keys: 'n\r' },
      ],
    });
    expect(r.code).toBe(2);
    // The check runs while typing (✗ beside the answer) and refuses the answer on Enter.
    expect(r.stderr).toContain('mars-1  ✗ "mars-1" is not an AWS Region code');
    expect(r.stderr).toContain('Aborted: nothing was changed.');
    expect(r.writes).toEqual([]);
  });

  test('Ctrl-C at a prompt stops with exit 130, without the word "error", and writes nothing', async () => {
    const r = await cli(['setup-all'], { env: NOT_CI, answers: [{ prompt: /AWS Region to monitor/, keys: '\u0003' }] });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Cancelled: nothing more was changed.');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.requests).toEqual([]);
  });

  test("cancelling the plan's question is the same: exit 130, nothing written", async () => {
    const r = await cli(['setup-all', '--region', 'us-east-1', '--email', 'a@example.com'], {
      env: NOT_CI,
      answers: [
        { prompt: /record who calls Bedrock in a CloudTrail trail/, keys: '\r' },
        { prompt: /for next time\?/, keys: 'n\r' },
        { prompt: /Create or repair/, keys: '\u0003' },
      ],
    });
    expect(r.code).toBe(130);
    expect(r.stderr.split('Create or repair')[1]).not.toMatch(/error/i);
    expect(r.writes).toEqual([]);
  });

  test('with CI set, a terminal is not enough to prompt', async () => {
    const r = await cli(['setup-all'], { tty: true, env: { CI: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('AWS Region to monitor');
  });
});

describe('cleanup', () => {
  /** The bucket policy denies plain HTTP (all the emulator speaks): lift it to write test objects, then restore it. */
  async function withoutTlsDeny(write: () => Promise<void>): Promise<void> {
    await aws().s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    await write();
    expect((await cli(['create-bucket'])).code).toBe(0);
  }

  test('--yes removes every managed resource, including every object version; a second run exits 0', async () => {
    await setUp();
    const { s3 } = aws();
    // Several versions of each key and a delete marker (batches of 1,000: test/lib/aws/faults.test.ts, mocked).
    await withoutTlsDeny(async () => {
      for (let k = 0; k < 60; k += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `AWSLogs/x/${(k + j) % 30}.json`, Body: `v${k + j}` })),
          ),
        );
      }
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'AWSLogs/x/0.json' }));
    });
    expect(((await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }))).Versions ?? []).length).toBeGreaterThan(
      0,
    );

    const r = await cli(['cleanup', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(new Set(r.json().outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['deleted']));
    expect(r.json().outcomes.map((o: { resource: string }) => o.resource)).toEqual([
      ...['composite-alarm', 'alarm', 'alarm', 'composite-alarm', 'alarm', 'alarm', 'alarm', 'alarm', 'alarm'],
      ...[
        'sns-topic',
        'dashboard',
        'insight-rule',
        'insight-rule',
        'insight-rule',
        'insight-rule',
        'logging-config',
        'log-group',
        's3-bucket',
        'iam-role',
      ],
    ]);
    expect(r.writes.filter((w) => w.operation === 'DeleteObjects').length).toBeGreaterThanOrEqual(1);
    // Each composite alarm alone and first (CloudWatch's rule), then the other seven in one request.
    const deletes = r.writes
      .filter((w) => w.operation === 'DeleteAlarms')
      .map((w) => (w.input as { AlarmNames: string[] }).AlarmNames);
    expect(deletes.map((names) => names.length)).toEqual([1, 1, 7]);
    expect(deletes.slice(0, 2).flat().sort()).toEqual(['Bedrock-HighErrorRate', 'Bedrock-HighTokenUsage']);

    const status = (await cli(['status', '--json'])).json().rows;
    expect(status.filter((x: { status: string }) => x.status !== 'missing')).toEqual([]);
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();

    const again = await cli(['cleanup', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
    expect(again.writes).toEqual([]);
  });

  test(
    'a failed deletion: the rest is deleted, what the survivor ' + 'needs is kept, the failure is listed, exit 1',
    async () => {
      await setUp();
      // Bedrock refuses to delete the logging configuration (an AccessDenied in AWS's wire shape, in
      // front of the emulator); every other request reaches the emulator.
      const denied = faultsInFront(
        when(
          (req) => req.method === 'DELETE' && req.path === '/logging/modelinvocations',
          restJsonError(
            403,
            'AccessDeniedException',
            'User is not authorized to perform: bedrock:DeleteModelInvocationLoggingConfiguration',
          ),
        ),
      );
      const r = await cli(['cleanup', '--yes', '--json'], { requestHandler: denied.handler });
      expect(r.code).toBe(1);
      const byName = Object.fromEntries(
        r.json().outcomes.map((o: { resource: string; action: string; note?: string }) => [o.resource, o]),
      );
      expect(
        r
          .json()
          .outcomes.filter((o: { resource: string }) => /alarm/.test(o.resource))
          .map((o: { action: string }) => o.action),
      ).toEqual(Array(9).fill('deleted'));
      expect(byName.dashboard.action).toBe('deleted');
      expect(byName['sns-topic'].action).toBe('deleted');
      expect(byName['logging-config']).toMatchObject({
        action: 'failed',
        note:
          'Access denied: Bedrock DeleteModelInvocationLoggingConfiguration was refused; the caller needs ' +
          'bedrock:DeleteModelInvocationLoggingConfiguration.',
      });
      // The logging configuration still delivers to the role, log group and bucket: they stay.
      for (const res of ['log-group', 's3-bucket', 'iam-role'])
        expect(byName[res]).toMatchObject({
          action: 'skipped',
          note: 'kept: enable-logging could not be deleted and still needs it',
        });
      const { cw, sns, iam, bedrock } = aws();
      const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      expect([...(alarms.MetricAlarms ?? []), ...(alarms.CompositeAlarms ?? [])]).toEqual([]);
      expect((await sns.send(new ListTopicsCommand({}))).Topics).toEqual([]);
      expect((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role).toBeDefined();
      expect(
        (await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig?.s3Config?.bucketName,
      ).toBe(BUCKET);

      // People see the failure and what to do; once the cause is gone, a re-run finishes the job.
      const human = await cli(['cleanup', '--yes'], { requestHandler: denied.handler });
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(
        new RegExp(
          'failed\\s+logging-config\\s+us-east-1\\s+' +
            '\\(Access denied: Bedrock DeleteModelInvocationLoggingConfiguration was refused',
        ),
      );
      expect(human.stdout).toContain('1 could not be deleted; 3 left alone.');
      const again = await cli(['cleanup', '--yes', '--json']);
      expect(again.code).toBe(0);
      expect(
        again.json().outcomes.map((o: { resource: string; action: string }) => `${o.action} ${o.resource}`),
      ).toEqual(['deleted logging-config', 'deleted log-group', 'deleted s3-bucket', 'deleted iam-role']);
    },
  );

  test('refuses without a terminal and without --yes: exit 2, nothing deleted', async () => {
    await setUp();
    const r = await cli(['cleanup'], { env: NOT_CI });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(r.writes).toEqual([]);
    expect((await cli(['status'])).code).toBe(0);
  });

  test('in a terminal it lists each resource and asks; "no" deletes nothing', async () => {
    await setUp();
    const no = await cli(['cleanup'], {
      env: NOT_CI,
      answers: [{ prompt: /Delete these 19 resources\?/, keys: 'n\r' }],
    });
    expect(no.code).toBe(2);
    expect(no.stderr).toMatch(/s3-bucket\s+bedrock-logs-/);
    expect(no.writes).toEqual([]);
    const yes = await cli(['cleanup'], {
      env: NOT_CI,
      answers: [{ prompt: /Delete these 19 resources\?/, keys: 'y\r' }],
    });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('deleted       iam-role');
  });

  test('same-named resources without the ManagedBy tag survive, each said once, unless --force', async () => {
    const { iam, logs } = aws();
    await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/bedrock/modelinvocations' }));
    const r = await cli(['cleanup', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(
      r
        .json()
        .outcomes.map((o: { action: string; resource: string }) => `${o.action} ${o.resource}`)
        .sort(),
    ).toEqual(['skipped iam-role', 'skipped log-group']);
    // In the document for scripts; for a person, each in the list once with why, not again on stderr (issue 19).
    expect(r.json().warnings).toEqual([
      expect.stringContaining('not tagged ManagedBy=bedrock-monitor'),
      expect.stringContaining('not tagged ManagedBy=bedrock-monitor'),
    ]);
    expect(r.writes).toEqual([]);
    expect((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role).toBeDefined();
    const human = await cli(['cleanup', '--yes']);
    expect(human.stdout.match(/left alone \(use --force/g)).toHaveLength(2);
    expect(human.stderr).not.toContain('left alone');

    const forced = await cli(['cleanup', '--yes', '--force', '--json']);
    expect(forced.json().outcomes.map((o: { action: string }) => o.action)).toEqual(['deleted', 'deleted']);
  });

  test('a logging configuration pointing elsewhere is left alone, said in the outcome and the warnings', async () => {
    await setUp();
    await aws().bedrock.send(
      new PutModelInvocationLoggingConfigurationCommand({
        loggingConfig: {
          s3Config: { bucketName: 'someone-elses-bucket', keyPrefix: '' },
          textDataDeliveryEnabled: true,
        },
      }),
    );
    const r = await cli(['cleanup', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().warnings).toEqual([expect.stringContaining('s3://someone-elses-bucket')]);
    expect(r.json().outcomes.find((o: { resource: string }) => o.resource === 'logging-config')).toMatchObject({
      action: 'skipped',
    });
    const still = await aws().bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    expect(still.loggingConfig?.s3Config?.bucketName).toBe('someone-elses-bucket');
  });

  test('--keep-logs keeps the bucket, its objects and the log group', async () => {
    await setUp();
    const { s3, logs, cw } = aws();
    await withoutTlsDeny(
      async () => void (await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'AWSLogs/keep.json', Body: '{}' }))),
    );
    const r = await cli(['cleanup', '--yes', '--keep-logs', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().outcomes.map((o: { resource: string }) => o.resource)).not.toContain('s3-bucket');
    expect(r.json().outcomes.map((o: { resource: string }) => o.resource)).not.toContain('log-group');
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }))).Versions?.map((v) => v.Key)).toEqual([
      'AWSLogs/keep.json',
    ]);
    expect(
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/bedrock' }))).logGroups,
    ).toHaveLength(1);
    await expect(cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).rejects.toThrow();
  });

  test('--dry-run lists what would be deleted and deletes nothing', async () => {
    await setUp();
    const r = await cli(['cleanup', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().outcomes).toHaveLength(19);
    expect(new Set(r.json().outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['would-delete']));
    expect(r.writes).toEqual([]);
  });

  test('a config file names what to remove', async () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({ roleName: 'TeamRole', dashboardName: 'TeamBoard' }),
    );
    expect((await cli(['setup-all', '--yes'], { cwd: dir })).code).toBe(0);
    const r = await cli(['cleanup', '--yes', '--json'], { cwd: dir });
    expect(r.json().outcomes.map((o: { name: string }) => o.name)).toEqual(
      expect.arrayContaining(['TeamRole', 'TeamBoard']),
    );
  });
});
