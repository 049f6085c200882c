// What the tool uses of @aws-sdk/client-cloudwatch, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-cloudwatch';
import { load } from './load.js';

export const {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DeleteInsightRulesCommand,
  DescribeAlarmsCommand,
  DescribeInsightRulesCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutCompositeAlarmCommand,
  PutDashboardCommand,
  PutInsightRuleCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  paginateDescribeAlarms,
  paginateGetMetricData,
  paginateListMetrics,
} = load('@aws-sdk/client-cloudwatch');
export type CloudWatchClient = sdk.CloudWatchClient;
