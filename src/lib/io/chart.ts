import { formatCount, formatMoney, formatPercent } from './numbers.js';
import { modelIdForms } from './model-id.js';

/**
 * Charts as small SVG documents, built here rather than by a library: three shapes are all the
 * reports need (stacked columns over time, horizontal bars of a top-N with "others", gauges), and
 * a string builder keeps the HTML file self-contained (no script, no font, no request) and the
 * output deterministic for tests. Every chart has a <title> and <desc>, and colours come from CSS
 * classes (c0…c7, a palette readable by colour-blind people, Okabe-Ito) so light and dark themes
 * and print style them.
 */

export type Unit = 'money' | 'count';

export interface ColumnsChart {
  type: 'columns';
  title: string;
  desc: string;
  unit: Unit;
  /** Periods, oldest first. */
  categories: string[];
  /** Stacked series (models or groups); values per category. */
  series: { name: string; values: number[] }[];
}

export interface BarsChart {
  type: 'bars';
  title: string;
  desc: string;
  unit: Unit;
  /** `text` replaces the formatted value (e.g. "unpriced"). */
  bars: { label: string; value: number; text?: string }[];
}

export interface GaugesChart {
  type: 'gauges';
  title: string;
  desc: string;
  /** Percent used (0-100+), or null when unknown; `warn` marks the warning threshold. */
  gauges: { label: string; percent: number | null }[];
  warn: number;
}

/** Two bars per item (billed beside estimated), one colour per series, a legend. */
export interface PairsChart {
  type: 'pairs';
  title: string;
  desc: string;
  unit: Unit;
  /** The two series' names, in the order of `values`. */
  series: [string, string];
  items: { label: string; values: [number, number] }[];
}

/**
 * A bridge from one figure to another: `start` and `end` bars from zero, each `step` a signed move from the
 * running total (rises and falls told apart by colour and by the sign of the value printed beside them).
 */
export interface WaterfallChart {
  type: 'waterfall';
  title: string;
  desc: string;
  unit: Unit;
  steps: { label: string; value: number; kind: 'start' | 'step' | 'end' }[];
}

export type Chart = ColumnsChart | BarsChart | GaugesChart | PairsChart | WaterfallChart;

export const PALETTE = 8;

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (unit: Unit, n: number): string => (unit === 'money' ? formatMoney(n) : formatCount(n));
const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** A round upper bound for an axis: 1, 2, 2.5 or 5 × 10^k at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

let ids = 0;
function svgOpen(title: string, desc: string, w: number, h: number): string {
  const id = `chart${++ids}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" ` +
    `aria-labelledby="${id}-t ${id}-d" class="chart"><title id="${id}-t">${escapeXml(title)}</title>` +
    `<desc id="${id}-d">${escapeXml(desc)}</desc>`
  );
}

/** Resets the id counter (tests compare whole documents). */
export function resetChartIds(): void {
  ids = 0;
}

/** A middle cut keeps what a label is and which one it is: two sessions of a role differ at the end. */
function cutMiddle(s: string, n: number): string {
  if (s.length <= n) return s;
  const head = Math.ceil((n - 1) * 0.4);
  return `${s.slice(0, head)}…${s.slice(s.length - (n - 1 - head))}`;
}

const isModelId = (s: string): boolean => /^arn:aws[\w-]*:bedrock:/.test(s) || (!s.includes('/') && s.includes('.'));

/**
 * A label in at most n characters: a model ID by its shorter readable forms (as the terminal table shows it,
 * dropping whole parts), anything else (principals, roles, tags) cut in the middle. The whole label is the
 * element's title.
 */
function short(s: string, n: number): string {
  if (s.length <= n) return s;
  const forms = isModelId(s) ? modelIdForms(s) : [];
  return forms.find((f) => f.length <= n) ?? cutMiddle(forms[forms.length - 1] ?? s, n);
}

/** An axis label: an hour (2026-11-20T10:00:00Z) as "11-20 10:00"; anything else as it is, cut to 16. */
function tickLabel(cat: string): string {
  const hour = /^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})/.exec(cat);
  return hour ? `${hour[1]} ${hour[2]}` : short(cat, 16);
}

function columnsSvg(c: ColumnsChart): string {
  const W = 720;
  const H = 280;
  const left = 76;
  const bottom = 44;
  const top = 12;
  const plotW = W - left - 12;
  const plotH = H - top - bottom;
  const sums = c.categories.map((_, i) => c.series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const highest = Math.max(0, ...sums);
  // Counts get whole-number gridlines: a quarter of the axis is a whole step (21 calls: 0, 6, 12, 18, 24).
  const max = c.unit === 'count' && highest > 0 && highest < 40 ? Math.ceil(highest / 4) * 4 : niceMax(highest);
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const parts = [svgOpen(c.title, c.desc, W, H)];
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    parts.push(
      `<line class="grid" x1="${left}" x2="${W - 12}" y1="${r1(y(v))}" y2="${r1(y(v))}"/>` +
        `<text class="tick" x="${left - 6}" y="${r1(y(v) + 4)}" text-anchor="end">${escapeXml(fmt(c.unit, v))}</text>`,
    );
  }
  const n = Math.max(1, c.categories.length);
  const step = plotW / n;
  const bw = Math.max(1, step * 0.72);
  const every = Math.ceil(n / 8);
  c.categories.forEach((cat, i) => {
    const x = left + i * step + (step - bw) / 2;
    let base = 0;
    c.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const y0 = y(base + v);
      const hgt = y(base) - y0;
      parts.push(
        `<rect class="c${k % PALETTE}" x="${r1(x)}" y="${r1(y0)}" width="${r1(bw)}" height="${r1(hgt)}">` +
          `<title>${escapeXml(`${cat} · ${s.name}: ${fmt(c.unit, v)}`)}</title></rect>`,
      );
      base += v;
    });
    if (i % every === 0)
      parts.push(
        `<text class="tick" x="${r1(x + bw / 2)}" y="${H - bottom + 16}" text-anchor="middle">` +
          `${escapeXml(tickLabel(cat))}</text>`,
      );
  });
  parts.push(`<line class="axis" x1="${left}" x2="${W - 12}" y1="${top + plotH}" y2="${top + plotH}"/></svg>`);
  return parts.join('');
}

function barsSvg(c: BarsChart): string {
  const W = 720;
  const row = 26;
  const labelW = 250;
  const valueW = 110;
  const H = c.bars.length * row + 8;
  const max = Math.max(0, ...c.bars.map((b) => b.value));
  const plotW = W - labelW - valueW;
  const parts = [svgOpen(c.title, c.desc, W, H)];
  c.bars.forEach((b, i) => {
    const y = 4 + i * row;
    const w = max > 0 ? (b.value / max) * plotW : 0;
    parts.push(
      `<text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${escapeXml(short(b.label, 30))}` +
        `<title>${escapeXml(b.label)}</title></text>` +
        `<rect class="c${b.label.startsWith('others') ? 7 : i % (PALETTE - 1)}" x="${labelW}" y="${y + 3}" ` +
        `width="${r1(Math.max(w, b.value > 0 ? 1 : 0))}" height="${row - 8}"/>` +
        `<text class="value" x="${r1(labelW + w + 6)}" y="${y + 16}">${escapeXml(b.text ?? fmt(c.unit, b.value))}` +
        `</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function gaugesSvg(c: GaugesChart): string {
  const W = 720;
  const row = 34;
  const labelW = 260;
  const trackW = 360;
  const H = c.gauges.length * row + 8;
  const parts = [svgOpen(c.title, c.desc, W, H)];
  const x = (p: number): number => labelW + (Math.min(100, Math.max(0, p)) / 100) * trackW;
  c.gauges.forEach((g, i) => {
    const y = 4 + i * row;
    const p = g.percent;
    const cls = p === null ? 'unknown' : p >= c.warn ? 'hot' : 'ok';
    parts.push(
      `<text class="label" x="${labelW - 8}" y="${y + 18}" text-anchor="end">${escapeXml(short(g.label, 32))}` +
        `<title>${escapeXml(g.label)}</title></text>` +
        `<rect class="track" x="${labelW}" y="${y + 6}" width="${trackW}" height="16" rx="3"/>` +
        (p === null
          ? ''
          : `<rect class="${cls}" x="${labelW}" y="${y + 6}" width="${r1(x(p) - labelW)}" height="16" rx="3"/>`) +
        `<line class="warn" x1="${r1(x(c.warn))}" x2="${r1(x(c.warn))}" y1="${y + 2}" y2="${y + 26}"/>` +
        `<text class="value" x="${labelW + trackW + 8}" y="${y + 18}">${p === null ? 'n/a' : formatPercent(p)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function pairsSvg(c: PairsChart): string {
  const W = 720;
  const row = 40;
  const labelW = 250;
  const valueW = 110;
  const H = c.items.length * row + 8;
  const max = Math.max(0, ...c.items.flatMap((it) => it.values.map((v) => Math.abs(v))));
  const plotW = W - labelW - valueW;
  const parts = [svgOpen(c.title, c.desc, W, H)];
  c.items.forEach((it, i) => {
    const y = 4 + i * row;
    parts.push(
      `<text class="label" x="${labelW - 8}" y="${y + 22}" text-anchor="end">${escapeXml(short(it.label, 30))}` +
        `<title>${escapeXml(it.label)}</title></text>`,
    );
    it.values.forEach((v, k) => {
      const w = max > 0 ? (Math.abs(v) / max) * plotW : 0;
      const by = y + 3 + k * 16;
      parts.push(
        `<rect class="c${k}" x="${labelW}" y="${by}" width="${r1(Math.max(w, v !== 0 ? 1 : 0))}" height="14">` +
          `<title>${escapeXml(`${it.label} · ${c.series[k]}: ${fmt(c.unit, v)}`)}</title></rect>` +
          `<text class="value" x="${r1(labelW + w + 6)}" y="${by + 11}">${escapeXml(fmt(c.unit, v))}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

const signed = (unit: Unit, n: number): string => `${n > 0 ? '+' : n < 0 ? '−' : ''}${fmt(unit, Math.abs(n))}`;

function waterfallSvg(c: WaterfallChart): string {
  const W = 720;
  const row = 28;
  const labelW = 220;
  const valueW = 110;
  const H = c.steps.length * row + 8;
  // Where each bar starts and ends on the value axis: start/end from zero, steps from the running total.
  let run = 0;
  const spans = c.steps.map((s) => {
    if (s.kind !== 'step') {
      run = s.value;
      return [0, s.value] as const;
    }
    const from = run;
    run += s.value;
    return [from, run] as const;
  });
  const lo = Math.min(0, ...spans.flat());
  const hi = Math.max(0, ...spans.flat());
  const plotW = W - labelW - valueW;
  const x = (v: number): number => labelW + (hi > lo ? ((v - lo) / (hi - lo)) * plotW : 0);
  const parts = [svgOpen(c.title, c.desc, W, H)];
  c.steps.forEach((s, i) => {
    const y = 4 + i * row;
    const [a, b] = spans[i]!;
    const x0 = x(Math.min(a, b));
    const w = Math.max(x(Math.max(a, b)) - x0, s.value !== 0 ? 1 : 0);
    const cls = s.kind !== 'step' ? 'c0' : s.value >= 0 ? 'up' : 'down';
    const text = s.kind === 'step' ? signed(c.unit, s.value) : fmt(c.unit, s.value);
    parts.push(
      `<text class="label" x="${labelW - 8}" y="${y + 18}" text-anchor="end">${escapeXml(short(s.label, 28))}` +
        `<title>${escapeXml(s.label)}</title></text>` +
        `<rect class="${cls}" x="${r1(x0)}" y="${y + 5}" width="${r1(w)}" height="${row - 10}">` +
        `<title>${escapeXml(`${s.label}: ${text}`)}</title></rect>` +
        `<text class="value" x="${r1(x0 + w + 6)}" y="${y + 18}">${escapeXml(text)}</text>`,
    );
  });
  parts.push(`<line class="axis" x1="${r1(x(0))}" x2="${r1(x(0))}" y1="2" y2="${H - 2}"/></svg>`);
  return parts.join('');
}

/** The chart as an inline SVG element. */
export function chartSvg(c: Chart): string {
  switch (c.type) {
    case 'columns':
      return columnsSvg(c);
    case 'bars':
      return barsSvg(c);
    case 'gauges':
      return gaugesSvg(c);
    case 'pairs':
      return pairsSvg(c);
    default:
      return waterfallSvg(c);
  }
}

/** The legend of a stacked chart, as HTML (readable by screen readers, wraps on a narrow page). */
export function legendHtml(c: Chart): string {
  const item = (cls: string, name: string): string =>
    `<li><span class="swatch ${cls}" aria-hidden="true"></span>${escapeXml(name)}</li>`;
  if (c.type === 'pairs') return `<ul class="legend">${c.series.map((s, k) => item(`c${k}`, s)).join('')}</ul>`;
  if (c.type === 'waterfall')
    return `<ul class="legend">${item('up', 'adds to the estimate')}${item('down', 'takes from it')}</ul>`;
  if (c.type !== 'columns' || c.series.length < 2) return '';
  return `<ul class="legend">${c.series.map((s, k) => item(`c${k % PALETTE}`, s.name)).join('')}</ul>`;
}
