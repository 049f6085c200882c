/**
 * Numbers as every output prints them: one module, one rule per kind (counts, money, milliseconds,
 * percentages, bytes). `null` is a figure that is not known and prints as "n/a". CSV and JSON carry
 * the raw numbers; these are for what people read (table, markdown, HTML).
 */

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export const NA = 'n/a';

/** 1,234,567 (rounded to a whole number). */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : INT.format(n);
}

/** $1,234.57. */
export function formatMoney(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : USD.format(n);
}

/** Milliseconds as a whole number (the unit is in the column head). */
export function formatMs(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : INT.format(Math.round(n));
}

/** A ratio (0.0123) as a percentage with `digits` decimals ("1.23%"). */
export function formatRatio(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : `${(n * 100).toFixed(digits)}%`;
}

/** A figure that is already a percentage (12.5) with `digits` decimals ("12.5%"). */
export function formatPercent(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : `${n.toFixed(digits)}%`;
}

/** A signed difference: "+12", "-3", "0". */
export function formatDelta(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NA;
  return n === 0 ? '0' : `${n > 0 ? '+' : ''}${INT.format(n)}`;
}

/** Bytes in MB (10^6) with one decimal ("12.3 MB"). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
