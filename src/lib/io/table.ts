import { stripVTControlCharacters } from 'node:util';

/**
 * Tables that fit where they go. Into a pipe or a file a table is never cut: every column, every
 * value in full. In a terminal of a given width it is made to fit, in this order:
 *
 *   1. columns whose every value is missing (n/a) go first;
 *   2. then droppable columns, least valuable first;
 *   3. then cells with shorter readable forms (model IDs) are shortened, one form at a time, never
 *      cut mid-token and never so far that two different values look alike;
 *   4. then wrappable columns wrap at token boundaries;
 *   5. then kept columns go, least valuable first;
 *   6. then, as a last resort, wrappable columns wrap inside a token too;
 * and finally any dropped column that fits again is brought back, most valuable first. What is left
 * over the width (one token wider than the terminal) wraps in the terminal rather than being cut.
 * Pure: text in, text out; colour is applied after the layout, so it never changes a width.
 */

export interface Column {
  head: string;
  align?: 'left' | 'right';
  /** 0: never dropped. Otherwise higher numbers are dropped first. */
  priority: number;
  /** Dropped only after shortening and wrapping could not make room. */
  keep?: boolean;
  /** Shorter readable forms of a cell, longest first (each one shorter than the one before). */
  shorter?(cell: string): string[];
  /** May wrap onto several lines at token boundaries (after - / . _ @ : or a space). */
  wrap?: boolean;
  /** Colour for a body cell, applied after layout. */
  paint?(text: string, row: number): string;
}

export interface TableInput {
  columns: Column[];
  /** Body rows of plain text, one cell per column. */
  rows: string[][];
  /** Rows under the body (totals): they count for widths, not for judging a column empty. */
  footer?: string[][];
  /** The text of a value that is not known; a column of nothing else is the first to go. */
  missing?: string;
  /** Lines printed under a body row (details), given the heads of the columns shown. */
  after?(row: number, shown: string[]): string[];
  /** Shorten cells (model IDs) before dropping any column with figures (reports: numbers outrank long IDs). */
  shortenFirst?: boolean;
}

export interface TableStyle {
  head?(text: string): string;
  footer?(text: string): string;
}

export interface TableLayout {
  /** Indexes of the columns shown, in their original order. */
  shown: number[];
  /** Heads of the columns left out. */
  dropped: string[];
  /** Body and footer cells as shown (shortened where needed), for every column. */
  rows: string[][];
  footer: string[][];
  /** Widths of the shown columns, by column index. */
  widths: Map<number, number>;
}

export const GAP = 2;
const MIN_WRAP = 10;

const visible = (s: string): number => stripVTControlCharacters(s).length;

function naturalWidth(input: TableInput, rows: string[][], footer: string[][], col: number): number {
  let w = visible(input.columns[col]!.head);
  for (const r of rows) w = Math.max(w, visible(r[col] ?? ''));
  for (const r of footer) w = Math.max(w, visible(r[col] ?? ''));
  return w;
}

/** The form of each cell at a shortening level; values that would collide keep the level before. */
function shortenColumn(cells: string[], forms: (cell: string) => string[], level: number): string[] {
  const at = (cell: string, l: number): string =>
    l === 0 ? cell : (forms(cell)[Math.min(l, forms(cell).length) - 1] ?? cell);
  let out = cells.map((c) => at(c, level));
  for (let l = level - 1; l >= 0; l--) {
    const owners = new Map<string, Set<string>>();
    out.forEach((s, i) => owners.set(s, (owners.get(s) ?? new Set()).add(cells[i]!)));
    const clash = out.map((s) => owners.get(s)!.size > 1);
    if (!clash.some(Boolean)) break;
    out = out.map((s, i) => (clash[i] ? at(cells[i]!, l) : s));
  }
  return out;
}

interface State {
  shown: Set<number>;
  level: number;
  wrapAt: Map<number, number>;
}

interface Cells {
  rows: string[][];
  footer: string[][];
  /** Natural widths and longest tokens per column, measured once. */
  widths: Map<number, number>;
  tokens: Map<number, number>;
}

/** Cells at each shortening level, computed once per table and level: layout asks many times. */
const CELLS = new WeakMap<TableInput, Map<number, Cells>>();

function cellsAt(input: TableInput, level: number): Cells {
  const byLevel = CELLS.get(input) ?? new Map<number, Cells>();
  CELLS.set(input, byLevel);
  const known = byLevel.get(level);
  if (known) return known;
  const rows = input.rows.map((r) => [...r]);
  const footer = (input.footer ?? []).map((r) => [...r]);
  input.columns.forEach((c, i) => {
    if (!c.shorter || level === 0) return;
    const short = shortenColumn(
      rows.map((r) => r[i] ?? ''),
      (cell) => c.shorter!(cell),
      level,
    );
    rows.forEach((r, k) => (r[i] = short[k]!));
  });
  const cells = { rows, footer, widths: new Map<number, number>(), tokens: new Map<number, number>() };
  byLevel.set(level, cells);
  return cells;
}

function widthOf(input: TableInput, cells: Cells, col: number): number {
  let w = cells.widths.get(col);
  if (w === undefined) cells.widths.set(col, (w = naturalWidth(input, cells.rows, cells.footer, col)));
  return w;
}

function longestTokenOf(cells: Cells, col: number): number {
  let w = cells.tokens.get(col);
  if (w === undefined) {
    w = 0;
    for (const r of cells.rows) for (const t of tokens(r[col] ?? '')) w = Math.max(w, t.trimEnd().length);
    cells.tokens.set(col, w);
  }
  return w;
}

function totalWidth(input: TableInput, s: State): number {
  const cells = cellsAt(input, s.level);
  const cols = [...s.shown];
  return (
    cols.reduce((a, i) => a + (s.wrapAt.get(i) ?? widthOf(input, cells, i)), 0) + GAP * Math.max(0, cols.length - 1)
  );
}

/** The most shortening levels any cell has. */
function maxLevel(input: TableInput): number {
  let top = 0;
  input.columns.forEach((c, i) => {
    if (c.shorter) for (const r of input.rows) top = Math.max(top, c.shorter(r[i] ?? '').length);
  });
  return top;
}

/**
 * Shares the width the other columns leave among the wrappable ones: narrow ones keep their natural
 * width, wide ones split what remains. Gives up (no wrapping) when a column would get under MIN_WRAP.
 */
function wrapToFit(input: TableInput, s: State, width: number, splitTokens = false): void {
  const cells = cellsAt(input, s.level);
  // A column wraps no narrower than its longest token, unless nothing else is left (splitTokens).
  const longestToken = (i: number): number => (splitTokens ? 0 : longestTokenOf(cells, i));
  const wrappable = [...s.shown]
    .filter((i) => input.columns[i]!.wrap)
    .map((i) => ({
      i,
      natural: widthOf(input, cells, i),
      min: Math.max(MIN_WRAP, visible(input.columns[i]!.head), longestToken(i)),
    }));
  if (!wrappable.length) return;
  const others = [...s.shown].filter((i) => !input.columns[i]!.wrap).reduce((a, i) => a + widthOf(input, cells, i), 0);
  let room = width - others - GAP * (s.shown.size - 1);
  let left = wrappable.length;
  const given = new Map<number, number>();
  for (const w of [...wrappable].sort((a, b) => a.natural - b.natural)) {
    const give = Math.min(w.natural, Math.floor(room / left));
    if (give < w.natural && give < w.min) return;
    given.set(w.i, give);
    room -= give;
    left--;
  }
  for (const w of wrappable) if (given.get(w.i)! < w.natural) s.wrapAt.set(w.i, given.get(w.i)!);
}

/**
 * Decides which columns show, at which shortening level and wrap widths, for a terminal `width` wide (undefined: no
 * limit).
 */
export function layoutTable(input: TableInput, width: number | undefined): TableLayout {
  const missing = input.missing ?? 'n/a';
  const all = input.columns.map((_, i) => i);
  const s: State = { shown: new Set(all), level: 0, wrapAt: new Map() };
  const fits = (): boolean => width === undefined || totalWidth(input, s) <= width;
  const byPriority = (pick: (i: number) => boolean) =>
    all
      .filter((i) => input.columns[i]!.priority > 0 && pick(i))
      .sort((a, b) => input.columns[b]!.priority - input.columns[a]!.priority);
  const empty = (i: number): boolean =>
    input.rows.length > 0 && input.rows.every((r) => r[i] === missing || r[i] === '');
  const removed: number[] = [];
  const dropWhileTooWide = (order: number[]): void => {
    for (const i of order) {
      if (fits()) return;
      s.shown.delete(i);
      removed.push(i);
    }
  };
  dropWhileTooWide(byPriority(empty));
  const top = maxLevel(input);
  if (input.shortenFirst) while (!fits() && s.level < top) s.level++;
  dropWhileTooWide(byPriority((i) => !input.columns[i]!.keep && !empty(i)));
  while (!fits() && s.level < top) s.level++;
  const rewrap = (): void => {
    s.wrapAt.clear();
    if (!fits() && width !== undefined) wrapToFit(input, s, width);
  };
  rewrap();
  for (const i of byPriority((c) => input.columns[c]!.keep === true && !empty(c))) {
    if (fits()) break;
    s.shown.delete(i);
    removed.push(i);
    // Wrapping starts again with the room the dropped column leaves.
    rewrap();
  }
  // Last resort before running over: wrap even inside a token (nothing is lost, only split).
  if (!fits() && width !== undefined) {
    s.wrapAt.clear();
    wrapToFit(input, s, width, true);
  }
  // Bring back what fits again, most valuable first, stopping at the first that does not.
  for (const i of removed
    .filter((r) => !empty(r))
    .sort((a, b) => input.columns[a]!.priority - input.columns[b]!.priority)) {
    const wrapAt = new Map(s.wrapAt);
    s.shown.add(i);
    rewrap();
    if (!fits()) {
      s.shown.delete(i);
      s.wrapAt = wrapAt;
      break;
    }
  }
  return layoutOf(input, s, all);
}

function layoutOf(input: TableInput, s: State, all: number[]): TableLayout {
  const cells = cellsAt(input, s.level);
  const { rows, footer } = cells;
  const shown = all.filter((i) => s.shown.has(i));
  const widths = new Map(shown.map((i) => [i, s.wrapAt.get(i) ?? widthOf(input, cells, i)]));
  return {
    shown,
    dropped: all.filter((i) => !s.shown.has(i)).map((i) => input.columns[i]!.head),
    rows,
    footer,
    widths,
  };
}

/**
 * The pieces a cell may wrap between: each ends with - / . _ @ : or a space (the last may not). A : or
 * . between two digits is no break: a time (15:45) or a number (4.5) stays whole.
 */
function tokens(text: string): string[] {
  const pieces = text.match(/(?:[^-/._@:\s]|(?<=\d)[.:](?=\d))*(?:[-/._@:\s]|$)/g) ?? [text];
  return pieces.filter((p) => p !== '');
}

/** Splits text into lines of at most `width`, breaking after - / . _ @ : or a space where it can. */

export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const parts = tokens(text);
  const lines: string[] = [];
  let line = '';
  for (let t of parts) {
    while (t.length > width) {
      if (line) lines.push(line.trimEnd());
      lines.push(t.slice(0, width));
      t = t.slice(width);
      line = '';
    }
    if ((line + t).trimEnd().length > width) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += t;
  }
  if (line) lines.push(line.trimEnd());
  return lines;
}

function pad(text: string, plainLength: number, width: number, align: 'left' | 'right' | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - plainLength));
  return align === 'right' ? fill + text : text + fill;
}

/** One table row, possibly several lines high when a cell wraps. */
function renderRow(
  input: TableInput,
  layout: TableLayout,
  cells: string[],
  paint: (text: string, col: number) => string,
): string[] {
  const parts = layout.shown.map((i) => wrapText(cells[i] ?? '', layout.widths.get(i)!));
  const height = Math.max(1, ...parts.map((p) => p.length));
  const lines: string[] = [];
  for (let l = 0; l < height; l++) {
    const line = layout.shown.map((i, k) => {
      const text = parts[k]![l] ?? '';
      return pad(text ? paint(text, i) : '', visible(text), layout.widths.get(i)!, input.columns[i]!.align);
    });
    lines.push(line.join(' '.repeat(GAP)).trimEnd());
  }
  return lines;
}

/** Lays the table out for `width` (undefined: unlimited) and renders it, borderless, two spaces between columns. */
export function renderTable(input: TableInput, width: number | undefined, style: TableStyle = {}): string {
  return renderFitted(input, width, style).text;
}

/** The table as text, and the heads of the columns left out to fit (for a note under it). */
export function renderFitted(
  input: TableInput,
  width: number | undefined,
  style: TableStyle = {},
): { text: string; dropped: string[] } {
  const layout = layoutTable(input, width);
  const head = renderRow(
    input,
    layout,
    input.columns.map((c) => c.head),
    (t) => style.head?.(t) ?? t,
  );
  const heads = layout.shown.map((i) => input.columns[i]!.head);
  const body = layout.rows.flatMap((r, row) => [
    ...renderRow(input, layout, r, (t, i) => input.columns[i]!.paint?.(t, row) ?? t),
    ...(input.after?.(row, heads) ?? []),
  ]);
  const foot = layout.footer.flatMap((r) => renderRow(input, layout, r, (t) => style.footer?.(t) ?? t));
  return { text: [...head, ...body, ...foot].join('\n'), dropped: layout.dropped };
}
