import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  CreateSubscriberCommand,
  DeleteBudgetCommand,
  DeleteNotificationCommand,
  DeleteSubscriberCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateBudgetCommand,
} from '../sdk/client-budgets.js';
import type { Budget, Expression, Notification, Subscriber } from '@aws-sdk/client-budgets';
import type { BudgetSettings } from '../config/settings.js';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { partitionOf } from '../aws/names.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { topicArn } from './topic.js';

/**
 * The AWS Budgets cost budget: a monthly limit on the Amazon Bedrock services, with notifications
 * to the alert topic at a share of actual and of forecasted spend. Budgets is global (one endpoint,
 * signed for us-east-1, whatever Region the client names), so the budget is per account: it counts
 * Bedrock spend in every Region.
 *
 * Request shapes follow the Budgets API reference: FilterExpression with Metrics rather than the
 * older CostFilters ("Either FilterExpression and Metrics or CostFilters and CostTypes, not both",
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateBudget.html).
 */

export interface NotificationState {
  notification: Notification;
  subscribers: Subscriber[];
}

export interface BudgetState {
  limitUsd: number | null;
  timeUnit: string | null;
  /** The SERVICE names the budget is limited to, as a sorted list; null for any other kind of filter. */
  services: string[] | null;
  metrics: string[];
  /** The notifications that reach the alert topic, e.g. "ACTUAL > 80%". */
  notifications: string[];
  /** Not compared: every notification with its subscribers, for updates that keep others' subscribers. */
  all: NotificationState[];
}

const METRIC = 'UnblendedCost';

export const budgetArn = (region: string, account: string, name: string): string =>
  `arn:${partitionOf(region)}:budgets::${account}:budget/${name}`;

export function wantedNotifications(b: BudgetSettings): Notification[] {
  return [
    {
      NotificationType: 'ACTUAL',
      ComparisonOperator: 'GREATER_THAN',
      Threshold: b.actualPercent,
      ThresholdType: 'PERCENTAGE',
    },
    {
      NotificationType: 'FORECASTED',
      ComparisonOperator: 'GREATER_THAN',
      Threshold: b.forecastedPercent,
      ThresholdType: 'PERCENTAGE',
    },
  ];
}

const OPS: Record<string, string> = { GREATER_THAN: '>', LESS_THAN: '<', EQUAL_TO: '=' };

/** "ACTUAL > 80%", "FORECASTED > 100%", "ACTUAL > 500 USD". */
export function notificationKey(n: Notification): string {
  const unit = (n.ThresholdType ?? 'PERCENTAGE') === 'PERCENTAGE' ? '%' : ' USD';
  return (
    `${n.NotificationType ?? '?'} ${OPS[n.ComparisonOperator ?? ''] ?? n.ComparisonOperator ?? '?'} ` +
    `${n.Threshold ?? '?'}${unit}`
  );
}

export function budgetBody(b: BudgetSettings): Budget {
  const filter: Expression = { Dimensions: { Key: 'SERVICE', Values: [...b.services], MatchOptions: ['EQUALS'] } };
  return {
    BudgetName: b.name,
    BudgetType: 'COST',
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: String(b.monthlyUsd), Unit: 'USD' },
    FilterExpression: filter,
    Metrics: [METRIC],
  };
}

/** The services a filter limits the budget to, when it is exactly a SERVICE list (EQUALS); else null. */
function servicesOf(budget: Budget): string[] | null {
  const d = budget.FilterExpression?.Dimensions;
  const others =
    budget.FilterExpression &&
    (budget.FilterExpression.And ||
      budget.FilterExpression.Or ||
      budget.FilterExpression.Not ||
      budget.FilterExpression.Tags ||
      budget.FilterExpression.CostCategories);
  if (d && !others && d.Key === 'SERVICE' && (d.MatchOptions ?? ['EQUALS']).every((m) => m === 'EQUALS'))
    return [...(d.Values ?? [])].sort();
  const legacy = budget.CostFilters;
  if (!budget.FilterExpression && legacy && Object.keys(legacy).length === 1 && legacy.Service)
    return [...legacy.Service].sort();
  return null;
}

export function stateOf(budget: Budget, all: NotificationState[], topic: string): BudgetState {
  const amount = budget.BudgetLimit?.Amount;
  return {
    limitUsd: amount === undefined ? null : Number(amount),
    timeUnit: budget.TimeUnit ?? null,
    services: servicesOf(budget),
    metrics: budget.FilterExpression ? [...(budget.Metrics ?? [])].sort() : [],
    notifications: all
      .filter((n) => n.subscribers.some((s) => s.SubscriptionType === 'SNS' && s.Address === topic))
      .map((n) => notificationKey(n.notification))
      .sort(),
    all,
  };
}

export function desiredState(b: BudgetSettings, topic: string): BudgetState {
  const all = wantedNotifications(b).map((notification) => ({
    notification,
    subscribers: [{ SubscriptionType: 'SNS' as const, Address: topic }],
  }));
  return stateOf(budgetBody(b), all, topic);
}

interface Plan {
  client: BudgetsClient;
  account: string;
  topic: string;
  settings: BudgetSettings;
  arn: string;
}

async function readNotifications(p: Plan): Promise<NotificationState[]> {
  const out: NotificationState[] = [];
  let token: string | undefined;
  do {
    const page = await p.client.send(
      new DescribeNotificationsForBudgetCommand({
        AccountId: p.account,
        BudgetName: p.settings.name,
        NextToken: token,
      }),
    );
    for (const notification of page.Notifications ?? []) {
      const subs = await p.client.send(
        new DescribeSubscribersForNotificationCommand({
          AccountId: p.account,
          BudgetName: p.settings.name,
          Notification: notification,
        }),
      );
      out.push({ notification, subscribers: subs.Subscribers ?? [] });
    }
    token = page.NextToken ?? undefined;
  } while (token);
  return out;
}

async function readBudget(p: Plan): Promise<BudgetState | undefined> {
  const found = await absentIfNotFound(
    p.client.send(new DescribeBudgetCommand({ AccountId: p.account, BudgetName: p.settings.name })),
  );
  if (!found?.Budget) return undefined;
  return stateOf(found.Budget, await readNotifications(p), p.topic);
}

const sameDetails = (a: Notification, b: Notification): boolean => notificationKey(a) === notificationKey(b);
const isTopic =
  (topic: string) =>
  (s: Subscriber): boolean =>
    s.SubscriptionType === 'SNS' && s.Address === topic;

/**
 * Makes the notifications that reach the topic exactly the configured ones. A notification with
 * other subscribers (someone's email) keeps them: only the topic subscription is added or removed.
 */
async function syncNotifications(p: Plan, actual: BudgetState | undefined): Promise<void> {
  const base = { AccountId: p.account, BudgetName: p.settings.name };
  const all = actual?.all ?? [];
  const topicSub: Subscriber = { SubscriptionType: 'SNS', Address: p.topic };
  for (const want of wantedNotifications(p.settings)) {
    const same = all.find((n) => sameDetails(n.notification, want));
    if (!same)
      await p.client.send(new CreateNotificationCommand({ ...base, Notification: want, Subscribers: [topicSub] }));
    else if (!same.subscribers.some(isTopic(p.topic))) {
      // A notification has at most one SNS subscriber: another topic makes way for the alert topic.
      for (const s of same.subscribers.filter((x) => x.SubscriptionType === 'SNS'))
        await p.client.send(new DeleteSubscriberCommand({ ...base, Notification: same.notification, Subscriber: s }));
      await p.client.send(
        new CreateSubscriberCommand({ ...base, Notification: same.notification, Subscriber: topicSub }),
      );
    }
  }
  for (const n of all.filter(
    (x) =>
      x.subscribers.some(isTopic(p.topic)) &&
      !wantedNotifications(p.settings).some((w) => sameDetails(w, x.notification)),
  )) {
    if (n.subscribers.length > 1)
      await p.client.send(new DeleteSubscriberCommand({ ...base, Notification: n.notification, Subscriber: topicSub }));
    else await p.client.send(new DeleteNotificationCommand({ ...base, Notification: n.notification }));
  }
}

async function createBudget(plan: Plan): Promise<void> {
  await plan.client.send(
    new CreateBudgetCommand({
      AccountId: plan.account,
      Budget: budgetBody(plan.settings),
      NotificationsWithSubscribers: wantedNotifications(plan.settings).map((Notification) => ({
        Notification,
        Subscribers: [{ SubscriptionType: 'SNS', Address: plan.topic }],
      })),
      ResourceTags: MANAGED_TAGS,
    }),
  );
}

export async function budgetResource(ctx: Ctx): Promise<ResourceDef<BudgetState>> {
  // With no budget wanted, cleanup still looks for the one an earlier config made, by its name (only
  // read, ownership and remove are used then: the desired state below is never written).
  const settings: BudgetSettings = { ...ctx.settings.budget, monthlyUsd: ctx.settings.budget.monthlyUsd ?? 0 };
  const account = await ctx.account();
  const topic = await topicArn(ctx);
  const plan: Plan = {
    client: ctx.aws.get(BudgetsClient),
    account,
    topic,
    settings,
    arn: budgetArn(ctx.settings.region, account, settings.name),
  };
  const ownsByTag = async (): Promise<boolean> =>
    hasManagedTag((await plan.client.send(new ListTagsForResourceCommand({ ResourceARN: plan.arn }))).ResourceTags);
  return {
    resource: 'budget',
    name: settings.name,
    desired: desiredState(settings, topic),
    read: () => readBudget(plan),
    attributes: [
      { field: 'limitUsd', get: (s) => s.limitUsd },
      { field: 'timeUnit', get: (s) => s.timeUnit },
      { field: 'services', get: (s) => s.services },
      { field: 'metrics', get: (s) => s.metrics },
      { field: 'notifications', get: (s) => s.notifications, update: (_d, actual) => syncNotifications(plan, actual) },
    ],
    create: () => createBudget(plan),
    alreadyExists: (err) => errorName(err) === 'DuplicateRecordException',
    // One call for limit, period, filter and metric: UpdateBudget replaces the budget's definition.
    update: async () =>
      void (await plan.client.send(new UpdateBudgetCommand({ AccountId: account, NewBudget: budgetBody(settings) }))),
    ownership: {
      rule: MANAGED_TAG_RULE,
      owns: ownsByTag,
      claim: async () =>
        void (await plan.client.send(new TagResourceCommand({ ResourceARN: plan.arn, ResourceTags: MANAGED_TAGS }))),
      probe: async () =>
        (await absentIfNotFound(
          plan.client.send(new DescribeBudgetCommand({ AccountId: account, BudgetName: settings.name })),
        ))
          ? ownsByTag()
          : undefined,
    },
    remove: async () =>
      void (await plan.client.send(new DeleteBudgetCommand({ AccountId: account, BudgetName: settings.name }))),
  };
}
