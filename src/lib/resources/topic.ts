import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  paginateListSubscriptionsByTopic,
  ListTagsForResourceCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
} from '../sdk/client-sns.js';
import type { Subscription } from '@aws-sdk/client-sns';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, isNotFound } from '../aws/errors.js';
import { partitionOf } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';
import { normalizeStatement, parsePolicy, statementsOf, type PolicyDocument, type Statement } from '../aws/policy.js';

export async function topicArn(ctx: RegionCtx): Promise<string> {
  const { region, alarms } = ctx.settings;
  return `arn:${partitionOf(region)}:sns:${region}:${await ctx.account()}:${alarms.topicName}`;
}

export interface TopicState {
  managedTag: boolean;
  /** The topic-policy statements the tool manages, by Sid (null: absent). Others are kept as they are. */
  policyStatements: Record<string, Record<string, unknown> | null>;
}

/** The statement that lets AWS Budgets publish budget alerts to the topic (only when a budget is configured). */
export const BUDGETS_PUBLISH_SID = 'BedrockMonitorBudgetsPublish';

/**
 * As AWS documents it ("Creating an Amazon SNS topic for budget notifications",
 * https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html): the Budgets
 * service principal may publish, for this account's budgets only.
 */
export function budgetsPublishStatement(region: string, account: string, topic: string): Statement {
  return {
    Sid: BUDGETS_PUBLISH_SID,
    Effect: 'Allow',
    Principal: { Service: 'budgets.amazonaws.com' },
    Action: 'SNS:Publish',
    Resource: topic,
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partitionOf(region)}:budgets::${account}:*` },
    },
  };
}

/**
 * The managed statements the settings ask for, by Sid: null means "must not be there". Budgets may publish while
 * the account wants a budget and notifies this Region's topic (`accountFacts.budgetRegion`: the budget is the
 * account's setting, not the Region's).
 */
async function wantedStatements(ctx: RegionCtx, arn: string): Promise<Record<string, Statement | null>> {
  return {
    [BUDGETS_PUBLISH_SID]:
      ctx.accountFacts.budgetRegion === ctx.settings.region
        ? budgetsPublishStatement(ctx.settings.region, await ctx.account(), arn)
        : null,
  };
}

function managedOf(doc: PolicyDocument | undefined, sids: string[]): Record<string, Record<string, unknown> | null> {
  const statements = statementsOf(doc);
  return Object.fromEntries(
    sids.map((sid): [string, Record<string, unknown> | null] => {
      const st = statements.find((x) => x.Sid === sid);
      return [sid, st ? normalizeStatement(st) : null];
    }),
  );
}

/**
 * Writes the managed statements into the topic policy as it is now (read again, so that the
 * statements SNS and others put there are kept), only when they differ.
 */
async function writeTopicPolicy(sns: SNSClient, arn: string, wanted: Record<string, Statement | null>): Promise<void> {
  const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  const text = attrs.Attributes?.Policy;
  const doc: PolicyDocument | undefined = text ? parsePolicy(text) : undefined;
  const sids = Object.keys(wanted);
  const others = statementsOf(doc).filter((st) => !st.Sid || !sids.includes(st.Sid));
  const mine = Object.values(wanted).filter((st): st is Statement => st !== null);
  const current = managedOf(doc, sids);
  if (
    sids.every(
      (sid) => JSON.stringify(current[sid]) === JSON.stringify(wanted[sid] ? normalizeStatement(wanted[sid]) : null),
    )
  )
    return;
  const policy = {
    Version: doc?.Version ?? '2008-10-17',
    ...(doc?.Id ? { Id: doc.Id } : {}),
    Statement: [...others, ...mine],
  };
  await sns.send(
    new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }),
  );
}

export async function topicResource(ctx: RegionCtx): Promise<ResourceDef<TopicState>> {
  const sns = ctx.aws.get(SNSClient);
  const arn = await topicArn(ctx);
  const name = ctx.settings.alarms.topicName;
  const wanted = await wantedStatements(ctx, arn);
  const sids = Object.keys(wanted);
  return {
    resource: 'sns-topic',
    name,
    desired: {
      managedTag: true,
      policyStatements: Object.fromEntries(
        Object.entries(wanted).map(([sid, st]) => [sid, st ? normalizeStatement(st) : null]),
      ),
    },
    async read() {
      const attrs = await absentIfNotFound(sns.send(new GetTopicAttributesCommand({ TopicArn: arn })));
      if (!attrs) return undefined;
      const tags = await absentIfNotFound(sns.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
      const policy = attrs.Attributes?.Policy;
      return {
        managedTag: hasManagedTag(tags?.Tags),
        policyStatements: managedOf(policy ? parsePolicy(policy) : undefined, sids),
      };
    },
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag },
    attributes: [
      {
        field: 'tags.ManagedBy',
        get: (s) => s.managedTag,
        update: async () => {
          await sns.send(
            new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] }),
          );
        },
      },
      {
        field: 'policy',
        get: (s) => s.policyStatements,
        // A new topic has only SNS's default policy: write ours right away when one is wanted.
        afterCreate: Object.values(wanted).some((st) => st !== null),
        update: () => writeTopicPolicy(sns, arn, wanted),
      },
    ],
    async create() {
      // CreateTopic is idempotent for the same name and attributes.
      await sns.send(new CreateTopicCommand({ Name: name, Tags: [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] }));
    },
    // Deleting a topic deletes its subscriptions.
    remove: async () => void (await sns.send(new DeleteTopicCommand({ TopicArn: arn }))),
  };
}

const subscriptionsKey = (arn: string): string => `subscriptions:${arn}`;

/** Every subscription of the topic (pending ones included), read once per run; Subscribe invalidates it. */
export function topicSubscriptions(ctx: RegionCtx, arn: string): Promise<Subscription[]> {
  return ctx.cache.get(subscriptionsKey(arn), async () => {
    const subs: Subscription[] = [];
    try {
      for await (const page of paginateListSubscriptionsByTopic({ client: ctx.aws.get(SNSClient) }, { TopicArn: arn }))
        subs.push(...(page.Subscriptions ?? []));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return subs;
  });
}

export interface SubscriptionState {
  pending: boolean;
}

/** One email subscription. A pending one counts as present: never subscribe the same address twice. */
export async function subscriptionResource(ctx: RegionCtx, email: string): Promise<ResourceDef<SubscriptionState>> {
  const arn = await topicArn(ctx);
  const sns = ctx.aws.get(SNSClient);
  return {
    resource: 'sns-subscription',
    name: email,
    desired: { pending: false },
    async read() {
      const subs = await topicSubscriptions(ctx, arn);
      const found = subs.find((s) => s.Protocol === 'email' && s.Endpoint?.toLowerCase() === email.toLowerCase());
      if (!found) return undefined;
      return { pending: found.SubscriptionArn === 'PendingConfirmation' };
    },
    // Confirmation is up to the recipient: being pending is shown, never "repaired".
    attributes: [],
    // A subscription is the tool's when it is on the tool's topic; it goes when the topic goes.
    ownership: { rule: `on topic ${ctx.settings.alarms.topicName}`, owns: () => true },
    async create() {
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: email }));
      ctx.cache.invalidate(subscriptionsKey(arn));
    },
  };
}
