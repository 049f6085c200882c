import { defineCommand, outcomesResult } from '../lib/cli/command.js';

export default defineCommand({
  name: 'cur-export',
  targets: true,
  fleet: 'step',
  group: 'Single steps (setup-all runs them all):',
  flags: { 'dry-run': true, force: true },
  summary:
    'Create or repair the CUR 2.0 Data Export (with IAM principals) into the bucket, for bill (needs "bill": ' +
    '{"enabled": true} in the config)',
  examples: [
    'bedrock-monitor cur-export --region us-east-1',
    'bedrock-monitor cur-export --dry-run',
    'bedrock-monitor status   # also says whether AWS has delivered the export yet',
  ],
  run: async (ctx) =>
    outcomesResult(
      await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'cur-export', { standalone: true }),
      ctx.settings.region,
    ),
});
