import { CloudWatchClient, DeleteDashboardsCommand, GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { MANAGED_TAGS } from '../aws/ownership.js';
import { bundledPriceTable } from '../pricing/table.js';
import { insightRuleWidgets, wantsInsightRules } from './insight-rules.js';

const NS = '{AWS/Bedrock,ModelId}';
/** In the header widget of every dashboard the tool writes: how it knows a dashboard is its own. */
export const DASHBOARD_MARKER = 'Managed by bedrock-monitor';
const search = (metric: string, stat: string, period: number, extra = ''): string => `SEARCH('${NS} MetricName="${metric}"${extra}', '${stat}', ${period})`;

type MetricRow = Record<string, unknown>[];

/** A graph of one or more SEARCH expressions: per-model series plus, optionally, their total. */
function perModel(metrics: { metric: string; stat: string; label: string; total?: boolean }[], period: number, idBase: string): MetricRow[] {
  const rows: MetricRow[] = [];
  metrics.forEach((m, i) => {
    const id = `${idBase}${i}`;
    rows.push([{ expression: search(m.metric, m.stat, period), id, label: `${m.label} ` }]);
    if (m.total) rows.push([{ expression: `SUM(${id})`, id: `${id}total`, label: `${m.label} (all models)` }]);
  });
  return rows;
}

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

function metricWidget(region: string, title: string, metrics: MetricRow[], opts: { stat?: string; period: number; yLabel?: string }, pos: { x: number; y: number; w?: number; h?: number }): Widget {
  return {
    type: 'metric',
    x: pos.x,
    y: pos.y,
    width: pos.w ?? 12,
    height: pos.h ?? 6,
    properties: {
      title,
      region,
      view: 'timeSeries',
      stacked: false,
      period: opts.period,
      ...(opts.stat ? { stat: opts.stat } : {}),
      metrics,
      ...(opts.yLabel ? { yAxis: { left: { label: opts.yLabel, showUnits: false } } } : {}),
    },
  };
}

/**
 * Estimated cost per hour: for each price-table family, the hourly token sums of its models
 * (found by SEARCH, so models first used later are included) times the list price.
 */
function costMetrics(): MetricRow[] {
  const rows: MetricRow[] = [];
  const terms: string[] = [];
  bundledPriceTable().models.forEach((m, i) => {
    const pick = ` "${m.searchTerm}"`;
    const parts = [
      ['InputTokenCount', m.input],
      ['OutputTokenCount', m.output],
      ['CacheWriteInputTokens', m.cacheWrite],
      ['CacheReadInputTokens', m.cacheRead],
    ] as const;
    const sums = parts.map(([metric, price]) => `FILL(SUM(${search(metric, 'Sum', 3600, pick)}), 0) * ${price}`);
    const id = `cost${i}`;
    rows.push([{ expression: `(${sums.join(' + ')}) / 1000000`, id, label: `${m.name}`, visible: true }]);
    terms.push(id);
  });
  rows.push([{ expression: terms.join(' + '), id: 'costtotal', label: 'All priced models' }]);
  return rows;
}

/** The Logs Insights query: metadata of recent invocations only, never prompt or response bodies. */
export function recentInvocationsQuery(logGroupName: string): string {
  return [
    `SOURCE '${logGroupName}'`,
    'fields @timestamp, modelId, identity.arn as principal, input.inputTokenCount as inputTokens, output.outputTokenCount as outputTokens, input.cacheReadInputTokenCount as cacheRead, output.outputBodyJson.metrics.latencyMs as latencyMs, errorCode',
    'sort @timestamp desc',
    'limit 50',
  ].join(' | ');
}

/** `extra`: widgets appended below the tool's own (the Contributor Insights rules). */
export function dashboardBody(region: string, logGroupName: string, extra: Record<string, unknown>[] = []): { widgets: Widget[] } {
  const w = (title: string, metrics: MetricRow[], period: number, x: number, y: number, yLabel?: string): Widget => metricWidget(region, title, metrics, { period, yLabel }, { x, y });
  return {
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
          markdown: `## Amazon Bedrock usage (${region})\nPer-model series use SEARCH, so models first used after setup appear by themselves. Costs are estimates from list prices (${bundledPriceTable().date}, global-endpoint rates); \`bedrock-monitor report\` applies Regional premiums. ${DASHBOARD_MARKER}: edits are reverted by \`bedrock-monitor dashboard\`.`,
        },
      },
      w('Invocations', perModel([{ metric: 'Invocations', stat: 'Sum', label: 'Invocations', total: true }], 300, 'inv'), 300, 0, 2),
      w('Estimated cost (USD per hour)', costMetrics(), 3600, 12, 2, 'USD'),
      w(
        'Input and output tokens',
        perModel(
          [
            { metric: 'InputTokenCount', stat: 'Sum', label: 'Input', total: true },
            { metric: 'OutputTokenCount', stat: 'Sum', label: 'Output', total: true },
          ],
          300,
          'tok',
        ),
        300,
        0,
        8,
      ),
      w(
        'Prompt cache tokens',
        perModel(
          [
            { metric: 'CacheReadInputTokens', stat: 'Sum', label: 'Cache read', total: true },
            { metric: 'CacheWriteInputTokens', stat: 'Sum', label: 'Cache write', total: true },
          ],
          300,
          'cache',
        ),
        300,
        12,
        8,
      ),
      w(
        'Invocation latency (ms)',
        perModel(
          [
            { metric: 'InvocationLatency', stat: 'Average', label: 'Average' },
            { metric: 'InvocationLatency', stat: 'p99', label: 'p99' },
          ],
          300,
          'lat',
        ),
        300,
        0,
        14,
        'ms',
      ),
      w(
        'Time to first token (ms, streaming)',
        perModel(
          [
            { metric: 'TimeToFirstToken', stat: 'p50', label: 'p50' },
            { metric: 'TimeToFirstToken', stat: 'p99', label: 'p99' },
          ],
          300,
          'ttft',
        ),
        300,
        12,
        14,
        'ms',
      ),
      w(
        'Errors and throttles',
        perModel(
          [
            { metric: 'InvocationClientErrors', stat: 'Sum', label: 'Client errors', total: true },
            { metric: 'InvocationServerErrors', stat: 'Sum', label: 'Server errors', total: true },
            { metric: 'InvocationThrottles', stat: 'Sum', label: 'Throttles', total: true },
          ],
          300,
          'err',
        ),
        300,
        0,
        20,
      ),
      metricWidget(
        region,
        'Invocation log delivery',
        [
          ['AWS/Bedrock', 'ModelInvocationLogsCloudWatchDeliverySuccess', { label: 'CloudWatch success' }],
          ['AWS/Bedrock', 'ModelInvocationLogsCloudWatchDeliveryFailure', { label: 'CloudWatch failure', color: '#d62728' }],
          ['AWS/Bedrock', 'ModelInvocationLogsS3DeliverySuccess', { label: 'S3 success' }],
          ['AWS/Bedrock', 'ModelInvocationLogsS3DeliveryFailure', { label: 'S3 failure', color: '#ff7f0e' }],
        ] as unknown as MetricRow[],
        { stat: 'Sum', period: 300 },
        { x: 12, y: 20 },
      ),
      {
        type: 'log',
        x: 0,
        y: 26,
        width: 24,
        height: 8,
        properties: { title: 'Recent invocations (metadata only)', region, view: 'table', query: recentInvocationsQuery(logGroupName) },
      },
      ...(extra as unknown as Widget[]),
    ],
  };
}

export interface DashboardState {
  body: unknown;
}

export function dashboardResource(ctx: Ctx): ResourceDef<DashboardState> {
  const { region, dashboardName, logGroupName } = ctx.settings;
  const cw = ctx.aws.get(CloudWatchClient);
  const body = dashboardBody(region, logGroupName, wantsInsightRules(ctx.settings) ? insightRuleWidgets(region, 34) : []);
  // Tags are applied on creation only (AWS ignores them on update, and moto ignores them): the
  // ownership rule is the marker in the body, which every copy of the tool's dashboard carries.
  const put = async (tags = false): Promise<void> => {
    await cw.send(new PutDashboardCommand({ DashboardName: dashboardName, DashboardBody: JSON.stringify(body), ...(tags ? { Tags: MANAGED_TAGS } : {}) }));
  };
  return {
    resource: 'dashboard',
    name: dashboardName,
    desired: { body },
    async read() {
      const r = await absentIfNotFound(cw.send(new GetDashboardCommand({ DashboardName: dashboardName })));
      if (!r?.DashboardBody) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.DashboardBody);
      } catch {
        parsed = r.DashboardBody;
      }
      return { body: parsed };
    },
    attributes: [{ field: 'body', get: (s) => s.body, update: () => put() }],
    create: () => put(true),
    ownership: { rule: `carrying the "${DASHBOARD_MARKER}" header`, owns: (s) => JSON.stringify(s.body).includes(DASHBOARD_MARKER) },
    remove: async () => void (await cw.send(new DeleteDashboardsCommand({ DashboardNames: [dashboardName] }))),
  };
}
