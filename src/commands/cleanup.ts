import { defineCommand } from '../lib/cli/command.js';

interface Opts {
  keepLogs?: boolean;
}

export default defineCommand<Opts>({
  name: 'cleanup',
  targets: true,
  fleet: 'cleanup',
  summary: 'Delete what setup created (only resources tagged ManagedBy=bedrock-monitor), in dependency order',
  examples: [
    'bedrock-monitor cleanup                 # lists what it will delete and asks',
    'bedrock-monitor cleanup --yes           # in CI',
    'bedrock-monitor cleanup --keep-logs --yes',
    'bedrock-monitor cleanup --dry-run',
  ],
  flags: {
    'dry-run': 'list what would be deleted; delete nothing',
    yes: 'delete without asking (needed without a terminal)',
    force: 'also delete same-named resources without the ManagedBy tag',
  },
  configure: (cmd) =>
    cmd.option('--keep-logs', 'keep the S3 bucket and the log group (the logged data); remove the rest'),
  run: async (ctx, o) => {
    const { runCleanup, renderCleanup } = await import('../lib/setup/cleanup.js');
    const { data, error } = await runCleanup(ctx, { keepLogs: o.keepLogs === true });
    return { data, error, render: (out) => renderCleanup(out, data, o.keepLogs === true) };
  },
});
