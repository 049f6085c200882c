import type { Ctx } from '../context/context.js';
import { computeReport } from './compute.js';
import { discoverModels, fetchFigures, FIGURES, isPercentile, metricDataLimiter, type Fetched } from './fetch.js';
import type { Report } from './types.js';
import type { ReportWindow } from './window.js';
import { pricesInUse, pricesWarnings } from '../context/prices.js';
import { quotaHeadroom } from './quota.js';

export interface ReportOptions {
  /** Validated and aligned by resolveWindow before anything is requested. */
  window: ReportWindow;
  byDay?: boolean;
  /** Add quota headroom (1-minute peaks against Service Quotas). */
  quotas?: boolean;
  onProgress?: (msg: string) => void;
}

/** Runs the stages: discover models, fetch their figures (three batch sets at once), compute. */
export async function buildReport(ctx: Ctx, opts: ReportOptions): Promise<Report> {
  const { window } = opts;
  opts.onProgress?.('discovering models');
  const { models, listed } = await discoverModels(ctx);
  const basic = FIGURES.filter((f) => !isPercentile(f));
  const percentiles = FIGURES.filter(isPercentile);
  const total = models.length * FIGURES.length;
  const done = [0, 0];
  const progress = (slot: 0 | 1) => (n: number) => {
    done[slot] = n;
    opts.onProgress?.(`fetching ${Math.min(done[0]! + done[1]!, total)}/${total} figures for ${models.length} models`);
  };
  const limiter = metricDataLimiter();
  const whole = { models, listed, periodSeconds: window.periodSeconds, window, pointsPerQuery: 1, limiter };
  const [b, p, h] = await Promise.all([
    fetchFigures(ctx, { ...whole, figures: basic, onProgress: progress(0) }),
    fetchFigures(ctx, { ...whole, figures: percentiles, onProgress: progress(1) }),
    opts.byDay
      ? fetchFigures(ctx, {
          models,
          listed,
          window,
          limiter,
          figures: FIGURES.filter((f) => f.stat === 'Sum'),
          periodSeconds: 3600,
          pointsPerQuery: window.periodSeconds / 3600,
        })
      : Promise.resolve<Fetched | undefined>(undefined),
  ]);
  const { refreshed, info } = await pricesInUse(ctx);
  const report = computeReport({
    region: ctx.settings.region,
    window,
    models,
    basic: b,
    percentiles: p,
    ...(h ? { hourly: h } : {}),
    prices: ctx.settings.prices,
    priceTable: {
      source: info.source,
      date: info.date,
      table: info.table,
      ...(info.fetchedAt ? { fetchedAt: info.fetchedAt } : {}),
    },
    ...(refreshed ? { refreshed } : {}),
  });
  report.warnings.push(...pricesWarnings(info, ctx.now()));
  if (opts.quotas) {
    opts.onProgress?.('reading 1-minute peaks and Service Quotas');
    report.quotas = await quotaHeadroom(ctx, models, window);
  }
  const listingWarning = unlistedModelsWarning(window, ctx.now());
  if (listingWarning) report.warnings.unshift(listingWarning);
  return report;
}

/** How far back ListMetrics sees: "metrics that have had data points in the past two weeks". */
export const LISTED_DAYS = 14;

/**
 * Models are found with ListMetrics, which lists only metrics with data in the last 14 days: a
 * window that starts earlier can miss a model idle since then. Said, never silently dropped.
 */
export function unlistedModelsWarning(window: ReportWindow, now: Date): string | undefined {
  const horizon = new Date(now.getTime() - LISTED_DAYS * 86_400_000);
  if (window.start.getTime() >= horizon.getTime()) return undefined;
  return (
    `the window starts more than ${LISTED_DAYS} days ago: CloudWatch lists only models with data since ` +
    `${horizon.toISOString().slice(0, 16).replace('T', ' ')} UTC, so a model idle since then is missing from ` +
    `this report`
  );
}
