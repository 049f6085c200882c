import { Option } from 'commander';
import { checked, defineCommand } from '../lib/cli/command.js';
import { usageError } from '../lib/core/errors.js';
import { checkWorkgroup } from '../lib/core/validate.js';

interface Opts {
  month?: string;
  since?: string;
  until?: string;
  by?: 'principal' | 'role' | 'model' | 'day' | 'account';
  source?: 'cur' | 'ce';
  cur?: string;
  logs?: string;
  engine?: 'local' | 'athena';
  workgroup?: string;
  cache: boolean;
}

/** The window from --month or --since/--until (default: this month so far); checked before any request. */
export function billWindow(o: Opts, now: Date): { start: Date; end: Date; label: string } {
  if (o.month !== undefined) {
    if (o.since !== undefined || o.until !== undefined)
      throw usageError('--month gives the whole window: it cannot be combined with --since/--until');
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(o.month);
    if (!m) throw usageError(`--month: "${o.month}" is not a month (give YYYY-MM, e.g. 2026-11)`);
    const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
    const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
    return { start, end, label: o.month };
  }
  const parse = (flag: string, v: string): Date => {
    const t = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t))
      throw usageError(`${flag}: "${v}" is not an ISO 8601 time (e.g. 2026-11-01 or 2026-11-01T00:00:00Z)`);
    return new Date(t);
  };
  const start = o.since ? parse('--since', o.since) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = o.until ? parse('--until', o.until) : now;
  if (end <= start) throw usageError('--until must be after --since');
  return { start, end, label: `${start.toISOString().slice(0, 10)} → ${end.toISOString().slice(0, 10)}` };
}

/** The bill's source: an explicit --source wins; else the export when one is named, else Cost Explorer. */
export function billSource(o: Pick<Opts, 'source' | 'cur'>, configured: string | undefined): 'cur' | 'ce' {
  if (o.source === 'ce' && o.cur !== undefined)
    throw usageError('--source ce: it cannot be combined with --cur (which names a CUR 2.0 export)');
  if (o.source === 'cur' && o.cur === undefined && !configured)
    throw usageError(
      '--cur: no CUR 2.0 export given (and no bill.cur in the config file)',
      "Give --cur s3://BUCKET/PREFIX (the Data Export's destination) or a directory of its Parquet files.",
    );
  return o.source ?? (o.cur !== undefined || configured ? 'cur' : 'ce');
}

/** --engine athena reads an export in S3 with Athena: not Cost Explorer, not a local directory. */
export function checkBillEngine(o: Pick<Opts, 'engine' | 'workgroup'>, source: 'cur' | 'ce', cur?: string): void {
  if (o.engine !== 'athena') {
    if (o.workgroup !== undefined) throw usageError('--workgroup: only with --engine athena');
    return;
  }
  if (source === 'ce') throw usageError('--engine athena: reads a CUR 2.0 export, not Cost Explorer (--source ce)');
  if (!cur?.startsWith('s3://'))
    throw usageError('--engine athena: needs the export in S3 (--cur s3://BUCKET/PREFIX or bill.cur)');
}

export default defineCommand<Opts>({
  name: 'bill',
  summary:
    "The invoice's Bedrock lines (CUR 2.0 export or Cost Explorer) beside the estimate from the logs, and the " +
    'bridge between them',
  examples: [
    'bedrock-monitor bill --month 2026-11 --cur s3://billing-exports/bedrock-monitor/cur2',
    'bedrock-monitor bill --since 2026-11-01 --until 2026-11-15 --by role',
    'bedrock-monitor bill --month 2026-11 --cur s3://billing-exports/bedrock-monitor/cur2 --engine athena',
    'bedrock-monitor bill --month 2026-11 --source ce --by model   # no export: Cost Explorer, $0.01 a request',
    "bedrock-monitor bill --month 2026-11 --json | jq '.bridge.causes'",
    'bedrock-monitor bill --month 2026-11 --output html > bill.html   # charts and tables, one file',
  ],
  formats: ['html'],
  configure: (cmd) =>
    cmd
      .option('--month <YYYY-MM>', 'a calendar month (UTC), e.g. 2026-11')
      .option('--since <time>', 'window start, ISO 8601 (default: the first of this month)')
      .option('--until <time>', 'window end, ISO 8601 (default now)')
      .addOption(
        new Option(
          '--by <what>',
          'one row per principal, role, model, day or account (default: principal; model with Cost Explorer)',
        ).choices(['principal', 'role', 'model', 'day', 'account']),
      )
      .addOption(
        new Option(
          '--source <source>',
          'where the bill comes from: cur (the CUR 2.0 export) or ce (Cost Explorer: no principal or role split, ' +
            '$0.01 per request, a day or two late); default: cur when --cur or bill.cur is set, else ce',
        ).choices(['cur', 'ce']),
      )
      .option(
        '--cur <location>',
        'the CUR 2.0 Data Export: s3://BUCKET/PREFIX or a directory of Parquet files (default: bill.cur)',
      )
      .option(
        '--logs <location>',
        "invocation logs: s3://BUCKET/PREFIX or a directory (default: the Region's logging configuration)",
      )
      .addOption(
        new Option(
          '--engine <engine>',
          'who reads the CUR 2.0 export: local (DuckDB on this machine, default) or athena (a Glue table over ' +
            'the export in S3, one query, $5 per TB scanned)',
        ).choices(['local', 'athena']),
      )
      .option(
        '--workgroup <name>',
        'with --engine athena: Athena workgroup (default: config athena.workgroup, else primary)',
        checked(checkWorkgroup),
      )
      .option('--no-cache', 'read S3 objects through a temporary directory instead of the local cache'),
  overrides: (o) => ({ 'athena.workgroup': o.workgroup || undefined }),
  run: async (ctx, o) => {
    const { parseLogsArg } = await import('../lib/logs/location.js');
    const window = billWindow(o, ctx.now());
    const source = billSource(o, ctx.settings.bill.cur);
    checkBillEngine(o, source, source === 'cur' ? (o.cur ?? ctx.settings.bill.cur) : undefined);
    const by = o.by ?? (source === 'ce' ? 'model' : 'principal');
    const { checkCeGroupBy } = await import('../lib/bill/ce.js');
    if (source === 'ce') checkCeGroupBy(by);
    const cur = source === 'cur' ? parseLogsArg((o.cur ?? ctx.settings.bill.cur)!, ctx.io.cwd) : undefined;
    if (cur?.kind === 'cloudwatch') throw usageError('--cur: give s3://BUCKET/PREFIX or a directory');
    const logs = o.logs === undefined ? undefined : parseLogsArg(o.logs, ctx.io.cwd);
    const { runBill } = await import('../lib/bill/build.js');
    const { renderBill } = await import('../lib/bill/render.js');
    const spinner = await ctx.out.spinner('Reading the bill');
    let data;
    try {
      data = await runBill(ctx, {
        ...(cur ? { cur } : {}),
        ...(o.engine ? { engine: o.engine } : {}),
        ...(logs ? { logs } : {}),
        window,
        by,
        noCache: !o.cache,
        onProgress: (m) => spinner.text(`Reading the bill: ${m}`),
      });
    } finally {
      spinner.stop();
    }
    return { data, render: (out, format) => renderBill(out, data, format) };
  },
});
