import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateLogGroupCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { cliFor, emptyDir, fromSnapshot, useMoto, type CliResult } from '../../support/cli.js';
import { sdk } from '../../support/aws.js';
import { expectGolden } from '../../support/golden.js';
import { overlong, WIDTHS, widthName } from '../../support/render.js';

/**
 * The tool as a guide, end to end on moto: settings that last, one error path for setup-all's
 * steps, the next steps said once, status that names the repair, and a cleanup prompt that says
 * what is lost.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const NOT_CI = { CI: undefined };

async function threshold(name: string): Promise<number | undefined> {
  const r = await aws().cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return r.MetricAlarms?.[0]?.Threshold;
}

describe('settings that last', () => {
  test(
    'config set tokensPerHour 500000: a later setup-all --yes keeps 500000, and a flag overrides it for one ' +
      'run only',
    async () => {
      const dir = emptyDir();
      const set = await cli(['config', 'set', 'alarms.thresholds.tokensPerHour', '500000'], { cwd: dir });
      expect(set.code).toBe(0);
      expect(set.requests).toEqual([]);
      expect(JSON.parse(readFileSync(join(dir, 'bedrock-monitor.config.json'), 'utf8'))).toEqual({
        alarms: { thresholds: { tokensPerHour: 500000 } },
      });

      expect((await cli(['setup-all', '--yes'], { cwd: dir })).code).toBe(0);
      // HighTokenUsage is a composite alarm: the threshold is on its input and output children.
      expect(await threshold('Bedrock-HighTokenUsage-Input')).toBe(500000);
      expect(await threshold('Bedrock-HighTokenUsage-Output')).toBe(500000);

      expect((await cli(['alarms', '--tokens-per-hour', '700000'], { cwd: dir })).code).toBe(0);
      expect(await threshold('Bedrock-HighTokenUsage-Input')).toBe(700000);
      // The flag was for that run: the next run goes back to the lasting setting.
      const again = await cli(['setup-all', '--yes', '--json'], { cwd: dir });
      expect(
        again.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-HighTokenUsage-Input'),
      ).toMatchObject({
        action: 'updated',
        changes: expect.arrayContaining([{ field: 'threshold', from: 700000, to: 500000 }]),
      });
      expect(await threshold('Bedrock-HighTokenUsage-Input')).toBe(500000);
    },
  );

  test('--config names another file: config set creates it, setup-all reads it', async () => {
    const dir = emptyDir();
    const file = join(dir, 'team.json');
    expect((await cli(['config', 'set', 'roleName', 'TeamRole', '--config', file])).code).toBe(0);
    expect((await cli(['setup-iam', '--config', file])).code).toBe(0);
    expect((await aws().iam.send(new GetRoleCommand({ RoleName: 'TeamRole' }))).Role).toBeDefined();
  });

  test('interactive setup-all saves its answers when asked, and asks nothing a flag gave', async () => {
    const dir = emptyDir();
    const r = await cli(['setup-all', '--email', 'oncall@example.com'], {
      cwd: dir,
      env: { ...NOT_CI, AWS_REGION: '' },
      answers: [
        { prompt: /AWS Region to monitor/, keys: 'eu-west-1\r' },
        { prompt: /record who calls Bedrock in a CloudTrail trail/, keys: '\r' },
        {
          prompt: /Save the Region and the audit trail choice in bedrock-monitor\.config\.json for next time\?/,
          keys: 'y\r',
        },
        { prompt: /Create or repair \d+ resources in eu-west-1\?/, keys: 'y\r' },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('Alert email addresses');
    expect(JSON.parse(readFileSync(join(dir, 'bedrock-monitor.config.json'), 'utf8'))).toEqual({
      region: 'eu-west-1',
      audit: { enabled: false },
    });

    // Next time the Region comes from the file; with --region given, it is not asked at all.
    const next = await cli(['setup-all', '--region', 'eu-west-1', '--email', 'oncall@example.com'], {
      cwd: dir,
      env: { ...NOT_CI, AWS_REGION: '' },
      tty: true,
    });
    expect(next.code).toBe(0);
    expect(next.stderr).not.toMatch(/AWS Region to monitor|Alert email addresses|for next time/);
    expect(next.stdout).toBe(
      'Nothing to change: all 20 resources in eu-west-1 are as configured.\n\nNext:\n  Dashboard: ' +
        ('https://eu-west-1.console.aws.amazon.com/cloudwatch/' +
          'home?region=eu-west-1#dashboards/dashboard/BedrockUsageMonitoring\n'),
    );
  });
});

describe('one error path for setup-all', () => {
  test(
    "a same-named log group that is not the tool's: exit 2 and --force, as the step alone; dashboard and " +
      'alarms are still made',
    async () => {
      await aws().logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/bedrock/modelinvocations' }));
      await aws().logs.send(
        new PutRetentionPolicyCommand({ logGroupName: '/aws/bedrock/modelinvocations', retentionInDays: 7 }),
      );
      const single = await cli(['create-log-group']);
      expect(single.code).toBe(2);
      const all = await cli(['setup-all', '--yes']);
      expect(all.code).toBe(2);
      expect(all.stderr).toContain(
        'error: create-log-group failed: log-group /aws/bedrock/modelinvocations exists but is not tagged ' +
          'ManagedBy=bedrock-monitor',
      );
      expect(all.stderr).toContain('Pass --force to adopt it');
      expect(all.stdout).toMatch(/created\s+dashboard\s+BedrockUsageMonitoring/);
      expect(all.stdout).toMatch(/created\s+alarm\s+Bedrock-HighTokenUsage/);
      await expect(
        aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' })),
      ).resolves.toBeDefined();

      const json = await cli(['setup-all', '--yes', '--json']);
      expect(json.code).toBe(2);
      const doc = json.json();
      expect(doc.error).toMatchObject({ exitCode: 2, hint: expect.stringContaining('--force') });
      expect(doc.steps.find((s: { step: string }) => s.step === 'create-log-group')).toMatchObject({
        status: 'failed',
        error: { exitCode: 2, hint: expect.stringContaining('--force') },
      });
    },
  );
});

/**
 * An account converged by `setup-all --yes` with no alert address, made once: the first test that needs it runs it
 * (its result kept for the test that checks that run), later ones start from a copy of the emulator's state after it.
 */
let convergedRun: CliResult | undefined;
const convergedNoEmail = fromSnapshot(emulator, 'converged-no-email', async () => {
  convergedRun = await cli(['setup-all', '--yes']);
  expect(convergedRun.code).toBe(0);
});

describe('next steps, said once', () => {
  test('no email configured: one warning that no one is alerted; a dashboard link; --json carries both', async () => {
    await convergedNoEmail();
    const r = convergedRun!;
    expect(r.code).toBe(0);
    expect(r.stderr.match(/no alert email is configured/g)).toHaveLength(1);
    expect(r.stdout).toContain(
      'Dashboard: ' +
        ('https://us-east-1.console.aws.amazon.com/cloudwatch/' +
          'home?region=us-east-1#dashboards/dashboard/BedrockUsageMonitoring'),
    );
    const j = (await cli(['setup-all', '--yes', '--json'])).json();
    expect(j.warnings).toEqual([expect.stringContaining('no alert email is configured')]);
    expect(j.dashboardUrl).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/' +
        'home?region=us-east-1#dashboards/dashboard/BedrockUsageMonitoring',
    );
    const alarms = await cli(['alarms']);
    expect(alarms.stderr.match(/no alert email is configured/g)).toHaveLength(1);
  });

  test('a converged re-run says so in one line', async () => {
    expect((await cli(['setup-all', '--yes', '--email', 'a@example.com'])).code).toBe(0);
    const again = await cli(['setup-all', '--yes', '--email', 'a@example.com']);
    expect(again.stdout.split('\n')[0]).toBe('Nothing to change: all 20 resources in us-east-1 are as configured.');
    expect(again.stdout).not.toContain('unchanged');
    const step = await cli(['create-log-group']);
    expect(step.stdout).toBe('Nothing to change: log-group /aws/bedrock/modelinvocations is as configured.\n');
  });
});

describe('status', () => {
  // The addresses live in the config file, as they would for a team: status reads them there.
  // Built once (with its project directory, kept until the file's tests are done); later tests start from a copy
  // of the emulator's state after it.
  let dir = '';
  const drift = fromSnapshot(emulator, 'drifted', async () => {
    dir = emptyDir();
    expect((await cli(['config', 'set', 'alarms.emails', 'oncall@example.com'], { cwd: dir })).code).toBe(0);
    expect((await cli(['setup-all', '--yes'], { cwd: dir })).code).toBe(0);
    await aws().logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/aws/bedrock/modelinvocations', retentionInDays: 7 }),
    );
    await aws().cw.send(
      new (await import('@aws-sdk/client-cloudwatch')).DeleteDashboardsCommand({
        DashboardNames: ['BedrockUsageMonitoring'],
      }),
    );
  });

  test.each(WIDTHS.map((w) => [widthName(w), w] as const))('golden, at %s', async (label, width) => {
    await drift();
    const r = await cli(['status'], {
      cwd: dir,
      env: width === undefined ? {} : { COLUMNS: String(width) },
      stdoutTty: width !== undefined,
    });
    expect(r.code).toBe(3);
    expectGolden(`status-${label}.txt`, r.stdout);
    expect(overlong(r.stdout, width)).toEqual([]);
    expect(r.stdout).toContain('retentionInDays: 7 → 30');
  });

  test('each row names the command that repairs it, in --json too', async () => {
    await drift();
    const rows = (await cli(['status', '--json'], { cwd: dir })).json().rows;
    const row = (name: string): unknown => rows.find((x: { name: string }) => x.name === name);
    expect(row('/aws/bedrock/modelinvocations')).toMatchObject({
      status: 'drifted',
      repair: 'bedrock-monitor create-log-group',
      changes: [{ field: 'retentionInDays', from: 7, to: 30 }],
    });
    expect(row('BedrockUsageMonitoring')).toMatchObject({ status: 'missing', repair: 'bedrock-monitor dashboard' });
    expect(row('oncall@example.com')).toMatchObject({ status: 'ok', subscription: 'confirmed', repair: null });
  });
});

describe('cleanup', () => {
  test(
    'the prompt lists the subscriptions it removes, says what is lost for good, mentions --keep-logs; it ends ' +
      'with a summary',
    async () => {
      expect(
        (await cli(['setup-all', '--yes', '--email', 'oncall@example.com', '--email', 'lead@example.com'])).code,
      ).toBe(0);
      const r = await cli(['cleanup'], {
        env: NOT_CI,
        answers: [{ prompt: /Delete these 19 resources\?/, keys: 'y\r' }],
      });
      expect(r.code).toBe(0);
      const prompt = r.stderr.replace(/\s*\n\s*/g, ' ');
      expect(prompt).toContain('and its subscriptions: lead@example.com, oncall@example.com');
      expect(prompt).not.toContain('warning:');
      expect(prompt).toContain(
        'Lost for good: every invocation log object in s3://bedrock-logs-123456789012-us-east-1 (all ' +
          'versions), and every log event in /aws/bedrock/modelinvocations. To keep them, run cleanup with ' +
          '--keep-logs.',
      );
      expect(prompt).toContain('19 resources to delete in us-east-1.');
      expect(r.stdout.trim().split('\n').pop()).toBe('Deleted 19 resources in us-east-1.');
    },
  );

  test('a declined prompt deletes nothing and is not reported as an error (exit 2)', async () => {
    await convergedNoEmail();
    const r = await cli(['cleanup'], { env: NOT_CI, answers: [{ prompt: /Delete these/, keys: 'n\r' }] });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Aborted: nothing was deleted.');
    expect(r.stderr).not.toContain('error:');
    expect(r.writes).toEqual([]);
  });
});
