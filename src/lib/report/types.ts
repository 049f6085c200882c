/** The report's typed values, shared by its stages: fetch → compute → render. */
import type { QuotaHeadroom } from './quota-compute.js';

export const HOURS_PER_MONTH = 730;

/** Figures per model, from CloudWatch. `null` means the figure could not be fetched. */
export interface ModelRow {
  modelId: string;
  invocations: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  clientErrors: number | null;
  serverErrors: number | null;
  throttles: number | null;
  latencyAvgMs: number | null;
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  latencyP99Ms: number | null;
  timeToFirstTokenP50Ms: number | null;
  timeToFirstTokenP99Ms: number | null;
  priced: boolean;
  costUsd: number | null;
}

/** The figures that add up across models and days. */
export const SUM_FIELDS = [
  'invocations',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'clientErrors',
  'serverErrors',
  'throttles',
] as const;
export type SumField = (typeof SUM_FIELDS)[number];

export type Totals = Pick<ModelRow, SumField | 'latencyAvgMs'> & {
  costUsd: number;
  errorRate: number | null;
  throttleRate: number | null;
  costPer1000InvocationsUsd: number | null;
  /** The models with usage that no price table knows (left out of costUsd); the same in the logs report. */
  unpricedModels: string[];
};

/** The rows a --top left out, summed (the totals still count them). */
export type Others = Record<SumField, number | null> & { groups: number; costUsd: number | null };

/** Whole weeks (from Monday, UTC) or calendar months of the window, for --by week|month. */
export interface Periods {
  unit: 'week' | 'month';
  rows: DayRow[];
}

/**
 * One UTC day of the window. `start`/`end` are the part of the day the window covers; `partial` is
 * true for a first or last day the window does not cover whole.
 */
export type DayRow = { date: string; start: string; end: string; partial: boolean; costUsd: number } & Record<
  SumField,
  number
>;

/** The report: exactly what --json prints, and what every other format is drawn from. */
export interface Report {
  window: { start: string; end: string; hours: number };
  region: string;
  models: ModelRow[];
  totals: Totals;
  projection: { monthlyCostUsd: number; hoursPerMonth: number };
  days?: DayRow[];
  /** --by week|month: the days summed per week or month (`date` is the period's first day, or YYYY-MM). */
  periods?: Periods;
  /** --top N: the models after the first N, summed; `models` holds the first N. */
  others?: Others;
  /**
   * table: refreshed (`prices refresh`, AWS Price List) or bundled; models: which table priced each
   * model (price-list, table, config or unpriced).
   */
  prices: {
    source: string;
    date: string;
    estimate: true;
    table?: 'refreshed' | 'snapshot' | 'bundled';
    fetchedAt?: string;
    models?: Record<string, string>;
  };
  warnings: string[];
  /** Peak tokens and requests per minute against Service Quotas (report --quotas). */
  quotas?: QuotaHeadroom;
  /** The SNS message the report was published as (report --notify). */
  notification?: { topicArn: string; messageId: string | null; subject: string; bytes: number; truncated: boolean };
}

export const round = (n: number, digits = 6): number => Math.round(n * 10 ** digits) / 10 ** digits;
