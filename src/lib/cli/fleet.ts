import { Writable } from 'node:stream';
import type { Ctx } from '../context/context.js';
import { explainRegionFailure } from '../context/region-enabled.js';
import { accountAlias, planFleet, type FleetPlan } from '../context/targets.js';
import { toBmError } from '../aws/errors.js';
import { mapLimit } from '../core/concurrency.js';
import { BmError, ExitCode, errorJson, usageError, type ErrorJson, type ExitCodeValue } from '../core/errors.js';
import { targetLabel, type Target } from '../core/targets.js';
import { count } from '../io/format.js';
import { Output } from '../io/output.js';
import { askConfirm } from '../io/prompts.js';
import { fleetRows, renderFleet, whereLine, type FleetData, type FleetView, type TargetRow } from './fleet-view.js';

/**
 * A command over many targets (accounts × Regions): each target runs the command's own single-target
 * logic in a context of its own (clients, caches, settings for its Region), at most `targets.concurrency`
 * at once. A target that fails (a role that cannot be assumed, a Region not enabled, a refused step) is
 * one failed row with its reason and fix; the others go on. Exit: 1 if any target failed, else 3 if any
 * drifted (status), else 0.
 */

/** What a command's single-target run returns (command.ts's CommandResult, as far as the fleet reads it). */
export interface TargetResult {
  data: unknown;
  exitCode?: number;
  error?: BmError;
}

export type RunOne = (ctx: Ctx) => Promise<TargetResult>;

/** The fleet's result, in command.ts's CommandResult shape. */
export interface FleetResult extends TargetResult {
  data: FleetData;
  exitCode: ExitCodeValue;
  render(out: Output): void;
}

const silent = (): Writable =>
  new Writable({
    write: (_chunk, _enc, done) => done(),
  });

/** Targets write nothing while they run at once: the fleet view is drawn from their data afterwards. */
function quietOutput(base: Ctx): Output {
  return new Output({ ...base.io, stdout: silent(), stderr: silent() }, { ...base.out.opts, verbose: false });
}

/** A target stopped by Ctrl-C (or SIGTERM) is interrupted, not failed: a run again converges it. */
const failedAs = (error: ErrorJson): 'failed' | 'interrupted' =>
  error.code === 'E_INTERRUPTED' ? 'interrupted' : 'failed';

async function runTarget(base: Ctx, plan: FleetPlan, t: Target, one: RunOne, tweak: Partial<Ctx>): Promise<TargetRow> {
  const row = { account: t.account, alias: null as string | null, region: t.region };
  let ctx: Ctx | undefined;
  try {
    ctx = { ...(await base.forTarget(t, { home: plan.home, caller: plan.caller, out: quietOutput(base) })) };
    Object.assign(ctx, tweak);
    // The target's credentials are checked first (an AssumeRole refusal is this target's failure alone).
    await ctx.account();
    const alias = t.region === plan.home ? await accountAlias(ctx) : undefined;
    const result = await one(ctx);
    const error = result.error ? errorJson(result.error) : null;
    const status = error ? failedAs(error) : result.exitCode === ExitCode.drift ? 'drifted' : 'ok';
    const warnings = [...ctx.events.warnings, ...warningsOf(result.data)];
    return { ...row, alias: alias ?? null, status, data: result.data, error, warnings: [...new Set(warnings)] };
  } catch (err) {
    // An interrupt before the target started (or while its credentials were read) is its row too: the run ends
    // with exit 130 after the table (runFleet), which then names every target, started or not.
    const e = ctx
      ? await explainRegionFailure(ctx.aws, t.region, err, {
          account: t.account,
          member: t.account !== plan.caller,
        })
      : err;
    const error = errorJson(toBmError(e));
    return { ...row, status: failedAs(error), data: null, error, warnings: [] };
  }
}

/** Every target, at most `targets.concurrency` at once; progress (TTY only) names targets done / total. */
export async function fanOut(base: Ctx, plan: FleetPlan, one: RunOne, tweak: Partial<Ctx> = {}): Promise<TargetRow[]> {
  const spinner = await base.out.spinner(`Targets: 0/${plan.targets.length} done`);
  let done = 0;
  try {
    const rows = await mapLimit(plan.targets, base.settings.targets.concurrency, async (t) => {
      const r = await runTarget(base, plan, t, one, tweak);
      done += 1;
      spinner.text(`Targets: ${done}/${plan.targets.length} done (${targetLabel(t)} ${r.status})`);
      return r;
    });
    // An alias read once per account (in its home Region) labels every row of that account.
    const aliases = new Map(rows.filter((r) => r.alias).map((r) => [r.account, r.alias]));
    return rows.map((r) => ({ ...r, alias: aliases.get(r.account) ?? null }));
  } finally {
    spinner.stop();
  }
}

/** setup-all, a single step: asked once for the whole fleet in a terminal (flags and CI never ask). */
async function confirmSetup(base: Ctx, plan: FleetPlan): Promise<void> {
  if (!base.interactive || base.yes || base.dryRun) return;
  const ok = await askConfirm(base.io, `Create or repair monitoring in ${whereLine(plan)}?`, true);
  if (!ok)
    throw new BmError('Aborted: nothing was changed.', { exitCode: ExitCode.usage, code: 'E_ABORTED', quiet: true });
}

/** cleanup: lists what each target would lose (a dry run), naming the accounts and Regions, then asks once. */
async function confirmCleanup(base: Ctx, plan: FleetPlan, one: RunOne): Promise<void> {
  if (base.yes || base.dryRun) return;
  if (!base.interactive)
    throw usageError(
      `cleanup across ${whereLine(plan)} needs a confirmation and there is no terminal: pass --yes to delete, ` +
        'or --dry-run to list what would be deleted.',
      undefined,
      undefined,
      'E_REFUSED_NO_TERMINAL',
    );
  const preview = await fanOut(base, plan, one, { dryRun: true });
  if (base.signal.aborted) throw base.interruption.error();
  const err = base.out.toStderr();
  renderFleet(err, 'cleanup', fleetData(plan, preview, 'cleanup'));
  const n = fleetRows(preview, 'cleanup').filter((r) => r.action === 'would-delete').length;
  if (!(await askConfirm(base.io, `Delete ${count(n, 'resource')} in ${whereLine(plan)}?`, false)))
    throw new BmError('Aborted: nothing was deleted.', { exitCode: ExitCode.usage, code: 'E_ABORTED', quiet: true });
}

function fleetData(plan: FleetPlan, runs: TargetRow[], view: FleetView): FleetData {
  const tally = (s: TargetRow['status']): number => runs.filter((r) => r.status === s).length;
  return {
    accounts: [...new Set(plan.targets.map((t) => t.account))],
    regions: [...new Set(plan.targets.map((t) => t.region))],
    homeRegion: plan.home,
    ok: runs.every((r) => r.status === 'ok'),
    summary: {
      targets: runs.length,
      ok: tally('ok'),
      drifted: tally('drifted'),
      failed: tally('failed'),
      interrupted: tally('interrupted'),
    },
    targets: runs.map(({ data: _data, ...t }) => t),
    rows: fleetRows(runs, view),
    skippedRegions: plan.skippedRegions,
  };
}

function warningsOf(data: unknown): string[] {
  const w = (data as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string') : [];
}

/** The error a fleet run ends with when targets failed: each one's reason (its fix is in the hint). */
function fleetFailure(runs: TargetRow[]): BmError | undefined {
  const failed = runs.filter((r) => r.status === 'failed');
  if (!failed.length) return undefined;
  const line = (r: TargetRow): string => `${targetLabel(r)}: ${r.error?.message ?? 'failed'}`;
  const hints = [...new Set(failed.map((r) => r.error?.hint).filter((h): h is string => !!h))];
  return new BmError(
    failed.length === 1
      ? `1 of ${count(runs.length, 'target')} failed: ${line(failed[0]!)}`
      : `${failed.length} of ${runs.length} targets failed:\n${failed.map((r) => `  ${line(r)}`).join('\n')}`,
    { exitCode: ExitCode.failure, code: 'E_FLEET_FAILED', hint: hints.join('\n') || undefined },
  );
}

/** Runs a command over the fleet its target settings name, and draws one view from every target's data. */
export async function runFleet(base: Ctx, view: FleetView, one: RunOne): Promise<FleetResult> {
  const plan = await planFleet(base);
  if (view === 'setup' || view === 'step') await confirmSetup(base, plan);
  if (view === 'cleanup') await confirmCleanup(base, plan, one);
  const runs = await fanOut(base, plan, one, view === 'cleanup' ? { yes: true } : {});
  const data = fleetData(plan, runs, view);
  // Interrupted: exit 130 (143), whatever the targets said; the table holds what each had done.
  const error = base.signal.aborted
    ? base.interruption.error(
        'Interrupted: the table says what each target had done; run the command again to converge the rest.',
      )
    : fleetFailure(runs);
  return {
    data,
    render: (out) => renderFleet(out, view, data),
    exitCode: data.summary.drifted ? ExitCode.drift : ExitCode.ok,
    ...(error ? { error } : {}),
  };
}

export type { ErrorJson };
