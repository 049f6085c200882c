import { describe, expect, test } from '@jest/globals';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
} from '@aws-sdk/client-athena';
import {
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  GetTagsCommand,
  GlueClient,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregationSql, DUCKDB, FIGURE_COLUMNS } from '../../../src/lib/logs/sql.js';
import { queryJsonFiles } from '../../../src/lib/logs/duckdb.js';
import { duckColumns } from '../../../src/lib/logs/schema.js';
import { localFiles } from '../../../src/lib/logs/local.js';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cliFor, useMoto } from '../../support/cli.js';
import { APP_SEARCH, APP_SUPPORT, corpusRates, defaultSpec, toUsdRates, writeCorpus } from '../../support/corpus.js';
import { athenaResultsBody } from '../../support/emulator.js';

/**
 * The Athena engine on moto: the athena-table step converges a Glue database and a partition-
 * projected table (as specified, and a re-run writes nothing); the query path runs against moto's
 * Athena with results queued through its injection API. The shared SQL itself is checked against
 * the local engine in logs-sql.test.ts (moto cannot run SQL).
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const SPEC = defaultSpec();
const WINDOW = [
  '--since',
  SPEC.start.toISOString(),
  '--until',
  new Date(SPEC.start.getTime() + SPEC.hours * 3_600_000).toISOString(),
];
const now = new Date(SPEC.start.getTime() + 2 * 24 * 3_600_000);

function clients() {
  const c = {
    region: REGION,
    endpoint: emulator().url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return { glue: new GlueClient(c), athena: new AthenaClient(c) };
}

function configDir(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-athena-'));
  const rates = corpusRates(SPEC);
  const prices = Object.fromEntries(
    [APP_SEARCH(ACCOUNT, REGION), APP_SUPPORT(ACCOUNT, REGION)].map((a) => [a, toUsdRates(rates[a]!)]),
  );
  writeFileSync(
    join(dir, 'bedrock-monitor.config.json'),
    JSON.stringify({ athena: { enabled: true, workgroup: 'primary' }, prices, ...extra }),
  );
  return dir;
}

const LOCATION = `s3://${BUCKET}/AWSLogs/`;

describe('athena-table: the Glue database and table', () => {
  test(
    'created as specified: projection on the hour path, location, metadata columns only; a re-run writes ' + 'nothing',
    async () => {
      const cwd = configDir();
      const r = await cli(['athena-table', '--json'], { cwd });
      expect(r.code).toBe(0);
      expect(r.json().outcomes.map((o: { resource: string; action: string }) => [o.resource, o.action])).toEqual([
        ['glue-database', 'created'],
        ['athena-table', 'created'],
      ]);
      const { glue } = clients();
      const t = (await glue.send(new GetTableCommand({ DatabaseName: 'bedrock_monitor', Name: 'invocation_logs' })))
        .Table!;
      // https://docs.aws.amazon.com/athena/latest/ug/partition-projection-kinesis-firehose-example.html: date
      // projection over yyyy/MM/dd/HH, range "start,NOW", interval 1 HOURS, and a location template with ${dt}.
      expect(t.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy/MM/dd/HH',
        'projection.dt.range': '2023/01/01/00,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'HOURS',
        // The injected partitions (partition-projection-dynamic-id-partitioning.html): the query names the values.
        'projection.account.type': 'injected',
        'projection.region.type': 'injected',
        'storage.location.template': `${LOCATION}\${account}/BedrockModelInvocationLogs/\${region}/\${dt}/`,
        ManagedBy: 'bedrock-monitor',
      });
      expect(t.TableType).toBe('EXTERNAL_TABLE');
      expect(t.PartitionKeys).toEqual([
        { Name: 'account', Type: 'string' },
        { Name: 'region', Type: 'string' },
        { Name: 'dt', Type: 'string' },
      ]);
      expect(t.StorageDescriptor?.Location).toBe(LOCATION);
      // https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html: library name and ignore.malformed.json.
      expect(t.StorageDescriptor?.SerdeInfo).toEqual({
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
      });
      const cols = Object.fromEntries((t.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type]));
      expect(cols).toEqual({
        schematype: 'string',
        timestamp: 'string',
        operation: 'string',
        modelid: 'string',
        errorcode: 'string',
        identity: 'struct<arn:string>',
        input: 'struct<inputtokencount:bigint,cachereadinputtokencount:bigint,cachewriteinputtokencount:bigint>',
        cachereadinputtokencount: 'bigint',
        cachewriteinputtokencount: 'bigint',
        output: 'struct<outputtokencount:bigint>',
        requestmetadata: 'map<string,string>',
      });
      // Never a body column.
      expect(JSON.stringify(cols)).not.toMatch(/body/i);
      const db = await glue.send(new GetDatabaseCommand({ Name: 'bedrock_monitor' }));
      expect(db.Database?.Name).toBe('bedrock_monitor');
      const tags = await glue.send(
        new GetTagsCommand({ ResourceArn: `arn:aws:glue:${REGION}:${ACCOUNT}:database/bedrock_monitor` }),
      );
      expect(tags.Tags).toEqual({ ManagedBy: 'bedrock-monitor' });

      const again = await cli(['athena-table', '--json'], { cwd });
      expect(again.writes).toEqual([]);
      expect(again.json().outcomes.map((o: { action: string }) => o.action)).toEqual(['unchanged', 'unchanged']);
    },
  );

  test(
    'setup-all runs it only when athena.enabled; status checks ' + 'it; drift is repaired; cleanup removes it',
    async () => {
      const off = await cli(['setup-all', '--yes', '--json'], { cwd: mkdtempSync(join(tmpdir(), 'bm-')) });
      expect(off.json().steps.map((s: { step: string }) => s.step)).not.toContain('athena-table');
      const cwd = configDir();
      const on = await cli(['setup-all', '--yes', '--json'], { cwd });
      expect(on.code).toBe(0);
      expect(on.json().steps).toContainEqual({ step: 'athena-table', status: 'ok' });
      expect(
        (await cli(['status', '--json'], { cwd }))
          .json()
          .rows.filter((r: { resource: string }) => r.resource.match(/athena|glue/)),
      ).toEqual([
        {
          resource: 'athena-table',
          name: 'bedrock_monitor.invocation_logs',
          status: 'ok',
          changes: [],
          step: 'athena-table',
          repair: null,
        },
        {
          resource: 'glue-database',
          name: 'bedrock_monitor',
          status: 'ok',
          changes: [],
          step: 'athena-table',
          repair: null,
        },
      ]);
      const { glue } = clients();
      const t = (await glue.send(new GetTableCommand({ DatabaseName: 'bedrock_monitor', Name: 'invocation_logs' })))
        .Table!;
      await glue.send(
        new UpdateTableCommand({
          DatabaseName: 'bedrock_monitor',
          TableInput: {
            Name: t.Name,
            TableType: t.TableType,
            Parameters: { ...t.Parameters, 'projection.dt.interval': '2' },
            PartitionKeys: t.PartitionKeys,
            StorageDescriptor: t.StorageDescriptor,
          },
        }),
      );
      const drift = await cli(['status', '--json'], { cwd });
      expect(drift.code).toBe(3);
      expect(drift.json().rows.find((r: { resource: string }) => r.resource === 'athena-table')).toMatchObject({
        status: 'drifted',
        changes: [{ field: 'parameters' }],
      });
      const fix = await cli(['athena-table', '--json'], { cwd });
      expect(fix.json().outcomes[1]).toMatchObject({ resource: 'athena-table', action: 'updated' });
      expect((await cli(['status'], { cwd })).code).toBe(0);

      // The bill's CUR table (bill --engine athena) carries the ownership parameter: it goes with the database.
      await clients().glue.send(
        new CreateTableCommand({
          DatabaseName: 'bedrock_monitor',
          TableInput: { Name: 'cur2_export', Parameters: { ManagedBy: 'bedrock-monitor' } },
        }),
      );
      const clean = await cli(['cleanup', '--yes', '--json'], { cwd });
      expect(clean.code).toBe(0);
      const removed = clean
        .json()
        .outcomes.filter((o: { resource: string }) => /athena|glue/.test(o.resource))
        .map((o: { resource: string; action: string }) => [o.resource, o.action]);
      expect(removed).toEqual([
        ['athena-table', 'deleted'],
        ['glue-database', 'deleted'],
      ]);
    },
  );

  test(
    'a same-named table without the ManagedBy parameter is not changed (exit 2); cleanup leaves a database ' +
      'holding it',
    async () => {
      const { glue } = clients();
      const cwd = configDir();
      expect((await cli(['athena-table'], { cwd })).code).toBe(0);
      await glue.send(
        new CreateTableCommand({
          DatabaseName: 'bedrock_monitor',
          TableInput: { Name: 'someone_elses', StorageDescriptor: { Location: 's3://elsewhere/' } },
        }),
      );
      const clean = await cli(['cleanup', '--yes', '--json'], { cwd });
      const db = clean.json().outcomes.find((o: { resource: string }) => o.resource === 'glue-database');
      expect(db).toMatchObject({ action: 'failed' });
      expect(db.note).toContain('someone_elses');
      expect(
        (await glue.send(new GetTableCommand({ DatabaseName: 'bedrock_monitor', Name: 'someone_elses' }))).Table?.Name,
      ).toBe('someone_elses');

      const cwd2 = configDir({ athena: { enabled: true, table: 'someone_elses' } });
      const r = await cli(['athena-table'], { cwd: cwd2 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is not carrying the table parameter ManagedBy=bedrock-monitor');
    },
  );
});

describe('report --engine athena (moto answers with queued results)', () => {
  /** What Athena would answer: the shared SQL's rows for the corpus, as strings with a header row. */
  async function athenaAnswer(dims: string) {
    const dir = mkdtempSync(join(tmpdir(), 'bm-corpus-'));
    const truth = writeCorpus(dir, SPEC);
    const window = { start: SPEC.start, end: new Date(SPEC.start.getTime() + SPEC.hours * 3_600_000) };
    const d = parseDims(dims);
    const sql = aggregationSql({ relation: 'invocation_log', dims: d, window, dialect: DUCKDB });
    const { rows } = await queryJsonFiles({
      files: localFiles(dir, window).files,
      columns: duckColumns(),
      view: 'invocation_log',
      filename: true,
      sql,
      tempDir: dir,
    });
    const names = ['kind', ...d.map((_, i) => `g${i}`), 'model', 't_account', 't_region', ...FIGURE_COLUMNS];
    return { truth, body: athenaResultsBody(rows, names, { account: ACCOUNT, region: REGION }) };
  }

  test(
    'starts the query in the workgroup with results under the log bucket, polls, parses and prices the rows, ' +
      'reports data scanned',
    async () => {
      const cwd = configDir({ athena: { enabled: true, workgroup: 'analytics', resultsPrefix: 'athena/results' } });
      await sdk(emulator().url, REGION).s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      expect((await cli(['athena-table'], { cwd })).code).toBe(0);
      await clients().athena.send(new CreateWorkGroupCommand({ Name: 'analytics' }));
      const { truth, body } = await athenaAnswer('principal');
      await emulator().queueResults('athena', body);
      const r = await cli(
        ['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW, '--json'],
        {
          cwd,
          now,
        },
      );
      expect(r.code).toBe(0);
      const rep = r.json();
      expect(rep.source).toMatchObject({
        engine: 'athena',
        dataScannedBytes: 0,
        bodyUsageFields: false,
        exactPercentiles: false,
      });
      expect(rep.rows).toHaveLength(truth.groups.principal.size);
      for (const row of rep.rows) {
        const t = truth.groups.principal.get(row.principal)!;
        expect([row.invocations, row.inputTokens, row.outputTokens, row.errors]).toEqual([
          t.invocations,
          t.inputTokens,
          t.outputTokens,
          t.errors,
        ]);
        expect(Math.round(row.costUsd * 100)).toBe(Math.round(t.costNanoUsd / 1e7));
      }
      expect(rep.skipped.malformedLines).toBe(0);
      expect(r.stderr).toContain('Athena reads the metadata columns only');
      const { athena } = clients();
      const ids =
        (await athena.send(new ListQueryExecutionsCommand({ WorkGroup: 'analytics' }))).QueryExecutionIds ?? [];
      expect(ids).toHaveLength(1);
      const q = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution!;
      expect(q.ResultConfiguration?.OutputLocation).toMatch(
        new RegExp(`^s3://${BUCKET}/athena/results/[0-9a-f-]+\\.csv$`),
      );
      expect(q.QueryExecutionContext?.Database).toBe('bedrock_monitor');
      // Partition pruning on the projected hours of the window (and the hour after it), never data/ objects.
      expect(q.Query).toContain(`dt >= '2026/11/20/00' AND dt <= '2026/11/20/06'`);
      expect(q.Query).toContain(`"$path" NOT LIKE '%/data/%'`);
      expect(q.Query).toContain('approx_percentile(latency_ms, 0.99)');
      expect(q.Query).toContain('FROM "bedrock_monitor"."invocation_logs"');
    },
  );

  test('a workgroup that does not exist: exit 1 naming the setting', async () => {
    const cwd = configDir({ athena: { enabled: true, workgroup: 'nope' } });
    expect((await cli(['athena-table'], { cwd })).code).toBe(0);
    const r = await cli(['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW], {
      cwd,
      now,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WorkGroup does not exist');
    expect(r.stderr).toContain('--workgroup or "athena": {"workgroup"');
  });

  test('no table yet: exit 1 naming the step that makes it', async () => {
    const r = await cli(['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW], {
      cwd: configDir(),
      now,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bedrock-monitor athena-table');
  });
});
