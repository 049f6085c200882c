import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateSubscriberCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  ListTagsForResourceCommand,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { cliFor, emptyDir, fromSnapshot, useMoto, type CliResult } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';

/**
 * The budget step on moto. moto 5.2.1 lacks Budgets tags, subscriber reads and UpdateBudget
 * (HTTP 500): test/support/moto_extras.py adds them in the documented shapes; the request shapes
 * themselves are checked against AWS's API model in budget-contract.int.test.ts.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`;
const NAME = 'bedrock-monitor-monthly';

function budgets(): BudgetsClient {
  return new BudgetsClient({
    region: REGION,
    endpoint: emulator().url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

function configDir(budget: Record<string, unknown> | undefined): string {
  const dir = emptyDir();
  writeFileSync(
    join(dir, 'bedrock-monitor.config.json'),
    JSON.stringify({ alarms: { emails: ['oncall@example.com'] }, ...(budget ? { budget } : {}) }),
  );
  return dir;
}

async function notifications(name = NAME): Promise<{ key: string; subscribers: string[] }[]> {
  const b = budgets();
  const list =
    (await b.send(new DescribeNotificationsForBudgetCommand({ AccountId: ACCOUNT, BudgetName: name }))).Notifications ??
    [];
  const out = [];
  for (const n of list) {
    const subs =
      (
        await b.send(
          new DescribeSubscribersForNotificationCommand({ AccountId: ACCOUNT, BudgetName: name, Notification: n }),
        )
      ).Subscribers ?? [];
    out.push({
      key: `${n.NotificationType} ${n.ComparisonOperator} ${n.Threshold} ${n.ThresholdType}`,
      subscribers: subs.map((s) => `${s.SubscriptionType} ${s.Address}`),
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

async function topicStatements(): Promise<
  { Sid?: string; Principal?: unknown; Action?: unknown; Resource?: unknown; Condition?: unknown }[]
> {
  const attrs = await sdk(emulator().url, REGION).sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC }));
  return (JSON.parse(attrs.Attributes!.Policy!) as { Statement: [] }).Statement;
}

describe('budget step (budget.monthlyUsd set)', () => {
  /**
   * An account converged with a $100 budget, made once: the first test that needs it runs `setup-all --yes --json`
   * (its result kept for the test that checks that run), later ones start from a copy of the emulator's state after it.
   */
  let budgetRun: CliResult | undefined;
  const withBudget = fromSnapshot(emulator, 'budget-100', async () => {
    budgetRun = await cli(['setup-all', '--yes', '--json'], { cwd: configDir({ monthlyUsd: 100 }) });
    expect(budgetRun.code).toBe(0);
  });

  test(
    'setup-all creates the Bedrock budget, both notifications to the topic and the topic statement; a re-run ' +
      'writes nothing; cleanup removes it',
    async () => {
      const cwd = configDir({ monthlyUsd: 100 });
      await withBudget();
      const r = budgetRun!;
      expect(r.code).toBe(0);
      expect(r.json().outcomes).toEqual(
        expect.arrayContaining([
          {
            resource: 'budget',
            name: NAME,
            action: 'created',
            changes: [],
            note: expect.stringContaining('(Amazon Bedrock Edition)'),
          },
        ]),
      );

      const { Budget } = await budgets().send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: NAME }));
      expect(Budget).toMatchObject({
        BudgetName: NAME,
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '100', Unit: 'USD' },
        FilterExpression: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Bedrock'], MatchOptions: ['EQUALS'] } },
        Metrics: ['UnblendedCost'],
      });
      expect(Budget!.CostFilters).toBeUndefined();
      expect(await notifications()).toEqual([
        { key: 'ACTUAL GREATER_THAN 80 PERCENTAGE', subscribers: [`SNS ${TOPIC}`] },
        { key: 'FORECASTED GREATER_THAN 100 PERCENTAGE', subscribers: [`SNS ${TOPIC}`] },
      ]);
      const tags = await budgets().send(
        new ListTagsForResourceCommand({ ResourceARN: `arn:aws:budgets::${ACCOUNT}:budget/${NAME}` }),
      );
      expect(tags.ResourceTags).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);

      const statements = await topicStatements();
      expect(statements.find((s) => s.Sid === 'BedrockMonitorBudgetsPublish')).toEqual({
        Sid: 'BedrockMonitorBudgetsPublish',
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: TOPIC,
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${ACCOUNT}:*` },
        },
      });
      // SNS's own default statement is kept.
      expect(statements.length).toBeGreaterThan(1);

      expect((await cli(['status'], { cwd })).code).toBe(0);
      const again = await cli(['setup-all', '--yes', '--json'], { cwd });
      expect(again.code).toBe(0);
      expect(again.writes).toEqual([]);

      const clean = await cli(['cleanup', '--yes', '--json'], { cwd });
      expect(clean.code).toBe(0);
      expect(clean.json().outcomes).toEqual(
        expect.arrayContaining([{ resource: 'budget', name: NAME, action: 'deleted', changes: [] }]),
      );
      expect((await budgets().send(new DescribeBudgetsCommand({ AccountId: ACCOUNT }))).Budgets ?? []).toEqual([]);
    },
  );

  test('without budget.monthlyUsd no budget is made, and Budgets is never called', async () => {
    const cwd = configDir(undefined);
    const r = await cli(['setup-all', '--yes'], { cwd });
    expect(r.code).toBe(0);
    expect(r.requests.filter((q) => q.service === 'Budgets')).toEqual([]);
    expect((await budgets().send(new DescribeBudgetsCommand({ AccountId: ACCOUNT }))).Budgets ?? []).toEqual([]);
    expect((await topicStatements()).map((s) => s.Sid)).not.toContain('BedrockMonitorBudgetsPublish');
    const status = await cli(['status', '--json'], { cwd });
    expect(status.json().rows.map((x: { resource: string }) => x.resource)).not.toContain('budget');
  });

  test(
    'turned off later, the budget an earlier config made is ' + 'still removed by cleanup, without a warning',
    async () => {
      const cwd = configDir({ monthlyUsd: 100 });
      await withBudget();
      writeFileSync(
        join(cwd, 'bedrock-monitor.config.json'),
        JSON.stringify({ alarms: { emails: ['oncall@example.com'] } }),
      );
      const clean = await cli(['cleanup', '--yes', '--json'], { cwd });
      expect(clean.code).toBe(0);
      expect(clean.stderr).not.toContain('warning');
      expect(clean.json().outcomes).toEqual(
        expect.arrayContaining([expect.objectContaining({ resource: 'budget', name: NAME, action: 'deleted' })]),
      );
      expect((await budgets().send(new DescribeBudgetsCommand({ AccountId: ACCOUNT }))).Budgets ?? []).toEqual([]);
    },
  );

  test(
    'thresholds, services and name are configurable; a changed ' + 'threshold replaces only the topic notification',
    async () => {
      const first = configDir({
        monthlyUsd: 40,
        name: 'team-bedrock',
        services: ['Amazon Bedrock', 'Claude Sonnet 4.5 (Amazon Bedrock Edition)'],
        actualPercent: 50,
        forecastedPercent: 90,
      });
      expect((await cli(['setup-all', '--yes'], { cwd: first })).code).toBe(0);
      const { Budget } = await budgets().send(
        new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'team-bedrock' }),
      );
      expect(Budget!.FilterExpression!.Dimensions!.Values).toEqual([
        'Amazon Bedrock',
        'Claude Sonnet 4.5 (Amazon Bedrock Edition)',
      ]);
      expect((await notifications('team-bedrock')).map((n) => n.key)).toEqual([
        'ACTUAL GREATER_THAN 50 PERCENTAGE',
        'FORECASTED GREATER_THAN 90 PERCENTAGE',
      ]);

      // Someone adds their own email to the 50% notification.
      const fifty = (
        await budgets().send(
          new DescribeNotificationsForBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'team-bedrock' }),
        )
      ).Notifications!.find((n) => n.Threshold === 50)!;
      await budgets().send(
        new CreateSubscriberCommand({
          AccountId: ACCOUNT,
          BudgetName: 'team-bedrock',
          Notification: fifty,
          Subscriber: { SubscriptionType: 'EMAIL', Address: 'finance@example.com' },
        }),
      );

      const second = configDir({
        monthlyUsd: 40,
        name: 'team-bedrock',
        services: ['Amazon Bedrock', 'Claude Sonnet 4.5 (Amazon Bedrock Edition)'],
        actualPercent: 70,
        forecastedPercent: 90,
      });
      const status = await cli(['status', '--json'], { cwd: second });
      expect(status.code).toBe(3);
      expect(status.json().rows.find((x: { resource: string }) => x.resource === 'budget')).toMatchObject({
        status: 'drifted',
        changes: [
          {
            field: 'notifications',
            from: ['ACTUAL > 50%', 'FORECASTED > 90%'],
            to: ['ACTUAL > 70%', 'FORECASTED > 90%'],
          },
        ],
      });
      const r = await cli(['setup-all', '--yes'], { cwd: second });
      expect(r.code).toBe(0);
      expect(r.writes.map((w) => w.operation).sort()).toEqual(['CreateNotification', 'DeleteSubscriber']);
      expect(await notifications('team-bedrock')).toEqual([
        { key: 'ACTUAL GREATER_THAN 50 PERCENTAGE', subscribers: ['EMAIL finance@example.com'] },
        { key: 'ACTUAL GREATER_THAN 70 PERCENTAGE', subscribers: [`SNS ${TOPIC}`] },
        { key: 'FORECASTED GREATER_THAN 90 PERCENTAGE', subscribers: [`SNS ${TOPIC}`] },
      ]);
    },
  );

  test('drift in the limit or filter is repaired with one UpdateBudget', async () => {
    const cwd = configDir({ monthlyUsd: 100 });
    await withBudget();
    await budgets().send(
      new UpdateBudgetCommand({
        AccountId: ACCOUNT,
        NewBudget: {
          BudgetName: NAME,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: '5000', Unit: 'USD' },
          CostFilters: { Service: ['Amazon EC2'] },
        },
      }),
    );
    const status = await cli(['status', '--json'], { cwd });
    expect(status.code).toBe(3);
    expect(
      status
        .json()
        .rows.find((x: { resource: string }) => x.resource === 'budget')
        .changes.map((c: { field: string }) => c.field),
    ).toEqual(['limitUsd', 'services', 'metrics']);
    const r = await cli(['setup-all', '--yes', '--json'], { cwd });
    expect(r.writes.map((w) => w.operation)).toEqual(['UpdateBudget']);
    expect((await cli(['status'], { cwd })).code).toBe(0);
  });

  test('a same-named budget the tool does not own is never changed or deleted without --force', async () => {
    await budgets().send(
      new CreateBudgetCommand({
        AccountId: ACCOUNT,
        Budget: {
          BudgetName: NAME,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: '9', Unit: 'USD' },
        },
      }),
    );
    const cwd = configDir({ monthlyUsd: 100 });
    const r = await cli(['setup-all', '--yes', '--json'], { cwd });
    // The refused step's exit code, as the single step would give it: 2, with --force in the hint.
    expect(r.code).toBe(2);
    expect(r.json().steps.find((s: { step: string }) => s.step === 'budget')).toMatchObject({
      status: 'failed',
      error: {
        message: expect.stringContaining('is not tagged ManagedBy=bedrock-monitor'),
        hint: expect.stringContaining('--force'),
        exitCode: 2,
      },
    });
    expect(r.writes.filter((w) => w.service === 'Budgets')).toEqual([]);
    const clean = await cli(['cleanup', '--yes', '--json'], { cwd });
    expect(clean.json().outcomes).toEqual(
      expect.arrayContaining([expect.objectContaining({ resource: 'budget', action: 'skipped' })]),
    );
    expect(
      (await budgets().send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: NAME }))).Budget!.BudgetLimit!
        .Amount,
    ).toBe('9');

    const adopt = await cli(['setup-all', '--yes', '--force'], { cwd });
    expect(adopt.code).toBe(0);
    expect(adopt.writes.map((w) => w.operation)).toEqual(
      expect.arrayContaining(['UpdateBudget', 'CreateNotification', 'TagResource']),
    );
    expect((await cli(['status'], { cwd })).code).toBe(0);
  });

  test(
    'the budget command: the topic and the budget alone, --monthly-usd over the config; without a limit exit 2 ' +
      'and no request',
    async () => {
      const none = await cli(['budget'], { cwd: emptyDir() });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('pass --monthly-usd');
      expect(none.requests).toEqual([]);
      const r = await cli(['budget', '--monthly-usd', '75', '--json'], { cwd: configDir({ monthlyUsd: 10 }) });
      expect(r.code).toBe(0);
      expect(r.json().outcomes.map((o: { resource: string; action: string }) => `${o.action} ${o.resource}`)).toEqual([
        'created sns-topic',
        'created sns-subscription',
        'created budget',
      ]);
      expect(
        (await cli(['budget', '--monthly-usd', '75', '--json'], { cwd: configDir(undefined) })).json().outcomes[2],
      ).toEqual({ resource: 'budget', name: NAME, action: 'unchanged', changes: [] });
      expect(
        (await budgets().send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: NAME }))).Budget!.BudgetLimit!
          .Amount,
      ).toBe('75');
    },
  );
});
