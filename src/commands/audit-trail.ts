import { defineCommand, outcomesResult } from '../lib/cli/command.js';

export default defineCommand({
  name: 'audit-trail',
  targets: true,
  fleet: 'step',
  summary:
    'Create or repair the CloudTrail trail for Bedrock and the security view (needs "audit": {"enabled": ' +
    'true} in the config)',
  group: 'Single steps (setup-all runs them all):',
  flags: { 'dry-run': true, force: true },
  examples: [
    'bedrock-monitor audit-trail --region us-east-1',
    'bedrock-monitor audit-trail --dry-run',
    'bedrock-monitor status   # also reports a trail that stopped logging',
  ],
  run: async (ctx) => {
    const { runAuditSetup } = await import('../lib/setup/audit-setup.js');
    return outcomesResult(await runAuditSetup(ctx));
  },
});
