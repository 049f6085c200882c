import { checked, defineCommand, numeric, outcomesResult } from '../lib/cli/command.js';
import { checkLogGroupName, checkRetentionDays, parsePositiveInt } from '../lib/core/validate.js';

export default defineCommand<{ logGroupName?: string; retentionDays?: number }>({
  name: 'create-log-group',
  targets: true,
  fleet: 'step',
  summary: 'Create or repair the CloudWatch Logs log group for invocation logs',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor create-log-group --region us-east-1',
    'bedrock-monitor create-log-group --retention-days 90',
  ],
  flags: { 'dry-run': true, force: true },
  configure: (cmd) =>
    cmd
      .option(
        '--log-group-name <name>',
        'log group name (default /aws/bedrock/modelinvocations; config logGroupName)',
        checked(checkLogGroupName),
      )
      .option(
        '--retention-days <days>',
        'retention in days, a value CloudWatch Logs accepts (default 30; config logRetentionDays)',
        numeric(parsePositiveInt, checkRetentionDays),
      ),
  overrides: (o) => ({ logGroupName: o.logGroupName, logRetentionDays: o.retentionDays }),
  run: async (ctx) =>
    outcomesResult(
      await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'create-log-group'),
      ctx.settings.region,
    ),
});
