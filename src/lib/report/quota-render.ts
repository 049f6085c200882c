import type { Output } from '../io/output.js';
import type { HeadroomRow, QuotaHeadroom } from './quota-compute.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const num = (n: number | null | undefined): string => (n === null || n === undefined ? 'n/a' : int.format(n));
const pct = (n: number | null): string => (n === null ? 'n/a' : `${n.toFixed(1)}%`);

/** The model ID; for IDs sharing one quota (us. and eu. profiles of a model), the family and how many. */
function modelCell(r: HeadroomRow): string {
  return r.models.length > 1 ? `${r.family ?? r.models[0]} (${r.models.length} IDs)` : (r.models[0] ?? '');
}

/** The quota-headroom section of the text report: a table, the flagged models, the notes. */
export function renderQuotas(out: Output, q: QuotaHeadroom): void {
  out.print(`Quota headroom: peak per minute in the window against Service Quotas (warning at ${q.warnPercent}%)`);
  if (!q.available) {
    out.print(`  not available: ${q.reason ?? 'unknown reason'}`);
    return;
  }
  if (q.rows.length === 0) {
    out.print('  no model had usage in the window.');
    return;
  }
  out.print('');
  out.print(
    out.table(
      ['', 'MODEL', 'TYPE', 'PEAK TPM', 'TPM QUOTA', 'TPM %', 'PEAK RPM', 'RPM QUOTA', 'RPM %'],
      q.rows.map((r) => [r.flagged ? out.c.red('!') : '', modelCell(r), r.inferenceType ?? 'n/a', num(r.peakTokensPerMinute), num(r.tpmQuota?.value), pct(r.tpmPercent), num(r.peakRequestsPerMinute), num(r.rpmQuota?.value), pct(r.rpmPercent)]),
      [3, 4, 5, 6, 7, 8],
    ),
  );
  const flagged = q.rows.filter((r) => r.flagged);
  if (flagged.length) out.print(`\n! above ${q.warnPercent}% of a quota: ${flagged.map((r) => r.models.join(', ')).join('; ')}`);
  const computed = q.rows.filter((r) => r.tokensMethod !== 'estimated' && r.burndown !== 1);
  out.print('');
  out.print('TPM counts input + cache-write + output tokens × burndown (cache reads excluded), or CloudWatch EstimatedTPMQuotaUsage where published.');
  const applied = [...new Set(computed.map((r) => `${r.family ?? r.models[0]} ${r.burndown}x`))];
  if (applied.length) out.print(`Output burndown applied: ${applied.join(', ')} (${q.burndown.source}).`);
  for (const r of q.rows.filter((x) => x.note)) out.print(`${modelCell(r)}: ${r.note ?? ''}`);
  for (const n of q.notes) out.print(n);
}
