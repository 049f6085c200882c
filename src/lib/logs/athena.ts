import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetWorkGroupCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
} from '../sdk/client-athena.js';
import type { ColumnInfo, Row } from '@aws-sdk/client-athena';
import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { BmError } from '../core/errors.js';

/**
 * One Athena query, generically: start it in a workgroup with results under a given S3 location (or in
 * Athena-managed storage when the workgroup uses it),
 * poll its state with a growing delay, page through the results, and report the bytes scanned.
 */

export interface AthenaQuery {
  sql: string;
  database: string;
  workgroup: string;
  /** s3://bucket/prefix/ for the result files. */
  outputLocation: string;
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  onState?: (state: string, elapsedMs: number) => void;
}

export interface AthenaResult {
  queryExecutionId: string;
  rows: Record<string, string | null>[];
  dataScannedBytes: number;
  engineMs: number | null;
}

/** First poll after 300 ms, then 1.5× longer each time, at most 5 s apart. */
export function pollDelays(): () => number {
  let next = 300;
  return () => {
    const d = next;
    next = Math.min(5000, Math.round(next * 1.5));
    return d;
  };
}

/** Athena's price: $5 per TB scanned, at least 10 MB per query (https://aws.amazon.com/athena/pricing/). */
export function athenaCostUsd(bytes: number): number {
  return (Math.max(bytes, 10 * 1024 * 1024) / 1024 ** 4) * 5;
}

async function waitFor(
  ctx: Ctx,
  athena: AthenaClient,
  id: string,
  q: AthenaQuery,
): Promise<{ scanned: number; engineMs: number | null }> {
  const delay = pollDelays();
  const started = ctx.now().getTime();
  let waited = 0;
  for (;;) {
    const r = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const status = r.QueryExecution?.Status;
    const state = status?.State ?? 'UNKNOWN';
    q.onState?.(state, waited);
    if (state === 'SUCCEEDED') {
      const stats = r.QueryExecution?.Statistics;
      return { scanned: stats?.DataScannedInBytes ?? 0, engineMs: stats?.EngineExecutionTimeInMillis ?? null };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason ?? 'no reason given';
      throw new BmError(`Athena query ${id} ${state.toLowerCase()}: ${reason}`, {
        hint:
          'Check that the table exists (`bedrock-monitor athena-table`), the workgroup, and that the caller ' +
          'may read the log bucket and write the results location.',
      });
    }
    if (waited > (q.timeoutMs ?? 30 * 60_000))
      throw new BmError(
        `Athena query ${id} still ${state} after ${Math.round(waited / 1000)} s: giving up (it may still ` +
          `finish in the console)`,
      );
    const d = delay();
    await ctx.sleep(d);
    waited = Math.max(waited + d, ctx.now().getTime() - started);
  }
}

/** Result rows as objects by column name; the header row (first row of a SELECT) is dropped when it is one. */
export function rowsOf(columns: ColumnInfo[], pages: Row[][]): Record<string, string | null>[] {
  const names = columns.map((c) => c.Name ?? '');
  const all = pages.flat().map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
  if (all.length && names.length && all[0]!.every((v, i) => v === names[i])) all.shift();
  return all.map((values) => Object.fromEntries(values.map((v, i) => [names[i] ?? `c${i}`, v])));
}

/**
 * Whether the workgroup keeps query results in Athena-managed storage. Such a workgroup "cannot have the
 * ResultConfiguration$OutputLocation parameter" (ManagedQueryResultsConfiguration, Athena API reference:
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_ManagedQueryResultsConfiguration.html), so its queries
 * go without one. When the workgroup cannot be read (no athena:GetWorkGroup), the location is sent as before.
 */
export async function managedResults(athena: AthenaClient, workgroup: string): Promise<boolean> {
  try {
    const r = await athena.send(new GetWorkGroupCommand({ WorkGroup: workgroup }));
    return r?.WorkGroup?.Configuration?.ManagedQueryResultsConfiguration?.Enabled === true;
  } catch {
    return false;
  }
}

async function start(athena: AthenaClient, q: AthenaQuery) {
  const managed = await managedResults(athena, q.workgroup);
  try {
    return await athena.send(
      new StartQueryExecutionCommand({
        QueryString: q.sql,
        QueryExecutionContext: { Database: q.database, Catalog: 'AwsDataCatalog' },
        WorkGroup: q.workgroup,
        ...(managed ? {} : { ResultConfiguration: { OutputLocation: q.outputLocation } }),
      }),
    );
  } catch (err) {
    if (/workgroup/i.test((err as Error).message ?? '')) {
      const e = toBmError(err);
      throw new BmError(e.message, {
        hint:
          `Create the workgroup, or name an existing one with --workgroup or "athena": {"workgroup": …} in the ` +
          `config file (now "${q.workgroup}").`,
        cause: err,
      });
    }
    throw err;
  }
}

export async function runAthenaQuery(ctx: Ctx, q: AthenaQuery): Promise<AthenaResult> {
  const athena = ctx.aws.get(AthenaClient);
  const started = await start(athena, q);
  const id = started.QueryExecutionId;
  if (!id) throw new BmError('Athena StartQueryExecution returned no query ID');
  const { scanned, engineMs } = await waitFor(ctx, athena, id, q);
  let columns: ColumnInfo[] = [];
  const pages: Row[][] = [];
  for await (const page of paginateGetQueryResults({ client: athena }, { QueryExecutionId: id, MaxResults: 1000 })) {
    if (!columns.length) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    pages.push(page.ResultSet?.Rows ?? []);
  }
  return { queryExecutionId: id, rows: rowsOf(columns, pages), dataScannedBytes: scanned, engineMs };
}
