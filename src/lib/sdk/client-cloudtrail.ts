// What the tool uses of @aws-sdk/client-cloudtrail, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-cloudtrail';
import { load } from './load.js';

export const {
  AddTagsCommand,
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  LookupEventsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} = load('@aws-sdk/client-cloudtrail');
export type CloudTrailClient = sdk.CloudTrailClient;
