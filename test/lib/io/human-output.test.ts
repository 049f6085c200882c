import { describe, expect, test } from '@jest/globals';
import type { Output } from '../../../src/lib/io/output.js';
import { renderCsv, renderMarkdown, renderReportTable } from '../../../src/lib/report/render.js';
import { renderCleanup } from '../../../src/lib/setup/cleanup.js';
import { renderSetupAll } from '../../../src/lib/setup/flow-render.js';
import { renderNextSteps, renderPlan, renderStatus, renderStepResult } from '../../../src/lib/setup/render.js';
import { setupFailure, type StepResult } from '../../../src/lib/setup/run.js';
import { expectGolden } from '../../support/golden.js';
import { capture, overlong, WIDTHS, widthName } from '../../support/render.js';
import * as fx from '../../fixtures/human.js';

/**
 * Golden files for what people read, drawn by the pure renderers from fixture objects, at 60, 80
 * and 160 columns and into a pipe (TZ=UTC, NO_COLOR). In a terminal no line may pass the width
 * (links excepted: they stay whole to stay clickable); into a pipe nothing is shortened.
 */

type Scene = [name: string, draw: (out: Output) => void];

/** What main() prints for setup-all's error, after the result. */
function setupAllScreen(data: ReturnType<typeof fx.setupAllFailed>) {
  return (out: Output): void => {
    renderSetupAll(out, data, false);
    const e = setupFailure(data.steps.map((s) => ({ ...s, outcomes: [] }) as unknown as StepResult));
    if (e) out.error(e.message, e.hint);
  };
}

const SCENES: Scene[] = [
  ['status-drift', (out) => renderStatus(out, fx.statusRows(), 'us-east-1')],
  ['status-ok', (out) => renderStatus(out, fx.allOkRows(), 'us-east-1')],
  ['setup-plan', (out) => renderPlan(out, fx.statusRows(), 'us-east-1')],
  ['setup-all-fresh', (out) => renderSetupAll(out, fx.setupAllFresh(), false)],
  ['setup-all-converged', (out) => renderSetupAll(out, fx.setupAllConverged(), false)],
  ['setup-all-failed', setupAllScreen(fx.setupAllFailed())],
  ['step-updated', (out) => renderStepResult(out, fx.stepOutcomes(), 'us-east-1')],
  [
    'alarms',
    (out) => {
      renderStepResult(out, fx.alarmsOutcomes(), 'us-east-1');
      renderNextSteps(out, {
        subscriptions: [
          { email: 'oncall@example.com', state: 'pending' },
          { email: 'lead@example.com', state: 'pending' },
        ],
        dashboardUrl: null,
      });
    },
  ],
  [
    'dashboard',
    (out) => {
      renderStepResult(
        out,
        [{ resource: 'dashboard', name: 'BedrockUsageMonitoring', action: 'created', changes: [] }],
        'us-east-1',
      );
      renderNextSteps(out, { subscriptions: [], dashboardUrl: fx.setupAllFresh().dashboardUrl });
    },
  ],
  ['cleanup', (out) => renderCleanup(out, fx.cleanupDone(), false)],
  ['report-by-day', (out) => out.io.stdout.write(renderReportTable(fx.reportByDay(), { width: out.width, tz: 'UTC' }))],
  ['report-empty', (out) => out.io.stdout.write(renderReportTable(fx.emptyReport(), { width: out.width, tz: 'UTC' }))],
];

describe.each(SCENES)('%s', (name, draw) => {
  test.each(WIDTHS.map((w) => [widthName(w), w] as const))('at %s', (label, width) => {
    const { out, stdout, stderr } = capture(width);
    draw(out);
    const text = `${stdout()}${stderr() ? `--- stderr ---\n${stderr()}` : ''}`;
    expectGolden(`${name}-${label}.txt`, text);
    expect(overlong(text, width)).toEqual([]);
  });
});

describe('output that fits', () => {
  test('a drifted field shows its values, from → to, not only its name', () => {
    const { out, stdout } = capture(80);
    renderStatus(out, fx.statusRows(), 'us-east-1');
    expect(stdout()).toContain('retentionInDays: 7 → 30');
    expect(stdout()).toContain('threshold: 200000 → 100000');
  });

  test('status names the command that repairs each row, and its footer speaks only of status', () => {
    const { out, stdout } = capture(160);
    renderStatus(out, fx.statusRows(), 'us-east-1');
    expect(stdout()).toMatch(/log-group\s+\/aws\/bedrock\/modelinvocations\s+drifted\s+create-log-group --force/);
    expect(stdout()).toMatch(/Bedrock-HighCost\s+drifted\s+alarms --prune/);
    expect(stdout()).toMatch(/dashboard\s+BedrockUsageMonitoring\s+missing\s+dashboard/);
    // A --force or --prune row is not something setup-all repairs: the footer does not say it is.
    expect(stdout()).not.toContain('setup-all');
  });

  test('where the repair column does not fit, each row that needs one says its command underneath', () => {
    const { out, stdout } = capture(60);
    renderStatus(out, fx.statusRows(), 'us-east-1');
    expect(stdout()).toContain('repair: bedrock-monitor create-log-group --force');
  });

  test('the plan setup-all shows before asking lists what it will do, with no footer meant for status', () => {
    const { out, stdout } = capture(80);
    renderPlan(out, fx.statusRows(), 'us-east-1');
    expect(stdout()).toMatch(/^Plan for us-east-1 \(1 to create, 4 to update, 6 as configured\):/);
    expect(stdout()).not.toMatch(/REPAIR|need attention|run the command/);
  });

  test('status shows subscriptions as pending or confirmed, and says what pending means', () => {
    const { out, stdout } = capture(undefined);
    renderStatus(
      out,
      fx.allOkRows().map((r) => (r.name === 'oncall@example.com' ? { ...r, subscription: 'pending' as const } : r)),
      'us-east-1',
    );
    expect(stdout()).toMatch(/oncall@example\.com\s+pending/);
    expect(stdout()).toMatch(/lead@example\.com\s+confirmed/);
    expect(stdout()).toContain('1 email subscription is pending confirmation (oncall@example.com)');
  });

  test('a converged re-run says so in one line (and still gives the next steps)', () => {
    const { out, stdout } = capture(80);
    renderSetupAll(out, fx.setupAllConverged(), false);
    const lines = stdout().split('\n');
    expect(lines[0]).toBe('Nothing to change: all 9 resources in us-east-1 are as configured.');
    expect(stdout()).not.toContain('unchanged');
  });

  test('after setup: pending addresses, and the dashboard link, said once', () => {
    const { out, stdout } = capture(undefined);
    renderSetupAll(out, fx.setupAllFresh(), false);
    const text = stdout();
    expect(text.match(/pending confirmation/g)).toHaveLength(1);
    expect(text).toContain(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/' +
        'home?region=us-east-1#dashboards/dashboard/BedrockUsageMonitoring',
    );
  });

  test(
    'setup-all with a failed step: the step, its message and its hint ' + '(--force), and exit 2 like the step alone',
    () => {
      const data = fx.setupAllFailed();
      const e = setupFailure(data.steps.map((s) => ({ ...s, outcomes: [] }) as unknown as StepResult))!;
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(
        /^create-log-group failed: log-group \/aws\/bedrock\/modelinvocations exists but is not tagged/,
      );
      expect(e.message).toContain('Skipped, because they need it: enable-logging.');
      expect(e.hint).toContain('--force');
    },
  );

  test('by day: partial first and last days are marked, and there is a totals row', () => {
    const text = renderReportTable(fx.reportByDay(), { width: 160 });
    expect(text).toMatch(/2026-11-19 from 10:17\s+300/);
    expect(text).toMatch(/2026-11-20\s+660/);
    expect(text).toMatch(/2026-11-21 until 15:45\s+300/);
    expect(text).toMatch(/TOTAL\s+1,260\s+3,780,000/);
  });

  test('durations as people write them', () => {
    expect(renderReportTable(fx.reportByDay(), { width: undefined }).split('\n')[0]).toBe(
      'Bedrock usage in us-east-1, 2026-11-19 10:17 → 2026-11-21 15:45 UTC (2 days 5 h)',
    );
  });
});

describe('CSV and markdown carry everything', () => {
  test(
    'CSV with --by day: a day column, partial days, the totals in their own marked row, window and Region on ' +
      'every row',
    () => {
      const csv = renderCsv(fx.reportByDay());
      expectGolden('report-by-day.csv', csv);
      const [head, ...rows] = csv.trim().split('\n');
      expect(head!.split(',').slice(0, 9)).toEqual([
        'kind',
        'region',
        'windowStart',
        'windowEnd',
        'modelId',
        'day',
        'dayStart',
        'dayEnd',
        'partialDay',
      ]);
      expect(rows.filter((r) => r.startsWith('day,'))).toHaveLength(3);
      expect(rows.filter((r) => r.startsWith('total,'))).toHaveLength(1);
      expect(rows[rows.length - 1]).toMatch(
        /^total,us-east-1,2026-11-19T10:17:00.000Z,2026-11-21T15:45:00.000Z,,,,,,1260,/,
      );
      expect(rows.find((r) => r.startsWith('day,'))).toContain(
        ',2026-11-19,2026-11-19T10:17:00.000Z,2026-11-20T00:00:00.000Z,true,',
      );
    },
  );

  test('markdown is valid markdown with no data: a heading, a sentence and the warnings as a list', () => {
    const md = renderMarkdown(fx.emptyReport(), 'UTC');
    expectGolden('report-empty.md', md);
    expect(md).toMatch(/^### Bedrock usage/);
    expect(md).toMatch(/\n- 25 percentile figures could not be fetched/);
    expect(md).not.toMatch(/ {2}\n/);
  });

  test('markdown by day: a days table with partial days and a bold totals row', () => {
    const md = renderMarkdown(fx.reportByDay(), 'UTC');
    expectGolden('report-by-day.md', md);
    expect(md).toContain('| 2026-11-19 from 10:17 | 300 |');
    expect(md).toContain('| **TOTAL** | **1,260** |');
    // Every table row has as many cells as its header.
    for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const widths = block.split('\n').map((l) => l.split(/(?<!\\)\|/).length);
      expect(new Set(widths).size).toBe(1);
    }
  });
});
