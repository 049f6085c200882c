import { chartSvg, escapeXml, legendHtml, resetChartIds } from './chart.js';
import { drawn, drawnCells, isFigure, type View, type ViewRow, type ViewTable } from './view.js';

/**
 * The HTML renderer of a View: one self-contained file (inline CSS and SVG, no script, no font or
 * image from the network; a Content-Security-Policy that forbids any request), readable offline,
 * printable, light or dark by prefers-color-scheme. Every table cell of a figure carries its raw
 * value (data-key, data-value), so the page can be checked against --json.
 */

// Okabe-Ito: told apart by colour-blind readers, legible on white and on the dark background.
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#8C8C8C'];

const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#ffffff;--line:#d0d7de;--zebra:#f6f8fa;
--ok:#1a7f37;--hot:#cf222e;--track:#eaeef2}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--line:#30363d;--zebra:#161b22;
--ok:#3fb950;--hot:#ff7b72;--track:#21262d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.35rem;margin:0 0 4px}h2{font-size:1.1rem;margin:28px 0 8px}
p,li{color:var(--fg)}p,li,dd,h1,h2,caption{overflow-wrap:anywhere}.muted,dt{color:var(--muted)}
figure{margin:12px 0 16px}figcaption{font-weight:600;margin-bottom:6px}
svg.chart{width:100%;height:auto;max-width:900px;min-width:560px;display:block;font-size:12px}
svg .tick,svg .label,svg .value{fill:var(--fg)}svg .grid{stroke:var(--line);stroke-width:1}
svg .axis{stroke:var(--muted)}svg .track{fill:var(--track)}svg .ok{fill:var(--ok)}svg .hot{fill:var(--hot)}
svg .warn{stroke:var(--fg);stroke-dasharray:3 2}
svg .up,.swatch.up{fill:var(--hot);background:var(--hot)}svg .down,.swatch.down{fill:var(--ok);background:var(--ok)}
tr.refused td{color:var(--hot);font-weight:600}
${COLOURS.map((c, i) => `.c${i}{fill:${c}}.swatch.c${i}{background:${c}}`).join('')}
.legend{list-style:none;padding:0;margin:4px 0 0;display:flex;flex-wrap:wrap;gap:4px 16px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border-radius:2px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13.5px;margin:8px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;background:var(--bg)}td.num,th.num{text-align:right}
tbody tr:nth-child(even){background:var(--zebra)}tr.total td{font-weight:700;border-top:2px solid var(--fg)}
tr.others td{font-style:italic}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dd{margin:0}
@media print{body{background:#fff;color:#000}.scroll{overflow:visible}th{position:static}main{max-width:none}
svg .tick,svg .label,svg .value{fill:#000}figure,table{break-inside:avoid}}
`
  .trim()
  .replace(/\n/g, '');

function cellHtml(table: ViewTable, row: ViewRow, tag: 'td' | 'th'): string {
  const cols = drawn(table);
  const texts = drawnCells(table, row);
  return cols
    .map((c, i) => {
      const v = row.cells[c.key];
      const data =
        typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && c.kind === 'key')
          ? ` data-key="${escapeXml(c.key)}" data-value="${escapeXml(String(v))}"`
          : ` data-key="${escapeXml(c.key)}"`;
      const cls = i > 0 && isFigure(c) ? ' class="num"' : '';
      return `<${tag}${cls}${data}>${escapeXml(texts[i] ?? '')}</${tag}>`;
    })
    .join('');
}

function tableHtml(t: ViewTable, caption: string | undefined): string {
  const cols = drawn(t);
  const head = cols
    .map((c, i) => `<th scope="col"${i > 0 && isFigure(c) ? ' class="num"' : ''}>${escapeXml(c.head)}</th>`)
    .join('');
  const body = t.rows.map((r) => `<tr class="${escapeXml(r.kind)}">${cellHtml(t, r, 'td')}</tr>`).join('\n');
  const foot = t.total ? `<tfoot><tr class="total">${cellHtml(t, t.total, 'td')}</tr></tfoot>` : '';
  return (
    `<div class="scroll"><table>${caption ? `<caption class="muted">${escapeXml(caption)}</caption>` : ''}` +
    `<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`
  );
}

/** The whole document. */
export function renderViewHtml(view: View, generatedAt?: string): string {
  resetChartIds();
  const parts: string[] = [];
  const hasRows = view.sections.some((s) => s.table && s.table.rows.length > 0);
  if (!hasRows && view.empty !== undefined) parts.push(`<p>${escapeXml(view.empty)}</p>`);
  else
    for (const s of view.sections) {
      parts.push('<section>');
      if (s.heading) parts.push(`<h2>${escapeXml(s.heading)}</h2>`);
      for (const c of s.charts ?? [])
        parts.push(
          `<figure><figcaption>${escapeXml(c.title)}</figcaption><div class="scroll">${chartSvg(c)}</div>` +
            `${legendHtml(c)}</figure>`,
        );
      if (s.table) parts.push(tableHtml(s.table, undefined));
      const pairs = (s.lines ?? []).filter((l): l is [string, string] => typeof l !== 'string');
      const prose = (s.lines ?? []).filter((l): l is string => typeof l === 'string');
      if (pairs.length)
        parts.push(`<dl>${pairs.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl>`);
      for (const p of prose) parts.push(`<p>${escapeXml(p)}</p>`);
      parts.push('</section>');
    }
  if (view.warnings.length)
    parts.push(
      `<section><h2>Warnings</h2><ul>${view.warnings.map((w) => `<li>${escapeXml(w)}</li>`).join('')}</ul></section>`,
    );
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    // Nothing may be fetched: no script, no font, no image from anywhere (the page is self-contained).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="generator" content="bedrock-monitor">',
    `<title>${escapeXml(view.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    `<h1>${escapeXml(view.title)}</h1>`,
    generatedAt ? `<p class="muted">Generated ${escapeXml(generatedAt)} by bedrock-monitor.</p>` : '',
    ...parts,
    '</main></body>',
    '</html>',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}
