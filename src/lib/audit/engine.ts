import { BEDROCK_EVENT_SOURCE } from '../core/cloudtrail.js';
import { BmError } from '../core/errors.js';
import type { AuditWindow, CallGroup } from './types.js';

/**
 * The embedded engine (DuckDB) over CloudTrail log files (`{"Records": [...]}`, gzip or not): it
 * reads only the fields the audit needs, with pinned types, keeps the Region's Bedrock calls in the
 * window (and the previous one), and counts them per identity, event, source IP and error code.
 * The aggregator then applies the same rules as for the event history. Memory is bounded by DuckDB
 * (it streams the files); the result has one row per distinct group, not per call.
 */

/** The record fields the audit reads, typed exactly (other fields are not parsed into values). */
const RECORD = `STRUCT(
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, errorCode VARCHAR,
  userIdentity STRUCT("type" VARCHAR, arn VARCHAR, principalId VARCHAR, accountId VARCHAR, invokedBy VARCHAR,
    sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))))`;

/** One CloudTrail file is one JSON object; AWS caps a file at 50 MB compressed. */
const MAX_OBJECT_BYTES = 2 ** 31 - 1;

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function engineQuery(files: string[]): string {
  return `
WITH records AS (
  SELECT unnest(Records) AS r
  FROM read_json([${files.map(literal).join(', ')}], columns = {Records: '${RECORD.replace(/\s+/g, ' ')}[]'},
    format = 'unstructured', compression = 'auto_detect', maximum_object_size = ${MAX_OBJECT_BYTES})
), calls AS (
  SELECT r.userIdentity."type" AS itype, r.userIdentity.arn AS iarn, r.userIdentity.principalId AS ipid,
    r.userIdentity.accountId AS iacct, r.userIdentity.invokedBy AS iby, r.userIdentity.sessionContext.sessionIssuer.arn AS iissuer,
    coalesce(r.eventName, '(unknown)') AS eventName, r.sourceIPAddress AS ip, nullif(r.errorCode, '') AS err,
    epoch_ms(TRY_CAST(r.eventTime AS TIMESTAMPTZ)) AS t
  FROM records
  WHERE r.eventSource = $source AND r.awsRegion = $region
)
SELECT itype, iarn, ipid, iacct, iby, iissuer, eventName, ip, err, t < $start AS previous,
  count(*)::BIGINT AS n, min(t)::BIGINT AS first, max(t)::BIGINT AS last
FROM calls
WHERE t >= $from AND t < $end
GROUP BY ALL`;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));

function toCallGroup(r: Row): CallGroup {
  return {
    identity: { type: str(r.itype), arn: str(r.iarn), principalId: str(r.ipid), accountId: str(r.iacct), invokedBy: str(r.iby), issuerArn: str(r.iissuer) },
    eventName: str(r.eventName) ?? '(unknown)',
    sourceIp: str(r.ip),
    errorCode: str(r.err),
    count: num(r.n),
    first: num(r.first),
    last: num(r.last),
    previous: r.previous === true,
  };
}

/** Counts the Region's Bedrock calls in the files, for the window and the one before it. */
export async function countTrailCalls(files: string[], w: AuditWindow, region: string, sink: (g: CallGroup) => void): Promise<void> {
  if (files.length === 0) return;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const reader = await connection.runAndReadAll(engineQuery(files), {
      source: BEDROCK_EVENT_SOURCE,
      region,
      start: BigInt(w.start.getTime()),
      from: BigInt(w.previousStart.getTime()),
      end: BigInt(w.end.getTime()),
    });
    for (const row of reader.getRowObjectsJS()) sink(toCallGroup(row));
  } catch (err) {
    throw new BmError(`Could not read the CloudTrail files: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, {
      hint: 'The files must be CloudTrail log files ({"Records": [...]}, .json.gz or .json).',
      cause: err,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
