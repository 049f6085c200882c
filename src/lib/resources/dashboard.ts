import {
  CloudWatchClient,
  DeleteDashboardsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  TagResourceCommand,
} from '../sdk/client-cloudwatch.js';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { BEDROCK_NAMESPACE, METRICS, MODEL_ID_DIMENSION, type MetricKey } from '../aws/bedrock-metrics.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { describePrices, pricesInUse } from '../context/prices.js';
import { priceFor } from '../pricing/price.js';
import { bundledPriceTable, type Rates } from '../pricing/table.js';
import { insightRuleWidgets, wantsInsightRules } from './insight-rules.js';

const NS = `{${BEDROCK_NAMESPACE},${MODEL_ID_DIMENSION}}`;
/** In the header widget of every dashboard the tool writes: how it knows a dashboard is its own. */
export const DASHBOARD_MARKER = 'Managed by bedrock-monitor';

/**
 * A SEARCH over the per-model metric. `modelTerm` narrows it to a family: an unquoted composite
 * term (ModelId=claude-sonnet-4-5), never a double-quoted partial name, which would have to equal a
 * whole ModelId to match (CloudWatch search expression syntax).
 */
export const search = (metric: string, stat: string, period: number, modelTerm?: string): string =>
  `SEARCH('${NS} MetricName="${metric}"${modelTerm ? ` ${MODEL_ID_DIMENSION}=${modelTerm}` : ''}', ` +
  `'${stat}', ${period})`;

type MetricRow = Record<string, unknown>[];

interface Series {
  metric: MetricKey;
  stat: string;
  label: string;
  /** Adds the sum over all models. */
  total?: boolean;
}

/** A graph of one or more SEARCH expressions: per-model series plus, optionally, their total. */
function perModel(series: Series[], period: number, idBase: string): MetricRow[] {
  const rows: MetricRow[] = [];
  series.forEach((m, i) => {
    const id = `${idBase}${i}`;
    rows.push([{ expression: search(METRICS[m.metric].name, m.stat, period), id, label: `${m.label} ` }]);
    if (m.total) rows.push([{ expression: `SUM(${id})`, id: `${id}total`, label: `${m.label} (all models)` }]);
  });
  return rows;
}

/** A dashboard widget as PutDashboard's body takes it (CloudWatch dashboard body structure). */
export interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

function metricWidget(
  region: string,
  title: string,
  metrics: MetricRow[],
  opts: { stat?: string; period: number; yLabel?: string },
  pos: { x: number; y: number; w?: number; h?: number },
): Widget {
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

/** The token metrics a price applies to, with the rate field of a price-table entry. */
const PRICED_TOKENS = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cacheWriteTokens', 'cacheWrite'],
  ['cacheReadTokens', 'cacheRead'],
] as const;

/**
 * Estimated cost per hour: for each price-table family, the hourly token sums of its models
 * (found by SEARCH, so models first used later are included) times the list price. Four SEARCH
 * expressions per family, well under the 100 a graph may hold.
 */
function costMetrics(pricing: DashboardPricing): MetricRow[] {
  const rows: MetricRow[] = [];
  const terms: string[] = [];
  bundledPriceTable().models.forEach((m, i) => {
    // Global-endpoint rates, from the table in use (the refreshed one when present).
    const rates = pricing.rates?.(m.family) ?? m;
    const sums = PRICED_TOKENS.map(
      ([metric, rate]) => `FILL(SUM(${search(METRICS[metric].name, 'Sum', 3600, m.searchTerm)}), 0) * ${rates[rate]}`,
    );
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
    'fields @timestamp, modelId, identity.arn as principal, input.inputTokenCount as inputTokens, ' +
      'output.outputTokenCount as outputTokens, input.cacheReadInputTokenCount as cacheRead, ' +
      'output.outputBodyJson.metrics.latencyMs as latencyMs, errorCode',
    'sort @timestamp desc',
    'limit 50',
  ].join(' | ');
}

function headerWidget(region: string, pricing: DashboardPricing): Widget {
  const markdown =
    `## Amazon Bedrock usage (${region})\nPer-model series use SEARCH, so models first used after setup appear ` +
    `by themselves. Costs are estimates from ${pricing.table} (global-endpoint rates); \`bedrock-monitor ` +
    `report\` applies Regional premiums. ${DASHBOARD_MARKER}: edits are reverted by \`bedrock-monitor ` +
    `dashboard\`.`;
  return { type: 'text', x: 0, y: 0, width: 24, height: 2, properties: { markdown } };
}

/** The per-model graphs: [title, series, id base, y-axis label]. */
const GRAPHS: [string, Series[], string, string?][] = [
  [
    'Input and output tokens',
    [
      { metric: 'inputTokens', stat: 'Sum', label: 'Input', total: true },
      { metric: 'outputTokens', stat: 'Sum', label: 'Output', total: true },
    ],
    'tok',
  ],
  [
    'Prompt cache tokens',
    [
      { metric: 'cacheReadTokens', stat: 'Sum', label: 'Cache read', total: true },
      { metric: 'cacheWriteTokens', stat: 'Sum', label: 'Cache write', total: true },
    ],
    'cache',
  ],
  [
    'Invocation latency (ms)',
    [
      { metric: 'latency', stat: 'Average', label: 'Average' },
      { metric: 'latency', stat: 'p99', label: 'p99' },
    ],
    'lat',
    'ms',
  ],
  [
    'Time to first token (ms, streaming)',
    [
      { metric: 'timeToFirstToken', stat: 'p50', label: 'p50' },
      { metric: 'timeToFirstToken', stat: 'p99', label: 'p99' },
    ],
    'ttft',
    'ms',
  ],
  [
    'Errors and throttles',
    [
      { metric: 'clientErrors', stat: 'Sum', label: 'Client errors', total: true },
      { metric: 'serverErrors', stat: 'Sum', label: 'Server errors', total: true },
      { metric: 'throttles', stat: 'Sum', label: 'Throttles', total: true },
    ],
    'err',
  ],
];

function deliveryWidget(region: string, pos: { x: number; y: number }): Widget {
  const row = (key: MetricKey, label: string, color?: string): unknown[] => [
    BEDROCK_NAMESPACE,
    METRICS[key].name,
    { label, ...(color ? { color } : {}) },
  ];
  const rows = [
    row('cwDeliverySuccess', 'CloudWatch success'),
    row('cwDeliveryFailure', 'CloudWatch failure', '#d62728'),
    row('s3DeliverySuccess', 'S3 success'),
    row('s3DeliveryFailure', 'S3 failure', '#ff7f0e'),
  ];
  return metricWidget(
    region,
    'Invocation log delivery',
    rows as unknown as MetricRow[],
    { stat: 'Sum', period: 300 },
    pos,
  );
}

/** The prices the cost widget uses: the table in use for the run (see context/prices.ts). */
export interface DashboardPricing {
  /** Which table, in words, for the header. */
  table: string;
  /** Global-endpoint rates of a family from the table in use; undefined: the bundled table's. */
  rates?(family: string): Rates | undefined;
}

const BUNDLED: DashboardPricing = { table: 'the bundled list prices' };

/**
 * Every widget, laid out two to a row under the header; `extra`: widgets below the tool's own (the
 * Contributor Insights rules, from y = 34 on).
 */
export function dashboardBody(
  region: string,
  logGroupName: string,
  pricing: DashboardPricing = BUNDLED,
  extra: Record<string, unknown>[] = [],
): { widgets: Widget[] } {
  const at = (i: number) => ({ x: (i % 2) * 12, y: 2 + Math.floor(i / 2) * 6 });
  const graphs: Widget[] = [
    metricWidget(
      region,
      'Invocations',
      perModel([{ metric: 'invocations', stat: 'Sum', label: 'Invocations', total: true }], 300, 'inv'),
      { period: 300 },
      at(0),
    ),
    metricWidget(region, 'Estimated cost (USD per hour)', costMetrics(pricing), { period: 3600, yLabel: 'USD' }, at(1)),
    ...GRAPHS.map(([title, series, idBase, yLabel], i) =>
      metricWidget(
        region,
        title,
        perModel(series, 300, idBase),
        { period: 300, ...(yLabel ? { yLabel } : {}) },
        at(i + 2),
      ),
    ),
    deliveryWidget(region, at(GRAPHS.length + 2)),
  ];
  const logs: Widget = {
    type: 'log',
    x: 0,
    y: 2 + Math.ceil(graphs.length / 2) * 6,
    width: 24,
    height: 8,
    properties: {
      title: 'Recent invocations (metadata only)',
      region,
      view: 'table',
      query: recentInvocationsQuery(logGroupName),
    },
  };
  return { widgets: [headerWidget(region, pricing), ...graphs, logs, ...(extra as unknown as Widget[])] };
}

export interface DashboardState {
  body: unknown;
  /** Tagged ManagedBy=bedrock-monitor; undefined when the tags could not be read. */
  tagged?: boolean;
}

/**
 * The dashboard's ARN and whether it carries the tool's tag. Dashboards take tags (PutDashboard `Tags` on creation,
 * TagResource after: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
 */
async function dashboardTags(cw: CloudWatchClient, arn: string | undefined): Promise<{ tagged?: boolean }> {
  if (!arn) return {};
  try {
    return { tagged: hasManagedTag((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags) };
  } catch {
    return {};
  }
}

/** The cost widget's prices: the refreshed table when `prices refresh` fetched one, else the bundled one. */
async function dashboardPricing(ctx: RegionCtx): Promise<DashboardPricing> {
  const { refreshed, info } = await pricesInUse(ctx);
  if (!refreshed) return { table: `the bundled list prices of ${info.date}` };
  return {
    table: describePrices(info),
    rates: (family) => priceFor(`global.${family}`, ctx.settings.prices, refreshed),
  };
}

export async function dashboardResource(ctx: RegionCtx): Promise<ResourceDef<DashboardState>> {
  const { region, dashboardName, logGroupName } = ctx.settings;
  const cw = ctx.aws.get(CloudWatchClient);
  const body = dashboardBody(
    region,
    logGroupName,
    await dashboardPricing(ctx),
    wantsInsightRules(ctx.settings) ? insightRuleWidgets(region, 34) : [],
  );
  // Tags are applied on creation only (AWS ignores them on update): a dashboard made before the tool tagged
  // dashboards is recognised by the header widget's marker and gets the tag on the next run (the `tag` attribute).
  const arn = async (): Promise<string | undefined> =>
    (await cw.send(new GetDashboardCommand({ DashboardName: dashboardName }))).DashboardArn;
  const tag = async (): Promise<void> => {
    const resourceArn = await arn();
    if (resourceArn) await cw.send(new TagResourceCommand({ ResourceARN: resourceArn, Tags: MANAGED_TAGS }));
  };
  const put = async (tags = false): Promise<void> => {
    await cw.send(
      new PutDashboardCommand({
        DashboardName: dashboardName,
        DashboardBody: JSON.stringify(body),
        ...(tags ? { Tags: MANAGED_TAGS } : {}),
      }),
    );
  };
  return {
    resource: 'dashboard',
    name: dashboardName,
    desired: { body, tagged: true },
    async read() {
      const r = await absentIfNotFound(cw.send(new GetDashboardCommand({ DashboardName: dashboardName })));
      if (!r?.DashboardBody) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.DashboardBody);
      } catch {
        parsed = r.DashboardBody;
      }
      return { body: parsed, ...(await dashboardTags(cw, r.DashboardArn)) };
    },
    attributes: [
      { field: 'body', get: (s) => s.body, update: () => put() },
      // Unknown (tags unreadable) counts as tagged: never a drift the tool cannot see.
      { field: 'tag', get: (s) => s.tagged ?? true, update: tag },
    ],
    create: () => put(true),
    ownership: {
      rule: `${MANAGED_TAG_RULE}, or carrying the "${DASHBOARD_MARKER}" header (made before dashboards took tags)`,
      owns: (s) => s.tagged === true || JSON.stringify(s.body).includes(DASHBOARD_MARKER),
      claim: tag,
    },
    remove: async () => void (await cw.send(new DeleteDashboardsCommand({ DashboardNames: [dashboardName] }))),
  };
}
