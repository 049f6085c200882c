// What the tool uses of @aws-sdk/client-budgets, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-budgets';
import { load } from './load.js';

export const {
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
} = load('@aws-sdk/client-budgets');
export type BudgetsClient = sdk.BudgetsClient;
