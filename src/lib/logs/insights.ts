import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
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
 * group, one for the overall percentiles, all three at once. Logs Insights returns at most 10,000
 * rows per query and reads no cache-write TTL split other than Anthropic's `cache_creation`.
 */

export const INSIGHTS_ROW_LIMIT = 10_000;
const LATENCY = 'output.outputBodyJson.metrics.latencyMs';

/** A field name in backticks when it holds characters Logs Insights would parse. */
const field = (name: string): string => (/^[\w.@]+$/.test(name) ? name : `\`${name.replace(/`/g, '')}\``);

export function insightsDim(d: Dim, i: number): { parse?: string; expr: string } {
  switch (d.kind) {
    case 'model':
      return { expr: 'coalesce(modelId, "(unknown)")' };
    case 'principal':
      return { expr: 'coalesce(identity.arn, "(unknown)")' };
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
        parse: `parse identity.arn /${ASSUMED_ROLE_PATTERN.replace('(', `(?<role${i}>`).replace(/\//g, '\\/')}/`,
        expr: `coalesce(role${i}, identity.arn, "(unknown)")`,
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
  const head = [
    'filter schemaType = "ModelInvocationLog"',
    `filter @timestamp >= ${window.start.getTime()} and @timestamp < ${window.end.getTime()}`,
    ...parts.flatMap((p) => (p.parse ? [p.parse] : [])),
    `fields ${parts.map((p, i) => `${p.expr} as ${g[i]}`).join(', ')}, coalesce(modelId, "(unknown)") as model`,
  ];
  const pct =
    `count(*) as latency_count, pct(${LATENCY}, 50) as p50, pct(${LATENCY}, 90) as p90, pct(${LATENCY}, 99) as ` +
    `p99`;
  const good = `filter ispresent(${LATENCY}) and not ispresent(errorCode)`;
  return {
    sums: [
      ...head,
      `stats count(*) as invocations, sum(input.inputTokenCount) as input_tokens, ` +
        `sum(output.outputTokenCount) as output_tokens, sum(input.cacheReadInputTokenCount) as ` +
        `cache_read_tokens, sum(input.cacheWriteInputTokenCount) as cache_write_tokens, ` +
        `sum(output.outputBodyJson.usage.cache_creation.ephemeral_1h_input_tokens) as cache_write_1h_tokens, ` +
        `count(errorCode) as errors by ${[...g, 'model'].join(', ')}`,
      `limit ${INSIGHTS_ROW_LIMIT}`,
    ].join(' | '),
    latency: [...head, good, `stats ${pct} by ${g.join(', ')}`, `limit ${INSIGHTS_ROW_LIMIT}`].join(' | '),
    total: [...head.slice(0, 2), good, `stats ${pct}`].join(' | '),
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

async function runQuery(
  ctx: Ctx,
  logGroupName: string,
  queryString: string,
  window: SqlWindow,
): Promise<Record<string, string>[]> {
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
    if (r.status === 'Complete') return (r.results ?? []).map(asRecord);
    if (r.status && !['Scheduled', 'Running'].includes(r.status)) {
      throw new BmError(`Logs Insights query on ${logGroupName} ended ${r.status}`, {
        hint: 'Narrow the window (--hours) and run the report again.',
      });
    }
    await ctx.sleep(delay());
  }
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
  const warnings = [
    'Logs Insights percentiles are approximate, and cache writes are split by TTL only where the record ' +
      "carries Anthropic's cache_creation",
    ...(sums!.length >= INSIGHTS_ROW_LIMIT
      ? [
          `Logs Insights returned its limit of ${INSIGHTS_ROW_LIMIT} groups: the report is incomplete; use ` +
            `fewer dimensions or a shorter window`,
        ]
      : []),
  ];
  return {
    groups: sums!
      .map((row) => ({ keys: keysOf(row), model: row.model ?? '(unknown)', ...figuresOf(row) }))
      .filter((g) => g.invocations > 0),
    targets: [],
    latency: latency!.map((row) => ({ keys: keysOf(row), latency: latencyOf(row) })),
    totalLatency: total![0] ? latencyOf(total![0]) : emptyLatency(),
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
