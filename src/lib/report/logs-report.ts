import { REGION_RE } from '../core/validate.js';
import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { BmError, usageError } from '../core/errors.js';
import type { Aggregate } from '../logs/aggregate.js';
import type { Dim } from '../logs/dims.js';
import type { LogLocation } from '../logs/location.js';
import type { TargetSelection } from '../core/targets.js';
import type { LogScope, LogTarget } from '../logs/scope.js';
import { pricesByRegion, pricesInUse, pricesWarnings } from '../context/prices.js';
import type { ModelSeries } from './fetch.js';
import { computeLogsReport, type LogsComputeInput, type LogsReport, type MetricTotals } from './logs-compute.js';
import { beyondRetention, RETENTION_DAYS, type ReportWindow } from './window.js';

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
  /** --regions / --accounts (none: the context's Region, and its account where the tree holds several). */
  targets?: TargetSelection;
}

/** Whose records count, and for an S3 tree which account and Region trees are listed. */
export interface ResolvedScope {
  scope: LogScope;
  /** Explicit accounts × Regions, when both are known (the rows a report must show, data or not). */
  expected: LogTarget[];
  /** For an S3 tree: the trees to list; undefined lets the engine list the context's own. */
  listed?: LogTarget[];
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

const product = (accounts: string[], regions: string[]): LogTarget[] =>
  accounts.flatMap((account) => regions.map((region) => ({ account, region })));

/** The accounts under `<prefix>/AWSLogs/` and the Regions under each one's BedrockModelInvocationLogs/. */
async function discoverTrees(
  ctx: Ctx,
  loc: Extract<LogLocation, { kind: 's3' }>,
  accounts: string[] | undefined,
  regions: string[] | undefined,
): Promise<LogTarget[]> {
  const { listChildPrefixes } = await import('../logs/s3-cache.js');
  const base = `${loc.prefix ? `${loc.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/`;
  const accs = accounts ?? (await listChildPrefixes(ctx, loc.bucket, base)).filter((a) => /^\d{12}$/.test(a));
  const trees = await Promise.all(
    accs.map(async (account) =>
      regions
        ? regions.map((region) => ({ account, region }))
        : (await listChildPrefixes(ctx, loc.bucket, `${base}${account}/BedrockModelInvocationLogs/`)).map((region) => ({
            account,
            region,
          })),
    ),
  );
  return trees.flat();
}

/**
 * The scope from the target flags. Without --accounts, a local tree holding one account is taken as the caller's
 * (no request); one holding several is narrowed to the caller's account (STS).
 */
export async function resolveScope(
  ctx: Ctx,
  req: Pick<LogsReportRequest, 'targets'>,
  location: LogLocation | undefined,
  treeAccounts: () => string[],
  athena = false,
): Promise<ResolvedScope> {
  const sel = req.targets ?? {};
  const regions = sel.regions === 'all' ? undefined : (sel.regions ?? [ctx.settings.region]);
  let accounts = sel.accounts === 'org' ? undefined : sel.accounts;
  if (!sel.accounts && location?.kind === 'dir' && treeAccounts().length > 1) {
    const found = treeAccounts();
    accounts = [
      await ctx.account().catch((err: unknown) => {
        throw usageError(
          `--logs: ${location.path} holds the logs of accounts ${found.join(', ')}, and the caller's account is ` +
            `unknown (${toBmError(err).message})`,
          `Choose with --accounts ${found.join(',')} (or one of them).`,
        );
      }),
    ];
  }
  if (!sel.accounts && (location?.kind === 's3' || athena)) accounts = [await ctx.account()];
  const scope: LogScope = { ...(accounts ? { accounts } : {}), ...(regions ? { regions } : {}) };
  const expected = accounts && regions ? product(accounts, regions) : [];
  if (location?.kind !== 's3') return { scope, expected };
  const listed = accounts && regions ? expected : await discoverTrees(ctx, location, accounts, regions);
  return { scope, expected, listed };
}

export async function runEngine(ctx: Ctx, plan: Plan, req: LogsReportRequest, rs: ResolvedScope): Promise<Aggregate> {
  const common = { dims: req.dims, window: req.window };
  if (plan.engine === 'athena') {
    const { aggregateAthena } = await import('../logs/athena-engine.js');
    return aggregateAthena(ctx, {
      ...common,
      scope: rs.scope,
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
    scope: rs.scope,
    ...(rs.listed ? { targets: rs.listed } : {}),
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

/** CloudWatch's side of the reconciliation, unless the window starts before what CloudWatch keeps. */
export async function reconcileTotals(ctx: Ctx, window: ReportWindow): Promise<MetricTotals> {
  if (beyondRetention(window.start, ctx.now()))
    return {
      ok: false,
      reason: `the window starts more than ${RETENTION_DAYS} days ago, beyond what CloudWatch keeps`,
    };
  return metricTotals(ctx, window);
}

/** The accounts a local directory's log files of the window were logged in, by path. */
export async function dirAccounts(path: string, window: ReportWindow): Promise<string[]> {
  const { localFiles } = await import('../logs/local.js');
  const { accountsIn } = await import('../logs/scope.js');
  return accountsIn(localFiles(path, window).files.map((f) => f.slice(path.length)));
}

/** The context's account and Region; the account is asked for only when records span several accounts. */
async function homeTarget(ctx: Ctx, aggregate: Aggregate, metrics: MetricTotals | null): Promise<Partial<LogTarget>> {
  const accounts = new Set(aggregate.targets.map((t) => t.account));
  if (accounts.size < 2 || !metrics?.ok) return { region: ctx.settings.region };
  return { region: ctx.settings.region, account: await ctx.account() };
}

/** --no-reconcile over a local directory: logs read without AWS access, so no request at all is made. */
const offline = (plan: Plan, req: LogsReportRequest): boolean =>
  !req.reconcile && plan.engine === 'local' && plan.location.kind === 'dir';

/** Application profiles to the model they are priced as (Bedrock GetInferenceProfile), unless offline. */
async function resolveApps(
  ctx: Ctx,
  apps: string[],
  noRequest: boolean,
): Promise<{ pricedAs: Map<string, string>; failures: Map<string, string> }> {
  if (noRequest || !apps.length)
    return {
      pricedAs: new Map(),
      failures: new Map(
        apps.map((a) => [a, 'not looked up: --no-reconcile over a local directory makes no AWS request']),
      ),
    };
  return (await import('../logs/profiles.js')).resolveProfiles(ctx, apps);
}

/** What the compute stage needs beyond the aggregate, the request and the prices (which targets, which metrics). */
export type ReportFrame = Omit<
  LogsComputeInput,
  'aggregate' | 'dims' | 'window' | 'region' | 'overrides' | 'pricedAs' | 'profileFailures' | 'priceTable' | 'refreshed'
>;

/**
 * The stage every logs report ends with, one target or many: application profiles resolved for pricing (none looked
 * up when `noRequest`), the price table in use (the refreshed one when `prices refresh` fetched it), the compute.
 */
export async function priceAndCompute(
  ctx: Ctx,
  req: LogsReportRequest,
  aggregate: Aggregate,
  frame: ReportFrame,
  noRequest = false,
): Promise<LogsReport> {
  const apps = [...new Set(aggregate.groups.map((g) => g.model))]
    .filter((m) => /:application-inference-profile\//.test(m) && !ctx.settings.prices[m])
    .sort();
  const resolved = await resolveApps(ctx, apps, noRequest);
  const { refreshed, info } = await pricesInUse(ctx);
  // Each Region's records at its own Region's rates (a record whose Region is unknown: the context's).
  const regions = [
    ...new Set(aggregate.groups.flatMap((g) => (g.region && REGION_RE.test(g.region) ? [g.region] : []))),
  ];
  const tables = await pricesByRegion(ctx, regions);
  const report = computeLogsReport({
    ...frame,
    aggregate,
    dims: req.dims,
    window: req.window,
    region: ctx.settings.region,
    overrides: ctx.settings.prices,
    pricedAs: resolved.pricedAs,
    profileFailures: resolved.failures,
    priceTable: { source: info.source, date: info.date, table: info.table },
    ...(refreshed ? { refreshed } : {}),
    regionPrices: new Map(
      [...tables].map(([r, t]) => [
        r,
        {
          info: { source: t.info.source, date: t.info.date, table: t.info.table },
          ...(t.refreshed ? { refreshed: t.refreshed } : {}),
        },
      ]),
    ),
  });
  const others = [...tables].filter(([r]) => r !== ctx.settings.region).map(([, t]) => t.info);
  report.warnings.push(...new Set([info, ...others].flatMap((i) => pricesWarnings(i, ctx.now()))));
  return report;
}

export async function buildLogsReport(ctx: Ctx, req: LogsReportRequest): Promise<LogsReport> {
  const plan = await planLogs(ctx, req);
  const location = plan.engine === 'local' ? plan.location : undefined;
  const treeAccounts = location?.kind === 'dir' ? await dirAccounts(location.path, req.window) : [];
  const rs = await resolveScope(ctx, req, location, () => treeAccounts, plan.engine === 'athena');
  const [aggregate, metrics] = await Promise.all([
    runEngine(ctx, plan, req, rs),
    req.reconcile ? reconcileTotals(ctx, req.window) : Promise.resolve(null),
  ]);
  const frame: ReportFrame = {
    scope: rs.scope,
    home: await homeTarget(ctx, aggregate, metrics),
    expectedTargets: rs.expected.length ? rs.expected : (rs.listed ?? []),
    metrics,
  };
  return priceAndCompute(ctx, req, aggregate, frame, offline(plan, req));
}
