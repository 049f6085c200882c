import type { Ctx } from '../context/context.js';
import { BmError, usageError } from '../core/errors.js';
import { barStyle } from '../io/draw.js';
import type { Output } from '../io/output.js';
import type { View } from '../io/view.js';
import { metricsCanAnswer, type Dim } from '../logs/dims.js';
import type { Report } from './types.js';
import type { LogsReport } from './logs-compute.js';
import { focusFleetMetrics, focusLogsReport, focusReport, periodsOf, type SortField } from './focus.js';

/**
 * `report` from its flags: which source answers (chosen from the flags alone, before any request), then
 * the metrics or the logs report (fetch → compute → focus), and the function that draws it in the
 * format asked for. The command (src/commands/report.ts) only declares the flags.
 */

export interface ReportOptions {
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
  strict?: boolean;
  quotas?: boolean;
  notify?: boolean;
  dryRun?: boolean;
  top?: number;
  sort?: SortField;
  wide?: boolean;
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
}

/** Many targets: --regions or --accounts given. */
const isFleet = (o: ReportOptions): boolean => o.regions !== undefined || o.accounts !== undefined;

/** Which source answers, from the flags alone (no request). */
export function chooseSource(o: ReportOptions): 'logs' | 'metrics' {
  const wantsLogs = o.logs !== undefined || o.engine !== undefined || (o.by !== undefined && !metricsCanAnswer(o.by));
  if (o.source === 'metrics') {
    if (o.by && !metricsCanAnswer(o.by) && metricsCanAnswer(o.by, true) && !isFleet(o))
      throw usageError(
        `--by ${o.by.map((d) => d.name).join(',')} with --source metrics splits the CloudWatch metrics of many ` +
          'targets: add --regions and/or --accounts',
      );
    if (o.logs !== undefined)
      throw usageError('--logs reads the invocation logs: it cannot be combined with --source metrics');
    if (o.engine !== undefined)
      throw usageError('--engine picks a logs engine: it cannot be combined with --source metrics');
    if (o.by && !metricsCanAnswer(o.by, isFleet(o)))
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
  checkCombinations(o, source);
  return source;
}

function checkCombinations(o: ReportOptions, source: 'logs' | 'metrics'): void {
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
  if (o.strict && source === 'metrics')
    throw usageError(
      '--strict fails a logs report that left input out unread; the CloudWatch report reads no files: drop --strict',
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
  if (o.engine === 'insights' && o.by?.some((d) => d.kind === 'week' || d.kind === 'month'))
    throw usageError('--by week|month needs calendar periods Logs Insights does not have: use --by day');
}

/** What the command hands to the CLI layer: the data --json prints, and how to draw it in another format. */
export interface ReportResult {
  data: unknown;
  render(out: Output, format: string): void;
  /** An error to end with after the report is shown (targets that could not be read: exit 1). */
  error?: BmError;
}

export interface Drawers {
  text(out: Output, wide: boolean): void;
  csv(): string;
  markdown(): string;
  html(): string;
}

export function drawer(d: Drawers, wide: boolean) {
  return (out: Output, format: string): void => {
    if (format === 'csv') out.write(d.csv());
    else if (format === 'markdown') out.write(d.markdown());
    else if (format === 'html') out.write(d.html());
    else d.text(out, wide);
  };
}

/** The drawers of a report made as a View (`view(tz)`): the one renderer of each format, the terminal's options. */
async function viewDrawers(view: (tz?: string) => View, tz: string | undefined): Promise<Drawers> {
  const { renderViewText, renderViewCsv, renderViewMarkdown } = await import('../io/view-text.js');
  const { renderViewHtml } = await import('../io/html.js');
  return {
    text: (out, wide) =>
      out.write(
        renderViewText(view(tz), {
          width: out.width,
          wide,
          bars: barStyle(out),
          strong: (t) => out.c.bold(t),
          head: (t) => out.c.bold(t),
        }),
      ),
    // CSV rows carry ISO times, in no time zone.
    csv: () => renderViewCsv(view()),
    markdown: () => renderViewMarkdown(view(tz)),
    html: () => renderViewHtml(view(tz)),
  };
}

async function metricsReport(ctx: Ctx, o: ReportOptions): Promise<ReportResult> {
  if (isFleet(o)) return fleetMetrics(ctx, o);
  const { buildReport } = await import('./build.js');
  const { reportView } = await import('./render.js');
  const { resolveWindow } = await import('./window.js');
  const period = o.by?.find((d) => d.kind === 'day' || d.kind === 'week' || d.kind === 'month');
  const request = { hours: o.hours, since: o.since, until: o.until, byDay: period !== undefined };
  const window = resolveWindow(request, ctx.now()); // validated before the first request
  const spinner = await ctx.events.spinner('Reading Bedrock metrics from CloudWatch');
  let built;
  try {
    built = await buildReport(ctx, {
      window,
      byDay: request.byDay,
      quotas: o.quotas === true,
      onProgress: (m) => spinner.text(`Reading Bedrock metrics: ${m}`),
    });
  } finally {
    spinner.stop();
  }
  const report = focusReport(built, { top: o.top, sort: o.sort });
  if (report.days && (period?.kind === 'week' || period?.kind === 'month')) {
    report.periods = periodsOf(report.days, period.kind, report.window.start, report.window.end);
  }
  for (const w of report.warnings) ctx.events.shown(w);
  if (o.notify) await notify(ctx, report);
  const draw = await viewDrawers((tz) => reportView(report, tz), ctx.io.env.TZ);
  return { data: report, render: drawer(draw, o.wide === true) };
}

/** The metrics report over the targets --regions/--accounts name, merged (fleet-metrics.ts). */
async function fleetMetrics(ctx: Ctx, o: ReportOptions): Promise<ReportResult> {
  const { resolveWindow } = await import('./window.js');
  const { buildFleetMetricsReport, fleetFailure } = await import('./fleet-metrics.js');
  const { fleetMetricsView } = await import('./fleet-metrics-render.js');
  const period = o.by?.find((d) => d.kind === 'day' || d.kind === 'week' || d.kind === 'month');
  const window = resolveWindow({ hours: o.hours, since: o.since, until: o.until, byDay: !!period }, ctx.now());
  const split = (o.by ?? []).flatMap((d) =>
    d.kind === 'model' || d.kind === 'account' || d.kind === 'region' ? [d.kind] : [],
  );
  const spinner = await ctx.events.spinner('Reading Bedrock metrics from CloudWatch');
  let report;
  try {
    report = await buildFleetMetricsReport(ctx, {
      window,
      byDay: !!period,
      groupBy: split.length ? split : ['account', 'region', 'model'],
      quotas: o.quotas === true,
      notify: o.notify === true,
      shape: (rep) => {
        if (rep.days && (period?.kind === 'week' || period?.kind === 'month'))
          rep.periods = periodsOf(rep.days, period.kind, rep.window.start, rep.window.end);
        return focusFleetMetrics(rep, { top: o.top, sort: o.sort });
      },
      targets: { ...(o.regions ? { regions: o.regions } : {}), ...(o.accounts ? { accounts: o.accounts } : {}) },
      onProgress: (m) => spinner.text(`Reading Bedrock metrics: ${m}`),
    });
  } finally {
    spinner.stop();
  }
  for (const w of report.warnings) ctx.events.shown(w);
  if (report.notification) tellNotification(ctx, report.notification);
  const error = fleetFailure(report);
  const draw = await viewDrawers((tz) => fleetMetricsView(report, tz), ctx.io.env.TZ);
  return { data: report, render: drawer(draw, o.wide === true), ...(error ? { error } : {}) };
}

async function notify(ctx: Ctx, report: Report): Promise<void> {
  const { publishReport } = await import('./notify.js');
  report.notification = await publishReport(ctx, report);
  tellNotification(ctx, report.notification);
}

function tellNotification(ctx: Ctx, n: NonNullable<Report['notification']>): void {
  // On stderr, wrapped to a terminal like the rest of what people read there.
  ctx.events.tell(
    `${n.messageId ? 'Published' : 'Would publish (--dry-run)'} the report to ${n.topicArn} (${n.bytes} ` +
      `bytes${n.truncated ? ', truncated to fit' : ''}): "${n.subject}"`,
  );
}

async function logsReport(ctx: Ctx, o: ReportOptions): Promise<ReportResult> {
  const { resolveWindow } = await import('./window.js');
  const { parseLogsArg } = await import('../logs/location.js');
  const { checkLocalFiles } = await import('../logs/local.js');
  // The logs are the user's own files, of any age: only Logs Insights is held to CloudWatch's retention.
  const retention = o.engine === 'insights';
  const window = resolveWindow({ hours: o.hours, since: o.since, until: o.until, retention }, ctx.now());
  const logs = o.logs === undefined ? undefined : parseLogsArg(o.logs, ctx.io.cwd);
  if (logs?.kind === 'dir') checkLocalFiles(logs.path, window);
  // Every input is valid: from here on, requests.
  // Many targets and no --logs: each target's own log bucket, read with its own credentials.
  const fleet = !logs && (o.engine ?? 'local') === 'local' && (o.regions !== undefined || o.accounts !== undefined);
  const { buildLogsReport } = fleet
    ? { buildLogsReport: (await import('./fleet-logs.js')).buildFleetLogsReport }
    : await import('./logs-report.js');
  const { renderLogsCsv, renderLogsHtml, renderLogsMarkdown, renderLogsTable } = await import('./logs-render.js');
  const spinner = await ctx.events.spinner('Reading invocation logs');
  let built;
  try {
    built = await buildLogsReport(ctx, {
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
  const report = focusLogsReport(built, { top: o.top, sort: o.sort });
  for (const w of report.warnings) ctx.events.shown(w);
  if (o.strict && !report.complete) await failIncomplete(report);
  return {
    data: report,
    render: drawer(
      {
        text: (out, wide) => {
          const bars = barStyle(out);
          renderLogsTable(out, report, { wide, ...(bars ? { bars } : {}) });
        },
        csv: () => renderLogsCsv(report),
        markdown: () => renderLogsMarkdown(report),
        html: () => renderLogsHtml(report),
      },
      o.wide === true,
    ),
  };
}

/** --strict: a report that left input out unread is an error (exit 1), naming what was left out. */
async function failIncomplete(report: Pick<LogsReport, 'skipped'>): Promise<never> {
  const { incompleteParts } = await import('./logs-compute.js');
  throw new BmError(`--strict: the logs report is incomplete: ${incompleteParts(report.skipped).join(', ')}`, {
    code: 'E_LOGS_INCOMPLETE',
    hint:
      'The warnings name each file and field left out. Repair or remove the damaged files (gzip -t tells), or run ' +
      'without --strict to report what could be read.',
    details: { skipped: report.skipped },
  });
}

/** The report the flags ask for. */
export async function runReport(ctx: Ctx, o: ReportOptions): Promise<ReportResult> {
  return chooseSource(o) === 'logs' ? logsReport(ctx, o) : metricsReport(ctx, o);
}
