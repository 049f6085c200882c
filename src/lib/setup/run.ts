import type { Ctx } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { toBmError } from '../aws/errors.js';
import { isEnabled, runStep, STEP_BY_NAME, STEPS, type Step, type StepName } from './steps.js';

/**
 * setup-all: the single steps (never copies of them), run as a dependency graph. Independent steps
 * run in parallel; a failed step skips the steps that need it while the others finish, and a
 * re-run resumes because every step converges (completed work reads as unchanged).
 */

export interface StepResult {
  step: StepName;
  status: 'ok' | 'failed' | 'skipped';
  outcomes: Outcome[];
  error?: string;
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
    return { step: step.name, status: 'failed', outcomes: [], error: toBmError(err).message };
  }
}

export async function setupAll(ctx: Ctx, events: SetupEvents = {}): Promise<StepResult[]> {
  const results = new Map<StepName, Promise<StepResult>>();
  const runOnce = (step: Step): Promise<StepResult> => {
    let p = results.get(step.name);
    if (!p) {
      p = (async () => {
        const deps = await Promise.all(step.needs(ctx.settings).map((d) => runOnce(STEP_BY_NAME[d])));
        const blocked = deps.filter((d) => d.status !== 'ok').map((d) => d.step);
        const result: StepResult = blocked.length ? { step: step.name, status: 'skipped', outcomes: [], blockedBy: blocked } : await attempt(ctx, step, events);
        events.onDone?.(result);
        return result;
      })();
      results.set(step.name, p);
    }
    return p;
  };
  // The account ID is needed by almost every step: ask STS once, before they fan out.
  await ctx.account();
  return Promise.all(STEPS.filter((s) => isEnabled(s, ctx.settings)).map(runOnce));
}
