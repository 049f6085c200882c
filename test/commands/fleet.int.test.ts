import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BudgetsClient,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
} from '@aws-sdk/client-budgets';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { cliFor, emptyDir, fromSnapshot, useMoto, type CliResult } from '../support/cli.js';
import { ACCOUNT } from '../support/aws.js';
import { connectionCounter } from '../support/connection-counter.js';
import { callerBase, createOrganization, memberBase, type ClientBase } from '../support/org.js';

/**
 * Many accounts and Regions on the emulator: an organization (the caller's management account and two
 * accounts it created, each with OrganizationAccountAccessRole as AWS makes it), entered with STS
 * AssumeRole; moto keeps each account's state apart. An account without the role is refused by
 * AssumeRole (test/support/moto_extras.py adds AWS's refusal of a role that does not exist).
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
const FLEET = ['--accounts', 'org', '--regions', 'us-east-1,eu-west-1'];
const base = () => callerBase(emulator().url);

/** The organization's member accounts, made by the tests that need an organization (the others make none). */
let members: string[] = [];

/**
 * The organization converged by `setup-all --yes` over the whole fleet, made once: the first test that needs it
 * creates the organization and runs it (with its --json output kept for the test that checks that run), the later
 * ones start from a copy of the emulator's state after it, with the same member accounts.
 */
let converging: { result: CliResult; members: string[] } | undefined;
const convergedFleet = fromSnapshot(emulator, 'converged-fleet', async () => {
  members = await createOrganization(base());
  const result = await cli(['setup-all', '--yes', ...FLEET, '--json']);
  expect(result.code).toBe(0);
  converging = { result, members };
});
async function converged(): Promise<CliResult> {
  await convergedFleet();
  members = converging!.members;
  return converging!.result;
}

/** A client acting inside a member account (as a person changing something by hand there). */
async function inAccount<C>(account: string, make: (cfg: ClientBase) => C, region: string): Promise<C> {
  return make(await memberBase(base(), account, region));
}

interface FleetJson {
  ok: boolean;
  summary: { targets: number; ok: number; drifted: number; failed: number; interrupted: number };
  targets: { account: string; region: string; status: string; error: { message: string; hint: string } | null }[];
  rows: { account: string; region: string; status?: string; action?: string; resource: string; repair?: string }[];
}

describe('fleet: accounts × Regions', () => {
  test('setup-all converges every account × Region; a second run writes nothing; status exits 0', async () => {
    const first = await converged();
    expect(first.code).toBe(0);
    const data = first.json<FleetJson>();
    const accounts = [ACCOUNT, ...members].sort();
    expect(data.summary).toEqual({ targets: 6, ok: 6, drifted: 0, failed: 0, interrupted: 0 });
    expect(data.targets.map((t) => `${t.account} ${t.region}`).sort()).toEqual(
      accounts.flatMap((a) => [`${a} eu-west-1`, `${a} us-east-1`]),
    );
    // Every target created its own resources, in its own account and Region.
    for (const t of data.targets) {
      const mine = data.rows.filter((r) => r.account === t.account && r.region === t.region);
      expect(mine.some((r) => r.resource === 'log-group' && r.action === 'created')).toBe(true);
    }
    // Members were entered with the role; the caller's own account directly.
    const assumed = first.requests.filter((r) => r.operation === 'AssumeRole');
    expect(assumed.map((r) => (r.input as { RoleArn: string }).RoleArn).sort()).toEqual(
      members.map((m) => `arn:aws:iam::${m}:role/OrganizationAccountAccessRole`).sort(),
    );
    expect(assumed.every((r) => (r.input as { RoleSessionName: string }).RoleSessionName === 'bedrock-monitor')).toBe(
      true,
    );

    const second = await cli(['setup-all', '--yes', ...FLEET]);
    expect(second.code).toBe(0);
    expect(second.writes).toEqual([]);
    expect(second.stdout).toContain('Fleet: 6 targets (3 accounts × 2 Regions): 6 ok, 0 failed');

    const status = await cli(['status', ...FLEET]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/ACCOUNT\s+REGION/);
  }, 120_000);

  test('status exits 3 naming the one account and Region whose log group retention was changed by hand', async () => {
    await converged();
    const logs = await inAccount(members[1]!, (c) => new CloudWatchLogsClient(c), 'eu-west-1');
    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/aws/bedrock/modelinvocations', retentionInDays: 7 }),
    );

    const r = await cli(['status', ...FLEET, '--json']);
    expect(r.code).toBe(3);
    const data = r.json<FleetJson>();
    expect(data.summary).toEqual({ targets: 6, ok: 5, drifted: 1, failed: 0, interrupted: 0 });
    expect(data.targets.filter((t) => t.status !== 'ok')).toEqual([
      expect.objectContaining({ account: members[1], region: 'eu-west-1', status: 'drifted' }),
    ]);
    const bad = data.rows.filter((x) => x.status !== 'ok');
    expect(bad).toEqual([
      expect.objectContaining({
        account: members[1],
        region: 'eu-west-1',
        resource: 'log-group',
        status: 'drifted',
        repair: `bedrock-monitor create-log-group --accounts ${members[1]} --regions eu-west-1`,
      }),
    ]);
    // Through a relay that counts connections, one target at a time: the run's clients (six targets, a dozen services
    // each) share one connection pool, so later targets reuse the connections the first ones opened. Each client with
    // a pool of its own opened at least one (92 for the 44 target × service pairs here); the shared pool opened 13.
    // None is left open once the run has returned.
    const relay = await connectionCounter(emulator().url);
    const one = emptyDir();
    writeFileSync(join(one, 'bedrock-monitor.config.json'), JSON.stringify({ targets: { concurrency: 1 } }));
    const human = await cli(['status', ...FLEET], { env: { AWS_ENDPOINT_URL: relay.url }, cwd: one });
    await relay.drained().finally(() => relay.close());
    const clients = new Set(human.requests.map((q) => `${q.target?.account} ${q.target?.region} ${q.service}`));
    expect(relay.opened()).toBeLessThan(clients.size / 2);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(new RegExp(`${members[1]}\\s+eu-west-1\\s+drifted\\s+log-group`));
    expect(human.stdout).toContain('5 ok, 1 drifted, 0 failed');
  }, 120_000);

  test('a target whose role cannot be assumed fails with its reason while the others converge', async () => {
    members = await createOrganization(base());
    const stranger = '999999999999';
    const r = await cli(['setup-all', '--yes', '--accounts', `${members[0]},${stranger}`, '--regions', 'eu-west-1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${members[0]}\\s+eu-west-1\\s+ok`));
    expect(r.stdout).toMatch(new RegExp(`${stranger}\\s+eu-west-1\\s+failed\\s+cannot assume`));
    expect(r.stderr).toContain(`arn:aws:iam::${stranger}:role/OrganizationAccountAccessRole`);
    expect(r.stderr).toContain('AccessDenied');
    expect(r.stderr).toContain('docs/fleet.md');
    // The other account converged all the same.
    const status = await cli(['status', '--accounts', members[0]!, '--regions', 'eu-west-1']);
    expect(status.code).toBe(0);
  }, 120_000);

  /** What is the account's: where each budget notification goes, and the trail (its home Region and bucket). */
  async function accountLevel(): Promise<{ notify: string[]; trails: unknown[]; grants: Record<string, string[]> }> {
    const budgets = new BudgetsClient(base());
    const budget = { AccountId: ACCOUNT, BudgetName: 'bedrock-monitor-monthly' };
    const notify: string[] = [];
    const { Notifications = [] } = await budgets.send(new DescribeNotificationsForBudgetCommand(budget));
    for (const Notification of Notifications) {
      const subs = await budgets.send(new DescribeSubscribersForNotificationCommand({ ...budget, Notification }));
      notify.push(...(subs.Subscribers ?? []).map((x) => `${Notification.NotificationType} ${x.Address}`));
    }
    const trails = [];
    for (const region of ['us-east-1', 'eu-west-1']) {
      const ct = new CloudTrailClient({ ...base(), region });
      for (const t of (await ct.send(new DescribeTrailsCommand({}))).trailList ?? [])
        trails.push({
          seenIn: region,
          name: t.Name,
          home: t.HomeRegion,
          multi: t.IsMultiRegionTrail,
          s3: t.S3BucketName,
        });
    }
    // Which Region's bucket lets the trail write, and which Region's topic lets Budgets publish (statements by Sid).
    const grants: Record<string, string[]> = {};
    for (const region of ['us-east-1', 'eu-west-1']) {
      const bucket = await new S3Client({ ...base(), region, forcePathStyle: true }).send(
        new GetBucketPolicyCommand({ Bucket: `bedrock-logs-${ACCOUNT}-${region}` }),
      );
      const topic = await new SNSClient({ ...base(), region }).send(
        new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:${region}:${ACCOUNT}:bedrock-usage-alerts` }),
      );
      const sids = (doc: string | undefined): string[] =>
        (JSON.parse(doc ?? '{}') as { Statement?: { Sid?: string }[] }).Statement?.map((x) => x.Sid ?? '') ?? [];
      grants[region] = [...sids(bucket.Policy), ...sids(topic.Attributes?.Policy)]
        .filter((sid) => /CloudTrail|Budgets/.test(sid))
        .sort();
    }
    return { notify: notify.sort(), trails, grants };
  }

  test('account-level steps converge once per account, in the home Region', async () => {
    const dir = emptyDir();
    // The budget and the (multi-Region) trail are the account's: converged in the home Region only.
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({ budget: { monthlyUsd: 100 }, audit: { enabled: true }, targets: { homeRegion: 'us-east-1' } }),
    );
    const r = await cli(['setup-all', '--yes', '--regions', 'us-east-1,eu-west-1', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const budgets = r.json<FleetJson>().rows.filter((x) => x.resource === 'budget');
    expect(budgets).toEqual([expect.objectContaining({ account: ACCOUNT, region: 'us-east-1', action: 'created' })]);
    const described = await new BudgetsClient(base()).send(new DescribeBudgetsCommand({ AccountId: ACCOUNT }));
    expect(described.Budgets?.map((b) => b.BudgetName)).toEqual(['bedrock-monitor-monthly']);
    // The single step in the other Region says where the account's budget lives, and writes nothing there.
    const step = await cli(['budget', '--regions', 'eu-west-1', '--json'], { cwd: dir });
    expect(step.code).toBe(0);
    expect(step.json<FleetJson>().rows.filter((x) => x.resource === 'budget')).toEqual([
      expect.objectContaining({ region: 'eu-west-1', resource: 'budget', action: 'skipped' }),
    ]);
    expect(step.writes).toEqual([]);
    expect(step.stdout).toContain('account-level: converged once per account, in us-east-1');

    // The budget notifies the home Region's topic; the one trail is homed there and writes to that Region's bucket.
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:bedrock-usage-alerts`;
    const home = await accountLevel();
    expect(home.notify).toEqual([`ACTUAL ${topic}`, `FORECASTED ${topic}`]);
    const trail = {
      name: 'bedrock-monitor-trail',
      home: 'us-east-1',
      multi: true,
      s3: `bedrock-logs-${ACCOUNT}-us-east-1`,
    };
    // Only the home Region's bucket lets the trail write and only its topic lets Budgets publish: eu-west-1's bucket
    // and topic carry no statement for a trail or a budget that never writes to them.
    expect(home.grants['eu-west-1']).toEqual([]);
    expect(home.grants['us-east-1']).toEqual([
      'BedrockMonitorBudgetsPublish',
      'BedrockMonitorCloudTrailAclCheck',
      'BedrockMonitorCloudTrailWrite',
    ]);
    // One trail: eu-west-1 shows it too (a multi-Region trail), homed in us-east-1; no second trail there.
    expect(home.trails).toEqual([
      { seenIn: 'us-east-1', ...trail },
      { seenIn: 'eu-west-1', ...trail },
    ]);
    // Converging the Regions again, in the other order, or the other Region alone, makes no write: nothing of the
    // account's is repointed to eu-west-1 (its topic and bucket exist too, and would be the Region-level answer).
    for (const regions of ['eu-west-1,us-east-1', 'eu-west-1']) {
      const again = await cli(['setup-all', '--yes', '--regions', regions], { cwd: dir });
      expect(again.code).toBe(0);
      expect(again.writes).toEqual([]);
      expect(await accountLevel()).toEqual(home);
    }
    // So does a single-target run in the other Region: targets.homeRegion holds there too (docs/fleet.md).
    const single = await cli(['setup-all', '--yes', '--region', 'eu-west-1'], { cwd: dir });
    expect(single.code).toBe(0);
    expect(single.writes).toEqual([]);
    expect(await accountLevel()).toEqual(home);
  }, 120_000);

  test('cleanup across the fleet needs --yes without a terminal, and names the accounts and Regions', async () => {
    await converged();
    const refused = await cli(['cleanup', ...FLEET]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('3 accounts');
    expect(refused.stderr).toContain('2 Regions (us-east-1, eu-west-1)');
    const r = await cli(['cleanup', '--yes', ...FLEET]);
    expect(r.code).toBe(0);
    const after = await cli(['status', ...FLEET, '--json']);
    expect(after.code).toBe(3);
    expect(after.json<FleetJson>().rows.every((x) => x.status === 'missing')).toBe(true);
  }, 120_000);
});

describe('fleet: input checked before any request', () => {
  test('a bad --accounts or --regions is exit 2 with no request', async () => {
    const a = await cli(['status', '--accounts', '12345']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--accounts');
    expect(a.requests).toEqual([]);
    const b = await cli(['status', '--regions', 'mars-1']);
    expect(b.code).toBe(2);
    expect(b.requests).toEqual([]);
  });
});
