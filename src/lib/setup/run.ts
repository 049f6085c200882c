import type { Ctx } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { toBmError } from '../aws/errors.js';
import { BmError, ExitCode, errorJson, type ErrorJson } from '../core/errors.js';
import { activeSteps, runStep, STEP_BY_NAME, type Step, type StepName } from './steps.js';

/**
 * setup-all: the single steps (never copies of them), run as a dependency graph. Independent steps
 * run in parallel; a failed step skips the steps that need it while the others finish, and a
 * re-run resumes because every step converges (completed work reads as unchanged).
 */

export interface StepResult {
  step: StepName;
  status: 'ok' | 'failed' | 'skipped';
  outcomes: Outcome[];
  /** For a failed step: its error as the single step would report it (message, hint, exit code). */
  error?: ErrorJson;
  /** For a skipped step: the failed step it needed. */
  blockedBy?: StepName[];
}

export interface SetupEvents {
  onStart?(step: StepName): void;
  onDone?(result: StepResult): void;
}

async function attempt(ctx: Ctx, step: Step, events: SetupEvents): Promise<StepResult> {
  events.onStart?.(step.name);
  try {
    return { step: step.name, status: 'ok', outcomes: await runStep(ctx, step.name) };
  } catch (err) {
    const e = toBmError(err);
    // A cancelled prompt or Ctrl-C stops the whole run, as it would the single step.
    if (e.exitCode === ExitCode.interrupted) throw e;
    return { step: step.name, status: 'failed', outcomes: [], error: errorJson(e) };
  }
}

/**
 * The error setup-all ends with when steps failed: each step's message and hint, as the step alone
 * would print them. Its exit code is the steps' own when they agree (2 for a refusal such as a
 * same-named resource that is not the tool's), else 1.
 */
export function setupFailure(results: StepResult[]): BmError | undefined {
  const failed = results.filter((r) => r.status === 'failed' && r.error);
  if (!failed.length) return undefined;
  const codes = new Set(failed.map((r) => r.error!.exitCode));
  const exitCode = codes.size === 1 ? (failed[0]!.error!.exitCode as BmError['exitCode']) : ExitCode.failure;
  const skipped = results.filter((r) => r.status === 'skipped').map((r) => r.step);
  const hints = [...new Set(failed.map((r) => r.error!.hint).filter((h): h is string => !!h))];
  const message =
    failed.length === 1
      ? `${failed[0]!.step} failed: ${failed[0]!.error!.message}`
      : `${failed.length} steps failed:\n${failed.map((r) => `  ${r.step}: ${r.error!.message}`).join('\n')}`;
  const tail = skipped.length ? `\nSkipped, because they need it: ${skipped.join(', ')}.` : '';
  return new BmError(`${message}${tail}`, {
    exitCode,
    code: 'E_SETUP_FAILED',
    hint: hints.join('\n') || undefined,
    details: { steps: failed.map((r) => ({ step: r.step, ...r.error })) },
  });
}

export async function setupAll(ctx: Ctx, events: SetupEvents = {}): Promise<StepResult[]> {
  const results = new Map<StepName, Promise<StepResult>>();
  const runOnce = (step: Step): Promise<StepResult> => {
    let p = results.get(step.name);
    if (!p) {
      p = (async () => {
        const deps = await Promise.all(step.needs(ctx.settings).map((d) => runOnce(STEP_BY_NAME[d])));
        const blocked = deps.filter((d) => d.status !== 'ok').map((d) => d.step);
        const result: StepResult = blocked.length
          ? { step: step.name, status: 'skipped', outcomes: [], blockedBy: blocked }
          : await attempt(ctx, step, events);
        events.onDone?.(result);
        return result;
      })();
      results.set(step.name, p);
    }
    return p;
  };
  // The account ID is needed by almost every step: ask STS once, before they fan out. Settings that
  // only AWS can check (the KMS key) are checked before the first write.
  await ctx.account();
  await Promise.all(activeSteps(ctx.settings).map((s) => s.preflight?.(ctx) ?? Promise.resolve()));
  return Promise.all(activeSteps(ctx.settings).map(runOnce));
}
