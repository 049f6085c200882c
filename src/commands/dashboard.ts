import { checked, defineCommand, outcomesResult } from '../lib/cli/command.js';
import { checkDashboardName } from '../lib/core/validate.js';

export default defineCommand<{ dashboardName?: string }>({
  name: 'dashboard',
  targets: true,
  fleet: 'step',
  summary:
    'Create or repair the CloudWatch dashboard (every model, tokens, cache, latency, errors, cost, log delivery)',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor dashboard --region us-east-1',
    'bedrock-monitor dashboard --dashboard-name TeamBedrock --dry-run',
  ],
  flags: { 'dry-run': true, force: true },
  configure: (cmd) =>
    cmd.option(
      '--dashboard-name <name>',
      'dashboard name (default BedrockUsageMonitoring; config dashboardName)',
      checked(checkDashboardName),
    ),
  overrides: (o) => ({ dashboardName: o.dashboardName }),
  run: async (ctx) => {
    const { runStepShown } = await import('../lib/setup/progress.js');
    const { nextSteps } = await import('../lib/setup/next.js');
    const { renderNextSteps } = await import('../lib/setup/render.js');
    const outcomes = await runStepShown(ctx, 'dashboard');
    const next = await nextSteps(ctx, { topic: false, dashboard: true });
    return {
      ...outcomesResult(outcomes, ctx.settings.region, (out) => renderNextSteps(out, next)),
      data: { outcomes, dashboardUrl: next.dashboardUrl },
    };
  },
});
