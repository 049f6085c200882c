import { GetTableCommand, GlueClient } from '../sdk/client-glue.js';
import type { Ctx } from '../context/context.js';
import { absentIfNotFound } from '../aws/errors.js';
import { BmError } from '../core/errors.js';
import { fromSqlRows, noneOutside, type Aggregate } from './aggregate.js';
import { athenaCostUsd, runAthenaQuery } from './athena.js';
import type { Dim } from './dims.js';
import { aggregationSql, ATHENA, type SqlTargets, type SqlWindow } from './sql.js';

/** The Athena engine: the shared SQL (Athena dialect) over the Glue table, results under the log bucket. */

export interface AthenaRequest {
  dims: Dim[];
  window: SqlWindow;
  /** Whose records count: the table's account and region partitions (pruned, never scanned otherwise). */
  scope?: SqlTargets;
  onState?: (state: string, elapsedMs: number) => void;
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

export async function aggregateAthena(ctx: Ctx, req: AthenaRequest): Promise<Aggregate> {
  const { database, table, workgroup, resultsPrefix } = ctx.settings.athena;
  const t = await absentIfNotFound(
    ctx.aws.get(GlueClient).send(new GetTableCommand({ DatabaseName: database, Name: table })),
  );
  if (!t?.Table) {
    throw new BmError(`The Athena table ${database}.${table} does not exist.`, {
      hint: 'Create it with `bedrock-monitor athena-table` (or set "athena": {"enabled": true} and run setup-all).',
    });
  }
  const bucket = await ctx.bucketName();
  const sql = aggregationSql({
    relation: `${ident(database)}.${ident(table)}`,
    dims: req.dims,
    window: req.window,
    dialect: ATHENA,
    ...(req.scope ? { targets: req.scope } : {}),
  });
  const r = await runAthenaQuery(ctx, {
    sql,
    database,
    workgroup,
    outputLocation: `s3://${bucket}/${resultsPrefix}/`,
    ...(req.onState ? { onState: req.onState } : {}),
  });
  const parsed = fromSqlRows(r.rows, req.dims);
  return {
    groups: parsed.groups,
    targets: parsed.targets,
    latency: parsed.latency,
    totalLatency: parsed.totalLatency,
    skipped: {
      malformedLines: parsed.malformedLines,
      objects: 0,
      unreadableFiles: [],
      unreadableFields: null,
      outsideTargets: noneOutside(),
    },
    source: {
      kind: 'logs',
      engine: 'athena',
      location: `${database}.${table} (${t.Table.StorageDescriptor?.Location ?? 'no location'})`,
      queryExecutionId: r.queryExecutionId,
      dataScannedBytes: r.dataScannedBytes,
      queryCostUsd: Math.round(athenaCostUsd(r.dataScannedBytes) * 1e6) / 1e6,
      bodyUsageFields: false,
      exactPercentiles: false,
    },
    warnings: [
      'Athena reads the metadata columns only: no per-record latency, and 1-hour cache writes are priced at ' +
        'the 5-minute rate (use the local engine for both)',
    ],
  };
}
