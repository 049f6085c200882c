import type { Ctx } from '../context/context.js';
import { eachTarget, planFor, type FleetPlan } from '../context/targets.js';
import { targetLabel, type Target } from '../core/targets.js';
import { noneOutside, type Aggregate } from '../logs/aggregate.js';
import type { S3Source } from '../logs/local.js';
import type { LogTarget } from '../logs/scope.js';
import type { LogsReport, MetricTotals } from './logs-compute.js';
import { priceAndCompute, reconcileTotals, type LogsReportRequest } from './logs-report.js';
import type { ReportWindow } from './window.js';

/**
 * The logs report over many targets without --logs: each account and Region's own log bucket (the S3 destination of
 * that Region's logging configuration, read with that account's credentials), all fetched into the cache and
 * aggregated in one DuckDB pass; each target reconciled with its own CloudWatch metrics. A target whose logs cannot
 * be read (a role that cannot be assumed, logging not enabled, logs in CloudWatch Logs only) is a row saying why.
 */

type Found = { source: S3Source } | { reason: string };

/** Where one target logs to (its Region's logging configuration), read with that target's credentials. */
async function targetSource(ctx: Ctx, t: Target): Promise<Found> {
  await ctx.account(); // the target's credentials first: a refused AssumeRole is this target's row
  const { readLoggingConfig } = await import('../resources/logging.js');
  const config = await readLoggingConfig(ctx);
  const s3 = config?.s3Config;
  if (s3?.bucketName)
    return { source: { ctx, location: { kind: 's3', bucket: s3.bucketName, prefix: s3.keyPrefix ?? '' }, target: t } };
  if (config?.cloudWatchConfig)
    return {
      reason:
        `its invocation logs go to CloudWatch Logs only (read them with --engine insights --region ${t.region}` + ')',
    };
  return {
    reason:
      `model invocation logging is not enabled (bedrock-monitor enable-logging --accounts ${t.account} ` +
      `--regions ${t.region})`,
  };
}

function emptyAggregate(): Aggregate {
  return {
    groups: [],
    targets: [],
    latency: [],
    totalLatency: { count: 0, p50: null, p90: null, p99: null },
    skipped: {
      malformedLines: 0,
      objects: 0,
      unreadableFiles: [],
      unreadableFields: [],
      outsideTargets: noneOutside(),
    },
    source: {
      kind: 'logs',
      engine: 'local',
      location: "each target's own log bucket (none readable)",
      bodyUsageFields: true,
      exactPercentiles: true,
    },
    warnings: [],
  };
}

/** Each target's CloudWatch sums for the window, read with its own credentials. */
async function targetMetrics(
  base: Ctx,
  plan: FleetPlan,
  window: ReportWindow,
): Promise<(LogTarget & { metrics: MetricTotals })[]> {
  const runs = await eachTarget(base, plan, (ctx) => reconcileTotals(ctx, window));
  return runs.map((r) => ({
    ...r.target,
    metrics: r.value ?? { ok: false, reason: r.error?.message ?? 'not read' },
  }));
}

/** The logs report over the targets `--regions`/`--accounts` name, each read from its own log bucket. */
export async function buildFleetLogsReport(ctx: Ctx, req: LogsReportRequest): Promise<LogsReport> {
  const plan = await planFor(ctx, req.targets ?? {});
  req.onProgress?.(`Finding the log bucket of ${plan.targets.length} account and Region targets`);
  const [found, metrics] = await Promise.all([
    eachTarget(ctx, plan, (c, t) => targetSource(c, t)),
    req.reconcile ? targetMetrics(ctx, plan, req.window) : Promise.resolve(undefined),
  ]);
  const sources = found.flatMap((f) => (f.value && 'source' in f.value ? [f.value.source] : []));
  const unavailable = found.flatMap((f) => {
    const reason = f.error?.message ?? (f.value && 'reason' in f.value ? f.value.reason : undefined);
    return reason ? [{ ...f.target, reason }] : [];
  });
  const accounts = [...new Set(plan.targets.map((t) => t.account))];
  const regions = [...new Set(plan.targets.map((t) => t.region))];
  const scope = { accounts, regions };
  const aggregate = sources.length
    ? await (
        await import('../logs/local.js')
      ).aggregateLocalMany(ctx, sources, {
        dims: req.dims,
        window: req.window,
        noCache: req.noCache,
        scope,
        ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      })
    : emptyAggregate();
  const report = await priceAndCompute(ctx, req, aggregate, {
    scope,
    expectedTargets: plan.targets,
    unavailable,
    metrics: null,
    ...(metrics ? { targetMetrics: metrics } : {}),
  });
  for (const u of unavailable) report.warnings.push(`${targetLabel(u)}: no logs read: ${u.reason}`);
  return report;
}
