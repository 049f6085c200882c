import type { Ctx } from '../context/context.js';
import { pricesByRegion, pricesWarnings, type PricesInUse, type TableInUse } from '../context/prices.js';
import { REGION_RE } from '../core/validate.js';
import { parseDims } from '../logs/dims.js';
import { describeLocation, type LogLocation } from '../logs/location.js';
import { priceFor } from '../pricing/price.js';
import { noRateReason } from '../pricing/snapshot.js';
import { regionTables, type RegionPriceTable } from '../report/logs-compute.js';
import { dirAccounts, planLogs, resolveScope, runEngine } from '../report/logs-report.js';
import type { BilledLine, BillRow, Bridge, EstimatedGroup, GroupBy, PriceOf } from './bridge.js';
import { computeBill } from './compute.js';
import { readCostExplorer, CE_REQUEST_USD } from './ce.js';
import { readCur, type CurRead } from './cur.js';

/**
 * `bill`: the CUR 2.0 export's Bedrock line items beside the estimate from the invocation logs (priced with the
 * table every report uses, each day at its rate), then the bridge between them.
 */

export interface BillRequest {
  /** The CUR 2.0 export, or Cost Explorer (`undefined`). */
  cur?: Extract<LogLocation, { kind: 's3' } | { kind: 'dir' }>;
  /** Who reads the export: the embedded DuckDB (default) or Athena (an s3:// export only). */
  engine?: 'local' | 'athena';
  logs?: LogLocation;
  window: { start: Date; end: Date; label: string };
  by: GroupBy;
  noCache: boolean;
  onProgress?: (msg: string) => void;
}

export interface CurSource {
  kind: 'cur2';
  location: string;
  engine: 'local' | 'athena';
  /** Parquet files read (the embedded engine; 0 with Athena, which lists none). */
  files: number;
  lineItems: number;
  iamPrincipal: boolean;
}

/** Cost Explorer: no principals; every GetCostAndUsage request (page) costs USD 0.01. */
export interface CeSource {
  kind: 'cost-explorer';
  services: string[];
  requests: number;
  requestsUsd: number;
  lineItems: number;
  iamPrincipal: false;
  /** Days Cost Explorer marked as estimated (not final). */
  estimatedDays: string[];
}

/** What `bill --json` prints and the table is drawn from (docs/bill.md documents it). */
export interface BillResult {
  kind: 'bedrock-monitor bill';
  window: { start: string; end: string; label: string };
  groupBy: GroupBy;
  region: string;
  sources: {
    bill: CurSource | CeSource;
    estimate: { kind: 'logs'; location: string; engine: string };
  };
  /** The context Region's table; `regions`: each Region's, when Regions were priced from different tables. */
  prices: Pick<PricesInUse, 'table' | 'source' | 'date'> & { regions?: RegionPriceTable[] };
  rows: BillRow[];
  totals: { billedUsd: number; estimatedUsd: number; differenceUsd: number };
  bridge: Bridge;
  unpricedModels: string[];
  warnings: string[];
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The logs' sums per principal, Region and day. The estimate covers what the logs report of the same window would
 * over the context's account and the Regions the bill names (and the context's): each record keeps its Region (the
 * hidden pricing key every engine returns), the context's when the logs do not say.
 */
async function estimate(
  ctx: Ctx,
  req: BillRequest,
  regions: string[],
): Promise<{ groups: EstimatedGroup[]; location: string; engine: string }> {
  const plan = await planLogs(ctx, req.logs ? { logs: req.logs } : {});
  const window = { start: req.window.start, end: req.window.end, periodSeconds: 0, granularitySeconds: 3600 };
  const logsReq = {
    dims: parseDims('principal,day'),
    window,
    noCache: req.noCache,
    reconcile: false,
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  };
  const where = plan.engine === 'local' ? plan.location : undefined;
  const treeAccounts = where?.kind === 'dir' ? await dirAccounts(where.path, window) : [];
  const targets = { regions };
  const scope = await resolveScope(ctx, { targets }, where, () => treeAccounts, plan.engine === 'athena');
  const aggregate = await runEngine(ctx, plan, logsReq, scope);
  const groups = aggregate.groups.map((g) => ({
    ...g,
    principal: g.keys[0] ?? '',
    region: g.region && REGION_RE.test(g.region) ? g.region : ctx.settings.region,
    day: (g.keys[1] ?? '').slice(0, 10),
    modelId: g.model,
  }));
  const location =
    plan.engine === 'local'
      ? describeLocation(plan.location)
      : plan.engine === 'insights'
        ? plan.logGroupName
        : 'Athena';
  return { groups, location, engine: plan.engine };
}

interface Billed {
  lines: BilledLine[];
  source: CurSource | CeSource;
  hasPrincipal: boolean;
  /** The Athena query's cost line, when Athena read the export. */
  athena?: string;
}

async function readBill(ctx: Ctx, req: BillRequest): Promise<Billed> {
  if (!req.cur) {
    req.onProgress?.('asking Cost Explorer');
    const ce = await readCostExplorer(ctx, req.window);
    const source: CeSource = {
      kind: 'cost-explorer',
      services: ce.services,
      requests: ce.requests,
      requestsUsd: Math.round(ce.requests * CE_REQUEST_USD * 100) / 100,
      lineItems: ce.lines.length,
      iamPrincipal: false,
      estimatedDays: ce.estimatedDays,
    };
    return { lines: ce.lines, source, hasPrincipal: false };
  }
  req.onProgress?.('reading the CUR 2.0 export');
  const cur = await readCurWith(ctx, req, req.cur);
  const source: CurSource = {
    kind: 'cur2',
    location: describeLocation(req.cur),
    engine: req.engine ?? 'local',
    files: cur.files,
    lineItems: cur.lines.length,
    iamPrincipal: cur.hasPrincipal,
  };
  return { lines: cur.lines, source, hasPrincipal: cur.hasPrincipal, ...(cur.athena ? { athena: cur.athena } : {}) };
}

async function readCurWith(
  ctx: Ctx,
  req: BillRequest,
  cur: NonNullable<BillRequest['cur']>,
): Promise<CurRead & { athena?: string }> {
  if (req.engine !== 'athena' || cur.kind !== 's3') return readCur(ctx, cur, req.window, req.noCache);
  const { readCurAthena } = await import('./cur-athena.js');
  const r = await readCurAthena(ctx, cur, req.window);
  const mb = (r.dataScannedBytes / 1e6).toFixed(1);
  return { ...r, athena: `Athena query ${r.queryExecutionId} scanned ${mb} MB ($${r.queryCostUsd.toFixed(4)})` };
}

function sourceWarnings(billed: Billed): string[] {
  const s = billed.source;
  if (s.kind === 'cost-explorer')
    return [
      `Cost Explorer: ${s.requests} GetCostAndUsage request(s) at $0.01 each; it has no IAM principal, so the ` +
        'bridge matches the logs to the bill per model and day (what differs between principals of one model and ' +
        'day nets out there, and is named by no cause)',
      ...(s.estimatedDays.length
        ? [
            `Cost Explorer marks ${s.estimatedDays.length} day(s) as estimated, not final: ` +
              s.estimatedDays.join(', '),
          ]
        : []),
    ];
  if (!billed.hasPrincipal)
    return [
      ...(billed.athena ? [billed.athena] : []),
      'the export has no line_item_iam_principal column: per-principal billing needs the Data Export to include ' +
        'caller identity (IAM principal); the bill is compared without principals',
    ];
  return billed.athena ? [billed.athena] : [];
}

/** The Regions the estimate reads: the context's and every Region the bill names. */
function billedRegions(ctx: Ctx, lines: BilledLine[]): string[] {
  const named = lines.flatMap((l) => (l.region && REGION_RE.test(l.region) ? [l.region] : []));
  return [...new Set([ctx.settings.region, ...named])].sort();
}

/**
 * Each Region's table, read once (the logs report's: refreshed, else the snapshot where it covers the Region), and the
 * price of a record from its own Region's table. A Region with neither prices nothing but the config file's overrides:
 * never another Region's (bundled us-east-1) rate.
 */
async function regionPricing(ctx: Ctx, groups: EstimatedGroup[]) {
  const tables = await pricesByRegion(ctx, [ctx.settings.region, ...groups.map((g) => g.region)]);
  const home = tables.get(ctx.settings.region)!;
  const tableOf = (region: string): TableInUse => tables.get(region) ?? home;
  const price: PriceOf = (id, d, region) => {
    const t = tableOf(region);
    return priceFor(id, ctx.settings.prices, t.refreshed, d, t.info.table !== 'bundled');
  };
  const used: RegionPriceTable[] = [...new Set(groups.map((g) => g.region))].sort().map((region) => {
    const { info } = tableOf(region);
    return { region, source: info.source, date: info.date, table: info.table };
  });
  return { tables, home: home.info, price, regions: regionTables(used).regions };
}

/** The unpriced models' warning, naming the Regions priced without a table of their own (and why). */
function unpricedWarning(unpriced: string[], groups: EstimatedGroup[], tables: Map<string, TableInUse>): string {
  const bare = groups
    .filter((g) => unpriced.includes(g.modelId) && tables.get(g.region)?.info.table === 'bundled')
    .map((g) => g.region);
  const regions = [...new Set(bare)].sort();
  return (
    `not in the price table (estimated at $0): ${unpriced.join(', ')}` +
    (regions.length ? `: ${noRateReason(regions)}` : '')
  );
}

export async function runBill(ctx: Ctx, req: BillRequest): Promise<BillResult> {
  const billed = await readBill(ctx, req);
  req.onProgress?.('reading the invocation logs');
  const est = await estimate(ctx, req, billedRegions(ctx, billed.lines));
  const pricing = await regionPricing(ctx, est.groups);
  const computed = computeBill(billed.lines, est.groups, req.by, pricing.price, {
    principals: billed.source.kind === 'cur2',
    home: ctx.settings.region,
  });
  const infos = [pricing.home, ...[...pricing.tables.values()].map((t) => t.info)];
  const warnings = [...new Set(infos.flatMap((i) => pricesWarnings(i, ctx.now())))];
  warnings.push(...sourceWarnings(billed));
  if (computed.unpriced.length) warnings.push(unpricedWarning(computed.unpriced, est.groups, pricing.tables));
  if (req.window.end.getTime() > ctx.now().getTime() - 86_400_000)
    warnings.push('the bill lags usage by up to a day or two: the last days of the window may be incomplete');
  const b = computed.bridge;
  const info = pricing.home;
  return {
    kind: 'bedrock-monitor bill',
    window: { start: req.window.start.toISOString(), end: req.window.end.toISOString(), label: req.window.label },
    groupBy: req.by,
    region: ctx.settings.region,
    sources: {
      bill: billed.source,
      estimate: { kind: 'logs', location: est.location, engine: est.engine },
    },
    prices: {
      table: info.table,
      source: info.source,
      date: info.date,
      ...(pricing.regions ? { regions: pricing.regions } : {}),
    },
    rows: computed.rows,
    totals: { billedUsd: b.billedUsd, estimatedUsd: b.estimatedUsd, differenceUsd: b.differenceUsd },
    bridge: b,
    unpricedModels: computed.unpriced,
    warnings,
  };
}

export { day };
