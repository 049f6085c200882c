import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '../sdk/client-cloudwatch-logs.js';
import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { Ctx } from '../context/context.js';
import { ASSUMED_ROLE_PATTERN } from '../core/identity.js';
import { BmError, usageError } from '../core/errors.js';
import { emptyLatency, figuresOf, latencyOf, noneOutside, type Aggregate } from './aggregate.js';
import { pollDelays } from './athena.js';
import type { Dim } from './dims.js';
import type { SqlWindow } from './sql.js';

/**
 * When invocation logging goes to CloudWatch Logs only, the aggregation runs there, with Logs
 * Insights: one query for the sums per group and model, one for the latency percentiles per
 * group, one for the overall percentiles, all three at once. Logs Insights reads no cache-write TTL
 * split other than Anthropic's `cache_creation`.
 *
 * The figures are read from `@message` by regular expressions, not from the fields Logs Insights
 * discovers in JSON: discovery stops at 200 fields per log event ("You can only parse JSON log events
 * that include no more than 200 log event fields", the `parse` page,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html), and a
 * record's body (messages, tools) flattens into many fields that come before its token counts in
 * AWS's key order. The early top-level keys (`schemaType`, `modelId`, `operation`, `accountId`,
 * `region`, `requestMetadata`) are still read as discovered fields.
 */

/**
 * StartQuery's maximum `limit` (botocore `EventsLimitStartQuery`: 1-100,000; "You can specify a limit
 * value of up to 100,000", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html).
 */
export const INSIGHTS_ROW_LIMIT = 100_000;

/**
 * Each value the report sums, as a regular expression over the record's JSON text (`@message`), one
 * `parse` each (a `parse` with several groups sets none when one is missing). A key is the first of
 * its name with a value of that type: Bedrock's own keys, which a body would hold only as a JSON number
 * under exactly that name.
 */
export const MESSAGE_FIELDS = {
  bm_arn: String.raw`"identity"\s*:\s*\{[^{}]*"arn"\s*:\s*"(?<bm_arn>[^"]+)"`,
  bm_in: String.raw`"inputTokenCount"\s*:\s*(?<bm_in>\d+)`,
  bm_out: String.raw`"outputTokenCount"\s*:\s*(?<bm_out>\d+)`,
  bm_cache_read: String.raw`"cacheReadInputTokenCount"\s*:\s*(?<bm_cache_read>\d+)`,
  bm_cache_write: String.raw`"cacheWriteInputTokenCount"\s*:\s*(?<bm_cache_write>\d+)`,
  bm_cache_1h: String.raw`"cache_creation"\s*:\s*\{[^{}]*"ephemeral_1h_input_tokens"\s*:\s*(?<bm_cache_1h>\d+)`,
  bm_latency: String.raw`"metrics"\s*:\s*\{[^{}]*"latencyMs"\s*:\s*(?<bm_latency>\d+)`,
  bm_error: String.raw`"errorCode"\s*:\s*"(?<bm_error>[^"]+)"`,
} as const;
type MessageField = keyof typeof MESSAGE_FIELDS;

/** `parse @message /…/` for one field (a slash inside the expression escaped, as the query syntax needs). */
const parseMessage = (f: MessageField): string => `parse @message /${MESSAGE_FIELDS[f].replace(/\//g, '\\/')}/`;

/**
 * The role in an assumed-role session ARN inside the message (src/lib/core/identity.ts's pattern,
 * kept inside the JSON string: no `"` in the role name).
 */
const roleInMessage = (name: string): string =>
  String.raw`"identity"\s*:\s*\{[^{}]*"arn"\s*:\s*"` +
  ASSUMED_ROLE_PATTERN.slice(1).replace('(', `(?<${name}>`).replace('[^/]+', '[^/"]+');

/** A field name in backticks when it holds characters Logs Insights would parse. */
const field = (name: string): string => (/^[\w.@]+$/.test(name) ? name : `\`${name.replace(/`/g, '')}\``);

export function insightsDim(d: Dim, i: number): { parse?: string; expr: string } {
  switch (d.kind) {
    case 'model':
      return { expr: 'coalesce(modelId, "(unknown)")' };
    case 'principal':
      return { expr: 'coalesce(bm_arn, "(unknown)")' };
    case 'operation':
      return { expr: 'coalesce(operation, "(unknown)")' };
    case 'account':
      return { expr: 'coalesce(accountId, "(unknown)")' };
    case 'region':
      return { expr: 'coalesce(region, "(unknown)")' };
    case 'day':
      return { expr: 'datefloor(@timestamp, 1d)' };
    case 'hour':
      return { expr: 'datefloor(@timestamp, 1h)' };
    case 'week':
    case 'month':
      // datefloor counts from the epoch, not from Mondays or the 1st: the local and Athena engines can.
      throw usageError(
        `--by ${d.name} is not available with Logs Insights (its periods are not calendar weeks or months): ` +
          `use --by day, or the local or Athena engine`,
      );
    case 'tag':
      return { expr: `coalesce(${field(`requestMetadata.${d.key ?? ''}`)}, "(none)")` };
    case 'role':
      return {
        parse: `parse @message /${roleInMessage(`role${i}`).replace(/\//g, '\\/')}/`,
        expr: `coalesce(role${i}, bm_arn, "(unknown)")`,
      };
    case 'application':
      return {
        parse: `parse modelId /^(?<app${i}>arn:[^:]+:bedrock:[^:]*:\\d*:application-inference-profile\\/.+)$/`,
        expr: `coalesce(app${i}, "(none)")`,
      };
  }
}

export function insightsQueries(dims: Dim[], window: SqlWindow): { sums: string; latency: string; total: string } {
  const parts = dims.map(insightsDim);
  const g = dims.map((_, i) => `g${i}`);
  const filters = [
    'filter schemaType = "ModelInvocationLog"',
    `filter @timestamp >= ${window.start.getTime()} and @timestamp < ${window.end.getTime()}`,
  ];
  const head = [
    ...filters,
    ...(Object.keys(MESSAGE_FIELDS) as MessageField[]).map(parseMessage),
    ...parts.flatMap((p) => (p.parse ? [p.parse] : [])),
    `fields ${parts.map((p, i) => `${p.expr} as ${g[i]}`).join(', ')}, coalesce(modelId, "(unknown)") as model, ` +
      `coalesce(region, "(unknown)") as t_region, datefloor(@timestamp, 1d) as p_day`,
  ];
  const pct =
    'count(*) as latency_count, pct(bm_latency, 50) as p50, pct(bm_latency, 90) as p90, ' +
    'pct(bm_latency, 99) as p99';
  const good = 'filter ispresent(bm_latency) and not ispresent(bm_error)';
  return {
    sums: [
      ...head,
      `stats count(*) as invocations, sum(bm_in) as input_tokens, sum(bm_out) as output_tokens, ` +
        `sum(bm_cache_read) as cache_read_tokens, sum(bm_cache_write) as cache_write_tokens, ` +
        `sum(bm_cache_1h) as cache_write_1h_tokens, count(bm_error) as errors by ` +
        // Hidden keys: each group's records per Region and UTC day, priced at that Region's rate of that day.
        [...g, 'model', 't_region', 'p_day'].join(', '),
      `limit ${INSIGHTS_ROW_LIMIT}`,
    ].join(' | '),
    latency: [...head, good, `stats ${pct} by ${g.join(', ')}`, `limit ${INSIGHTS_ROW_LIMIT}`].join(' | '),
    total: [...filters, parseMessage('bm_latency'), parseMessage('bm_error'), good, `stats ${pct}`].join(' | '),
  };
}

const asRecord = (row: ResultField[]): Record<string, string> =>
  Object.fromEntries(row.map((f) => [f.field ?? '', f.value ?? '']));

/** `2026-11-20 10:00:00.000` (Logs Insights' datefloor) as the logs engines spell hours and days. */
export function normaliseKey(d: Dim, v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2})/.exec(v);
  if (!m) return v;
  return d.kind === 'day' ? m[1]! : d.kind === 'hour' ? `${m[1]}T${m[2]}:00:00Z` : v;
}

/** A finished query: its rows, and how many log events matched it (GetQueryResults `statistics`). */
interface QueryAnswer {
  rows: Record<string, string>[];
  recordsMatched: number | null;
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * Said when the sums query returned StartQuery's maximum number of groups: the groups left out are unknown, but
 * the records they hold are `recordsMatched` less the invocations of the groups returned.
 */
export function limitWarning(groups: number, covered: number, matched: number | null): string[] {
  if (groups < INSIGHTS_ROW_LIMIT) return [];
  const of = matched !== null && matched >= covered ? ` covering ${int.format(covered)} of ${int.format(matched)}` : '';
  const missing = matched !== null && matched > covered ? ` (${int.format(matched - covered)} records left out)` : '';
  return [
    `Logs Insights returned its limit of ${int.format(INSIGHTS_ROW_LIMIT)} groups${of} matched records${missing}: ` +
      `the report is incomplete; use fewer dimensions or a shorter window`,
  ];
}

async function runQuery(ctx: Ctx, logGroupName: string, queryString: string, window: SqlWindow): Promise<QueryAnswer> {
  const logs = ctx.aws.get(CloudWatchLogsClient);
  const { queryId } = await logs.send(
    new StartQueryCommand({
      logGroupName,
      startTime: Math.floor(window.start.getTime() / 1000),
      endTime: Math.ceil(window.end.getTime() / 1000),
      queryString,
      limit: INSIGHTS_ROW_LIMIT,
    }),
  );
  if (!queryId) throw new BmError('CloudWatch Logs StartQuery returned no query ID');
  const delay = pollDelays();
  for (;;) {
    const r = await logs.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete')
      return { rows: (r.results ?? []).map(asRecord), recordsMatched: r.statistics?.recordsMatched ?? null };
    if (r.status && !['Scheduled', 'Running'].includes(r.status)) {
      throw new BmError(`Logs Insights query on ${logGroupName} ended ${r.status}`, {
        hint: 'Narrow the window (--hours) and run the report again.',
      });
    }
    await ctx.sleep(delay());
  }
}

/** A sums row's hidden pricing keys: the Region its records name and their UTC day. */
function pricingKeys(row: Record<string, string>): { region?: string; day?: string } {
  const day = (row.p_day ?? '').slice(0, 10);
  return {
    ...(row.t_region ? { region: row.t_region } : {}),
    ...(/^\d{4}-\d{2}-\d{2}$/.test(day) ? { day } : {}),
  };
}

export async function aggregateInsights(
  ctx: Ctx,
  req: { logGroupName: string; dims: Dim[]; window: SqlWindow },
): Promise<Aggregate> {
  const q = insightsQueries(req.dims, req.window);
  const [sums, latency, total] = await Promise.all(
    [q.sums, q.latency, q.total].map((s) => runQuery(ctx, req.logGroupName, s, req.window)),
  );
  const keysOf = (row: Record<string, string>): string[] => req.dims.map((d, i) => normaliseKey(d, row[`g${i}`] ?? ''));
  const groups = sums!.rows
    .map((row) => ({ keys: keysOf(row), model: row.model ?? '(unknown)', ...pricingKeys(row), ...figuresOf(row) }))
    .filter((g) => g.invocations > 0);
  const covered = groups.reduce((n, g) => n + g.invocations, 0);
  const warnings = [
    'Logs Insights percentiles are approximate, and cache writes are split by TTL only where the record ' +
      "carries Anthropic's cache_creation",
    ...limitWarning(sums!.rows.length, covered, sums!.recordsMatched),
  ];
  return {
    groups,
    targets: [],
    latency: latency!.rows.map((row) => ({ keys: keysOf(row), latency: latencyOf(row) })),
    totalLatency: total!.rows[0] ? latencyOf(total!.rows[0]) : emptyLatency(),
    skipped: { malformedLines: null, objects: 0, unreadableFiles: [], outsideTargets: noneOutside() },
    source: {
      kind: 'logs',
      engine: 'insights',
      location: `CloudWatch Logs ${req.logGroupName}`,
      bodyUsageFields: true,
      exactPercentiles: false,
    },
    warnings,
  };
}
