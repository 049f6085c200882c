import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { BmError, usageError } from '../core/errors.js';
import type { Aggregate } from '../logs/aggregate.js';
import type { Dim } from '../logs/dims.js';
import type { LogLocation } from '../logs/location.js';
import { pricesInUse, pricesWarnings } from '../context/prices.js';
import type { ModelSeries } from './fetch.js';
import { computeLogsReport, type LogsReport, type MetricTotals } from './logs-compute.js';
import type { ReportWindow } from './window.js';

/**
 * The logs report: where the logs are (the flags, else the Region's logging configuration), one
 * engine's aggregate, application profiles resolved for pricing, CloudWatch's totals for the
 * reconciliation (fetched while the engine runs), then the pure compute stage. Engines and AWS
 * clients are loaded when used: reading a local directory loads no AWS SDK client at all.
 */

export type EngineName = 'local' | 'athena' | 'insights';

export interface LogsReportRequest {
  dims: Dim[];
  window: ReportWindow;
  /** From --logs (already validated). */
  logs?: LogLocation;
  engine?: EngineName;
  noCache: boolean;
  reconcile: boolean;
  onProgress?: (msg: string) => void;
}

type Plan =
  | { engine: 'local'; location: Extract<LogLocation, { kind: 's3' } | { kind: 'dir' }> }
  | { engine: 'athena' }
  | { engine: 'insights'; logGroupName: string };

/** Which engine reads which logs. */
export async function planLogs(ctx: Ctx, req: Pick<LogsReportRequest, 'logs' | 'engine'>): Promise<Plan> {
  if (req.engine === 'athena') return { engine: 'athena' };
  if (req.logs && req.logs.kind !== 'cloudwatch') return { engine: 'local', location: req.logs };
  const { readLoggingConfig } = await import('../resources/logging.js');
  const config = await readLoggingConfig(ctx);
  if (req.engine === 'insights')
    return { engine: 'insights', logGroupName: config?.cloudWatchConfig?.logGroupName ?? ctx.settings.logGroupName };
  if (config?.s3Config)
    return {
      engine: 'local',
      location: { kind: 's3', bucket: config.s3Config.bucketName, prefix: config.s3Config.keyPrefix },
    };
  if (config?.cloudWatchConfig) {
    // Logs Insights is billed per GB scanned: never switched to when the local engine was asked for.
    if (req.engine === 'local') {
      throw usageError(
        `--engine local reads invocation logs in S3 or a directory, but logging in ${ctx.settings.region} ` +
          `goes to CloudWatch Logs only`,
        'Use --engine insights (Logs Insights, $0.005 per GB scanned), or point --logs at s3://BUCKET/PREFIX ' +
          'or a local copy of the logs.',
      );
    }
    return { engine: 'insights', logGroupName: config.cloudWatchConfig.logGroupName };
  }
  throw new BmError(
    `Model invocation logging is not enabled in ${ctx.settings.region}, so there are no invocation logs to read.`,
    {
      hint:
        'Run `bedrock-monitor setup-all` (or `enable-logging`), or point --logs at s3://BUCKET/PREFIX or a ' +
        'local copy of the logs.',
    },
  );
}

export async function runEngine(ctx: Ctx, plan: Plan, req: LogsReportRequest): Promise<Aggregate> {
  const common = { dims: req.dims, window: req.window };
  if (plan.engine === 'athena') {
    const { aggregateAthena } = await import('../logs/athena-engine.js');
    return aggregateAthena(ctx, {
      ...common,
      onState: (s, ms) => req.onProgress?.(`Athena query ${s.toLowerCase()} (${Math.round(ms / 1000)} s)`),
    });
  }
  if (plan.engine === 'insights')
    return (await import('../logs/insights.js')).aggregateInsights(ctx, { ...common, logGroupName: plan.logGroupName });
  const { aggregateLocal } = await import('../logs/local.js');
  return aggregateLocal(ctx, {
    ...common,
    location: plan.location,
    noCache: req.noCache,
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
}

const RECONCILED = ['invocations', 'inputTokens', 'outputTokens'] as const;

/**
 * CloudWatch's per-model sums for the window; a failure is reported, not thrown (the logs report stands on its own).
 */
export async function metricTotals(ctx: Ctx, window: ReportWindow): Promise<MetricTotals> {
  try {
    const { discoverModels, fetchFigures, FIGURES, metricDataLimiter } = await import('./fetch.js');
    const { models, listed } = await discoverModels(ctx);
    const figures = FIGURES.filter((f) => (RECONCILED as readonly string[]).includes(f.key));
    const fetched = await fetchFigures(ctx, {
      models,
      listed,
      figures,
      periodSeconds: window.periodSeconds,
      window,
      pointsPerQuery: 1,
      limiter: metricDataLimiter(),
    });
    const sum = (s: ModelSeries | undefined, key: (typeof RECONCILED)[number]): number | null =>
      !s || s.failed.has(key) ? null : (s.samples.get(key) ?? []).reduce((a, [, v]) => a + v, 0);
    return {
      ok: true,
      models: new Map(
        models.map((id, i) => [
          id,
          {
            invocations: sum(fetched.series[i], 'invocations'),
            inputTokens: sum(fetched.series[i], 'inputTokens'),
            outputTokens: sum(fetched.series[i], 'outputTokens'),
          },
        ]),
      ),
    };
  } catch (err) {
    return { ok: false, reason: toBmError(err).message };
  }
}

export async function buildLogsReport(ctx: Ctx, req: LogsReportRequest): Promise<LogsReport> {
  const plan = await planLogs(ctx, req);
  const [aggregate, metrics] = await Promise.all([
    runEngine(ctx, plan, req),
    req.reconcile ? metricTotals(ctx, req.window) : Promise.resolve(null),
  ]);
  const apps = [...new Set(aggregate.groups.map((g) => g.model))]
    .filter((m) => /:application-inference-profile\//.test(m) && !ctx.settings.prices[m])
    .sort();
  const resolved = apps.length
    ? await (await import('../logs/profiles.js')).resolveProfiles(ctx, apps)
    : { pricedAs: new Map<string, string>(), failures: new Map<string, string>() };
  // The same price table as every report: the refreshed one when `prices refresh` fetched it.
  const { refreshed, info } = await pricesInUse(ctx);
  const report = computeLogsReport({
    aggregate,
    dims: req.dims,
    window: req.window,
    region: ctx.settings.region,
    overrides: ctx.settings.prices,
    pricedAs: resolved.pricedAs,
    profileFailures: resolved.failures,
    metrics,
    priceTable: { source: info.source, date: info.date, table: info.table },
    ...(refreshed ? { refreshed } : {}),
  });
  report.warnings.push(...pricesWarnings(info, ctx.now()));
  return report;
}
