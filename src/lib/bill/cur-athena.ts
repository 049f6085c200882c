import {
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  GlueClient,
  UpdateTableCommand,
} from '../sdk/client-glue.js';
import type { TableInput } from '@aws-sdk/client-glue';
import type { Ctx } from '../context/context.js';
import { absentIfNotFound } from '../aws/errors.js';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from '../aws/ownership.js';
import { BmError } from '../core/errors.js';
import { athenaCostUsd, runAthenaQuery } from '../logs/athena.js';
import { billedLine, curAggregateSql, CUR_ATHENA, type CurRead } from './cur.js';

/**
 * `bill --engine athena`: the same line-item aggregate as the embedded engine, run by Athena over a Glue table on the
 * export's Parquet. The export writes s3://BUCKET/PREFIX/EXPORT/data/BILLING_PERIOD=YYYY-MM/ (Data Exports,
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html); the table projects that
 * partition (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html: date type,
 * format, range with NOW, interval and unit) so no crawler or MSCK runs, and the query names the window's periods.
 * Glue tables cannot be tagged: the table carries the parameter ManagedBy=bedrock-monitor, and one without it is
 * never changed.
 */

/** The columns the bill reads, typed as the CUR 2.0 data dictionary types them (see cur.ts). */
export const CUR_COLUMNS = [
  { Name: 'line_item_usage_account_id', Type: 'string' },
  { Name: 'line_item_iam_principal', Type: 'string' },
  { Name: 'line_item_usage_start_date', Type: 'timestamp' },
  { Name: 'line_item_usage_type', Type: 'string' },
  { Name: 'line_item_line_item_type', Type: 'string' },
  { Name: 'line_item_product_code', Type: 'string' },
  { Name: 'line_item_unblended_cost', Type: 'double' },
  { Name: 'line_item_usage_amount', Type: 'double' },
  { Name: 'pricing_unit', Type: 'string' },
  { Name: 'product_servicecode', Type: 'string' },
  { Name: 'product_region_code', Type: 'string' },
  { Name: 'product', Type: 'map<string,string>' },
  { Name: 'resource_tags', Type: 'map<string,string>' },
];

/** The table's name in the Athena database of the config (athena.database). */
export const CUR_TABLE = 'cur2_export';

/** The export's data/ folder: --cur names the export's folder (…/EXPORT) or its data/ folder. */
export function curDataLocation(bucket: string, prefix: string): string {
  const p = prefix.replace(/\/+$/, '');
  const data = /(^|\/)data$/.test(p) ? p : p ? `${p}/data` : 'data';
  return `s3://${bucket}/${data}/`;
}

export function curTableInput(location: string): TableInput {
  return {
    Name: CUR_TABLE,
    Description: 'CUR 2.0 Data Export, the columns bedrock-monitor bill reads (bedrock-monitor)',
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.billing_period.type': 'date',
      'projection.billing_period.format': 'yyyy-MM',
      'projection.billing_period.range': '2023-01,NOW',
      'projection.billing_period.interval': '1',
      'projection.billing_period.interval.unit': 'MONTHS',
      'storage.location.template': `${location}BILLING_PERIOD=\${billing_period}/`,
      [MANAGED_BY_KEY]: MANAGED_BY_VALUE,
    },
    PartitionKeys: [{ Name: 'billing_period', Type: 'string' }],
    StorageDescriptor: {
      Columns: CUR_COLUMNS,
      Location: location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}

/** The billing periods (YYYY-MM) the window touches. */
export function billingPeriods(window: { start: Date; end: Date }): string[] {
  const out: string[] = [];
  const last = new Date(window.end.getTime() - 1);
  for (let y = window.start.getUTCFullYear(), m = window.start.getUTCMonth(); ; m++) {
    const d = new Date(Date.UTC(y, m, 1));
    if (d > last) return out;
    out.push(d.toISOString().slice(0, 7));
  }
}

/** Creates the table, or brings the one bedrock-monitor made to this location; never touches another. */
async function ensureCurTable(ctx: Ctx, database: string, location: string): Promise<void> {
  const glue = ctx.aws.get(GlueClient);
  if (!(await absentIfNotFound(glue.send(new GetDatabaseCommand({ Name: database }))))?.Database)
    throw new BmError(`The Glue database ${database} does not exist.`, {
      hint: 'Create it with `bedrock-monitor athena-table` (or name another with "athena": {"database": …}).',
    });
  const input = curTableInput(location);
  const t = (await absentIfNotFound(glue.send(new GetTableCommand({ DatabaseName: database, Name: CUR_TABLE }))))
    ?.Table;
  if (!t) return void (await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: input })));
  if (t.Parameters?.[MANAGED_BY_KEY] !== MANAGED_BY_VALUE)
    throw new BmError(`The Glue table ${database}.${CUR_TABLE} was not made by bedrock-monitor: left alone.`, {
      hint: `Name another database with "athena": {"database": …}, or drop that table.`,
    });
  const params = input.Parameters ?? {};
  const drifted =
    t.StorageDescriptor?.Location !== location ||
    Object.entries(params).some(([k, v]) => t.Parameters?.[k] !== v) ||
    JSON.stringify((t.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type])) !==
      JSON.stringify(CUR_COLUMNS.map((c) => [c.Name, c.Type]));
  if (drifted) await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input }));
}

export interface AthenaCurRead extends CurRead {
  queryExecutionId: string;
  dataScannedBytes: number;
  queryCostUsd: number;
}

/** Reads the export's Bedrock line items for the window with one Athena query. */
export async function readCurAthena(
  ctx: Ctx,
  loc: { bucket: string; prefix: string },
  window: { start: Date; end: Date },
): Promise<AthenaCurRead> {
  const { database, workgroup, resultsPrefix } = ctx.settings.athena;
  const location = curDataLocation(loc.bucket, loc.prefix);
  await ensureCurTable(ctx, database, location);
  const periods = billingPeriods(window).map((p) => `'${p}'`);
  const cols = new Set(CUR_COLUMNS.map((c) => c.Name));
  const relation = `"${database.replace(/"/g, '""')}"."${CUR_TABLE}"`;
  const sql = curAggregateSql(relation, cols, window, CUR_ATHENA, [`billing_period IN (${periods.join(', ')})`]);
  const r = await runAthenaQuery(ctx, {
    sql,
    database,
    workgroup,
    outputLocation: `s3://${await ctx.bucketName()}/${resultsPrefix}/`,
  });
  const lines = r.rows.map(billedLine);
  return {
    lines,
    files: 0,
    // Every column is declared; Parquet files without one read as null: principals are there when any line has one.
    hasPrincipal: lines.some((l) => l.principal !== ''),
    hasTags: true,
    queryExecutionId: r.queryExecutionId,
    dataScannedBytes: r.dataScannedBytes,
    queryCostUsd: Math.round(athenaCostUsd(r.dataScannedBytes) * 1e6) / 1e6,
  };
}
