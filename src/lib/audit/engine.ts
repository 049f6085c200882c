import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BEDROCK_EVENT_SOURCE } from '../core/cloudtrail.js';
import { BmError } from '../core/errors.js';
import { queryJsonFiles } from '../logs/duckdb.js';
import { STEP_MS, timelineStep } from './timeline.js';
import type { AuditWindow, CallGroup, SkippedRecords } from './types.js';

/**
 * The CloudTrail query for the embedded engine (the logs layer's DuckDB runner, as for the
 * invocation logs) over CloudTrail log files (`{"Records": [...]}`, gzip or not): it reads only the
 * fields the audit needs, with pinned types, keeps the Region's Bedrock calls in the window (and the
 * previous one), and counts them per identity, event, source IP, error code and period of the timeline
 * (audit/timeline.ts). The aggregator then
 * applies the same rules as for the event history. Memory is bounded by DuckDB (it streams the
 * files); the result has one row per distinct group, not per call. A file that is not CloudTrail's
 * JSON fails the audit (it is not left out): the result would otherwise be silently short.
 */

/** The record fields the audit reads, typed exactly (other fields are not parsed into values). */
const RECORD = `STRUCT(
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR,
  errorCode VARCHAR, recipientAccountId VARCHAR,
  userIdentity STRUCT("type" VARCHAR, arn VARCHAR, principalId VARCHAR, accountId VARCHAR, invokedBy VARCHAR,
    sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))))`;

const VIEW = 'cloudtrail_file';

/** The accounts and Regions whose calls count (absent: any); values are checked codes and IDs. */
export interface TrailScope {
  accounts?: string[];
  regions?: string[];
}

const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;
const list = (values: string[]): string => values.map(lit).join(', ');

/**
 * The account of a call: its file's path (`AWSLogs/<account>/CloudTrail/…`, or an organization trail's
 * `AWSLogs/<org-id>/<account>/CloudTrail/…`), else the record's recipientAccountId.
 */
const ACCOUNT =
  `coalesce(nullif(regexp_extract(filename, 'AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/', 1), ''), ` +
  `r.recipientAccountId)`;

/** Why a record in the window is skipped (not counted), in the result's `skipped`. */
export const SKIP_REASONS = {
  source: 'record without eventSource: cannot tell whether it is a Bedrock call',
  region: 'Bedrock record without awsRegion: cannot tell which Region it was made in',
} as const;

export function engineQuery(scope: TrailScope = {}): string {
  const inRegions = (col: string): string => (scope.regions ? `${col} IN (${list(scope.regions)})` : 'true');
  const accounts = scope.accounts ? `AND acct IN (${list(scope.accounts)})` : '';
  return `
WITH records AS (
  SELECT unnest(Records) AS r, filename
  FROM ${VIEW}
), calls AS (
  SELECT r.userIdentity."type" AS itype, r.userIdentity.arn AS iarn, r.userIdentity.principalId AS ipid,
    r.userIdentity.accountId AS iacct, r.userIdentity.invokedBy AS iby,
    r.userIdentity.sessionContext.sessionIssuer.arn AS iissuer,
    coalesce(r.eventName, '(unknown)') AS eventName, r.sourceIPAddress AS ip, nullif(r.errorCode, '') AS err,
    ${ACCOUNT} AS acct, nullif(r.awsRegion, '') AS region, nullif(r.eventSource, '') AS source, filename,
    epoch_ms(TRY_CAST(r.eventTime AS TIMESTAMPTZ)) AS t
  FROM records
  WHERE (nullif(r.eventSource, '') = $source OR nullif(r.eventSource, '') IS NULL)
)
-- One pass: the Bedrock calls counted, and beside them (skip not null) the records that cannot be placed, which are
-- not counted but said (issue 20): without eventSource (of any Region chosen, or none), or Bedrock without awsRegion.
SELECT CASE WHEN source IS NULL THEN ${lit(SKIP_REASONS.source)} WHEN region IS NULL THEN ${lit(SKIP_REASONS.region)}
    END AS skip,
  CASE WHEN source IS NULL OR region IS NULL THEN filename END AS file,
  itype, iarn, ipid, iacct, iby, iissuer, eventName, ip, err, acct, region, t < $start AS previous,
  t // $step AS period,
  count(*)::BIGINT AS n, min(t)::BIGINT AS first, max(t)::BIGINT AS last
FROM calls
WHERE (region IS NULL OR ${inRegions('region')}) AND t >= $from AND t < $end ${accounts}
GROUP BY ALL`;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => Number(v);

function toCallGroup(r: Row): CallGroup {
  return {
    identity: {
      type: str(r.itype),
      arn: str(r.iarn),
      principalId: str(r.ipid),
      accountId: str(r.iacct),
      invokedBy: str(r.iby),
      issuerArn: str(r.iissuer),
    },
    eventName: str(r.eventName) ?? '(unknown)',
    sourceIp: str(r.ip),
    errorCode: str(r.err),
    account: str(r.acct),
    region: str(r.region),
    count: num(r.n),
    first: num(r.first),
    last: num(r.last),
    previous: r.previous === true,
  };
}

/** A file by its path from `AWSLogs/` (the key a trail wrote; the rest is the directory or the cache), else whole. */
function fileName(path: string): string {
  const p = path.replace(/\\/g, '/');
  const at = p.indexOf('AWSLogs/');
  return at >= 0 ? p.slice(at) : path;
}

/**
 * Counts the chosen accounts' and Regions' Bedrock calls in the files, for the window and the one before it; returns
 * the records in the window it could not place. Ctrl-C (the signal) interrupts the query.
 */
export async function countTrailCalls(
  files: string[],
  w: AuditWindow,
  scope: TrailScope,
  sink: (g: CallGroup) => void,
  signal?: AbortSignal,
): Promise<SkippedRecords[]> {
  if (files.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-monitor-'));
  try {
    const { rows } = await queryJsonFiles({
      files,
      columns: `{Records: '${RECORD.replace(/\s+/g, ' ')}[]'}`,
      format: 'unstructured',
      errors: 'fail',
      view: VIEW,
      filename: true,
      sql: engineQuery(scope),
      params: {
        source: BEDROCK_EVENT_SOURCE,
        start: BigInt(w.start.getTime()),
        from: BigInt(w.previousStart.getTime()),
        end: BigInt(w.end.getTime()),
        // Counted per period of the timeline too, so that each group's calls lie in one period.
        step: BigInt(STEP_MS[timelineStep(w)]),
      },
      tempDir: scratch,
      signal,
    });
    const skipped = new Map<string, SkippedRecords>();
    for (const row of rows) {
      if (typeof row.skip !== 'string') sink(toCallGroup(row));
      else if (row.previous !== true) {
        // Only the audited window's: the figures are its.
        const file = fileName(String(row.file));
        const key = `${file}\u0000${row.skip}`;
        const s = skipped.get(key) ?? { file, reason: row.skip, records: 0 };
        s.records += num(row.n);
        skipped.set(key, s);
      }
    }
    return [...skipped.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  } catch (err) {
    if (err instanceof BmError && err.interrupted) throw err;
    throw new BmError(
      `Could not read the CloudTrail files: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      {
        hint: 'The files must be CloudTrail log files ({"Records": [...]}, .json.gz or .json).',
        cause: err,
      },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
