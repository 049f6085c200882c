import type { Ctx } from '../context/context.js';
import { eachTarget, planFor } from '../context/targets.js';
import { BmError, ExitCode, errorJson } from '../core/errors.js';
import { targetLabel } from '../core/targets.js';
import { readEventHistory } from './history.js';
import type { TargetSelection } from '../core/targets.js';
import type { AuditResult, AuditTarget, AuditWindow, CallGroup } from './types.js';

/** What the fleet's history read needs of the audit request. */
export interface HistoryRequest {
  window: AuditWindow;
  targets?: TargetSelection;
  onProgress?(msg: string): void;
}

/**
 * The event history of many accounts and Regions: each target's own LookupEvents, read with that target's
 * credentials (the caller's in its own account, the assumed role elsewhere) and Region client, paced per target
 * (LookupEvents' 2 requests per second are per account and Region). Every call is attributed to the account and
 * Region whose history held it. A target that cannot be read (a role that cannot be assumed, a Region not enabled)
 * is a row with its reason and fix; the others are counted.
 */

/**
 * Whether the selection names an account other than the caller's (then each is read with its own credentials), or
 * `--regions all` (the enabled Regions where Bedrock is offered, as every fleet command decides them).
 */
export async function needsFleetHistory(ctx: Ctx, req: Pick<HistoryRequest, 'targets'>): Promise<boolean> {
  if (req.targets?.regions === 'all') return true;
  const accounts = req.targets?.accounts;
  if (accounts === undefined) return false;
  if (accounts === 'org') return true;
  const own = await ctx.account();
  return accounts.some((a) => a !== own);
}

export async function readFleetHistories(
  ctx: Ctx,
  req: HistoryRequest,
  previous: boolean,
  sink: (g: CallGroup) => void,
): Promise<{ targets: AuditTarget[]; scope: AuditResult['scope'] }> {
  const plan = await planFor(ctx, req.targets ?? {});
  let done = 0;
  const runs = await eachTarget(ctx, plan, async (c, t) => {
    await c.account(); // the target's credentials first: a refused AssumeRole is this target's row
    const calls: CallGroup[] = [];
    const r = await readEventHistory(c, { window: req.window, previous, region: t.region }, (g) => calls.push(g));
    done += 1;
    req.onProgress?.(`read the event history of ${done}/${plan.targets.length} account and Region targets`);
    return { calls, events: r.events };
  });
  for (const r of runs)
    for (const g of r.value?.calls ?? [])
      sink({ ...g, account: g.account ?? r.target.account, region: r.target.region });
  const targets = runs
    .map((r): AuditTarget => ({
      account: r.target.account,
      region: r.target.region,
      status: r.error ? 'failed' : 'read',
      events: r.value ? r.value.calls.filter((g) => !g.previous).length : null,
      error: r.error ? errorJson(r.error) : null,
    }))
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  const scope = {
    accounts: [...new Set(plan.targets.map((t) => t.account))],
    regions: [...new Set(plan.targets.map((t) => t.region))],
  };
  return { targets, scope };
}

/** The error the audit ends with when targets failed (exit 1): each one's reason; the fixes in the hint. */
export function auditFleetFailure(targets: AuditTarget[] | undefined): BmError | undefined {
  const failed = (targets ?? []).filter((t) => t.status === 'failed');
  if (!failed.length) return undefined;
  const line = (t: AuditTarget): string => `${targetLabel(t)}: ${t.error?.message ?? 'failed'}`;
  const hints = [...new Set(failed.map((t) => t.error?.hint).filter((h): h is string => !!h))];
  return new BmError(
    `${failed.length} of ${targets!.length} event histories could not be read:\n` +
      failed.map((t) => `  ${line(t)}`).join('\n'),
    { exitCode: ExitCode.failure, code: 'E_FLEET_FAILED', hint: hints.join('\n') || undefined },
  );
}
