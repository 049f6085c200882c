import type { PairsChart, WaterfallChart } from '../io/chart.js';
import { renderViewHtml } from '../io/html.js';
import type { Output } from '../io/output.js';
import { renderViewText } from '../io/view-text.js';
import type { View, ViewTable } from '../io/view.js';
import { tablesText } from '../report/logs-render.js';
import type { BillResult } from './build.js';

/**
 * The view of `bill` (io/view.ts): the rows with billed beside estimated, then the bridge from the estimate to
 * the invoice; drawn from exactly the data `--json` prints, by the one renderer of each format (the terminal
 * table, HTML with a chart above each table).
 */

const tagText = (t: Record<string, string> | undefined): string =>
  t
    ? Object.entries(t)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';

function rowsTable(r: BillResult): ViewTable {
  return {
    columns: [
      { key: 'key', head: r.groupBy.toUpperCase(), kind: 'key', priority: 0, wrap: true },
      { key: 'billedUsd', head: 'BILLED', kind: 'money', priority: 0 },
      { key: 'estimatedUsd', head: 'ESTIMATED', kind: 'money', priority: 0 },
      { key: 'differenceUsd', head: 'DIFFERENCE', kind: 'money', priority: 0 },
      { key: 'tags', head: 'TAGS', kind: 'text', priority: 2, wrap: true },
    ],
    rows: r.rows.map((x) => ({
      kind: 'group',
      cells: {
        key: x.key,
        billedUsd: x.billedUsd,
        estimatedUsd: x.estimatedUsd,
        differenceUsd: x.differenceUsd,
        tags: tagText(x.tags),
      },
    })),
    total: { kind: 'total', label: 'TOTAL', cells: { ...r.totals, key: null, tags: '' } },
  };
}

function bridgeTable(r: BillResult): ViewTable {
  const b = r.bridge;
  const step = (name: string, usd: number, how: string, kind = 'step') => ({
    kind,
    cells: { step: name, usd, how },
  });
  return {
    columns: [
      { key: 'step', head: 'STEP', kind: 'key', priority: 0 },
      { key: 'usd', head: 'USD', kind: 'money', priority: 0 },
      { key: 'how', head: 'HOW', kind: 'text', priority: 1, wrap: true },
    ],
    rows: [
      step('estimated (logs)', b.estimatedUsd, `invocation logs × ${pricesText(r)}`, 'start'),
      ...b.causes.map((c) => step(c.cause, c.usd, c.how)),
      step('residual', b.residualUsd, 'not explained by the causes above'),
    ],
    total:
      r.sources.bill.kind === 'cur2'
        ? step('billed (CUR 2.0)', b.billedUsd, "the export's Bedrock line items", 'total')
        : step('billed (Cost Explorer)', b.billedUsd, "Cost Explorer's Bedrock charges (unblended)", 'total'),
  };
}

const billedWhat = (r: BillResult): string => (r.sources.bill.kind === 'cur2' ? 'CUR 2.0 line items' : 'Cost Explorer');

/** Billed beside estimated for the busiest groups (by the larger of the two); the rest summed as "others". */
const SHOWN = 12;
function pairsChart(r: BillResult): PairsChart {
  const rows = [...r.rows].sort(
    (a, b) => Math.max(b.billedUsd, b.estimatedUsd) - Math.max(a.billedUsd, a.estimatedUsd),
  );
  const items = rows.slice(0, SHOWN).map((x) => ({
    // ARNs by what follows the account (`user/batch-bot`); the table below has them whole.
    label: x.key.replace(/^arn:[^:]+:[^:]+:[^:]*:\d*:/, ''),
    values: [x.billedUsd, x.estimatedUsd] as [number, number],
  }));
  const rest = rows.slice(SHOWN);
  if (rest.length)
    items.push({
      label: `others (${rest.length})`,
      values: [rest.reduce((n, x) => n + x.billedUsd, 0), rest.reduce((n, x) => n + x.estimatedUsd, 0)],
    });
  return {
    type: 'pairs',
    title: `Billed and estimated, by ${r.groupBy}`,
    desc:
      `For each ${r.groupBy}, the amount on the bill (${billedWhat(r)}) ` +
      'beside the estimate from the ' +
      `invocation logs, in US dollars, ${r.window.label}.`,
    unit: 'money',
    series: ['billed', 'estimated'],
    items,
  };
}

function waterfallChart(r: BillResult): WaterfallChart {
  const b = r.bridge;
  return {
    type: 'waterfall',
    title: 'From the estimate to the invoice',
    desc:
      'The estimate from the invocation logs, each named cause that moves it up or down, the residual, and ' +
      'the billed amount, in US dollars.',
    unit: 'money',
    steps: [
      { label: 'estimated (logs)', value: b.estimatedUsd, kind: 'start' },
      ...b.causes.map((c) => ({ label: c.cause, value: c.usd, kind: 'step' as const })),
      { label: 'residual', value: b.residualUsd, kind: 'step' },
      {
        label: r.sources.bill.kind === 'cur2' ? 'billed (CUR 2.0)' : 'billed (Cost Explorer)',
        value: b.billedUsd,
        kind: 'end',
      },
    ],
  };
}

function billText(r: BillResult): string {
  const s = r.sources.bill;
  return s.kind === 'cur2'
    ? `${s.location}, CUR 2.0`
    : `Cost Explorer, ${s.requests} request(s), $${s.requestsUsd.toFixed(2)}`;
}

export function billView(r: BillResult): View {
  return {
    title:
      `Bedrock on the bill (${billText(r)}) beside the estimate from the invocation logs ` +
      `(${r.sources.estimate.location}), ${r.window.label}, by ${r.groupBy}.`,
    context: { region: r.region, window: r.window.label },
    sections: [
      { table: rowsTable(r), charts: r.rows.length ? [pairsChart(r)] : [] },
      {
        heading: 'From estimate to invoice:',
        table: bridgeTable(r),
        charts: [waterfallChart(r)],
        lines: r.warnings.map((w) => `Note: ${w}`),
      },
    ],
    warnings: [],
  };
}

/** The terminal table (fitted to its width), or the whole document for `--output html`. */
export function renderBill(out: Output, r: BillResult, format = 'table'): void {
  if (format === 'html') out.write(renderViewHtml(billView(r)));
  else out.write(renderViewText(billView(r), { width: out.width, head: (h) => out.c.bold(h) }));
}

/** The table of each Region the estimate priced, as the logs report names them. */
function pricesText(r: BillResult): string {
  return tablesText(r.prices);
}
