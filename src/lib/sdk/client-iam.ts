// What the tool uses of @aws-sdk/client-iam, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-iam';
import { load } from './load.js';

export const {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} = load('@aws-sdk/client-iam');
export type IAMClient = sdk.IAMClient;
