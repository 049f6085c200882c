import { Option } from 'commander';
import { defineCommand, numeric } from '../lib/cli/command.js';
import { parsePositiveNumber } from '../lib/core/validate.js';

interface Opts {
  hours?: number;
  since?: string;
  until?: string;
  by?: 'day';
  quotas?: boolean;
  notify?: boolean;
}

const HOURS_MAX = 455 * 24;

export default defineCommand<Opts>({
  name: 'report',
  summary: 'Usage and estimated cost per model from CloudWatch (tokens, cache, errors, latency percentiles)',
  examples: [
    'bedrock-monitor report --hours 24',
    'bedrock-monitor report --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --by day',
    'bedrock-monitor report --hours 168 --output csv > usage.csv',
    'bedrock-monitor report --json | jq .totals.costUsd',
    'bedrock-monitor report --hours 24 --quotas          # peak tokens/requests per minute against Service Quotas',
    'bedrock-monitor report --hours 168 --notify         # also publish it to the alert topic (cron, CI)',
  ],
  flags: { 'dry-run': 'with --notify: build the message but publish nothing' },
  formats: ['csv', 'markdown'],
  configure: (cmd) =>
    cmd
      .option('--hours <n>', `the last N hours (default 24, at most ${HOURS_MAX})`, numeric(parsePositiveNumber, (n) => (n > HOURS_MAX ? `${n} is beyond CloudWatch's ${HOURS_MAX / 24}-day retention (at most ${HOURS_MAX})` : undefined)))
      .option('--since <time>', 'window start, ISO 8601 (e.g. 2026-11-01T00:00:00Z)')
      .option('--until <time>', 'window end, ISO 8601 (default now)')
      .addOption(new Option('--by <period>', 'add a breakdown').choices(['day']))
      .option('--quotas', 'add quota headroom: peak tokens and requests per minute against Service Quotas (windows within the last 15 days)')
      .option('--notify', 'also publish the text report to the alert topic (SNS), for its subscribers'),
  run: async (ctx, o) => {
    const { buildReport } = await import('../lib/report/build.js');
    const { renderCsv, renderMarkdown, renderReportTable } = await import('../lib/report/render.js');
    const { resolveWindow } = await import('../lib/report/window.js');
    const { renderQuotas } = await import('../lib/report/quota-render.js');
    const request = { hours: o.hours, since: o.since, until: o.until, byDay: o.by === 'day' };
    const window = resolveWindow(request, ctx.now()); // validated before the first request
    const spinner = await ctx.out.spinner('Reading Bedrock metrics from CloudWatch');
    let report;
    try {
      report = await buildReport(ctx, { window, byDay: request.byDay, quotas: o.quotas === true, onProgress: (m) => spinner.text(`Reading Bedrock metrics: ${m}`) });
    } finally {
      spinner.stop();
    }
    for (const w of report.warnings) ctx.out.warn(w);
    if (o.notify) {
      const { publishReport } = await import('../lib/report/notify.js');
      report.notification = await publishReport(ctx, report);
      const n = report.notification;
      // On stderr, wrapped to a terminal like the rest of what people read there.
      ctx.out.toStderr().say(`${n.messageId ? 'Published' : 'Would publish (--dry-run)'} the report to ${n.topicArn} (${n.bytes} bytes${n.truncated ? ', truncated to fit' : ''}): "${n.subject}"`);
    }
    return {
      data: report,
      render: (out, format) => {
        if (format === 'csv') out.io.stdout.write(renderCsv(report));
        else if (format === 'markdown') out.io.stdout.write(renderMarkdown(report, out.io.env.TZ));
        else {
          out.io.stdout.write(renderReportTable(report, { width: out.width, tz: out.io.env.TZ, strong: (t) => out.c.bold(t), head: (t) => out.c.bold(t) }));
          if (report.quotas) {
            out.print('');
            renderQuotas(out, report.quotas);
          }
        }
      },
    };
  },
});
