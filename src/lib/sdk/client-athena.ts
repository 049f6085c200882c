// What the tool uses of @aws-sdk/client-athena, loaded with `require` (see ./load.ts).
import type * as sdk from '@aws-sdk/client-athena';
import { load } from './load.js';

export const {
  AthenaClient,
  GetQueryExecutionCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  paginateGetQueryResults,
} = load('@aws-sdk/client-athena');
export type AthenaClient = sdk.AthenaClient;
