import { modelIdForms } from '../io/model-id.js';
import type { Output } from '../io/output.js';
import type { Column } from '../io/table.js';
import type { HeadroomRow, QuotaHeadroom } from './quota-compute.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const num = (n: number | null | undefined): string => (n === null || n === undefined ? 'n/a' : int.format(n));
const pct = (n: number | null): string => (n === null ? 'n/a' : `${n.toFixed(1)}%`);

/** The model ID; for IDs sharing one quota (us. and eu. profiles of a model), the family and how many. */
function modelCell(r: HeadroomRow): string {
  return r.models.length > 1 ? `${r.family ?? r.models[0]} (${r.models.length} IDs)` : (r.models[0] ?? '');
}

/**
 * In a narrow terminal the type and the request figures behind RPM % go first (a column of nothing
 * but n/a before anything), then model IDs are shortened a whole part at a time, then the token peak
 * and quota; the two percentages stay. Into a pipe (and in a --notify message) everything, in full.
 */
function headroomColumns(out: Output): Column[] {
  return [
    { head: '', priority: 0, paint: (t) => out.c.red(t) },
    { head: 'MODEL', priority: 0, shorter: modelIdForms },
    { head: 'TYPE', priority: 5 },
    { head: 'PEAK TPM', priority: 4, keep: true, align: 'right' },
    { head: 'TPM QUOTA', priority: 3, keep: true, align: 'right' },
    { head: 'TPM %', priority: 0, align: 'right' },
    { head: 'PEAK RPM', priority: 7, align: 'right' },
    { head: 'RPM QUOTA', priority: 6, align: 'right' },
    { head: 'RPM %', priority: 1, keep: true, align: 'right' },
  ];
}

/** The quota-headroom section of the text report: a table, the flagged models, the notes. */
export function renderQuotas(out: Output, q: QuotaHeadroom): void {
  out.say(`Quota headroom: peak per minute in the window against Service Quotas (warning at ${q.warnPercent}%)`);
  if (!q.available) {
    out.say(`  not available: ${q.reason ?? 'unknown reason'}`, 2);
    return;
  }
  if (q.rows.length === 0) {
    out.say('  no model had usage in the window.', 2);
    return;
  }
  out.print('');
  out.print(
    out.fitTable({
      columns: headroomColumns(out),
      rows: q.rows.map((r) => [
        r.flagged ? '!' : '',
        modelCell(r),
        r.inferenceType ?? 'n/a',
        num(r.peakTokensPerMinute),
        num(r.tpmQuota?.value),
        pct(r.tpmPercent),
        num(r.peakRequestsPerMinute),
        num(r.rpmQuota?.value),
        pct(r.rpmPercent),
      ]),
    }),
  );
  const flagged = q.rows.filter((r) => r.flagged);
  if (flagged.length) {
    out.print('');
    out.say(`! above ${q.warnPercent}% of a quota: ${flagged.map((r) => r.models.join(', ')).join('; ')}`);
  }
  const computed = q.rows.filter((r) => r.tokensMethod !== 'estimated' && r.burndown !== 1);
  out.print('');
  out.say(
    'TPM counts input + cache-write + output tokens × burndown (cache reads excluded), or CloudWatch ' +
      'EstimatedTPMQuotaUsage where published.',
  );
  const applied = [...new Set(computed.map((r) => `${r.family ?? r.models[0]} ${r.burndown}x`))];
  if (applied.length) out.say(`Output burndown applied: ${applied.join(', ')} (${q.burndown.source}).`);
  for (const r of q.rows.filter((x) => x.note)) out.say(`${modelCell(r)}: ${r.note ?? ''}`);
  for (const n of q.notes) out.say(n);
}
