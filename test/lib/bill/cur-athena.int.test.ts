import { describe, expect, test } from '@jest/globals';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
} from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { curSql } from '../../../src/lib/bill/cur.js';
import { BillDocSchema as BillSchema } from '../../support/schemas.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { LINES, writeCur, writeRecords } from '../../support/bill-corpus.js';
import { athenaResultsBody } from '../../support/emulator.js';

/**
 * `bill --engine athena` on moto. Moto runs no SQL: it keeps the Glue table (checked as specified) and the query
 * text, and answers GetQueryResults with rows queued through its injection API (as test/lib/logs/athena.int.test.ts
 * does). The rows queued are what the embedded engine's SQL computes over the same SYNTHETIC export
 * (test/support/bill-corpus.ts), as strings with a header row (the GetQueryResults shape:
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html), so the bill read through Athena
 * must equal the embedded engine's. The export's layout (…/EXPORT/data/BILLING_PERIOD=YYYY-MM/):
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html; partition projection:
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const CUR = `s3://${BUCKET}/cur2/bedrock-monitor-cur2`;
const DATA = `${CUR}/data/`;
const now = new Date('2026-12-06T00:00:00Z');

function clients() {
  const c = {
    region: REGION,
    endpoint: emulator().url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return { glue: new GlueClient(c), athena: new AthenaClient(c) };
}

const parquet = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? parquet(p) : p.endsWith('.parquet') ? [p] : [];
  });

/** What Athena would answer: the embedded engine's rows for the export, every cell a string, a header row first. */
async function athenaAnswer(curDir: string) {
  const files = parquet(curDir);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  const cols = new Set([
    'line_item_iam_principal',
    'product',
    'product_servicecode',
    'product_region_code',
    'resource_tags',
  ]);
  const window = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };
  const rows = (await c.runAndReadAll(curSql(files, cols, window.start, window.end))).getRowObjectsJS();
  c.closeSync();
  db.closeSync();
  const names = [
    'account',
    'principal',
    'day',
    'usage_type',
    'product_name',
    'line_item_type',
    'tags',
    'region',
    'cost',
    'tokens',
  ];
  return athenaResultsBody(rows, names, { account: ACCOUNT, region: REGION });
}

describe('bill --engine athena (moto keeps the table and the query; results queued)', () => {
  const curDir = emptyDir();
  const logs = emptyDir();
  const env = { XDG_CACHE_HOME: emptyDir() };
  beforeAll(async () => {
    await writeCur(curDir, LINES);
    writeRecords(logs);
  });

  test('creates the table over the export, runs one query in the workgroup, bills as the embedded engine', async () => {
    await sdk(emulator().url, REGION).s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const { glue, athena } = clients();
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'bedrock_monitor' } }));
    await athena.send(new CreateWorkGroupCommand({ Name: 'billing' }));
    await emulator().queueResults('athena', await athenaAnswer(curDir));

    const local = await cli(['bill', '--month', '2026-11', '--cur', curDir, '--logs', logs, '--json'], { env, now });
    expect(local.code).toBe(0);
    const args = ['bill', '--month', '2026-11', '--cur', CUR, '--engine', 'athena', '--workgroup', 'billing'];
    const r = await cli([...args, '--logs', logs, '--json'], { env, now });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.writes.map((w) => w.operation)).toEqual(['CreateTable']);
    const a = BillSchema.parse(r.json());
    const l = BillSchema.parse(local.json());
    expect(a.sources.bill).toMatchObject({ kind: 'cur2', engine: 'athena', lineItems: l.sources.bill.lineItems });
    expect(l.sources.bill).toMatchObject({ engine: 'local', iamPrincipal: true });
    expect(a.sources.bill.iamPrincipal).toBe(true);
    expect(a.rows).toEqual(l.rows);
    expect(a.totals).toEqual(l.totals);
    expect(a.bridge).toEqual(l.bridge);
    expect(a.warnings.filter((w) => !w.startsWith('Athena query'))).toEqual(l.warnings);
    expect(a.warnings).toContainEqual(expect.stringMatching(/^Athena query [0-9a-f-]+ scanned 0\.0 MB \(\$0\.0000\)$/));

    // The table: the dictionary's columns, Parquet, BILLING_PERIOD projected as the export writes it.
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'bedrock_monitor', Name: 'cur2_export' }))).Table!;
    expect(t.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.billing_period.type': 'date',
      'projection.billing_period.format': 'yyyy-MM',
      'projection.billing_period.range': '2023-01,NOW',
      'projection.billing_period.interval': '1',
      'projection.billing_period.interval.unit': 'MONTHS',
      'storage.location.template': `${DATA}BILLING_PERIOD=\${billing_period}/`,
      ManagedBy: 'bedrock-monitor',
    });
    expect(t.PartitionKeys).toEqual([{ Name: 'billing_period', Type: 'string' }]);
    expect(t.StorageDescriptor?.Location).toBe(DATA);
    expect(t.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    const cols = Object.fromEntries((t.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type]));
    expect(cols).toMatchObject({
      line_item_iam_principal: 'string',
      line_item_usage_start_date: 'timestamp',
      line_item_unblended_cost: 'double',
      line_item_usage_amount: 'double',
      product: 'map<string,string>',
      product_region_code: 'string',
      resource_tags: 'map<string,string>',
    });

    // One query, in the workgroup, results under the tool's bucket, pruned to the window's billing period.
    const ids = (await athena.send(new ListQueryExecutionsCommand({ WorkGroup: 'billing' }))).QueryExecutionIds ?? [];
    expect(ids).toHaveLength(1);
    const q = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution!;
    expect(q.QueryExecutionContext?.Database).toBe('bedrock_monitor');
    expect(q.ResultConfiguration?.OutputLocation).toMatch(new RegExp(`^s3://${BUCKET}/athena-results/`));
    expect(q.Query).toContain('FROM "bedrock_monitor"."cur2_export" WHERE');
    expect(q.Query).toContain("AND billing_period IN ('2026-11') GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
    expect(q.Query).toContain("coalesce(nullif(product_region_code, ''), element_at(product, 'region'), '') AS region");
    expect(q.Query).toContain("date_format(line_item_usage_start_date, '%Y-%m-%d') AS day");
    expect(q.Query).toContain("coalesce(element_at(product, 'product_name'), element_at(product, 'servicename'), '')");
    expect(q.Query).toContain("map_filter(resource_tags, (k, v) -> starts_with(k, 'iamPrincipal/'))");
    expect(q.Query).toContain(
      "AND line_item_usage_start_date >= TIMESTAMP '2026-11-01 00:00:00.000' " +
        "AND line_item_usage_start_date < TIMESTAMP '2026-12-01 00:00:00.000'",
    );
    expect(q.Query).not.toContain('read_parquet');

    // A second run leaves the table as it is.
    await emulator().queueResults('athena', await athenaAnswer(curDir));
    const again = await cli([...args, '--logs', logs, '--json'], { env, now });
    expect(again.code).toBe(0);
    expect(again.writes).toEqual([]);
  });

  test('a table of that name bedrock-monitor did not make: left alone, exit 1', async () => {
    const { glue } = clients();
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'theirs' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'theirs',
        TableInput: { Name: 'cur2_export', StorageDescriptor: { Location: 's3://elsewhere/x/' } },
      }),
    );
    const cwd = emptyDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'bedrock-monitor.config.json'), JSON.stringify({ athena: { database: 'theirs' } }));
    const r = await cli(['bill', '--month', '2026-11', '--cur', CUR, '--engine', 'athena', '--logs', logs], {
      env,
      now,
      cwd,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Glue table theirs.cur2_export was not made by bedrock-monitor: left alone.');
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'theirs', Name: 'cur2_export' }))).Table!;
    expect(t.StorageDescriptor?.Location).toBe('s3://elsewhere/x/');
  });
});
