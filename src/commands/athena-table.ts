import { defineCommand, outcomesResult } from '../lib/cli/command.js';

export default defineCommand({
  name: 'athena-table',
  targets: true,
  fleet: 'step',
  group: 'Single steps (setup-all runs them all):',
  flags: { 'dry-run': true, force: true },
  summary: 'Create or repair the Glue database and Athena table over the invocation logs (for report --engine athena)',
  examples: [
    'bedrock-monitor athena-table --region us-east-1',
    'bedrock-monitor athena-table --dry-run',
    'bedrock-monitor report --hours 720 --by principal --engine athena',
  ],
  run: async (ctx) =>
    outcomesResult(await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'athena-table')),
});
