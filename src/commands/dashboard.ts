import { checked, defineCommand, outcomesResult } from '../lib/cli/command.js';
import { checkDashboardName } from '../lib/core/validate.js';

export default defineCommand<{ dashboardName?: string }>({
  name: 'dashboard',
  summary: 'Create or repair the CloudWatch dashboard (every model, tokens, cache, latency, errors, cost, log delivery)',
  examples: ['bedrock-monitor dashboard --region us-east-1', 'bedrock-monitor dashboard --dashboard-name TeamBedrock --dry-run'],
  configure: (cmd) => cmd.option('--dashboard-name <name>', 'dashboard name (default BedrockUsageMonitoring)', checked(checkDashboardName)),
  overrides: (o) => ({ dashboardName: o.dashboardName }),
  run: async (ctx) => outcomesResult(await (await import('../lib/setup/steps.js')).runStep(ctx, 'dashboard')),
});
