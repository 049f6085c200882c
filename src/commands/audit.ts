import { Option } from 'commander';
import { defineCommand, numeric } from '../lib/cli/command.js';
import { parsePositiveNumber } from '../lib/core/validate.js';

interface Opts {
  hours?: number;
  since?: string;
  until?: string;
  by?: 'principal' | 'role' | 'event' | 'source-ip' | 'error' | 'account' | 'region';
  denied?: boolean;
  source?: 'history' | 'trail';
  logs?: string;
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
}

export default defineCommand<Opts>({
  name: 'audit',
  summary: "Who called Bedrock, from where, and who was refused (CloudTrail event history, or the trail's files)",
  examples: [
    'bedrock-monitor audit                                   # last 24 h per principal, from the event history',
    'bedrock-monitor audit --denied --by source-ip --hours 168',
    'bedrock-monitor audit --source trail --since 2026-01-01T00:00:00Z --until 2026-02-01T00:00:00Z',
    'bedrock-monitor audit --logs ./cloudtrail-export --output csv > callers.csv',
    'bedrock-monitor audit --hours 168 --output html > audit.html   # calls over time, refused callers, one file',
    "bedrock-monitor audit --json | jq '.rows[] | select(.new)'",
    'bedrock-monitor audit --logs s3://org-trail-bucket --regions us-east-1,eu-west-1 --accounts org --by account',
  ],
  formats: ['csv', 'markdown', 'html'],
  targets: 'self',
  configure: (cmd) =>
    cmd
      .option('--hours <n>', 'the last N hours (default 24)', numeric(parsePositiveNumber))
      .option('--since <time>', 'window start, ISO 8601 (e.g. 2026-11-01T00:00:00Z)')
      .option('--until <time>', 'window end, ISO 8601 (default now)')
      .addOption(
        new Option(
          '--by <what>',
          'one row per principal (the caller as logged, session kept), role (sessions merged), event name, ' +
            'source IP, error code, account or Region',
        )
          .choices(['principal', 'role', 'event', 'source-ip', 'error', 'account', 'region'])
          .default('principal'),
      )
      .option('--denied', 'only refused calls (AccessDenied…, …UnauthorizedOperation)')
      .addOption(
        new Option(
          '--source <source>',
          "history: CloudTrail event history (90 days, management events); trail: the trail's log files " +
            '(also data events)',
        ).choices(['history', 'trail']),
      )
      .option(
        '--logs <location>',
        "the trail's files: s3://bucket/prefix or a directory (implies --source trail; default: the tool's " +
          'bucket under audit.s3KeyPrefix)',
      ),
  run: async (ctx, o) => {
    const { auditRequest } = await import('../lib/audit/request.js');
    const { runAudit } = await import('../lib/audit/build.js');
    const { renderAuditCsv, renderAuditHtml, renderAuditMarkdown, renderAuditTable } =
      await import('../lib/audit/render.js');
    const request = await auditRequest(ctx, o); // every flag checked before the first request
    const spinner = await ctx.out.spinner('Reading Bedrock calls from CloudTrail');
    let result;
    try {
      result = await runAudit(ctx, { ...request, onProgress: (m) => spinner.text(m) });
    } finally {
      spinner.stop();
    }
    for (const w of result.warnings) ctx.out.warn(w);
    const error = (await import('../lib/audit/fleet-history.js')).auditFleetFailure(result.targets);
    return {
      ...(error ? { error } : {}),
      data: result,
      render: (out, format) => {
        if (format === 'csv') out.io.stdout.write(renderAuditCsv(result));
        else if (format === 'markdown') out.io.stdout.write(renderAuditMarkdown(result, out.io.env.TZ));
        else if (format === 'html') out.write(renderAuditHtml(result, out.io.env.TZ));
        else renderAuditTable(out, result);
      },
    };
  },
});
