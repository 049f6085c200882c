// What the tool uses of @aws-sdk/client-glue, loaded with `require` (see ./load.ts).
import { load } from './load.js';

export const { CreateTableCommand, GetDatabaseCommand, GetTableCommand, GlueClient, UpdateTableCommand } =
  load('@aws-sdk/client-glue');
