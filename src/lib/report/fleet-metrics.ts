import type { Ctx } from '../context/context.js';
import { pricesInUse } from '../context/prices.js';
import { eachTarget, planFor } from '../context/targets.js';
import { throwIfStopped } from '../core/abort.js';
import { BmError, ExitCode } from '../core/errors.js';
import { targetLabel, type TargetSelection } from '../core/targets.js';
import { buildReport } from './build.js';
import { mergeFleetMetrics, type FleetMetricKey, type FleetMetricsReport } from './fleet-metrics-compute.js';
import type { ReportWindow } from './window.js';

/**
 * The CloudWatch metrics report over the targets `--regions`/`--accounts` name: each target's own single-target
 * report (its models, figures and prices), read with that target's credentials and Region clients, at most
 * `targets.concurrency` at once, then merged. A target that cannot be read (a role that cannot be assumed, a Region
 * not enabled) is a row with its reason and fix; the others are reported.
 */

export interface FleetMetricsRequest {
  window: ReportWindow;
  byDay: boolean;
  groupBy: FleetMetricKey[];
  targets: TargetSelection;
  /** Each target's quota headroom (1-minute peaks against its own Service Quotas). */
  quotas?: boolean;
  /** Publish the merged report to the alert topic of the caller's account in the home Region. */
  notify?: boolean;
  /** The report as shown (periods, --top/--sort): what --notify publishes. */
  shape?: (rep: FleetMetricsReport) => FleetMetricsReport;
  onProgress?: (msg: string) => void;
}

export async function buildFleetMetricsReport(ctx: Ctx, req: FleetMetricsRequest): Promise<FleetMetricsReport> {
  const plan = await planFor(ctx, req.targets);
  const total = plan.targets.length;
  let done = 0;
  req.onProgress?.(`0/${total} account and Region targets read`);
  const runs = await eachTarget(ctx, plan, async (c) => {
    await c.account(); // the target's credentials first: a refused AssumeRole is this target's row
    const report = await buildReport(c, { window: req.window, byDay: req.byDay, quotas: req.quotas === true });
    done += 1;
    req.onProgress?.(`${done}/${total} account and Region targets read`);
    return report;
  });
  // Ctrl-C: the targets cut short are not figures to merge; a report reads only, so nothing is left half done.
  throwIfStopped(ctx.signal);
  const { info } = await pricesInUse(ctx);
  const merged = mergeFleetMetrics({
    runs,
    groupBy: req.groupBy,
    window: req.window,
    skippedRegions: plan.skippedRegions,
    priceTable: {
      source: info.source,
      date: info.date,
      estimate: true,
      table: info.table,
    },
  });
  const report = req.shape ? req.shape(merged) : merged;
  if (req.notify) {
    // The caller's own account in the home Region, in a target context of its own (its Region's clients).
    const { publishFleetReport } = await import('./notify.js');
    const home = { ...plan, targets: [{ account: plan.caller, region: plan.home }] };
    const [sent] = await eachTarget(ctx, home, (c) => publishFleetReport(c, report));
    if (sent?.error) throw sent.error;
    report.notification = sent?.value;
  }
  return report;
}

/** The error the report ends with when targets failed (exit 1): each one's reason; the fixes in the hint. */
export function fleetFailure(rep: FleetMetricsReport): BmError | undefined {
  const failed = rep.targets.filter((t) => t.status === 'failed');
  if (!failed.length) return undefined;
  const line = (t: (typeof failed)[number]): string => `${targetLabel(t)}: ${t.error?.message ?? 'failed'}`;
  const hints = [...new Set(failed.map((t) => t.error?.hint).filter((h): h is string => !!h))];
  return new BmError(
    failed.length === 1
      ? `1 of ${rep.targets.length} targets could not be read: ${line(failed[0]!)}`
      : `${failed.length} of ${rep.targets.length} targets could not be read:\n` +
          failed.map((t) => `  ${line(t)}`).join('\n'),
    { exitCode: ExitCode.failure, code: 'E_FLEET_FAILED', hint: hints.join('\n') || undefined },
  );
}
