import type { Dim } from './dims.js';
import { NOT_A_NUMBER } from './sql.js';

/**
 * What every engine returns: sums per group and model (so each model is priced at its own rate),
 * latency percentiles per group and overall, and what was skipped. Engines differ only in how they
 * get there.
 */

export interface Figures {
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Part of cacheWriteTokens the records say were written with a 1-hour TTL. */
  cacheWrite1hTokens: number;
  errors: number;
}

export interface GroupFigures extends Figures {
  /** One value per dimension, in the order of the request. */
  keys: string[];
  model: string;
  /**
   * Hidden keys, not shown: the Region the records were logged in and their UTC day (YYYY-MM-DD), so that each is
   * priced with its Region's table at that day's rate. Absent (or '(unknown)') where the engine cannot tell.
   */
  region?: string;
  day?: string;
}

export interface Latency {
  /** Records with a latency. */
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface Skipped {
  /** Lines that are not invocation records (malformed JSON, other schemas); null when the engine cannot tell. */
  malformedLines: number | null;
  /** Objects or files that are not log files (`data/` bodies, permission checks, empty) or not of the window. */
  objects: number;
  /**
   * Files the engine could not read whole (truncated or corrupt gzip, not gzip, unreadable), left out whole: none of
   * their records count, not even those before the damage.
   */
  unreadableFiles: { file: string; reason: string }[];
  /**
   * Per token figure, the records whose count is there but not a number (`"<count>"`): their invocations count, that
   * figure of theirs does not. Null (or absent) when the engine cannot tell.
   */
  unreadableFields?: UnreadableField[] | null;
  /** What belongs to accounts or Regions that are not among the chosen targets: left out, never added. */
  outsideTargets: OutsideTargets;
}

export interface UnreadableField {
  /** The record field(s) it was read from, e.g. `output.outputTokenCount`. */
  field: string;
  records: number;
}

/**
 * Records of other accounts or Regions found where the logs were read (a central tree, a local copy): files told
 * apart by their path (`…/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/…`), records by their `accountId`
 * and `region` fields.
 */
export interface OutsideTargets {
  /** Log files left out for their path. */
  files: number;
  /** Records left out for their fields (in files whose path does not say). */
  records: number;
  /** Per account and Region found in the paths, the files left out. */
  by: { account: string; region: string; files: number }[];
}

export const noneOutside = (): OutsideTargets => ({ files: 0, records: 0, by: [] });

/** Per target (account and Region) and model, the figures: for the per-target rows and their reconciliation. */
export interface TargetFigures extends Figures {
  account: string;
  region: string;
  model: string;
  /** The records' UTC day (YYYY-MM-DD), where the engine tells. */
  day?: string;
}

export interface SourceInfo {
  kind: 'logs';
  engine: 'local' | 'athena' | 'insights';
  location: string;
  /** Log objects (or files) read. */
  objects?: number;
  bytes?: number;
  downloadedObjects?: number;
  downloadedBytes?: number;
  /** The local cache directory, or null with --no-cache. */
  cacheDir?: string | null;
  listCalls?: number;
  queryExecutionId?: string;
  dataScannedBytes?: number;
  /** Athena's $5 per TB scanned (10 MB minimum per query), an estimate. */
  queryCostUsd?: number;
  /**
   * Whether latency and the cache-write TTL split were read (the local engine reads them; Athena's table declares
   * metadata only).
   */
  bodyUsageFields: boolean;
  exactPercentiles: boolean;
}

export interface Aggregate {
  groups: GroupFigures[];
  /** Per account, Region and model (engines that cannot tell give none). */
  targets: TargetFigures[];
  latency: { keys: string[]; latency: Latency }[];
  totalLatency: Latency;
  skipped: Skipped;
  source: SourceInfo;
  warnings: string[];
}

const num = (v: unknown): number => {
  if (v === null || v === undefined || v === '') return 0;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};
const numOrNull = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : num(v));
const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';

export const emptyLatency = (): Latency => ({ count: 0, p50: null, p90: null, p99: null });

export function latencyOf(row: Record<string, unknown>): Latency {
  const count = num(row.latency_count);
  return count ? { count, p50: numOrNull(row.p50), p90: numOrNull(row.p90), p99: numOrNull(row.p99) } : emptyLatency();
}

export function figuresOf(row: Record<string, unknown>): Figures {
  return {
    invocations: num(row.invocations),
    inputTokens: num(row.input_tokens),
    outputTokens: num(row.output_tokens),
    cacheReadTokens: num(row.cache_read_tokens),
    cacheWriteTokens: num(row.cache_write_tokens),
    cacheWrite1hTokens: Math.min(num(row.cache_write_1h_tokens), num(row.cache_write_tokens)),
    errors: num(row.errors),
  };
}

/** The hidden pricing keys of a row (`t_region`, `p_day`), those it has. */
function pricingKeys(row: Record<string, unknown>, withRegion: boolean): { region?: string; day?: string } {
  const region = str(row.t_region);
  const day = str(row.p_day).slice(0, 10);
  return {
    ...(withRegion && region ? { region } : {}),
    ...(/^\d{4}-\d{2}-\d{2}$/.test(day) ? { day } : {}),
  };
}

/** Reads the rows of the shared SQL (either engine: numbers or numeric strings alike). */
export function fromSqlRows(
  rows: Record<string, unknown>[],
  dims: Dim[],
): Pick<Aggregate, 'groups' | 'latency' | 'totalLatency' | 'targets'> & {
  malformedLines: number;
  outsideRecords: number;
  unreadableFields: UnreadableField[];
} {
  const keysOf = (row: Record<string, unknown>): string[] => dims.map((_, i) => str(row[`g${i}`]));
  const out = {
    groups: [] as GroupFigures[],
    targets: [] as TargetFigures[],
    latency: [] as Aggregate['latency'],
    totalLatency: emptyLatency(),
    malformedLines: 0,
    outsideRecords: 0,
    unreadableFields: [] as UnreadableField[],
  };
  for (const row of rows) {
    const kind = str(row.kind);
    if (kind === 'total') {
      out.totalLatency = latencyOf(row);
      out.malformedLines = num(row.malformed);
      out.outsideRecords = num(row.outside);
      out.unreadableFields = NOT_A_NUMBER.filter((n) => num(row[n.column]) > 0).map((n) => ({
        field: n.fields.join(' or '),
        records: num(row[n.column]),
      }));
    } else if (kind === 'target') {
      if (num(row.invocations) > 0)
        out.targets.push({
          account: str(row.t_account),
          region: str(row.t_region),
          model: str(row.model),
          ...pricingKeys(row, false),
          ...figuresOf(row),
        });
    } else if (kind === 'latency') {
      if (num(row.invocations) > 0) out.latency.push({ keys: keysOf(row), latency: latencyOf(row) });
    } else if (kind === 'group' && num(row.invocations) > 0) {
      out.groups.push({ keys: keysOf(row), model: str(row.model), ...pricingKeys(row, true), ...figuresOf(row) });
    }
  }
  return out;
}
