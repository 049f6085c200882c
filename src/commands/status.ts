import { defineCommand } from '../lib/cli/command.js';
import { ExitCode } from '../lib/core/errors.js';
import { renderStatus } from '../lib/setup/render.js';

export default defineCommand({
  name: 'status',
  summary: 'Check every managed resource for drift (exit 3 when anything is drifted or missing)',
  examples: ['bedrock-monitor status --region us-east-1', 'bedrock-monitor status --json | jq ".rows[] | select(.status != \\"ok\\")"'],
  run: async (ctx) => {
    const { collectStatus } = await import('../lib/setup/steps.js');
    const rows = await collectStatus(ctx);
    const ok = rows.every((r) => r.status === 'ok');
    return { data: { region: ctx.settings.region, ok, rows }, render: (out) => renderStatus(out, rows), exitCode: ok ? ExitCode.ok : ExitCode.drift };
  },
});
