import type { Outcome } from '../aws/ensure.js';
import type { Ctx } from '../context/context.js';
import { runStep, type StepName, type StepOptions } from './steps.js';

/**
 * A single step run on its own (`bedrock-monitor dashboard`, `alarms`…), with progress on an interactive stderr like
 * setup-all's and cleanup's: a spinner naming the step and Region, then each resource as the step reaches it. A pipe,
 * CI or --json gets the result alone (the spinner is nothing there).
 */
export async function runStepShown(ctx: Ctx, name: StepName, opts: StepOptions = {}): Promise<Outcome[]> {
  const where = `${name} in ${ctx.settings.region}`;
  const spinner = await ctx.events.spinner(`Running ${where}`);
  let reached = 0;
  const shown: Ctx = {
    ...ctx,
    record: (o) => {
      ctx.record?.(o);
      reached += 1;
      const { action, resource, name: what } = o as Outcome;
      spinner.text(`Running ${where}: ${reached} reached, last ${resource} ${what} ${action}`);
    },
  };
  try {
    return await runStep(shown, name, opts);
  } finally {
    spinner.stop();
  }
}

export interface StatusProgress {
  step: (name: string, done: number, total: number) => void;
  stop: () => void;
}

/** Progress while `status` reads: the steps read so far of all, and the last one (a spinner on a terminal only). */
export async function statusProgress(ctx: Pick<Ctx, 'events' | 'settings'>): Promise<StatusProgress> {
  const spinner = await ctx.events.spinner(`Checking the resources in ${ctx.settings.region}`);
  return {
    step: (name, done, total) => spinner.text(`Checking ${ctx.settings.region}: ${done}/${total} steps read (${name})`),
    stop: () => spinner.stop(),
  };
}
