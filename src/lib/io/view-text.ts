import { stringify } from 'csv-stringify/sync';
import { wrapWords } from './format.js';
import { renderFitted, type Column, type TableInput } from './table.js';
import {
  barFractions,
  drawn,
  drawnCells,
  isFigure,
  type Line,
  type Value,
  type View,
  type ViewColumn,
  type ViewRow,
  type ViewTable,
} from './view.js';

/** The text renderers of a View: the terminal table, CSV and markdown. Pure: a View in, text out. */

export type BarStyle = 'unicode' | 'ascii';

export interface TextOptions {
  /** The terminal's width (undefined: a pipe or a file, nothing is fitted or shortened). */
  width?: number | undefined;
  /** --wide: every column, even in a narrow terminal (prose still wraps). */
  wide?: boolean;
  /** Bars per row, in a terminal only (see barStyle in io/terminal.ts). */
  bars?: BarStyle | undefined;
  head?: (s: string) => string;
  strong?: (s: string) => string;
}

export const BAR_WIDTH = 10;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells for a fraction 0..1: Unicode eighth blocks, or '#' in plain ASCII; never empty above 0. */
export function bar(fraction: number, style: BarStyle, width = BAR_WIDTH): string {
  const f = Math.max(0, Math.min(1, fraction));
  if (style === 'ascii') {
    const n = Math.round(f * width);
    return '#'.repeat(f > 0 && n === 0 ? 1 : n);
  }
  const eighths = Math.round(f * width * 8);
  if (f > 0 && eighths === 0) return EIGHTHS[1]!;
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

const KEY_WIDTH = 28;

function lineText(l: Line, width: number | undefined): string[] {
  if (typeof l === 'string') return wrapWords(l, width);
  return wrapWords(`${l[0].padEnd(KEY_WIDTH)}${l[1]}`, width, KEY_WIDTH);
}

function tableInput(t: ViewTable, terminal: boolean, bars: BarStyle | undefined): TableInput {
  const cols = drawn(t);
  const columns: Column[] = cols.map((c, i) => ({
    head: c.head,
    priority: c.priority,
    ...(i > 0 && isFigure(c) ? { align: 'right' as const } : {}),
    ...(c.keep ? { keep: true } : {}),
    ...(c.shorter ? { shorter: c.shorter } : {}),
    ...(c.wrap ? { wrap: true } : {}),
  }));
  const cell = (c: ViewColumn, text: string): string => (terminal && c.terminal ? c.terminal(text) : text);
  const rows = t.rows.map((r) => drawnCells(t, r).map((text, i) => cell(cols[i]!, text)));
  const footer = t.total ? [drawnCells(t, t.total)] : [];
  const fractions = bars ? barFractions(t) : undefined;
  if (fractions && t.bar) {
    // A trend says at a glance what a time series says row by row: the cache and latency columns (priorities 8
    // and up) are hidden before it. A share of the total only decorates its row: it is hidden first.
    columns.push(t.bar.mode === 'share' ? { head: 'SHARE', priority: 90 } : { head: 'TREND', priority: 7.5 });
    rows.forEach((r, i) => r.push(bar(fractions[i]!, bars!)));
    footer.forEach((r) => r.push(''));
  }
  return { columns, rows, footer, missing: 'n/a', shortenFirst: true };
}

/** A table for a terminal (fitted, with a note naming what it hid) or for a pipe (everything). */
export function renderViewTableOnly(t: ViewTable, opts: TextOptions): string[] {
  const terminal = opts.width !== undefined;
  const fit = opts.wide ? undefined : opts.width;
  const style = { ...(opts.head ? { head: opts.head } : {}), ...(opts.strong ? { footer: opts.strong } : {}) };
  const { text, dropped } = renderFitted(tableInput(t, terminal, terminal ? opts.bars : undefined), fit, style);
  const lines = [text];
  const hidden = dropped;
  if (hidden.length && fit !== undefined)
    lines.push(
      ...wrapWords(
        `Hidden to fit ${fit} columns: ${hidden.join(', ')}; --wide or a wider terminal shows them.`,
        opts.width,
      ),
    );
  return lines;
}

/** The human view: the title, then each section (heading, table, lines), then nothing else (warnings go to stderr). */
export function renderViewText(view: View, opts: TextOptions = {}): string {
  const out: string[] = [...wrapWords(view.title, opts.width), ''];
  const hasRows = view.sections.some((s) => s.table && s.table.rows.length > 0);
  if (!hasRows && view.empty !== undefined) {
    out.push(...wrapWords(view.empty, opts.width));
    return `${out.join('\n')}\n`;
  }
  view.sections.forEach((s, i) => {
    if (i > 0) out.push('');
    if (s.heading) out.push(...wrapWords(s.heading, opts.width));
    if (s.heading && s.table) out.push('');
    if (s.table) out.push(...renderViewTableOnly(s.table, opts));
    if (s.table && s.lines?.length) out.push('');
    for (const l of s.lines ?? []) out.push(...lineText(l, opts.width));
  });
  return `${out.join('\n')}\n`;
}

const csvValue = (v: Value | undefined): Value => (v === undefined ? null : v);

/**
 * CSV: one header, then every table's rows (and totals), each record self-describing: `kind` says what
 * the row is (`model`, `day`, `group`, `others`, `total`), the context (region, window) is on every
 * record, key columns hold only the group's own values (a total row leaves them empty).
 */
export function renderViewCsv(view: View): string {
  const tables = view.sections.flatMap((s) => (s.table && !s.table.noCsv ? [s.table] : []));
  const contextKeys = Object.keys(view.context);
  const keys: string[] = ['kind', ...contextKeys];
  const add = (pick: (c: ViewColumn) => boolean): void => {
    for (const t of tables)
      for (const c of t.columns) if (c.only !== 'drawn' && pick(c) && !keys.includes(c.key)) keys.push(c.key);
  };
  // What a row is about (its keys, its period) first, then the figures.
  add((c) => c.kind === 'key' || c.kind === 'text');
  add(() => true);
  const record = (t: ViewTable, r: ViewRow): Record<string, Value> => {
    const rec: Record<string, Value> = { kind: r.kind, ...view.context };
    for (const c of t.columns) if (c.only !== 'drawn') rec[c.key] = csvValue(r.cells[c.key]);
    return rec;
  };
  const body = tables.flatMap((t) => t.rows.map((r) => record(t, r)));
  // The one totals row comes last.
  const totals = tables.flatMap((t) => (t.total && t.csvTotal !== false ? [record(t, t.total)] : []));
  return stringify([...body, ...totals], { header: true, columns: keys, cast: { boolean: (b) => String(b) } });
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

function markdownTable(t: ViewTable): string[] {
  const cols = drawn(t);
  const line = (cells: string[]): string => `| ${cells.map(esc).join(' | ')} |`;
  return [
    line(cols.map((c) => c.head)),
    `| ${cols.map((c, i) => (i > 0 && isFigure(c) ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => line(drawnCells(t, r))),
    ...(t.total ? [line(drawnCells(t, t.total).map((c) => (c ? `**${c}**` : '')))] : []),
  ];
}

/** Markdown: a heading, each section's sentence, table and lines; the warnings as a list. */
export function renderViewMarkdown(view: View): string {
  const lines = [`### ${view.title}`, ''];
  const hasRows = view.sections.some((s) => s.table && s.table.rows.length > 0);
  if (!hasRows && view.empty !== undefined) lines.push(view.empty);
  else
    view.sections.forEach((s, i) => {
      if (i > 0) lines.push('');
      if (s.heading) lines.push(s.heading, '');
      if (s.table) lines.push(...markdownTable(s.table));
      if (s.table && s.lines?.length) lines.push('');
      for (const l of s.lines ?? []) lines.push(typeof l === 'string' ? `${l}  ` : `- ${l[0]}: ${l[1]}`);
    });
  if (view.warnings.length) lines.push('', '**Warnings**', '', ...view.warnings.map((w) => `- ${esc(w)}`));
  return `${lines.join('\n')}\n`;
}
