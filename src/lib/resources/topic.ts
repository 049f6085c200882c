import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  paginateListSubscriptionsByTopic,
  ListTagsForResourceCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, isNotFound } from '../aws/errors.js';
import { partitionOf } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';

export async function topicArn(ctx: Ctx): Promise<string> {
  const { region, alarms } = ctx.settings;
  return `arn:${partitionOf(region)}:sns:${region}:${await ctx.account()}:${alarms.topicName}`;
}

export interface TopicState {
  managedTag: boolean;
}

export async function topicResource(ctx: Ctx): Promise<ResourceDef<TopicState>> {
  const sns = ctx.aws.get(SNSClient);
  const arn = await topicArn(ctx);
  const name = ctx.settings.alarms.topicName;
  return {
    resource: 'sns-topic',
    name,
    desired: { managedTag: true },
    async read() {
      const attrs = await absentIfNotFound(sns.send(new GetTopicAttributesCommand({ TopicArn: arn })));
      if (!attrs) return undefined;
      const tags = await absentIfNotFound(sns.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
      return { managedTag: hasManagedTag(tags?.Tags) };
    },
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag },
    attributes: [
      {
        field: 'tags.ManagedBy',
        get: (s) => s.managedTag,
        update: async () => {
          await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] }));
        },
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
export function topicSubscriptions(ctx: Ctx, arn: string): Promise<Subscription[]> {
  return ctx.cache.get(subscriptionsKey(arn), async () => {
    const subs: Subscription[] = [];
    try {
      for await (const page of paginateListSubscriptionsByTopic({ client: ctx.aws.get(SNSClient) }, { TopicArn: arn })) subs.push(...(page.Subscriptions ?? []));
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
export async function subscriptionResource(ctx: Ctx, email: string): Promise<ResourceDef<SubscriptionState>> {
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
