import type { Ctx } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { BmError, ExitCode, type ErrorJson } from '../core/errors.js';
import { count } from '../io/format.js';
import type { Output } from '../io/output.js';
import { renderPlan, type NextSteps } from './render.js';
import { emailWarnings, nextSteps } from './next.js';
import { interruptedRun, setupFailure, setupAll, type StepResult } from './run.js';
import { collectStatus } from './steps.js';

/** setup-all's run: the plan and its question, the steps with progress on stderr, then the next steps. */

export interface SetupAllData extends NextSteps {
  region: string;
  ok: boolean;
  outcomes: Outcome[];
  steps: { step: string; status: StepResult['status']; error?: ErrorJson; blockedBy?: string[] }[];
  warnings: string[];
}

/**
 * In a terminal: the plan on stderr, and a question before the first write (nothing to ask when nothing would change).
 */
async function confirmPlan(ctx: Ctx): Promise<void> {
  if (!ctx.interactive || ctx.dryRun) return;
  const rows = await collectStatus(ctx);
  // What setup-all would write: not the rows a person must act on (a KMS key policy).
  const pending = rows.filter((r) => r.status !== 'ok' && !r.manual);
  if (pending.length === 0) return;
  const yes = await ctx.events.confirm(
    (plan) => renderPlan(plan, rows, ctx.settings.region),
    `Create or repair ${count(pending.length, 'resource')} in ${ctx.settings.region}?`,
    true,
  );
  if (!yes)
    throw new BmError('Aborted: nothing was changed.', { exitCode: ExitCode.usage, code: 'E_ABORTED', quiet: true });
}

function summarize(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.action, (counts.get(o.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${n} ${a}`).join(', ') || 'nothing to do';
}

function progressLine(c: Output['c'], r: StepResult): string {
  if (r.status === 'ok') return `${c.green('✔')} ${r.step}: ${summarize(r.outcomes)}`;
  if (r.status === 'failed') return `${c.red('✖')} ${r.step} failed`;
  if (r.status === 'interrupted') return `${c.yellow('✖')} ${r.step} interrupted`;
  if (r.status === 'not-started') return `${c.yellow('-')} ${r.step} not started`;
  return `${c.yellow('-')} ${r.step} skipped: needs ${r.blockedBy?.join(', ') ?? ''}`;
}

export async function runSetupAll(ctx: Ctx): Promise<{ data: SetupAllData; error: BmError | undefined }> {
  await confirmPlan(ctx);
  const spinner = await ctx.events.spinner('Setting up');
  const running = new Set<string>();
  const results = await setupAll(ctx, {
    onStart: (step) => {
      running.add(step);
      spinner.text(`Running ${[...running].join(', ')}`);
    },
    onDone: (r) => {
      running.delete(r.step);
      spinner.text(running.size ? `Running ${[...running].join(', ')}` : 'Finishing');
      // Progress, for a person watching: a pipe gets the result alone.
      ctx.events.progress((c) => progressLine(c, r));
    },
  }).finally(() => spinner.stop());
  const ok = (step: string): boolean => results.some((r) => r.step === step && r.status === 'ok');
  const warnings = ctx.signal.aborted ? [] : emailWarnings(ctx);
  // After Ctrl-C no further request: the next steps wait for the run that finishes.
  const next = ctx.signal.aborted
    ? { subscriptions: [], dashboardUrl: null }
    : await nextSteps(ctx, { topic: ok('topic'), dashboard: ok('dashboard') });
  return {
    data: {
      region: ctx.settings.region,
      ok: results.every((r) => r.status === 'ok'),
      outcomes: results.flatMap((r) => r.outcomes),
      steps: results.map((r) => ({
        step: r.step,
        status: r.status,
        ...(r.error ? { error: r.error } : {}),
        ...(r.blockedBy ? { blockedBy: r.blockedBy } : {}),
      })),
      ...next,
      warnings,
    },
    error: ctx.signal.aborted ? interruptedRun(results, ctx.interruption.exitCode) : setupFailure(results),
  };
}
