import { checked, defineCommand, numeric, outcomesResult } from '../lib/cli/command.js';
import { checkLogGroupName, checkRetentionDays, parsePositiveInt } from '../lib/core/validate.js';

export default defineCommand<{ logGroupName?: string; retentionDays?: number }>({
  name: 'create-log-group',
  summary: 'Create or repair the CloudWatch Logs log group for invocation logs',
  examples: ['bedrock-monitor create-log-group --region us-east-1', 'bedrock-monitor create-log-group --retention-days 90'],
  configure: (cmd) =>
    cmd
      .option('--log-group-name <name>', 'log group name (default /aws/bedrock/modelinvocations)', checked(checkLogGroupName))
      .option('--retention-days <days>', 'retention in days, a value CloudWatch Logs accepts (default 30)', numeric(parsePositiveInt, checkRetentionDays)),
  overrides: (o) => ({ logGroupName: o.logGroupName, logRetentionDays: o.retentionDays }),
  run: async (ctx) => outcomesResult(await (await import('../lib/setup/steps.js')).runStep(ctx, 'create-log-group')),
});
