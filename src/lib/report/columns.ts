import type { Value, ViewColumn, ViewRow } from '../io/view.js';
import { SUM_FIELDS, type Others, type Totals } from './types.js';

/**
 * What the report tables share: the figure column, the CloudWatch metrics' figures (the one-Region report's models
 * table and the fleet's merged table), and their ERRORS, others and TOTAL cells.
 */

/** A column of counts (or, with `extra`, of another kind). A lower priority number stays longer in narrow terminals. */
export const figure = (key: string, head: string, priority: number, extra: Partial<ViewColumn> = {}): ViewColumn => ({
  key,
  head,
  kind: 'count',
  priority,
  ...extra,
});

/**
 * The metrics reports' figures, INVOCATIONS to AVG MS; each table adds its own COST (priority 1, kept longest). Then
 * invocations, OUTPUT (the dearer token) before INPUT, errors and throttles before cache figures, latency last. ERRORS
 * is drawn, its two parts are in the data.
 */
export const METRIC_FIGURES: readonly ViewColumn[] = [
  figure('invocations', 'INVOCATIONS', 2, { keep: true }),
  figure('inputTokens', 'INPUT', 4, { keep: true }),
  figure('outputTokens', 'OUTPUT', 3, { keep: true }),
  figure('cacheReadTokens', 'CACHE READ', 7),
  figure('cacheWriteTokens', 'CACHE WRITE', 8),
  figure('errors', 'ERRORS', 5, { only: 'drawn' }),
  figure('clientErrors', 'CLIENT ERRORS', 0, { only: 'data' }),
  figure('serverErrors', 'SERVER ERRORS', 0, { only: 'data' }),
  figure('throttles', 'THROTTLES', 6),
  figure('latencyAvgMs', 'AVG MS', 9, { kind: 'ms' }),
];

const plus = (a: unknown, b: unknown): number | null => (typeof a === 'number' && typeof b === 'number' ? a + b : null);

/** A metrics row's cells, with ERRORS as client + server errors (null when either is unknown). */
export const withErrors = (o: Record<string, unknown>): Record<string, Value> => ({
  ...(o as Record<string, Value>),
  errors: plus(o.clientErrors, o.serverErrors),
});

/** The rows a --top left out, summed: their cost counts as priced when any of it is known. */
export const othersRow = (o: Others): ViewRow => ({
  kind: 'others',
  label: `others (${o.groups})`,
  cells: withErrors({ ...o, priced: o.costUsd !== null }),
});

/** The TOTAL row of a metrics report: the sums, the average latency, the cost of the priced models. */
export const metricsTotalRow = (t: Totals): ViewRow => ({
  kind: 'total',
  label: 'TOTAL',
  cells: withErrors({
    ...Object.fromEntries(SUM_FIELDS.map((k) => [k, t[k]])),
    latencyAvgMs: t.latencyAvgMs,
    priced: t.unpricedModels.length === 0,
    costUsd: t.costUsd,
  }),
});
