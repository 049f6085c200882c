// What the tool uses of @aws-sdk/client-cloudwatch-logs, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-cloudwatch-logs';
import { load } from './load.js';

export const {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteMetricFilterCommand,
  DescribeMetricFiltersCommand,
  DisassociateKmsKeyCommand,
  GetQueryResultsCommand,
  ListTagsForResourceCommand,
  PutMetricFilterCommand,
  PutRetentionPolicyCommand,
  StartQueryCommand,
  TagResourceCommand,
  paginateDescribeLogGroups,
} = load('@aws-sdk/client-cloudwatch-logs');
export type CloudWatchLogsClient = sdk.CloudWatchLogsClient;
