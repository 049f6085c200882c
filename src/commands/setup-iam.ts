import { checked, defineCommand, outcomesResult } from '../lib/cli/command.js';
import { checkRoleName } from '../lib/core/validate.js';

export default defineCommand<{ roleName?: string }>({
  name: 'setup-iam',
  targets: true,
  fleet: 'step',
  summary: 'Create or repair the IAM role Bedrock uses to deliver invocation logs',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor setup-iam --region us-east-1',
    'bedrock-monitor setup-iam --role-name MyBedrockLogRole --dry-run',
  ],
  flags: { 'dry-run': true, force: true },
  configure: (cmd) =>
    cmd.option(
      '--role-name <name>',
      'IAM role name (default BedrockCloudWatchLoggingRole-<region>; config roleName)',
      checked(checkRoleName),
    ),
  overrides: (o) => ({ roleName: o.roleName }),
  run: async (ctx) =>
    outcomesResult(
      await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'setup-iam'),
      ctx.settings.region,
    ),
});
