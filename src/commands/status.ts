import { defineCommand } from '../lib/cli/command.js';
import { ExitCode } from '../lib/core/errors.js';

export default defineCommand({
  name: 'status',
  targets: true,
  fleet: 'status',
  summary:
    'Check every managed resource for drift and name the command that repairs each (exit 3 when anything is ' +
    'drifted or missing)',
  examples: [
    'bedrock-monitor status --region us-east-1',
    'bedrock-monitor status --json | jq ".rows[] | select(.status != \\"ok\\")"',
  ],
  run: async (ctx) => {
    const { collectStatus } = await import('../lib/setup/steps.js');
    const { renderStatus } = await import('../lib/setup/render.js');
    const { statusProgress } = await import('../lib/setup/progress.js');
    const progress = await statusProgress(ctx);
    const rows = await collectStatus(ctx, progress.step).finally(progress.stop);
    const ok = rows.every((r) => r.status === 'ok');
    const region = ctx.settings.region;
    return {
      data: { region, ok, rows },
      render: (out) => renderStatus(out, rows, region),
      exitCode: ok ? ExitCode.ok : ExitCode.drift,
    };
  },
});
