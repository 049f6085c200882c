import type { Chart } from './chart.js';
import { formatCount, formatMoney, formatMs, formatPercent, formatRatio, NA } from './numbers.js';

/**
 * The one rendering contract. A command builds its typed result (what --json prints), then a
 * format-neutral View of it: sections of prose lines and tables whose columns have a data key, a
 * head, a kind (how a value is formatted) and a priority (which goes first in a narrow terminal).
 * One renderer per format draws a View: table (io/view-text.ts), CSV and markdown (io/view-text.ts),
 * HTML (io/html.ts). JSON is the typed result itself.
 */

export type Kind = 'key' | 'text' | 'count' | 'money' | 'ms' | 'ratio' | 'percent' | 'flag';
export type Value = string | number | boolean | null;

export interface ViewColumn {
  /** Field name in CSV (and in the JSON rows the view is drawn from). */
  key: string;
  /** Heading in the table, markdown and HTML. */
  head: string;
  kind: Kind;
  /** 0: never dropped in a narrow terminal; otherwise higher numbers go first. */
  priority: number;
  /** Dropped only after shorter forms and wrapping could not make room. */
  keep?: boolean;
  /** Shorter readable forms of a value (model IDs), longest first. */
  shorter?: (cell: string) => string[];
  /** May wrap at token boundaries (ARNs, tags). */
  wrap?: boolean;
  /** `data`: only in CSV; `drawn`: only in table, markdown and HTML. */
  only?: 'data' | 'drawn';
  /** The text of a cell for people, when the kind's rule is not enough (an unpriced cost). */
  show?: (value: Value, row: ViewRow) => string;
  /** A shorter form for a terminal (ARNs by their resource part); files and pipes get the value whole. */
  terminal?: (text: string) => string;
}

/**
 * A row. `kind` names what it is in CSV (`model`, `day`, `group`, …; `others` for the rows a --top left out,
 * summed; `total` for the totals row). `label` is drawn in the first column of an others/total row
 * (never written into a key column of CSV).
 */
export interface ViewRow {
  kind: string;
  cells: Record<string, Value>;
  label?: string;
}

export interface ViewTable {
  columns: ViewColumn[];
  rows: ViewRow[];
  total?: ViewRow;
  /** A bar per row in a terminal and in HTML: `series` scales to the largest row, `share` to the total. */
  bar?: { key: string; mode: 'series' | 'share' };
  /** Left out of CSV (a table that only restates others, such as the reconciliation). */
  noCsv?: boolean;
  /** false: the totals row is drawn but not written to CSV (a file has one totals row). */
  csvTotal?: boolean;
}

/** A prose line, or a key/value pair (aligned in a terminal, a list item in markdown). */
export type Line = string | [key: string, value: string];

export interface ViewSection {
  /** A sentence before the section's table. */
  heading?: string;
  table?: ViewTable;
  lines?: Line[];
  /** Charts of this section, for HTML (see io/chart.ts). */
  charts?: Chart[];
}

export interface View {
  title: string;
  /** Values every CSV record carries (region, window), so files of several runs concatenate. */
  context: Record<string, Value>;
  sections: ViewSection[];
  /** Shown instead of the tables when there is nothing to show. */
  empty?: string;
  warnings: string[];
}

/** A value as people read it, by the column's kind. */
export function showValue(col: ViewColumn, row: ViewRow): string {
  const v = row.cells[col.key] ?? null;
  if (col.show) return col.show(v, row);
  if (v === null) return col.kind === 'key' || col.kind === 'text' ? '' : NA;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  switch (col.kind) {
    case 'count':
      return formatCount(v);
    case 'money':
      return formatMoney(v);
    case 'ms':
      return formatMs(v);
    case 'ratio':
      return formatRatio(v);
    case 'percent':
      return formatPercent(v);
    default:
      return String(v);
  }
}

export const drawn = (t: ViewTable): ViewColumn[] => t.columns.filter((c) => c.only !== 'data');

/** The cells of a row as people read them, for the drawn columns; an others/total row's label goes first. */
export function drawnCells(t: ViewTable, row: ViewRow): string[] {
  return drawn(t).map((c, i) => (i === 0 && row.label !== undefined ? row.label : showValue(c, row)));
}

/** True when the numeric cells of a column are right-aligned. */
export const isFigure = (c: ViewColumn): boolean => c.kind !== 'key' && c.kind !== 'text' && c.kind !== 'flag';

/** A bar's fraction for each body row (0..1), or undefined when the table has no bar. */
export function barFractions(t: ViewTable): number[] | undefined {
  if (!t.bar) return undefined;
  const key = t.bar.key;
  const values = t.rows.map((r) => {
    const v = r.cells[key];
    return typeof v === 'number' && v > 0 ? v : 0;
  });
  const totalCell = t.total?.cells[key];
  const scale =
    t.bar.mode === 'share'
      ? typeof totalCell === 'number' && totalCell > 0
        ? totalCell
        : values.reduce((a, b) => a + b, 0)
      : Math.max(0, ...values);
  return values.map((v) => (scale > 0 ? Math.min(1, v / scale) : 0));
}
