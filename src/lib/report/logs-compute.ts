import type { Aggregate, Figures, Latency, Skipped, SourceInfo } from '../logs/aggregate.js';
import { outsideWarning, type LogScope, type LogTarget } from '../logs/scope.js';
import type { Dim } from '../logs/dims.js';
import { costUsd, priceFor, type ResolvedPrice } from '../pricing/price.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import { billedOtherwise, missingRates, rateNotes, refreshCommand, type MissingRate } from '../pricing/snapshot.js';
import type { Rates } from '../pricing/table.js';
import { round } from './types.js';
import { shownEnd, type ReportWindow } from './window.js';

/**
 * The logs report's compute stage: rows per group from an engine's aggregate, each group's models
 * priced at their own rates, totals, and the reconciliation with CloudWatch. Pure.
 */

export interface LogsFigures extends Figures {
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  latencyP99Ms: number | null;
  /** Every invocation of the row was priced. */
  priced: boolean;
  /** Cost of the priced invocations (null when none was). */
  costUsd: number | null;
}

/** A row: the group's values by dimension name (`principal`, `tag:team`, …), then the figures. */
export type LogsRow = Record<string, string> & LogsFigures;

export interface ReconciliationRow {
  modelId: string;
  logs: { invocations: number; inputTokens: number; outputTokens: number };
  /** CloudWatch's sums for the same window; null when CloudWatch has no data for the model. */
  metrics: { invocations: number | null; inputTokens: number | null; outputTokens: number | null } | null;
  /** logs − metrics, per figure (null where either side is missing). */
  difference: { invocations: number | null; inputTokens: number | null; outputTokens: number | null };
}

export interface Reconciliation {
  available: boolean;
  /** Why not, when it is not. */
  reason?: string;
  models: ReconciliationRow[];
  /**
   * Over several accounts and Regions: each target's records against its own CloudWatch metrics (`models` then sums
   * the targets whose metrics could be read).
   */
  targets?: TargetReconciliation[];
}

/** One account and Region: its invocation records against CloudWatch's sums in that account and Region. */
export interface TargetReconciliation {
  account: string;
  region: string;
  available: boolean;
  reason?: string;
  logs: { invocations: number; inputTokens: number; outputTokens: number };
  metrics: { invocations: number | null; inputTokens: number | null; outputTokens: number | null } | null;
  difference: { invocations: number | null; inputTokens: number | null; outputTokens: number | null };
}

/** One account and Region of the report: its share of the totals, or a row saying it had no records. */
export interface TargetRow {
  account: string;
  region: string;
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  errors: number;
  costUsd: number | null;
  priced: boolean;
  /**
   * `records`; `no records` for a chosen target without any in the window; `unavailable` for a target whose logs
   * could not be read (its `reason`: a role that cannot be assumed, logging not enabled, …).
   */
  status: 'records' | 'no records' | 'unavailable';
  reason?: string;
}

export interface LogsReport {
  source: SourceInfo;
  groupBy: string[];
  window: { start: string; end: string; hours: number };
  /** The context's Region (CloudWatch reconciliation, pricing); `scope` says which Regions' records count. */
  region: string;
  /** The accounts and Regions whose records count; null where any does (`--regions all`, `--accounts org`). */
  scope: { accounts: string[] | null; regions: string[] | null };
  rows: LogsRow[];
  /** Per account and Region: the fleet's totals split, and the chosen targets without records. */
  targets: TargetRow[];
  totals: Omit<LogsFigures, 'priced'> & { errorRate: number | null; unpricedModels: string[] };
  /** --top N: the groups after the first N, summed (latency percentiles do not add up: null). */
  others?: LogsFigures & { groups: number };
  reconciliation: Reconciliation;
  /**
   * False when some input was left out unread: a log file not readable whole, a line that is not a record, a record's
   * token count that is not a number. The figures then under-count (`skipped` says what; --strict fails instead).
   */
  complete: boolean;
  skipped: Skipped & { unreadableFields: NonNullable<Skipped['unreadableFields']> | null };
  prices: {
    source: string;
    date: string;
    estimate: true;
    table?: 'refreshed' | 'snapshot' | 'bundled';
    /** Records of several Regions priced from different tables: each Region's (absent when one table priced all). */
    regions?: RegionPriceTable[];
  };
  warnings: string[];
}

/** The table a Region's records were priced from. */
export interface RegionPriceTable {
  region: string;
  source: string;
  date: string;
  table?: 'refreshed' | 'snapshot' | 'bundled';
}

/** A Region's price table in the run: its description and the Price List table, when there is one. */
export interface RegionPrices {
  info: { source: string; date: string; table?: 'refreshed' | 'snapshot' | 'bundled' };
  refreshed?: RefreshedTable;
}

/** CloudWatch sums per model for the window, or why they could not be had. */
export type MetricTotals =
  | {
      ok: true;
      models: Map<string, { invocations: number | null; inputTokens: number | null; outputTokens: number | null }>;
    }
  | { ok: false; reason: string };

export interface LogsComputeInput {
  aggregate: Aggregate;
  dims: Dim[];
  window: ReportWindow;
  region: string;
  /** Whose records count (default: any). */
  scope?: LogScope;
  /** The context's target: CloudWatch's side of the reconciliation. */
  home?: Partial<LogTarget>;
  /** Targets that must have a row, records or not. */
  expectedTargets?: LogTarget[];
  /** Targets whose logs could not be read, and why (a row each, saying so). */
  unavailable?: (LogTarget & { reason: string })[];
  /** Per target, CloudWatch's sums (several targets: each reconciled with its own metrics). */
  targetMetrics?: (LogTarget & { metrics: MetricTotals })[];
  overrides: Record<string, Rates>;
  /** Application inference profiles resolved to the model ID they are priced as. */
  pricedAs: Map<string, string>;
  /** Application inference profiles that could not be resolved, with the reason. */
  profileFailures?: Map<string, string>;
  metrics: MetricTotals | null;
  priceTable: { source: string; date: string; table?: 'refreshed' | 'snapshot' | 'bundled' };
  /** The table `prices refresh` fetched, when there is one (used before the bundled table). */
  refreshed?: RefreshedTable;
  /**
   * Per Region whose records are read, its own table (records of a Region not here, or whose Region is unknown, are
   * priced with `refreshed`/`priceTable`, the context Region's).
   */
  regionPrices?: Map<string, RegionPrices>;
}

/** The logs report's figures that add up (a row's, the others', the totals'). */
export const LOG_SUMS = [
  'invocations',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'errors',
] as const satisfies readonly (keyof Figures)[];

const keyOf = (keys: string[]): string => JSON.stringify(keys);

interface Acc extends Figures {
  keys: string[];
  costUsd: number;
  pricedInvocations: number;
  unpriced: number;
}

/**
 * The day records are priced on (the rate in force that day, from the table's history): their own UTC day when the
 * engine tells (every engine does, a hidden key of its groups), else the group's day or hour when the report is by day
 * or hour, else the last day of the window.
 */
function pricingDay(input: LogsComputeInput, keys: string[], day?: string): string {
  if (day) return day;
  const i = input.dims.findIndex((d) => d.kind === 'day' || d.kind === 'hour');
  const k = i >= 0 ? keys[i] : undefined;
  if (k && /^\d{4}-\d{2}-\d{2}/.test(k)) return k.slice(0, 10);
  return new Date(input.window.end.getTime() - 1).toISOString().slice(0, 10);
}

/** The Region whose table prices records logged in `region`: their own when it has one, else the context's. */
export function pricingRegion(input: Pick<LogsComputeInput, 'region' | 'regionPrices'>, region?: string): string {
  return region && input.regionPrices?.has(region) ? region : input.region;
}

function priceOf(model: string, input: LogsComputeInput, day?: string, region?: string): ResolvedPrice | undefined {
  const r = pricingRegion(input, region);
  const table = input.regionPrices?.get(r)?.refreshed ?? (r === input.region ? input.refreshed : undefined);
  const of = (id: string): ResolvedPrice | undefined => priceFor(id, input.overrides, table, day);
  return of(model) ?? (input.pricedAs.has(model) ? of(input.pricedAs.get(model)!) : undefined);
}

/** Unpriced models, each with the Regions whose price table lacks it. */
type Unpriced = Map<string, Set<string>>;

/**
 * An empty accumulator. Written out, not spread from Object.fromEntries: an object literal spread from another object
 * is some 20 times slower to build, which counted with 100,000 groups (the Logs Insights row limit).
 */
const newAcc = (keys: string[]): Acc => ({
  keys,
  costUsd: 0,
  pricedInvocations: 0,
  unpriced: 0,
  invocations: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  errors: 0,
});

function accumulate(input: LogsComputeInput): {
  accs: Map<string, Acc>;
  unpriced: Unpriced;
  rateNotes: Set<string>;
} {
  const accs = new Map<string, Acc>();
  const unpriced: Unpriced = new Map();
  const missing = new Map<string, Set<MissingRate>>();
  const manyRegions = new Set(input.aggregate.groups.map((g) => pricingRegion(input, g.region))).size > 1;
  // One price lookup per model and day, not per group (a lookup compares the model with every table entry).
  const prices = new Map<string, ResolvedPrice | undefined>();
  const priceOn = (model: string, day: string, region: string): ResolvedPrice | undefined => {
    const k = `${model}\u0000${day}\u0000${region}`;
    if (!prices.has(k)) prices.set(k, priceOf(model, input, day, region));
    return prices.get(k);
  };
  for (const g of input.aggregate.groups) {
    const k = keyOf(g.keys);
    let acc = accs.get(k);
    if (!acc) accs.set(k, (acc = newAcc(g.keys)));
    for (const s of LOG_SUMS) acc[s] += g[s];
    const region = pricingRegion(input, g.region);
    const price = priceOn(g.model, pricingDay(input, g.keys, g.day), region);
    if (!price) {
      acc.unpriced += g.invocations;
      if (!unpriced.has(g.model)) unpriced.set(g.model, new Set());
      unpriced.get(g.model)!.add(region);
      continue;
    }
    const kinds = missingRates(price, g);
    if (kinds.length) {
      const key = `${g.model}\u0000${manyRegions ? region : ''}`;
      if (!missing.has(key)) missing.set(key, new Set());
      for (const k of kinds) missing.get(key)!.add(k);
    }
    acc.costUsd += costUsd(g, price);
    acc.pricedInvocations += g.invocations;
  }
  return { accs, unpriced, rateNotes: rateNotes(missing) };
}

const latencyFields = (
  l: Latency | undefined,
): Pick<LogsFigures, 'latencyP50Ms' | 'latencyP90Ms' | 'latencyP99Ms'> => ({
  latencyP50Ms: l?.p50 === null || l?.p50 === undefined ? null : round(l.p50, 3),
  latencyP90Ms: l?.p90 === null || l?.p90 === undefined ? null : round(l.p90, 3),
  latencyP99Ms: l?.p99 === null || l?.p99 === undefined ? null : round(l.p99, 3),
});

/**
 * Highest cost first, then most invocations, then by the group's values; by time first when the first dimension is day
 * or hour.
 */
export function sortLogRows(rows: LogsRow[], dims: Dim[]): LogsRow[] {
  const label = (r: LogsRow): string => dims.map((d) => r[d.name]).join('\u0000');
  const first = dims[0];
  const byTime =
    first && ['day', 'hour', 'week', 'month'].includes(first.kind)
      ? (a: LogsRow, b: LogsRow): number => (a[first.name] ?? '').localeCompare(b[first.name] ?? '')
      : () => 0;
  return [...rows].sort(
    (a, b) =>
      byTime(a, b) ||
      (b.costUsd ?? -1) - (a.costUsd ?? -1) ||
      b.invocations - a.invocations ||
      label(a).localeCompare(label(b)),
  );
}

export function logRows(input: LogsComputeInput): { rows: LogsRow[]; unpriced: Unpriced; rateNotes: Set<string> } {
  const { accs, unpriced, rateNotes } = accumulate(input);
  const latency = new Map(input.aggregate.latency.map((l) => [keyOf(l.keys), l.latency]));
  // The group's values by dimension name, then the figures: each row built by assignment, in that key order (spreading
  // one object into another per row cost some 20 µs a row, seconds over 100,000 groups).
  const rows = [...accs.values()].map((a) => {
    const row: Record<string, unknown> = {};
    input.dims.forEach((d, i) => (row[d.name] = a.keys[i] ?? ''));
    for (const s of LOG_SUMS) row[s] = a[s];
    Object.assign(row, latencyFields(latency.get(keyOf(a.keys))));
    row.priced = a.unpriced === 0;
    row.costUsd = a.pricedInvocations > 0 ? round(a.costUsd) : null;
    return row as LogsRow;
  });
  return { rows: sortLogRows(rows, input.dims), unpriced, rateNotes };
}

/** Per model: logs sums against CloudWatch's, so that delivery gaps show. */
export function reconcile(
  aggregate: Aggregate,
  metrics: MetricTotals | null,
  home?: Partial<LogTarget>,
): Reconciliation {
  if (!metrics) return { available: false, reason: 'not asked for (--no-reconcile)', models: [] };
  if (!metrics.ok) return { available: false, reason: metrics.reason, models: [] };
  const logs = new Map<string, ReconciliationRow['logs']>();
  // CloudWatch's metrics are one account's in one Region: compared with that target's records only.
  const ofHome = home
    ? aggregate.targets.filter(
        (t) => (!home.region || t.region === home.region) && (!home.account || t.account === home.account),
      )
    : aggregate.groups;
  for (const g of ofHome) {
    const l = logs.get(g.model) ?? { invocations: 0, inputTokens: 0, outputTokens: 0 };
    l.invocations += g.invocations;
    l.inputTokens += g.inputTokens;
    l.outputTokens += g.outputTokens;
    logs.set(g.model, l);
  }
  const ids = [...new Set([...logs.keys(), ...metrics.models.keys()])].sort();
  const diff = (a: number | undefined, b: number | null | undefined): number | null =>
    a === undefined || b === null || b === undefined ? null : a - b;
  const models = ids.flatMap((modelId): ReconciliationRow[] => {
    const l = logs.get(modelId) ?? { invocations: 0, inputTokens: 0, outputTokens: 0 };
    const m = metrics.models.get(modelId) ?? null;
    if (!logs.has(modelId) && m && !m.invocations && !m.inputTokens && !m.outputTokens) return [];
    return [
      {
        modelId,
        logs: l,
        metrics: m,
        difference: {
          invocations: diff(l.invocations, m?.invocations),
          inputTokens: diff(l.inputTokens, m?.inputTokens),
          outputTokens: diff(l.outputTokens, m?.outputTokens),
        },
      },
    ];
  });
  return { available: true, models };
}

const sumLogs = (rows: ReconciliationRow['logs'][]): ReconciliationRow['logs'] => ({
  invocations: rows.reduce((a, r) => a + r.invocations, 0),
  inputTokens: rows.reduce((a, r) => a + r.inputTokens, 0),
  outputTokens: rows.reduce((a, r) => a + r.outputTokens, 0),
});

function sumOrNull(values: (number | null | undefined)[]): number | null {
  return values.some((v) => v === null || v === undefined) ? null : values.reduce<number>((a, v) => a + v!, 0);
}

/** Per model, the rows of several targets summed (a figure that could not be read makes the sum unknown). */
function sumByModel(all: ReconciliationRow[]): ReconciliationRow[] {
  const byModel = new Map<string, ReconciliationRow[]>();
  for (const m of all) byModel.set(m.modelId, [...(byModel.get(m.modelId) ?? []), m]);
  return [...byModel.entries()].map(([modelId, ms]): ReconciliationRow => {
    const logs = sumLogs(ms.map((m) => m.logs));
    // A target where CloudWatch has no data for the model counts 0; a figure that could not be read, unknown.
    const seen = ms.filter((m) => m.metrics);
    const metric = (k: keyof ReconciliationRow['logs']): number | null => sumOrNull(seen.map((m) => m.metrics![k]));
    const metrics = seen.length
      ? { invocations: metric('invocations'), inputTokens: metric('inputTokens'), outputTokens: metric('outputTokens') }
      : null;
    const diff = (k: keyof ReconciliationRow['logs']): number | null =>
      metrics && metrics[k] !== null ? logs[k] - metrics[k] : null;
    return {
      modelId,
      logs,
      metrics,
      difference: {
        invocations: diff('invocations'),
        inputTokens: diff('inputTokens'),
        outputTokens: diff('outputTokens'),
      },
    };
  });
}

/**
 * Each target's records against its own CloudWatch metrics (metrics are one account's in one Region), and per model
 * the sum over the targets whose metrics could be read.
 */
export function reconcileTargets(
  aggregate: Aggregate,
  perTarget: (LogTarget & { metrics: MetricTotals })[],
): Reconciliation {
  const rows = perTarget.map((t) => ({
    t,
    r: reconcile(aggregate, t.metrics, { account: t.account, region: t.region }),
  }));
  const targets: TargetReconciliation[] = rows.map(({ t, r }) => {
    const recorded = sumLogs(aggregate.targets.filter((f) => f.account === t.account && f.region === t.region));
    const metric = (k: keyof ReconciliationRow['logs']): number | null =>
      sumOrNull(r.models.map((m) => (m.metrics ? m.metrics[k] : 0)));
    const metrics = r.available
      ? { invocations: metric('invocations'), inputTokens: metric('inputTokens'), outputTokens: metric('outputTokens') }
      : null;
    const diff = (k: keyof ReconciliationRow['logs']): number | null =>
      metrics && metrics[k] !== null ? recorded[k] - metrics[k] : null;
    return {
      account: t.account,
      region: t.region,
      available: r.available,
      ...(r.reason ? { reason: r.reason } : {}),
      logs: recorded,
      metrics,
      difference: {
        invocations: diff('invocations'),
        inputTokens: diff('inputTokens'),
        outputTokens: diff('outputTokens'),
      },
    };
  });
  const models = sumByModel(rows.flatMap(({ r }) => (r.available ? r.models : [])));
  const any = rows.some(({ r }) => r.available);
  return {
    available: any,
    ...(any ? {} : { reason: rows[0]?.r.reason ?? 'no target' }),
    models: models.sort((a, b) => a.modelId.localeCompare(b.modelId)),
    targets,
  };
}

function totalsOf(rows: LogsRow[], aggregate: Aggregate, unpriced: Unpriced): LogsReport['totals'] {
  const sum = (k: (typeof LOG_SUMS)[number]): number => rows.reduce((a, r) => a + r[k], 0);
  const sums = Object.fromEntries(LOG_SUMS.map((s) => [s, sum(s)])) as Pick<LogsFigures, (typeof LOG_SUMS)[number]>;
  const cost = rows.some((r) => r.costUsd !== null) ? round(rows.reduce((a, r) => a + (r.costUsd ?? 0), 0)) : null;
  return {
    ...sums,
    ...latencyFields(aggregate.totalLatency),
    costUsd: cost,
    errorRate: sums.invocations ? round(sums.errors / sums.invocations) : null,
    unpricedModels: [...unpriced.keys()].sort(),
  };
}

/** What a reconciliation that does not add up means, in words (undefined when the logs hold every invocation). */
export function reconciliationVerdict(r: Reconciliation, region: string): string | undefined {
  if (!r.available) return undefined;
  const logs = r.models.reduce((a, m) => a + m.logs.invocations, 0);
  const metrics = r.models.reduce((a, m) => a + (m.metrics?.invocations ?? 0), 0);
  if (metrics <= 0 || logs >= metrics) return undefined;
  const held = `the logs hold ${logs.toLocaleString('en-US')} of the ${metrics.toLocaleString('en-US')} invocations`;
  if (logs === 0)
    return (
      `${held} CloudWatch counted in ${region}: is invocation logging on for this Region, and do --logs, ` +
      `--regions and --accounts point at its logs?`
    );
  return (
    `${held} CloudWatch counted in ${region}: records of the last hour may still be in delivery, or logging was ` +
    `off (or went elsewhere) for part of the window`
  );
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What was left out unread, one phrase each (empty when every input was counted). */
export function incompleteParts(s: Skipped): string[] {
  const files = s.unreadableFiles.length;
  const fields = (s.unreadableFields ?? []).reduce((a, f) => a + f.records, 0);
  return [
    ...(files ? [`${plural(files, 'log file')} not readable whole`] : []),
    ...(s.malformedLines ? [`${plural(s.malformedLines, 'line')} not an invocation record`] : []),
    ...(fields ? [`${plural(fields, 'token count')} not a number`] : []),
  ];
}

/** The warnings that name what was skipped, and why. */
function skippedWarnings(s: Skipped): string[] {
  const w: string[] = [];
  const files = s.unreadableFiles;
  if (files.length) {
    const named = files.slice(0, 5).map((f) => `${f.file} (${f.reason})`);
    if (files.length > 5) named.push(`${files.length - 5} more (see skipped.unreadableFiles in --json)`);
    w.push(
      `${plural(files.length, 'log file')} could not be read whole and ${files.length === 1 ? 'was' : 'were'} ` +
        `left out, none of ${files.length === 1 ? 'its' : 'their'} records counted: ${named.join('; ')}`,
    );
  }
  if (s.malformedLines)
    w.push(
      `${s.malformedLines} line${s.malformedLines === 1 ? ' is' : 's are'} not invocation records (malformed ` +
        `JSON or another schema) and ${s.malformedLines === 1 ? 'was' : 'were'} skipped`,
    );
  for (const f of s.unreadableFields ?? [])
    w.push(
      `${plural(f.records, 'record')} with ${f.field} not a number (e.g. "<count>"): ` +
        `${f.records === 1 ? 'its invocation counts' : 'their invocations count'}, that token count is left out ` +
        `(not read as 0), so the token sums and costs under-count`,
    );
  return w;
}

/** Over several Regions' tables: which Regions lack the model, and the refresh for each. */
function notInRegionTables(model: string, regions: string[]): string {
  const tables = regions.map((r) => `${r}'s`).join(', ');
  const refresh = refreshCommand(regions);
  return (
    `${model} is not in ${tables} price table${regions.length === 1 ? '' : 's'}: its invocations there are ` +
    `unpriced and left out of costs (run ${refresh}, or add it under "prices" in the config file)`
  );
}

function warningsOf(
  input: LogsComputeInput,
  unpriced: Unpriced,
  rateNotes: Set<string>,
  reconciliation: Reconciliation,
): string[] {
  const w = [...input.aggregate.warnings];
  const s = input.aggregate.skipped;
  const outside = outsideWarning(s.outsideTargets, input.scope ?? {});
  if (outside) w.push(outside);
  w.push(...skippedWarnings(s));
  const manyRegions = new Set(input.aggregate.groups.map((g) => pricingRegion(input, g.region))).size > 1;
  for (const m of [...unpriced.keys()].sort()) {
    const failure = input.profileFailures?.get(m);
    const other = billedOtherwise(m);
    w.push(
      other
        ? `${m} is ${other.model}, billed ${other.billing}, not by tokens: its invocations are left out of token costs`
        : failure
          ? `application inference profile ${m} could not be resolved to a model (${failure}): its invocations ` +
            `are unpriced and left out of costs (add its ARN under "prices" in the config file)`
          : manyRegions
            ? notInRegionTables(m, [...unpriced.get(m)!].sort())
            : `${m} is not in the price table: its invocations are unpriced and left out of costs (run ` +
              `\`bedrock-monitor prices refresh\`, or add it under "prices" in the config file)`,
    );
  }
  w.push(...[...rateNotes].sort());
  const verdict = reconciliationVerdict(reconciliation, input.region);
  if (verdict) w.push(verdict);
  if (!reconciliation.available && reconciliation.reason && !reconciliation.reason.startsWith('not asked'))
    w.push(`no reconciliation with CloudWatch: ${reconciliation.reason}`);
  return w;
}

/** Per account and Region, each model priced at its own rate; chosen targets without records get a row too. */
export function targetRows(input: LogsComputeInput): TargetRow[] {
  const key = (t: LogTarget): string => `${t.account}\u0000${t.region}`;
  const rows = new Map<string, TargetRow & { cost: number; pricedInvocations: number }>();
  const blank = (t: LogTarget): TargetRow & { cost: number; pricedInvocations: number } => ({
    account: t.account,
    region: t.region,
    invocations: 0,
    inputTokens: 0,
    outputTokens: 0,
    errors: 0,
    costUsd: null,
    priced: true,
    status: 'no records',
    cost: 0,
    pricedInvocations: 0,
  });
  for (const t of input.expectedTargets ?? []) rows.set(key(t), blank(t));
  for (const t of input.unavailable ?? [])
    rows.set(key(t), { ...blank(t), status: 'unavailable', reason: t.reason, priced: false });
  for (const f of input.aggregate.targets) {
    const r = rows.get(key(f)) ?? blank(f);
    rows.set(key(f), r);
    r.status = 'records';
    r.invocations += f.invocations;
    r.inputTokens += f.inputTokens;
    r.outputTokens += f.outputTokens;
    r.errors += f.errors;
    const price = priceOf(f.model, input, pricingDay(input, [], f.day), f.region);
    if (!price) r.priced = false;
    else {
      r.cost += costUsd(f, price);
      r.pricedInvocations += f.invocations;
    }
  }
  return [...rows.values()]
    .map(({ cost, pricedInvocations, ...r }) => ({ ...r, costUsd: pricedInvocations > 0 ? round(cost) : null }))
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
}

/** The table each Region with records was priced from, by Region. */
function usedTables(input: LogsComputeInput): RegionPriceTable[] {
  const regions = new Set(input.aggregate.groups.map((g) => pricingRegion(input, g.region)));
  return [...regions].sort().map((region) => {
    const info = input.regionPrices?.get(region)?.info ?? input.priceTable;
    return { region, source: info.source, date: info.date, ...(info.table ? { table: info.table } : {}) };
  });
}

/**
 * Per Region: the tables when they differ, and a warning for each Region priced from the bundled fallback (`own`:
 * the Regions whose own table was looked up; others borrowed the context's). The logs and the fleet metrics report.
 */
export function regionTables(
  used: RegionPriceTable[],
  own: (region: string) => boolean = () => true,
): { regions?: RegionPriceTable[]; warnings: string[] } {
  const differ = new Set(used.map((u) => `${u.table ?? ''}\u0000${u.source}\u0000${u.date}`)).size > 1;
  const bundled = used.filter((u) => u.table === 'bundled' && own(u.region));
  return {
    ...(differ ? { regions: used } : {}),
    warnings: bundled.map(
      (u) =>
        `${u.region}'s records are priced from the bundled Claude list-price table of ${u.date} (no refreshed ` +
        `table for ${u.region}, and the Price List snapshot does not cover it): run ${refreshCommand([u.region])} ` +
        `for its own rates`,
    ),
  };
}

export function computeLogsReport(input: LogsComputeInput): LogsReport {
  const { rows, unpriced, rateNotes } = logRows(input);
  const several = new Set(input.aggregate.targets.map((t) => `${t.account}/${t.region}`)).size > 1;
  const reconciliation = input.targetMetrics
    ? reconcileTargets(input.aggregate, input.targetMetrics)
    : reconcile(input.aggregate, input.metrics, several ? input.home : undefined);
  const end = shownEnd(input.window);
  const hours = (end.getTime() - input.window.start.getTime()) / 3_600_000;
  const byRegion = regionTables(usedTables(input), (r) => input.regionPrices?.has(r) ?? false);
  return {
    source: input.aggregate.source,
    groupBy: input.dims.map((d) => d.name),
    window: { start: input.window.start.toISOString(), end: end.toISOString(), hours: round(hours, 4) },
    region: input.region,
    scope: { accounts: input.scope?.accounts ?? null, regions: input.scope?.regions ?? null },
    rows,
    targets: targetRows(input),
    totals: totalsOf(rows, input.aggregate, unpriced),
    reconciliation,
    complete: incompleteParts(input.aggregate.skipped).length === 0,
    skipped: { ...input.aggregate.skipped, unreadableFields: input.aggregate.skipped.unreadableFields ?? null },
    prices: {
      source: input.priceTable.source,
      date: input.priceTable.date,
      estimate: true,
      ...(input.priceTable.table ? { table: input.priceTable.table } : {}),
      ...(byRegion.regions ? { regions: byRegion.regions } : {}),
    },
    warnings: [...warningsOf(input, unpriced, rateNotes, reconciliation), ...byRegion.warnings],
  };
}
