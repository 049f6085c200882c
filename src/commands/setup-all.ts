import { defineCommand, emailOption } from '../lib/cli/command.js';

interface Opts {
  email?: string[];
  audit?: boolean;
}

export default defineCommand<Opts>({
  name: 'setup-all',
  targets: true,
  fleet: 'setup',
  summary: 'Create or repair everything: role, bucket, log group, topic, logging, dashboard and alarms',
  examples: [
    'bedrock-monitor setup-all                       # interactive: asks for the Region and alert addresses, ' +
      'shows the plan',
    'bedrock-monitor setup-all --yes --region eu-west-1 --email oncall@example.com',
    'bedrock-monitor setup-all --dry-run --json',
  ],
  flags: {
    'dry-run': true,
    yes: 'do not ask anything: take the Region and addresses from flags, config and environment (CI does the same)',
    force: true,
  },
  configure: (cmd) =>
    emailOption(cmd).option(
      '--audit',
      'also set up the CloudTrail audit trail and security view (for this run; set "audit": {"enabled": ' +
        'true} in the config to keep status and cleanup aware)',
    ),
  overrides: (o) => ({ 'alarms.emails': o.email, 'audit.enabled': o.audit }),
  prepare: async (o, io) => {
    const { askSetupQuestions } = await import('../lib/setup/flow-ask.js');
    return askSetupQuestions(o, io);
  },
  run: async (ctx) => {
    const { runSetupAll } = await import('../lib/setup/flow-run.js');
    const { renderSetupAll } = await import('../lib/setup/flow-render.js');
    const { data, error } = await runSetupAll(ctx);
    return { data, error, render: (out) => renderSetupAll(out, data, ctx.dryRun) };
  },
});
