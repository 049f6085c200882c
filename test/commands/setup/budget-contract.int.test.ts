import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  CreateSubscriberCommand,
  DeleteNotificationCommand,
  DeleteSubscriberCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  ListTagsForResourceCommand,
  UpdateBudgetCommand,
  type Notification,
} from '@aws-sdk/client-budgets';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { ACCOUNT } from '../../support/aws.js';
import { checkInput, loadModel, type ServiceModel } from '../../support/aws-model.js';
import { budgetsPublishStatement } from '../../../src/lib/resources/topic.js';

/**
 * Contract checks for the Budgets requests, which only an emulator has answered: every request the
 * budget step sends is validated against AWS's API model (botocore budgets 2016-10-20), and the
 * rules the model cannot express are named here with the AWS page that states them. The rest of
 * the run (topic, alarms…) goes to moto; Budgets answers come from aws-sdk-client-mock.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`;
const budgets = mockClient(BudgetsClient);
let model: ServiceModel;

beforeAll(() => {
  model = loadModel('budgets');
});
afterEach(() => {
  budgets.reset();
});

const notFound = (): Error =>
  Object.assign(new Error("Unable to get budget: bedrock-monitor-monthly - the budget doesn't exist."), {
    name: 'NotFoundException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

function configDir(): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ budget: { monthlyUsd: 120 } }));
  return dir;
}

/** Every Budgets request the run sent, validated against the model. */
function allRequests(): { operation: string; input: Record<string, unknown> }[] {
  return budgets.calls().map((c) => {
    const cmd = c.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
    return { operation: cmd.constructor.name.replace(/Command$/, ''), input: cmd.input };
  });
}

function expectValid(requests: { operation: string; input: Record<string, unknown> }[]): void {
  expect(requests.flatMap((r) => checkInput(model, r.operation, r.input))).toEqual([]);
}

describe('Budgets request shapes (AWS API model + documented rules)', () => {
  test(
    'create: CreateBudget with FilterExpression + Metrics, two ' + 'notifications with one SNS subscriber each, tags',
    async () => {
      budgets.on(DescribeBudgetCommand).rejects(notFound());
      budgets.on(CreateBudgetCommand).resolves({});
      const r = await cli(['setup-all', '--yes'], { cwd: configDir() });
      expect(r.code).toBe(0);
      const requests = allRequests();
      expectValid(requests);
      const create = requests.find((x) => x.operation === 'CreateBudget')!.input as {
        Budget: Record<string, unknown>;
        NotificationsWithSubscribers: { Notification: Notification; Subscribers: { SubscriptionType: string }[] }[];
      };
      // "Either FilterExpression and Metrics or CostFilters and CostTypes, not both or a different combination."
      // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateBudget.html
      expect(
        Object.keys(create.Budget)
          .filter((k) => ['FilterExpression', 'Metrics', 'CostFilters', 'CostTypes'].includes(k))
          .sort(),
      ).toEqual(['FilterExpression', 'Metrics']);
      // "You can specify only one of these values in the array" (MatchOptions),
      // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_ExpressionDimensionValues.html
      expect(
        (create.Budget.FilterExpression as { Dimensions: { MatchOptions: string[] } }).Dimensions.MatchOptions,
      ).toHaveLength(1);
      // "Each notification can have one SNS subscriber and up to 10 email subscribers."
      // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateNotification.html
      for (const n of create.NotificationsWithSubscribers)
        expect(n.Subscribers.filter((s) => s.SubscriptionType === 'SNS')).toHaveLength(1);
      // "A budget can have up to ten notifications",
      // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html
      expect(create.NotificationsWithSubscribers.length).toBeLessThanOrEqual(10);
    },
  );

  test(
    'repair: UpdateBudget replaces the definition; subscriber and ' + "notification changes keep others' subscribers",
    async () => {
      const drifted = {
        BudgetName: 'bedrock-monitor-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '10.0', Unit: 'USD' },
        CostFilters: { Service: ['Amazon Bedrock'] },
      };
      const actual80: Notification = {
        NotificationType: 'ACTUAL',
        ComparisonOperator: 'GREATER_THAN',
        Threshold: 80,
        ThresholdType: 'PERCENTAGE',
        NotificationState: 'OK',
      };
      const stale90: Notification = {
        NotificationType: 'ACTUAL',
        ComparisonOperator: 'GREATER_THAN',
        Threshold: 90,
        ThresholdType: 'PERCENTAGE',
      };
      const forecast: Notification = {
        NotificationType: 'FORECASTED',
        ComparisonOperator: 'GREATER_THAN',
        Threshold: 100,
        ThresholdType: 'PERCENTAGE',
      };
      budgets.on(DescribeBudgetCommand).resolves({ Budget: drifted as never });
      budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [actual80, stale90, forecast] });
      budgets.on(DescribeSubscribersForNotificationCommand, { Notification: actual80 }).resolves({
        Subscribers: [{ SubscriptionType: 'SNS', Address: 'arn:aws:sns:us-east-1:123456789012:someone-else' }],
      });
      budgets
        .on(DescribeSubscribersForNotificationCommand, { Notification: stale90 })
        .resolves({ Subscribers: [{ SubscriptionType: 'SNS', Address: TOPIC }] });
      budgets.on(DescribeSubscribersForNotificationCommand, { Notification: forecast }).resolves({
        Subscribers: [
          { SubscriptionType: 'SNS', Address: TOPIC },
          { SubscriptionType: 'EMAIL', Address: 'a@example.com' },
        ],
      });
      budgets
        .on(ListTagsForResourceCommand)
        .resolves({ ResourceTags: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }] });
      budgets.on(UpdateBudgetCommand).resolves({});
      const r = await cli(['setup-all', '--yes'], { cwd: configDir() });
      expect(r.code).toBe(0);
      const requests = allRequests();
      expectValid(requests);
      const writes = requests.filter((x) => !/^(Describe|List)/.test(x.operation));
      expect(writes.map((w) => w.operation)).toEqual([
        'DeleteSubscriber',
        'CreateSubscriber',
        'DeleteNotification',
        'UpdateBudget',
      ]);
      expect(budgets.commandCalls(UpdateBudgetCommand)[0]!.args[0].input.NewBudget).toEqual({
        BudgetName: 'bedrock-monitor-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '120', Unit: 'USD' },
        FilterExpression: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Bedrock'], MatchOptions: ['EQUALS'] } },
        Metrics: ['UnblendedCost'],
      });
      // The ARN tags are read by: arn:<partition>:budgets::<account>:budget/<name> (as in AWS's budgets
      // confused-deputy examples,
      // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
      expect(budgets.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({
        ResourceARN: `arn:aws:budgets::${ACCOUNT}:budget/bedrock-monitor-monthly`,
      });
      expect(budgets.commandCalls(CreateNotificationCommand)).toHaveLength(0);
      expect(budgets.commandCalls(DeleteSubscriberCommand)[0]!.args[0].input.Subscriber).toEqual({
        SubscriptionType: 'SNS',
        Address: 'arn:aws:sns:us-east-1:123456789012:someone-else',
      });
      expect(budgets.commandCalls(CreateSubscriberCommand)[0]!.args[0].input.Subscriber).toEqual({
        SubscriptionType: 'SNS',
        Address: TOPIC,
      });
      expect(budgets.commandCalls(DeleteNotificationCommand)[0]!.args[0].input.Notification).toEqual(stale90);
    },
  );

  test('the topic statement is the one AWS documents for budget notifications', () => {
    // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html: principal
    // budgets.amazonaws.com, action SNS:Publish on the topic, conditions aws:SourceAccount (StringEquals)
    // and aws:SourceArn like arn:aws:budgets::<account-id>:* (ArnLike); "Amazon SNS topics must be in
    // the same account as the Budgets you're configuring."
    expect(budgetsPublishStatement('eu-west-1', ACCOUNT, `arn:aws:sns:eu-west-1:${ACCOUNT}:t`)).toEqual({
      Sid: 'BedrockMonitorBudgetsPublish',
      Effect: 'Allow',
      Principal: { Service: 'budgets.amazonaws.com' },
      Action: 'SNS:Publish',
      Resource: `arn:aws:sns:eu-west-1:${ACCOUNT}:t`,
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${ACCOUNT}:*` },
      },
    });
    expect(budgetsPublishStatement('cn-north-1', ACCOUNT, 't').Condition!.ArnLike).toEqual({
      'aws:SourceArn': `arn:aws-cn:budgets::${ACCOUNT}:*`,
    });
  });
});
