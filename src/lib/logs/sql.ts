import { ASSUMED_ROLE_PATTERN } from '../core/identity.js';
import type { Dim } from './dims.js';

/**
 * THE aggregation: one SQL text for both engines (DuckDB locally, Athena/Trino in AWS), over a
 * relation shaped like the invocation log record (src/lib/logs/schema.ts). Where the two SQL
 * dialects differ, a small dialect map says how; everything else (CASE, GROUPING SETS,
 * try(), regexp_extract, substr) is written once and means the same in both.
 *
 * One pass over the data: a single GROUP BY GROUPING SETS gives, in one scan (Athena bills per
 * byte scanned), the sums per group and model (priced per model afterwards), the latency
 * percentiles per group, the overall percentiles and the count of lines that are not invocation
 * records. Rows tell which set they belong to by `kind`.
 */

export interface Dialect {
  name: 'duckdb' | 'athena';
  /** An aggregate: the p-quantile of expr. DuckDB's is exact; Athena's approximate. */
  percentile(expr: string, p: number): string;
  exactPercentiles: boolean;
  /** Latency in ms of one record, or NULL. */
  latencyMs: string;
  /** 1-hour cache-write tokens of one record (0 when the record does not say). */
  cacheWrite1h: string;
  /** A token count as a number (NULL when absent or not a number). */
  count(expr: string): string;
  /** Whether a token count is there but not a number (`"<count>"`); FALSE where the engine cannot tell. */
  notANumber(expr: string): string;
  /** A request-metadata value by key, or NULL. */
  tag(key: string): string;
  /** Rows to read at all: partitions of the window (Athena's projection), not `data/` objects. */
  scanFilter(window: SqlWindow): string;
  /** The account and the Region a record was logged in (its path's, else its own fields). */
  account: string;
  region: string;
  /**
   * Where records of other targets are left out: in the WHERE clause (Athena: partition pruning, so they are never
   * scanned nor counted), or in the aggregation (DuckDB: read, left out and counted).
   */
  targetsInWhere: boolean;
}

/** The accounts and Regions whose records count (absent: any). */
export interface SqlTargets {
  accounts?: string[];
  regions?: string[];
}

export interface SqlWindow {
  start: Date;
  end: Date;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const OUT = `"output".outputBodyJson`;

function pathOrField(pattern: string, field: string): string {
  return `coalesce(nullif(regexp_extract(filename, ${lit(pattern)}, 1), ''), ${field}, '(unknown)')`;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  percentile: (e, p) => `quantile_cont(${e}, ${p})`,
  exactPercentiles: true,
  latencyMs: `${OUT}.metrics.latencyMs`,
  cacheWrite1h:
    `coalesce(list_sum(list_transform(list_filter(${OUT}.usage.cacheDetails, x -> x.ttl = '1h'), x -> ` +
    `x.inputTokens)), ${OUT}.usage.cache_creation.ephemeral_1h_input_tokens, 0)`,
  // Token counts are read as text (schema.ts, `count`): a value that is not a number is told from an absent one.
  count: (e) => `TRY_CAST(${e} AS BIGINT)`,
  notANumber: (e) => `(${e} IS NOT NULL AND TRY_CAST(${e} AS BIGINT) IS NULL)`,
  tag: (k) => `try("requestMetadata"[${lit(k)}])`,
  scanFilter: () => 'TRUE',
  // `filename` is read_json's column naming each record's file (see local.ts).
  account: pathOrField('AWSLogs/([0-9]{12})/BedrockModelInvocationLogs/', '"accountId"'),
  region: pathOrField('/BedrockModelInvocationLogs/([a-z0-9-]+)/', '"region"'),
  targetsInWhere: false,
};

/** `yyyy/MM/dd/HH` of the hour holding t: the partition-projection value (and the S3 path). */
export function hourKey(t: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}/${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())}/${p(t.getUTCHours())}`;
}

/** The hour after `end` is read too: Bedrock delivers a record a few minutes after it happened. */
export const DELIVERY_LAG_MS = 3_600_000;

/**
 * Athena reads the Glue table, which declares metadata only: no response-body member, since the
 * OpenX SerDe fails a whole query when a declared struct meets a streamed (array) body. So there is
 * no per-record latency and no TTL split there; the report says so.
 */
export const ATHENA: Dialect = {
  name: 'athena',
  percentile: (e, p) => `approx_percentile(${e}, ${p})`,
  exactPercentiles: false,
  latencyMs: 'CAST(NULL AS BIGINT)',
  cacheWrite1h: '0',
  // The Glue table declares the counts BIGINT: the SerDe reads them (or fails the query), it does not say which.
  count: (e) => e,
  notANumber: () => 'FALSE',
  // The OpenX SerDe lowercases keys by default: look up both spellings.
  tag: (k) =>
    k === k.toLowerCase()
      ? `try("requestMetadata"[${lit(k)}])`
      : `coalesce(try("requestMetadata"[${lit(k)}]), try("requestMetadata"[${lit(k.toLowerCase())}]))`,
  scanFilter: (w) =>
    `dt >= ${lit(hourKey(w.start))} AND dt <= ` +
    `${lit(hourKey(new Date(w.end.getTime() + DELIVERY_LAG_MS - 1)))} AND "$path" NOT LIKE '%/data/%'`,
  // The table's projected partitions (src/lib/resources/athena-table.ts): the path's account and Region.
  account: '"account"',
  region: '"region"',
  targetsInWhere: true,
};

const ARN = `"identity".arn`;

export function dimExpr(d: Dim, dialect: Dialect): string {
  switch (d.kind) {
    case 'model':
      return `coalesce("modelId", '(unknown)')`;
    case 'day':
      return `substr("timestamp", 1, 10)`;
    case 'hour':
      return `replace(substr("timestamp", 1, 13), ' ', 'T') || ':00:00Z'`;
    case 'week':
      // The Monday of the ISO week (UTC), as YYYY-MM-DD: the same expression in DuckDB and Trino.
      return `CAST(CAST(date_trunc('week', CAST(substr("timestamp", 1, 10) AS DATE)) AS DATE) AS VARCHAR)`;
    case 'month':
      return `substr("timestamp", 1, 7)`;
    case 'principal':
      // The caller as logged, an assumed-role session's name kept (core/identity.ts).
      return `coalesce(${ARN}, '(unknown)')`;
    case 'role':
      // An assumed-role session without its session name; users and other principals as they are (core/identity.ts).
      return `coalesce(nullif(regexp_extract(${ARN}, ${lit(ASSUMED_ROLE_PATTERN)}, 1), ''), ${ARN}, '(unknown)')`;
    case 'application':
      return `CASE WHEN "modelId" LIKE '%:application-inference-profile/%' THEN "modelId" ELSE '(none)' END`;
    case 'operation':
      return `coalesce("operation", '(unknown)')`;
    case 'tag':
      return `coalesce(${dialect.tag(d.key ?? '')}, '(none)')`;
    case 'account':
      return dialect.account;
    case 'region':
      return dialect.region;
  }
}

/** ISO-8601 second, the form Bedrock writes (`2026-11-20T10:00:00Z`), compared as text. */
const isoSecond = (t: Date): string => t.toISOString().slice(0, 19);

export interface AggregationRequest {
  relation: string;
  dims: Dim[];
  window: SqlWindow;
  dialect: Dialect;
  targets?: SqlTargets;
}

/** Whether a record is of the chosen targets, as SQL (TRUE when any will do). */
export function targetCondition(t: SqlTargets | undefined, dialect: Dialect): string {
  // A record that does not say where it was logged (no such path, no such field) is not left out.
  const inList = (expr: string, values: string[]): string =>
    dialect.targetsInWhere
      ? `${expr} IN (${values.map(lit).join(', ')})`
      : `${expr} IN (${[...values, '(unknown)'].map(lit).join(', ')})`;
  const parts = [
    ...(t?.accounts ? [inList(dialect.account, t.accounts)] : []),
    ...(t?.regions ? [inList(dialect.region, t.regions)] : []),
  ];
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/**
 * The token counts a record may hold as something other than a number, each with the record field(s) it is read from
 * (the cache counts in two places): such a record's invocation counts, that figure of it does not, and it is counted
 * here instead of read as 0.
 */
export const NOT_A_NUMBER = [
  { column: 'nan_input', figure: 'input_tokens', fields: ['input.inputTokenCount'] },
  { column: 'nan_output', figure: 'output_tokens', fields: ['output.outputTokenCount'] },
  {
    column: 'nan_cache_read',
    figure: 'cache_read_tokens',
    fields: ['input.cacheReadInputTokenCount', 'cacheReadInputTokenCount'],
  },
  {
    column: 'nan_cache_write',
    figure: 'cache_write_tokens',
    fields: ['input.cacheWriteInputTokenCount', 'cacheWriteInputTokenCount'],
  },
] as const;

/** A record path (`input.inputTokenCount`) as SQL: its first member quoted, as the relation declares it. */
const fieldSql = (path: string): string => {
  const [head, ...rest] = path.split('.');
  return [`"${head}"`, ...rest].join('.');
};

/** Output columns, in order: kind, g0…gN-1, model, t_account, t_region, p_day, then the figures. */
export const FIGURE_COLUMNS = [
  'invocations',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'errors',
  'latency_count',
  'p50',
  'p90',
  'p99',
  'malformed',
  'outside',
  ...NOT_A_NUMBER.map((f) => f.column),
] as const;

/** The first CTE: a row per line of the relation, its group values, where it was logged and its raw figures. */
function baseCte(req: AggregationRequest, g: string[], inside: string): string {
  const { dims, dialect, window } = req;
  // "YYYY-MM-DD hh:mm:ss" (a space: how Panther, for one, publishes records) is compared as the ISO form, else
  // ' ' < 'T' puts every such record before the window's first day (test/commands/record-corpus.test.ts, G1–G4).
  const ts = `replace(substr("timestamp", 1, 19), ' ', 'T')`;
  const inWindow = `${ts} >= ${lit(isoSecond(window.start))} AND ${ts} < ${lit(isoSecond(window.end))}`;
  const notRecord = `("schemaType" IS NULL OR "schemaType" <> 'ModelInvocationLog')`;
  const where = dialect.targetsInWhere && inside !== 'TRUE' ? ` AND ${inside}` : '';
  return `base AS (
  SELECT
    ${dims.map((d, i) => `${dimExpr(d, dialect)} AS ${g[i]}`).join(',\n    ')},
    coalesce("modelId", '(unknown)') AS model,
    ${dialect.account} AS t_account,
    ${dialect.region} AS t_region,
    substr(${ts}, 1, 10) AS p_day,
    "schemaType" = 'ModelInvocationLog' AS ok,
    ${dialect.targetsInWhere ? 'TRUE' : inside} AS inside,
    "errorCode" IS NOT NULL AS failed,
    ${NOT_A_NUMBER.map(
      (n) => `coalesce(${n.fields.map((f) => dialect.count(fieldSql(f))).join(', ')}) AS ${n.figure}`,
    ).join(',\n    ')},
    ${NOT_A_NUMBER.map(
      (n) => `${n.fields.map((f) => dialect.notANumber(fieldSql(f))).join(' OR ')} AS ${n.column}`,
    ).join(',\n    ')},
    ${dialect.cacheWrite1h} AS cache_write_1h_tokens,
    ${dialect.latencyMs} AS latency_ms
  FROM ${req.relation}
  WHERE ${dialect.scanFilter(window)}${where}
    AND (${notRecord} OR (${inWindow}))
)`;
}

export function aggregationSql(req: AggregationRequest): string {
  const { dims, dialect } = req;
  const g = dims.map((_, i) => `g${i}`);
  // Each row's figures are gated once here (NULL when they do not count), so that the aggregates
  // need no FILTER clause: a line that is not a record counts only as malformed, a record of another
  // target only as outside; latency counts for successful records only.
  const when = (cond: string, expr: string): string => `CASE WHEN ${cond} THEN ${expr} END`;
  const inside = targetCondition(req.targets, dialect);
  const counted = dialect.targetsInWhere || inside === 'TRUE' ? 'ok' : 'ok AND inside';
  const set = [...g, 'model'].join(', ');
  // Hidden keys of the group rows: each group's records per Region and UTC day, priced at that Region's rate of that
  // day (report/logs-compute.ts sums them into the visible groups).
  const priced = `${set}, t_region, p_day`;
  return (
    `WITH ${baseCte(req, g, inside)},
records AS (
  SELECT
    ${set}, t_account, t_region, p_day,
    ${when(counted, '1')} AS invocation,
    ${when(`${counted} AND failed`, '1')} AS error,
    ${when('NOT coalesce(ok, false)', '1')} AS not_record,
    ${when('ok AND NOT inside', '1')} AS outside,
    ${when(counted, 'input_tokens')} AS input_tokens,
    ${when(counted, 'output_tokens')} AS output_tokens,
    ${when(counted, 'cache_read_tokens')} AS cache_read_tokens,
    ${when(counted, 'cache_write_tokens')} AS cache_write_tokens,
    ${when(counted, 'cache_write_1h_tokens')} AS cache_write_1h_tokens,
    ${when(`${counted} AND NOT failed`, 'latency_ms')} AS latency_ms,
    ${NOT_A_NUMBER.map((n) => `${when(`${counted} AND ${n.column}`, '1')} AS ${n.column}`).join(',\n    ')}
  FROM base
)
SELECT
  -- By grouping set, not by NULLs: malformed lines (all NULL) must not pass for the totals row.
  CASE WHEN GROUPING(model) = 0 AND GROUPING(${g[0]}) = 0 THEN 'group' WHEN GROUPING(model) = 0 THEN 'target' ` +
    `WHEN GROUPING(${g[0]}) = 0 THEN 'latency' ELSE 'total' END AS kind,
  ${set}, t_account, t_region, p_day,
  count(invocation) AS invocations,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  sum(cache_read_tokens) AS cache_read_tokens,
  sum(cache_write_tokens) AS cache_write_tokens,
  sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
  count(error) AS errors,
  count(latency_ms) AS latency_count,
  ${dialect.percentile('latency_ms', 0.5)} AS p50,
  ${dialect.percentile('latency_ms', 0.9)} AS p90,
  ${dialect.percentile('latency_ms', 0.99)} AS p99,
  count(not_record) AS malformed,
  count(outside) AS outside,
  ${NOT_A_NUMBER.map((n) => `count(${n.column}) AS ${n.column}`).join(',\n  ')}
FROM records
GROUP BY GROUPING SETS ((${priced}), (t_account, t_region, model, p_day), (${g.join(', ')}), ())`
  );
}
