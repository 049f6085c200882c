// Glue's SDK client is loaded when the opt-in step runs (below), not with every setup, status and cleanup: it is one
// of the largest (~75 ms of CPU to load, each run).
import type { Table, TableInput } from '@aws-sdk/client-glue';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { partitionOf, withSlash } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';
import { BmError } from '../core/errors.js';
import { load } from '../sdk/load.js';

/**
 * The Athena table over the invocation logs (opt-in step `athena-table`): a Glue database and an
 * external JSON table on the log prefix's `AWSLogs/` tree, partitioned by account, Region and hour
 * with partition projection (no crawler, no partitions to add), declaring only the records'
 * metadata columns.
 *
 * Ownership: the database is tagged ManagedBy=bedrock-monitor; Glue tables cannot be tagged, so the
 * table carries the parameter ManagedBy=bedrock-monitor. The database is deleted only when it holds
 * no table but the tool's.
 */

export const PROJECTION_START = '2023/01/01/00';

/** The table's root: every account's and Region's logs under the logging configuration's key prefix. */
export function tableLocation(bucket: string, keyPrefix: string): string {
  return `s3://${bucket}/${withSlash(keyPrefix)}AWSLogs/`;
}

/**
 * The parameters the tool manages on the table (others, e.g. Athena's own, are left alone). `account` and `region`
 * are injected partitions: a query names the accounts and Regions it reads (the report always does, from its
 * targets), and Athena reads only their trees, so one table covers an organization's central bucket.
 */
export function tableParameters(location: string): Record<string, string> {
  return {
    EXTERNAL: 'TRUE',
    classification: 'json',
    'projection.enabled': 'true',
    'projection.account.type': 'injected',
    'projection.region.type': 'injected',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy/MM/dd/HH',
    'projection.dt.range': `${PROJECTION_START},NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'HOURS',
    'storage.location.template': `${location}\${account}/BedrockModelInvocationLogs/\${region}/\${dt}/`,
    [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
  };
}

/** The partitions, in the path's order. */
export const PARTITION_KEYS = [
  { Name: 'account', Type: 'string' },
  { Name: 'region', Type: 'string' },
  { Name: 'dt', Type: 'string' },
];

export interface Column {
  Name: string;
  Type: string;
}

export function tableInput(name: string, location: string, columns: Column[]): TableInput {
  return {
    Name: name,
    Description: 'Amazon Bedrock model invocation logs, metadata columns only (bedrock-monitor)',
    TableType: 'EXTERNAL_TABLE',
    Parameters: tableParameters(location),
    PartitionKeys: PARTITION_KEYS,
    StorageDescriptor: {
      Columns: columns,
      Location: location,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
      },
    },
  };
}

export interface TableState {
  location: string | null;
  columns: { Name: string; Type: string }[];
  partitionKeys: { Name: string; Type: string }[];
  /** The managed parameters as they are (absent ones as null). */
  parameters: Record<string, string | null>;
  serde: { library: string | null; parameters: Record<string, string> };
  formats: { input: string | null; output: string | null; tableType: string | null };
  managed: boolean;
}

export function tableState(t: Table | TableInput, managedKeys: string[]): TableState {
  const sd = t.StorageDescriptor;
  const params = t.Parameters ?? {};
  return {
    location: sd?.Location ?? null,
    columns: (sd?.Columns ?? []).map((c) => ({ Name: c.Name ?? '', Type: c.Type ?? '' })),
    partitionKeys: (t.PartitionKeys ?? []).map((c) => ({ Name: c.Name ?? '', Type: c.Type ?? '' })),
    parameters: Object.fromEntries(managedKeys.map((k) => [k, params[k] ?? null])),
    serde: { library: sd?.SerdeInfo?.SerializationLibrary ?? null, parameters: sd?.SerdeInfo?.Parameters ?? {} },
    formats: { input: sd?.InputFormat ?? null, output: sd?.OutputFormat ?? null, tableType: t.TableType ?? null },
    managed: params[MANAGED_BY_KEY] === MANAGED_BY_VALUE,
  };
}

async function location(ctx: RegionCtx): Promise<string> {
  return tableLocation(await ctx.bucketName(), ctx.settings.logging.s3KeyPrefix);
}

/** `columns`: the record's metadata columns (the logs layer's schema, handed in by the step registry). */
export async function tableResource(ctx: RegionCtx, columns: Column[]): Promise<ResourceDef<TableState>> {
  const { database, table } = ctx.settings.athena;
  const { GlueClient, CreateTableCommand, DeleteTableCommand, GetTableCommand, UpdateTableCommand } =
    load('@aws-sdk/client-glue');
  const glue = ctx.aws.get(GlueClient);
  const input = tableInput(table, await location(ctx), columns);
  const keys = Object.keys(input.Parameters ?? {});
  const write = async (): Promise<void> =>
    void (await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input })));
  return {
    resource: 'athena-table',
    name: `${database}.${table}`,
    desired: tableState(input, keys),
    async read() {
      const r = await absentIfNotFound(glue.send(new GetTableCommand({ DatabaseName: database, Name: table })));
      return r?.Table ? tableState(r.Table, keys) : undefined;
    },
    attributes: (['location', 'columns', 'partitionKeys', 'parameters', 'serde', 'formats'] as const).map((field) => ({
      field,
      get: (s: TableState) => s[field],
    })),
    create: async () => void (await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: input }))),
    alreadyExists: (err) => errorName(err) === 'AlreadyExistsException',
    // One UpdateTable writes the whole definition, the ownership parameter included.
    update: write,
    ownership: { rule: `carrying the table parameter ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`, owns: (s) => s.managed },
    remove: async () => void (await glue.send(new DeleteTableCommand({ DatabaseName: database, Name: table }))),
  };
}

export interface DatabaseState {
  description: string | null;
  managedTag: boolean;
}

const DB_DESCRIPTION = 'Amazon Bedrock model invocation logs (bedrock-monitor)';

export async function databaseResource(ctx: RegionCtx): Promise<ResourceDef<DatabaseState>> {
  const { database } = ctx.settings.athena;
  const sdk = load('@aws-sdk/client-glue');
  const glue = ctx.aws.get(sdk.GlueClient);
  const arn =
    `arn:${partitionOf(ctx.settings.region)}:glue:${ctx.settings.region}:${await ctx.account()}:database/` +
    `${database}`;
  const tag = async (): Promise<void> =>
    void (await glue.send(
      new sdk.TagResourceCommand({ ResourceArn: arn, TagsToAdd: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE } }),
    ));
  return {
    resource: 'glue-database',
    name: database,
    desired: { description: DB_DESCRIPTION, managedTag: true },
    async read() {
      const r = await absentIfNotFound(glue.send(new sdk.GetDatabaseCommand({ Name: database })));
      if (!r?.Database) return undefined;
      const tags = await absentIfNotFound(glue.send(new sdk.GetTagsCommand({ ResourceArn: arn })));
      return { description: r.Database.Description ?? null, managedTag: hasManagedTag(tags?.Tags) };
    },
    attributes: [
      {
        field: 'description',
        get: (s) => s.description,
        update: async () =>
          void (await glue.send(
            new sdk.UpdateDatabaseCommand({
              Name: database,
              DatabaseInput: { Name: database, Description: DB_DESCRIPTION },
            }),
          )),
      },
      { field: 'tags.ManagedBy', get: (s) => s.managedTag, update: tag },
    ],
    create: async () =>
      void (await glue.send(
        new sdk.CreateDatabaseCommand({
          DatabaseInput: { Name: database, Description: DB_DESCRIPTION },
          Tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
        }),
      )),
    alreadyExists: (err) => errorName(err) === 'AlreadyExistsException',
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag, claim: tag },
    async remove() {
      // DeleteDatabase deletes its tables too: never with a table the tool did not make in it.
      const tables = (await glue.send(new sdk.GetTablesCommand({ DatabaseName: database }))).TableList ?? [];
      const foreign = tables
        // The logs table and the bill's CUR table (bill --engine athena) carry the ownership parameter.
        .filter((t) => t.Parameters?.[MANAGED_BY_KEY] !== MANAGED_BY_VALUE)
        .map((t) => t.Name);
      if (foreign.length)
        throw new BmError(
          `Glue database ${database} holds tables bedrock-monitor did not create (${foreign.join(', ')}): left alone`,
        );
      await glue.send(new sdk.DeleteDatabaseCommand({ Name: database }));
    },
  };
}

/** The table first for status and cleanup (it goes before its database); setup creates the database first. */
export async function athenaTableResources(
  ctx: RegionCtx,
  columns: Column[],
): Promise<[ResourceDef<TableState>, ResourceDef<DatabaseState>]> {
  return [await tableResource(ctx, columns), await databaseResource(ctx)];
}
