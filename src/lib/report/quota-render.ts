import type { GaugesChart } from '../io/chart.js';
import { modelIdForms } from '../io/model-id.js';
import type { Line, ViewSection, ViewTable } from '../io/view.js';
import type { FleetHeadroomRow, FleetQuotas } from './fleet-metrics-compute.js';
import type { HeadroomRow, QuotaHeadroom } from './quota-compute.js';

/** The figures both a target's headroom and the fleet's carry. */
type Headroom = Pick<QuotaHeadroom, 'warnPercent' | 'burndown' | 'notes'> & {
  rows: (HeadroomRow | FleetHeadroomRow)[];
};

const isFleetRow = (r: HeadroomRow | FleetHeadroomRow): r is FleetHeadroomRow => 'account' in r;

/** The model ID; for IDs sharing one quota (us. and eu. profiles of a model), the family and how many. */
function modelCell(r: HeadroomRow): string {
  return r.models.length > 1 ? `${r.family ?? r.models[0]} (${r.models.length} IDs)` : (r.models[0] ?? '');
}

/** The model, after its account and Region in a fleet's headroom. */
const label = (r: HeadroomRow | FleetHeadroomRow): string =>
  isFleetRow(r) ? `${r.account} ${r.region} ${modelCell(r)}` : modelCell(r);

/**
 * In a narrow terminal the type and the request figures behind RPM % go first (a column of nothing
 * but n/a before anything), then model IDs are shortened a whole part at a time, then the token peak
 * and quota; the two percentages stay. Into a pipe (and in a --notify message) everything, in full.
 */
function headroomTable(q: Headroom): ViewTable {
  const fleet = q.rows.some(isFleetRow);
  return {
    // The figures are in --json (quotas); CSV stays one shape of usage rows.
    noCsv: true,
    columns: [
      { key: 'flag', head: '', kind: 'flag', priority: 0, only: 'drawn' },
      ...(fleet
        ? [
            { key: 'account', head: 'ACCOUNT', kind: 'key', priority: 0 } as const,
            { key: 'region', head: 'REGION', kind: 'key', priority: 0 } as const,
          ]
        : []),
      { key: 'model', head: 'MODEL', kind: 'key', priority: 0, shorter: modelIdForms },
      { key: 'inferenceType', head: 'TYPE', kind: 'text', priority: 5 },
      { key: 'peakTokensPerMinute', head: 'PEAK TPM', kind: 'count', priority: 4, keep: true },
      { key: 'tpmQuota', head: 'TPM QUOTA', kind: 'count', priority: 3, keep: true },
      { key: 'tpmPercent', head: 'TPM %', kind: 'percent', priority: 0 },
      { key: 'peakRequestsPerMinute', head: 'PEAK RPM', kind: 'count', priority: 7 },
      { key: 'rpmQuota', head: 'RPM QUOTA', kind: 'count', priority: 6 },
      { key: 'rpmPercent', head: 'RPM %', kind: 'percent', priority: 1, keep: true },
    ],
    rows: q.rows.map((r) => ({
      kind: 'quota',
      cells: {
        flag: r.flagged ? '!' : '',
        ...(isFleetRow(r) ? { account: r.account, region: r.region } : {}),
        model: modelCell(r),
        inferenceType: r.inferenceType ?? 'n/a',
        peakTokensPerMinute: r.peakTokensPerMinute,
        tpmQuota: r.tpmQuota?.value ?? null,
        tpmPercent: r.tpmPercent,
        peakRequestsPerMinute: r.peakRequestsPerMinute,
        rpmQuota: r.rpmQuota?.value ?? null,
        rpmPercent: r.rpmPercent,
      },
    })),
  };
}

function quotaLines(q: Headroom): Line[] {
  const lines: Line[] = [];
  const flagged = q.rows.filter((r) => r.flagged);
  if (flagged.length)
    lines.push(
      `! above ${q.warnPercent}% of a quota: ` +
        flagged.map((r) => (isFleetRow(r) ? `${r.account} ${r.region} ` : '') + r.models.join(', ')).join('; '),
    );
  lines.push(
    'TPM counts input + cache-write + output tokens × burndown (cache reads excluded), or CloudWatch ' +
      'EstimatedTPMQuotaUsage where published.',
  );
  const computed = q.rows.filter((r) => r.tokensMethod !== 'estimated' && r.burndown !== 1);
  const applied = [...new Set(computed.map((r) => `${r.family ?? r.models[0]} ${r.burndown}x`))];
  if (applied.length) lines.push(`Output burndown applied: ${applied.join(', ')} (${q.burndown.source}).`);
  // A model's note once, whichever targets it applies to.
  for (const n of new Set(q.rows.filter((x) => x.note).map((r) => `${modelCell(r)}: ${r.note ?? ''}`))) lines.push(n);
  lines.push(...q.notes);
  return lines;
}

/** Quota headroom as gauges (HTML): the larger of the two percentages per model. */
function gauges(q: Headroom): GaugesChart {
  return {
    type: 'gauges',
    title: 'Peak per minute against the quota, per model (the higher of tokens and requests)',
    desc:
      `For each model, the peak tokens (or requests) per minute in the window as a percentage of its Service ` +
      `Quota, whichever is higher; the dashed line marks the ${q.warnPercent}% warning.`,
    warn: q.warnPercent,
    gauges: q.rows.map((r) => ({
      label: label(r),
      percent: r.tpmPercent === null && r.rpmPercent === null ? null : Math.max(r.tpmPercent ?? 0, r.rpmPercent ?? 0),
    })),
  };
}

/** A fleet's headroom: every target's models, with their account and Region; the targets it could not work out. */
export function fleetQuotaSection(q: FleetQuotas): ViewSection {
  const heading =
    `Quota headroom per account and Region: peak per minute in the window against each one's Service Quotas ` +
    `(warning at ${q.warnPercent}%)`;
  const unavailable = q.unavailable.map((u) => `  ${u.account} ${u.region}: not available: ${u.reason}`);
  if (q.rows.length === 0)
    return { heading, lines: [...unavailable, ...(unavailable.length ? [] : ['  no model had usage in the window.'])] };
  return { heading, table: headroomTable(q), lines: [...unavailable, ...quotaLines(q)], charts: [gauges(q)] };
}

/** The quota-headroom section of the report: a table, the flagged models, the notes (and gauges in HTML). */
export function quotaSection(q: QuotaHeadroom): ViewSection {
  const heading = `Quota headroom: peak per minute in the window against Service Quotas (warning at ${q.warnPercent}%)`;
  if (!q.available) return { heading, lines: [`  not available: ${q.reason ?? 'unknown reason'}`] };
  if (q.rows.length === 0) return { heading, lines: ['  no model had usage in the window.'] };
  return { heading, table: headroomTable(q), lines: quotaLines(q), charts: [gauges(q)] };
}
