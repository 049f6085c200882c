import type { Output } from '../io/output.js';
import type { Column } from '../io/table.js';
import type { BillResult } from './build.js';

/** The human view of `bill`: the rows, then the bridge; drawn from exactly the data `--json` prints. */

const money = (n: number): string =>
  `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const ROWS: Column[] = [
  { head: 'KEY', priority: 0, wrap: true },
  { head: 'BILLED', priority: 0, align: 'right' },
  { head: 'ESTIMATED', priority: 0, align: 'right' },
  { head: 'DIFFERENCE', priority: 0, align: 'right' },
  { head: 'TAGS', priority: 2, wrap: true },
];

const BRIDGE: Column[] = [
  { head: 'STEP', priority: 0 },
  { head: 'USD', priority: 0, align: 'right' },
  { head: 'HOW', priority: 1, wrap: true },
];

const tagText = (t: Record<string, string> | undefined): string =>
  t
    ? Object.entries(t)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';

export function renderBill(out: Output, r: BillResult): void {
  out.say(
    `Bedrock on the bill (${r.sources.bill.location}, CUR 2.0) beside the estimate from the invocation logs ` +
      `(${r.sources.estimate.location}), ${r.window.label}, by ${r.groupBy}.`,
  );
  out.print('');
  const columns = ROWS.map((c, i) => (i === 0 ? { ...c, head: r.groupBy.toUpperCase() } : c));
  out.print(
    out.fitTable({
      columns,
      rows: r.rows.map((x) => [
        x.key,
        money(x.billedUsd),
        money(x.estimatedUsd),
        money(x.differenceUsd),
        tagText(x.tags),
      ]),
      footer: [['TOTAL', money(r.totals.billedUsd), money(r.totals.estimatedUsd), money(r.totals.differenceUsd), '']],
      missing: '',
    }),
  );
  out.print('');
  out.say('From estimate to invoice:');
  const b = r.bridge;
  out.print(
    out.fitTable({
      columns: BRIDGE,
      rows: [
        ['estimated (logs)', money(b.estimatedUsd), `invocation logs × ${pricesText(r)}`],
        ...b.causes.map((c) => [c.cause, money(c.usd), c.how]),
        ['residual', money(b.residualUsd), 'not explained by the causes above'],
      ],
      footer: [['billed (CUR 2.0)', money(b.billedUsd), "the export's Bedrock line items"]],
    }),
  );
  for (const w of r.warnings) out.say(`Note: ${w}`);
}

function pricesText(r: BillResult): string {
  const which =
    r.prices.table === 'refreshed'
      ? 'Price List table fetched'
      : r.prices.table === 'snapshot'
        ? 'Price List snapshot of'
        : 'bundled prices of';
  return `${which} ${r.prices.date}`;
}
