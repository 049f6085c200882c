import { checked, defineCommand, outcomesResult } from '../lib/cli/command.js';
import { checkRoleName } from '../lib/core/validate.js';

export default defineCommand<{ roleName?: string }>({
  name: 'setup-iam',
  summary: 'Create or repair the IAM role Bedrock uses to deliver invocation logs',
  examples: ['bedrock-monitor setup-iam --region us-east-1', 'bedrock-monitor setup-iam --role-name MyBedrockLogRole --dry-run'],
  configure: (cmd) => cmd.option('--role-name <name>', 'IAM role name (default BedrockCloudWatchLoggingRole-<region>)', checked(checkRoleName)),
  overrides: (o) => ({ roleName: o.roleName }),
  run: async (ctx) => outcomesResult(await (await import('../lib/setup/steps.js')).runStep(ctx, 'setup-iam')),
});
