import { InvalidArgumentError, Option, type Command } from 'commander';
import { checked, defineCommand, numeric } from '../lib/cli/command.js';
import { checkWorkgroup, parsePositiveNumber } from '../lib/core/validate.js';
import { DIMS_HELP, parseDims, type Dim } from '../lib/logs/dims.js';
import { parseSort, parseTop, SORT_FIELDS } from '../lib/report/focus.js';
import type { ReportOptions } from '../lib/report/run.js';

const HOURS_MAX = 455 * 24;

/** A parser that throws commander's error (printed, exit 2), like any other bad value. */
const via =
  <T>(flag: string, parse: (raw: string) => T) =>
  (raw: string): T => {
    try {
      return parse(raw);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message.replace(new RegExp(`^${flag}: `), ''));
    }
  };
/** `--by a --by b` is `--by a,b` (each --by adds to the list; a dimension given twice is refused). */
const byParser = (raw: string, previous?: Dim[]): Dim[] =>
  via<Dim[]>('--by', parseDims)([...(previous ?? []).map((d) => d.name), raw].join(','));

/** The window and the grouping. */
function windowOptions(cmd: Command): Command {
  return cmd
    .option(
      '--hours <n>',
      `the last N hours (default 24; at most ${HOURS_MAX}, CloudWatch's retention, except for invocation logs ` +
        `read by the local or Athena engine)`,
      numeric(parsePositiveNumber),
    )
    .option(
      '--since <time>',
      'window start: ISO 8601 (2026-11-01T00:00:00Z), a duration back from now (36h, 7d, 2w) or a month (2026-11)',
    )
    .option('--until <time>', 'window end, ISO 8601 (default now)')
    .option(
      '--by <dims>',
      `group by one or more of ${DIMS_HELP}, comma-separated (or --by repeated); model, day, week and month ` +
        `come from CloudWatch metrics, the others from the invocation logs (account and region from the metrics ` +
        `too with --source metrics and --regions/--accounts)`,
      byParser,
    );
}

/** Where the figures come from, and what else the report does. */
function sourceOptions(cmd: Command): Command {
  return cmd
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
    .option('--no-cache', 'no local cache: S3 logs through a temporary directory, every log file checked again')
    .option('--no-reconcile', 'skip the comparison with CloudWatch metrics (for logs read without AWS access)')
    .option(
      '--strict',
      'fail (exit 1) when any input was left out unread: a log file not readable whole (truncated or corrupt ' +
        'gzip), a line that is not a record, a token count that is not a number',
    )
    .option(
      '--quotas',
      'add quota headroom: peak tokens and requests per minute against Service Quotas (windows within the ' +
        'last 15 days)',
    )
    .option('--notify', 'also publish the text report to the alert topic (SNS), for its subscribers');
}

/** Which rows, in which order, how wide. */
function focusOptions(cmd: Command): Command {
  return cmd
    .option(
      '--top <n>',
      'the first N rows (in the sort order); the rest summed into one "others" row',
      via('--top', parseTop),
    )
    .option(
      `--sort <field>`,
      `order rows by ${SORT_FIELDS.join(', ')} (default cost; time first for --by day…)`,
      via('--sort', parseSort),
    )
    .option('--wide', 'every column, even in a narrow terminal (the table may wrap)');
}

export default defineCommand<ReportOptions>({
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
    'bedrock-monitor report --accounts org --regions us-east-1,eu-west-1   # CloudWatch metrics of every account',
    'bedrock-monitor report --source metrics --by account --accounts org --regions all',
    'bedrock-monitor report --json | jq .totals.costUsd',
    'bedrock-monitor report --since 7d --by week --output csv > weeks.csv',
    'bedrock-monitor report --by principal --top 5 --sort output',
    'bedrock-monitor report --by day,principal --hours 720 --output html > report.html   # charts, one file',
    'bedrock-monitor report --hours 24 --quotas          # peak tokens/requests per minute against Service Quotas',
    'bedrock-monitor report --hours 168 --notify         # also publish it to the alert topic (cron, CI)',
  ],
  flags: { 'dry-run': 'with --notify: build the message but publish nothing' },
  formats: ['csv', 'markdown', 'html'],
  targets: 'self',
  configure: (cmd) => focusOptions(sourceOptions(windowOptions(cmd))),
  overrides: (o) => ({ 'athena.workgroup': o.workgroup || undefined }),
  run: async (ctx, o) => (await import('../lib/report/run.js')).runReport(ctx, o),
});
