import { InvalidArgumentError, Option } from 'commander';
import { checked, defineCommand, numeric } from '../lib/cli/command.js';
import type { Ctx } from '../lib/context/context.js';
import { usageError } from '../lib/core/errors.js';
import { checkWorkgroup, parsePositiveNumber } from '../lib/core/validate.js';
import { DIMS_HELP, metricsCanAnswer, parseDims, type Dim } from '../lib/logs/dims.js';

interface Opts {
  hours?: number;
  since?: string;
  until?: string;
  by?: Dim[];
  source?: 'logs' | 'metrics';
  logs?: string;
  engine?: 'local' | 'athena' | 'insights';
  workgroup?: string;
  cache: boolean;
  reconcile: boolean;
  quotas?: boolean;
  notify?: boolean;
  dryRun?: boolean;
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
}

const HOURS_MAX = 455 * 24;

const byParser = (raw: string): Dim[] => {
  try {
    return parseDims(raw);
  } catch (err) {
    // commander prints it and main() exits 2, like any other bad value.
    throw new InvalidArgumentError((err as Error).message.replace(/^--by: /, ''));
  }
};

/** Which source answers, from the flags alone (no request). */
export function chooseSource(o: Opts): 'logs' | 'metrics' {
  const wantsLogs = o.logs !== undefined || o.engine !== undefined || (o.by !== undefined && !metricsCanAnswer(o.by));
  if (o.source === 'metrics') {
    if (o.logs !== undefined)
      throw usageError('--logs reads the invocation logs: it cannot be combined with --source metrics');
    if (o.engine !== undefined)
      throw usageError('--engine picks a logs engine: it cannot be combined with --source metrics');
    if (o.by && !metricsCanAnswer(o.by))
      throw usageError(
        `--by ${o.by.map((d) => d.name).join(',')} needs the invocation logs (CloudWatch metrics know only ` +
          `model and day): drop --source metrics`,
      );
    return 'metrics';
  }
  if (o.engine === 'athena' && o.logs !== undefined)
    throw usageError('--engine athena reads the Athena table over the log bucket: it cannot be combined with --logs');
  if (o.engine === 'insights' && o.logs !== undefined)
    throw usageError('--engine insights reads the CloudWatch Logs group: it cannot be combined with --logs');
  const source = o.source ?? (wantsLogs ? 'logs' : 'metrics');
  if (source === 'logs' && (o.quotas || o.notify)) {
    const logsOptions = [
      o.by ? `--by ${o.by.map((d) => d.name).join(',')}` : '',
      '--logs',
      '--engine',
      '--source logs',
    ];
    throw usageError(
      `${o.quotas ? '--quotas' : '--notify'} works with the CloudWatch report (by model or day): drop it, or ` +
        `drop the logs options (${logsOptions.filter(Boolean).join(', ')})`,
    );
  }
  // Flags that would do nothing here are refused, so that a mistyped intent is not silently ignored.
  if (o.dryRun && !o.notify)
    throw usageError(
      '--dry-run goes with --notify (build the message, publish nothing): add --notify or drop --dry-run',
    );
  if (o.workgroup !== undefined && o.engine !== 'athena')
    throw usageError('--workgroup is for --engine athena: add --engine athena or drop --workgroup');
  if (source === 'metrics' && (o.regions !== undefined || o.accounts !== undefined))
    throw usageError(
      '--regions/--accounts: the CloudWatch metrics report covers one account and Region (use --region); the ' +
        'invocation logs cover many: add --source logs (or --by account, --by region)',
    );
  if (o.engine === 'athena' && (o.regions === 'all' || o.accounts === 'org'))
    throw usageError(
      '--engine athena reads the accounts and Regions a query names (the table injects them): list them with ' +
        '--regions and --accounts instead of "all"/"org"',
    );
  if (!o.cache && (source === 'metrics' || o.engine === 'athena' || o.engine === 'insights')) {
    throw usageError(
      '--no-cache is for the invocation logs read by the local engine (--by principal, --logs, …): drop it',
    );
  }
  return source;
}

async function metricsReport(ctx: Ctx, o: Opts) {
  const { buildReport } = await import('../lib/report/build.js');
  const { renderCsv, renderMarkdown, renderReportTable } = await import('../lib/report/render.js');
  const { resolveWindow } = await import('../lib/report/window.js');
  const { renderQuotas } = await import('../lib/report/quota-render.js');
  const request = {
    hours: o.hours,
    since: o.since,
    until: o.until,
    byDay: o.by?.some((d) => d.kind === 'day') === true,
  };
  const window = resolveWindow(request, ctx.now()); // validated before the first request
  const spinner = await ctx.out.spinner('Reading Bedrock metrics from CloudWatch');
  let report;
  try {
    report = await buildReport(ctx, {
      window,
      byDay: request.byDay,
      quotas: o.quotas === true,
      onProgress: (m) => spinner.text(`Reading Bedrock metrics: ${m}`),
    });
  } finally {
    spinner.stop();
  }
  for (const w of report.warnings) ctx.out.warn(w);
  if (o.notify) {
    const { publishReport } = await import('../lib/report/notify.js');
    report.notification = await publishReport(ctx, report);
    const n = report.notification;
    // On stderr, wrapped to a terminal like the rest of what people read there.
    ctx.out
      .toStderr()
      .say(
        `${n.messageId ? 'Published' : 'Would publish (--dry-run)'} the report to ${n.topicArn} (${n.bytes} ` +
          `bytes${n.truncated ? ', truncated to fit' : ''}): "${n.subject}"`,
      );
  }
  return {
    data: report,
    render: (out: Ctx['out'], format: string) => {
      if (format === 'csv') out.io.stdout.write(renderCsv(report));
      else if (format === 'markdown') out.io.stdout.write(renderMarkdown(report, out.io.env.TZ));
      else {
        out.io.stdout.write(
          renderReportTable(report, {
            width: out.width,
            tz: out.io.env.TZ,
            strong: (t) => out.c.bold(t),
            head: (t) => out.c.bold(t),
          }),
        );
        if (report.quotas) {
          out.print('');
          renderQuotas(out, report.quotas);
        }
      }
    },
  };
}

async function logsReport(ctx: Ctx, o: Opts) {
  const { resolveWindow } = await import('../lib/report/window.js');
  const { parseLogsArg } = await import('../lib/logs/location.js');
  const { checkLocalFiles } = await import('../lib/logs/local.js');
  const window = resolveWindow({ hours: o.hours, since: o.since, until: o.until }, ctx.now());
  const logs = o.logs === undefined ? undefined : parseLogsArg(o.logs, ctx.io.cwd);
  if (logs?.kind === 'dir') checkLocalFiles(logs.path, window);
  // Every input is valid: from here on, requests.
  const { buildLogsReport } = await import('../lib/report/logs-report.js');
  const { renderLogsCsv, renderLogsMarkdown, renderLogsTable } = await import('../lib/report/logs-render.js');
  const spinner = await ctx.out.spinner('Reading invocation logs');
  let report;
  try {
    report = await buildLogsReport(ctx, {
      dims: o.by ?? [{ kind: 'model', name: 'model' }],
      window,
      ...(logs ? { logs } : {}),
      ...(o.engine ? { engine: o.engine } : {}),
      noCache: !o.cache,
      reconcile: o.reconcile,
      onProgress: (m) => spinner.text(m),
      targets: {
        ...(o.regions !== undefined ? { regions: o.regions } : {}),
        ...(o.accounts !== undefined ? { accounts: o.accounts } : {}),
      },
    });
  } finally {
    spinner.stop();
  }
  for (const w of report.warnings) ctx.out.warn(w);
  return {
    data: report,
    render: (out: Ctx['out'], format: string) => {
      if (format === 'csv') out.io.stdout.write(renderLogsCsv(report));
      else if (format === 'markdown') out.io.stdout.write(renderLogsMarkdown(report));
      else renderLogsTable(out, report);
    },
  };
}

export default defineCommand<Opts>({
  name: 'report',
  summary:
    'Usage and estimated cost: per model from CloudWatch, or who spent what (principal, role, tag, ' +
    'application…) from the invocation logs',
  examples: [
    'bedrock-monitor report --hours 24',
    'bedrock-monitor report --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --by day',
    'bedrock-monitor report --hours 168 --by principal                # who spent what (reads the invocation logs)',
    'bedrock-monitor report --hours 24 --by tag:team,model --output csv > by-team.csv',
    'bedrock-monitor report --by role --logs ./logs-copy --no-reconcile   # a local copy of the S3 logs',
    'bedrock-monitor report --hours 720 --by application --engine athena',
    'bedrock-monitor report --by account,principal --logs s3://org-logs/ --regions us-east-1,eu-west-1 ' +
      '--accounts 111111111111,222222222222',
    'bedrock-monitor report --json | jq .totals.costUsd',
    'bedrock-monitor report --hours 24 --quotas          # peak tokens/requests per minute against Service Quotas',
    'bedrock-monitor report --hours 168 --notify         # also publish it to the alert topic (cron, CI)',
  ],
  flags: { 'dry-run': 'with --notify: build the message but publish nothing' },
  formats: ['csv', 'markdown'],
  targets: true,
  configure: (cmd) =>
    cmd
      .option(
        '--hours <n>',
        `the last N hours (default 24, at most ${HOURS_MAX})`,
        numeric(parsePositiveNumber, (n) =>
          n > HOURS_MAX
            ? `${n} is beyond CloudWatch's ${HOURS_MAX / 24}-day retention (at most ${HOURS_MAX})`
            : undefined,
        ),
      )
      .option('--since <time>', 'window start, ISO 8601 (e.g. 2026-11-01T00:00:00Z)')
      .option('--until <time>', 'window end, ISO 8601 (default now)')
      .option(
        '--by <dims>',
        `group by one or more of ${DIMS_HELP}, comma-separated; model and day come from CloudWatch metrics, ` +
          `the others from the invocation logs`,
        byParser,
      )
      .addOption(
        new Option('--source <source>', 'force the source (default: metrics for model/day, else logs)').choices([
          'logs',
          'metrics',
        ]),
      )
      .option(
        '--logs <where>',
        "s3://BUCKET/PREFIX or a local directory of log files (default: the S3 destination of the Region's " +
          'logging configuration)',
      )
      .addOption(
        new Option(
          '--engine <engine>',
          "logs engine: local (DuckDB on this machine, default), athena (the athena-table step's table), " +
            'insights (CloudWatch Logs Insights; the default when logs go to CloudWatch Logs only)',
        ).choices(['local', 'athena', 'insights']),
      )
      .option(
        '--workgroup <name>',
        'Athena workgroup (default: config athena.workgroup, else primary)',
        checked(checkWorkgroup),
      )
      .option('--no-cache', 'download S3 logs through a temporary directory instead of the local cache')
      .option('--no-reconcile', 'skip the comparison with CloudWatch metrics (for logs read without AWS access)')
      .option(
        '--quotas',
        'add quota headroom: peak tokens and requests per minute against Service Quotas (windows within the ' +
          'last 15 days)',
      )
      .option('--notify', 'also publish the text report to the alert topic (SNS), for its subscribers'),
  overrides: (o) => ({ 'athena.workgroup': o.workgroup || undefined }),
  run: async (ctx, o) => (chooseSource(o) === 'logs' ? logsReport(ctx, o) : metricsReport(ctx, o)),
});
