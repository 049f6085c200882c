// What the tool uses of @aws-sdk/client-sns, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-sns';
import { load } from './load.js';

export const {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  PublishCommand,
  SNSClient,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  paginateListSubscriptionsByTopic,
} = load('@aws-sdk/client-sns');
export type SNSClient = sdk.SNSClient;
