import { defineCommand, numeric, outcomesResult } from '../lib/cli/command.js';
import { usageError } from '../lib/core/errors.js';
import { parsePositiveNumber } from '../lib/core/validate.js';

interface Opts {
  monthlyUsd?: number;
}

export default defineCommand<Opts>({
  name: 'budget',
  targets: true,
  fleet: 'step',
  group: 'Single steps (setup-all runs them all):',
  flags: { 'dry-run': true, force: true },
  summary: 'Create or repair the AWS Budgets cost budget for Bedrock and its alerts to the topic (budget.monthlyUsd)',
  examples: [
    'bedrock-monitor budget --monthly-usd 500',
    'bedrock-monitor budget                     # with "budget": {"monthlyUsd": 500} in the config file',
    'bedrock-monitor budget --dry-run --monthly-usd 500',
  ],
  configure: (cmd) =>
    cmd.option('--monthly-usd <n>', 'monthly limit in USD (replaces budget.monthlyUsd)', numeric(parsePositiveNumber)),
  overrides: (o) => ({ 'budget.monthlyUsd': o.monthlyUsd }),
  run: async (ctx) => {
    if (ctx.settings.budget.monthlyUsd === undefined)
      throw usageError(
        'budget: no monthly limit: pass --monthly-usd or set "budget": {"monthlyUsd": …} in the config file.',
      );
    const { runStepShown } = await import('../lib/setup/progress.js');
    // The topic first: the budget notifies it, and its policy must let Budgets publish.
    const topic = await runStepShown(ctx, 'topic');
    return outcomesResult([...topic, ...(await runStepShown(ctx, 'budget'))]);
  },
});
