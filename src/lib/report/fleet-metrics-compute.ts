import { errorJson, type BmError, type ErrorJson } from '../core/errors.js';
import { targetLabel, type Target } from '../core/targets.js';
import { totalsOf } from './compute.js';
import type { HeadroomRow, QuotaHeadroom } from './quota-compute.js';
import { regionTables, type LogsReport, type RegionPriceTable } from './logs-compute.js';
import {
  HOURS_PER_MONTH,
  round,
  SUM_FIELDS,
  type DayRow,
  type Others,
  type Periods,
  type Report,
  type SumField,
} from './types.js';

/**
 * The CloudWatch metrics report over many targets (accounts × Regions), merged from each target's own report (pure:
 * no AWS, no clock). Rows are grouped by any of account, Region and model; totals are over the whole fleet; every
 * chosen target has a row in `targets`, with data, without any in the window, or failed with its reason and fix.
 */

/** The dimensions the merged rows can be split by. */
export const FLEET_METRIC_KEYS = ['account', 'region', 'model'] as const;
export type FleetMetricKey = (typeof FLEET_METRIC_KEYS)[number];

/** One merged row: a model's figures in an account and Region, or summed over what the grouping leaves out. */
export type FleetMetricsRow = Record<SumField, number | null> & {
  /** null: summed over every account (the rows are not split by account); likewise region and modelId. */
  account: string | null;
  region: string | null;
  modelId: string | null;
  latencyAvgMs: number | null;
  /** The priced models' cost; null when no model of the row is priced. */
  costUsd: number | null;
  /** false when a model of the row is in no price table (its cost is left out). */
  priced: boolean;
};

/** One chosen target: its share of the totals, no data in the window, or why it could not be read. */
export interface FleetMetricsTarget {
  account: string;
  region: string;
  status: 'data' | 'no data' | 'failed';
  invocations: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** failed: the error (its hint is the fix), else null. */
  error: ErrorJson | null;
}

export interface FleetMetricsReport {
  source: 'metrics';
  window: { start: string; end: string; hours: number };
  groupBy: FleetMetricKey[];
  scope: { accounts: string[]; regions: string[] };
  rows: FleetMetricsRow[];
  targets: FleetMetricsTarget[];
  totals: Report['totals'];
  projection: Report['projection'];
  days?: DayRow[];
  periods?: Periods;
  /** --top N: the rows after the first N, summed (rows shown plus others add up to the totals). */
  others?: Others;
  /** As the logs report's: `regions` names each Region's table when they differ. */
  prices: LogsReport['prices'];
  /** Regions `--regions all` left out, and why. */
  skippedRegions: { region: string; reason: string }[];
  /** report --quotas: every target's peaks per minute against its own Service Quotas. */
  quotas?: FleetQuotas;
  /** report --notify: the merged report published to the alert topic of the caller's account, home Region. */
  notification?: Report['notification'];
  warnings: string[];
}

/** One model's headroom in one account and Region (each target has its own quotas). */
export type FleetHeadroomRow = HeadroomRow & { account: string; region: string };

/** report --quotas over many targets: the rows of every target read, closest to a quota first. */
export interface FleetQuotas {
  warnPercent: number;
  burndown: QuotaHeadroom['burndown'];
  rows: FleetHeadroomRow[];
  /** Targets read whose headroom could not be worked out (e.g. a window older than 1-minute data), and why. */
  unavailable: { account: string; region: string; reason: string }[];
  /** A note every target gave once; any other prefixed with the targets that gave it. */
  notes: string[];
}

/** One target's run: its own single-target report, or its error. */
export interface TargetReport {
  target: Target;
  value?: Report;
  error?: BmError;
}

export interface MergeInput {
  runs: TargetReport[];
  groupBy: FleetMetricKey[];
  window: { start: Date; end: Date };
  skippedRegions?: FleetMetricsReport['skippedRegions'];
  /** The price table when no target could be read (what each target's report names otherwise). */
  priceTable: FleetMetricsReport['prices'];
}

type Acc = FleetMetricsRow & { latencyWeight: number; latencySum: number; anyPriced: boolean };

const addNullable = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

function keyOf(groupBy: FleetMetricKey[], t: Target, modelId: string): Pick<Acc, 'account' | 'region' | 'modelId'> {
  return {
    account: groupBy.includes('account') ? t.account : null,
    region: groupBy.includes('region') ? t.region : null,
    modelId: groupBy.includes('model') ? modelId : null,
  };
}

/** Each target's model rows folded into the groups, costs and latency averages weighted by invocations. */
export function mergeRows(runs: TargetReport[], groupBy: FleetMetricKey[]): FleetMetricsRow[] {
  const groups = new Map<string, Acc>();
  for (const run of runs)
    for (const m of run.value?.models ?? []) {
      const k = keyOf(groupBy, run.target, m.modelId);
      const id = [k.account, k.region, k.modelId].join('\u0000');
      const zero = Object.fromEntries(SUM_FIELDS.map((f) => [f, 0])) as Record<SumField, number>;
      const acc = groups.get(id) ?? {
        ...k,
        ...zero,
        latencyAvgMs: null,
        costUsd: 0,
        priced: true,
        latencyWeight: 0,
        latencySum: 0,
        anyPriced: false,
      };
      groups.set(id, acc);
      for (const f of SUM_FIELDS) acc[f] = addNullable(acc[f], m[f]);
      if (m.latencyAvgMs !== null && (m.invocations ?? 0) > 0) {
        acc.latencyWeight += m.invocations!;
        acc.latencySum += m.latencyAvgMs * m.invocations!;
      }
      if (!m.priced) acc.priced = false;
      if (m.costUsd !== null) {
        acc.costUsd = (acc.costUsd ?? 0) + m.costUsd;
        acc.anyPriced = true;
      }
    }
  return [...groups.values()]
    .map(({ latencyWeight, latencySum, anyPriced, ...r }) => ({
      ...r,
      latencyAvgMs: latencyWeight ? round(latencySum / latencyWeight, 3) : null,
      costUsd: anyPriced ? round(r.costUsd ?? 0) : null,
    }))
    .sort(
      (x, y) =>
        (y.costUsd ?? -1) - (x.costUsd ?? -1) ||
        (y.invocations ?? 0) - (x.invocations ?? 0) ||
        [x.account, x.region, x.modelId].join(' ').localeCompare([y.account, y.region, y.modelId].join(' ')),
    );
}

/** A row per chosen target, in account and Region order. */
export function targetRows(runs: TargetReport[]): FleetMetricsTarget[] {
  return runs
    .map((r): FleetMetricsTarget => {
      const t = r.value?.totals;
      const status = r.error || !r.value ? 'failed' : r.value.models.length ? 'data' : 'no data';
      return {
        account: r.target.account,
        region: r.target.region,
        status,
        invocations: t && status === 'data' ? t.invocations : status === 'no data' ? 0 : null,
        inputTokens: t && status === 'data' ? t.inputTokens : status === 'no data' ? 0 : null,
        outputTokens: t && status === 'data' ? t.outputTokens : status === 'no data' ? 0 : null,
        costUsd: t && status !== 'failed' ? t.costUsd : null,
        error: r.error ? errorJson(r.error) : null,
      };
    })
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
}

/** The targets' days summed per UTC day (every target's report covers the same days of the same window). */
export function mergeDays(runs: TargetReport[]): DayRow[] | undefined {
  const all = runs.flatMap((r) => (r.value?.days ? [r.value.days] : []));
  if (!all.length) return undefined;
  const days = new Map<string, DayRow>();
  for (const list of all)
    for (const d of list) {
      const acc = days.get(d.date);
      if (!acc) {
        days.set(d.date, { ...d });
        continue;
      }
      for (const f of SUM_FIELDS) acc[f] += d[f];
      acc.costUsd = round(acc.costUsd + d.costUsd);
    }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * The targets' warnings: one that every target read gave (a model no price table knows) once, any other prefixed
 * with the targets that gave it.
 */
export function mergeWarnings(runs: TargetReport[]): string[] {
  const read = runs.filter((r) => r.value);
  const by = new Map<string, string[]>();
  for (const r of read) for (const w of r.value!.warnings) by.set(w, [...(by.get(w) ?? []), targetLabel(r.target)]);
  return [...by].map(([w, ts]) => (ts.length === read.length ? w : `${ts.join(', ')}: ${w}`));
}

const peakPercent = (r: HeadroomRow): number => Math.max(r.tpmPercent ?? -1, r.rpmPercent ?? -1);

/** The targets' quota headroom side by side; undefined when no target was asked for it (or none was read). */
export function fleetQuotas(runs: TargetReport[]): FleetQuotas | undefined {
  const read = runs.filter((r): r is TargetReport & { value: Report & { quotas: QuotaHeadroom } } => !!r.value?.quotas);
  const first = read[0]?.value.quotas;
  if (!first) return undefined;
  const notes = new Map<string, string[]>();
  for (const r of read)
    for (const n of r.value.quotas.notes) notes.set(n, [...(notes.get(n) ?? []), targetLabel(r.target)]);
  const rows = read.flatMap((r) =>
    r.value.quotas.rows.map((q) => ({ account: r.target.account, region: r.target.region, ...q })),
  );
  const where = (r: { account: string; region: string }): string => `${r.account} ${r.region}`;
  return {
    warnPercent: first.warnPercent,
    burndown: first.burndown,
    rows: rows.sort(
      (a, b) =>
        peakPercent(b) - peakPercent(a) ||
        where(a).localeCompare(where(b)) ||
        a.models.join().localeCompare(b.models.join()),
    ),
    unavailable: read
      .filter((r) => !r.value.quotas.available)
      .map((r) => ({ account: r.target.account, region: r.target.region, reason: r.value.quotas.reason ?? '' })),
    notes: [...notes].map(([n, ts]) => (ts.length === read.length ? n : `${ts.join(', ')}: ${n}`)),
  };
}

/** The table each Region's targets were priced from (each target prices with its own Region's). */
function pricedRegions(runs: TargetReport[]): RegionPriceTable[] {
  const by = new Map<string, RegionPriceTable>();
  for (const r of runs) {
    const p = r.value?.prices;
    if (p && !by.has(r.target.region))
      by.set(r.target.region, {
        region: r.target.region,
        source: p.source,
        date: p.date,
        ...(p.table ? { table: p.table } : {}),
      });
  }
  return [...by.values()].sort((a, b) => a.region.localeCompare(b.region));
}

export function mergeFleetMetrics(input: MergeInput): FleetMetricsReport {
  const { runs, window } = input;
  const rows = mergeRows(runs, input.groupBy);
  const models = runs.flatMap((r) => r.value?.models ?? []);
  const totals = totalsOf(models);
  totals.unpricedModels = [...new Set(totals.unpricedModels)].sort();
  const hours = (window.end.getTime() - window.start.getTime()) / 3_600_000;
  const first = runs.find((r) => r.value)?.value?.prices;
  const byRegion = regionTables(pricedRegions(runs));
  const days = mergeDays(runs);
  const quotas = fleetQuotas(runs);
  return {
    source: 'metrics',
    window: { start: window.start.toISOString(), end: window.end.toISOString(), hours: round(hours, 4) },
    groupBy: input.groupBy,
    scope: {
      accounts: [...new Set(runs.map((r) => r.target.account))],
      regions: [...new Set(runs.map((r) => r.target.region))],
    },
    rows,
    targets: targetRows(runs),
    totals,
    projection: {
      monthlyCostUsd: round((totals.costUsd / hours) * HOURS_PER_MONTH, 2),
      hoursPerMonth: HOURS_PER_MONTH,
    },
    ...(days ? { days } : {}),
    prices: first
      ? {
          source: first.source,
          date: first.date,
          estimate: true,
          ...(first.table ? { table: first.table } : {}),
          ...(byRegion.regions ? { regions: byRegion.regions } : {}),
        }
      : input.priceTable,
    skippedRegions: input.skippedRegions ?? [],
    ...(quotas ? { quotas } : {}),
    warnings: [...mergeWarnings(runs), ...byRegion.warnings],
  };
}
