import { describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { parseSince } from '../../../src/lib/core/window.js';
import { bar, renderViewText } from '../../../src/lib/io/view-text.js';
import { focusReport, periodsOf, weekStart } from '../../../src/lib/report/focus.js';
import { renderCsv, renderHtml, renderReportTable, reportView } from '../../../src/lib/report/render.js';
import { SUM_FIELDS } from '../../../src/lib/report/types.js';
import { runCli } from '../../support/cli.js';
import { defaultSpec, writeCorpus } from '../../support/corpus.js';
import { expectGolden } from '../../support/golden.js';
import * as fx from '../../fixtures/human.js';

/**
 * The rendering contract (issue 22): --top/--sort, --by week|month, relative --since, bars per row
 * in a terminal, the note naming hidden columns, CSV without TOTAL in a key column, HTML drawn from
 * the same view.
 */

const env = { AWS_REGION: 'us-east-1' };

/** CSV records as objects (the values here hold no comma or quote). */
function parse(text: string, _o: { columns: true }): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const keys = head!.split(',');
  expect(lines.every((l) => !l.includes('"'))).toBe(true);
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}
const now = new Date('2026-11-20T06:00:00Z');

describe('--since as people say it', () => {
  test.each([
    ['7d', '2026-11-13T06:00:00.000Z'],
    ['2w', '2026-11-06T06:00:00.000Z'],
    ['36h', '2026-11-18T18:00:00.000Z'],
    ['2026-11', '2026-11-01T00:00:00.000Z'],
    ['2026-11-19', '2026-11-19T00:00:00.000Z'],
  ])('%s', (raw, iso) => {
    expect(parseSince(raw, now).toISOString()).toBe(iso);
  });
  test.each(['0d', '2026-13', 'yesterday', '7 days'])('%s is refused', (raw) => {
    expect(() => parseSince(raw, now)).toThrow(/--since/);
  });
});

describe('--top and --sort on the metrics report', () => {
  test('--top 2: two models and one others row, adding up to the untruncated totals', () => {
    const full = fx.reportByDay();
    const top = focusReport(full, { top: 2 });
    expect(top.models).toHaveLength(2);
    expect(top.others?.groups).toBe(full.models.length - 2);
    for (const k of SUM_FIELDS) {
      const sum = top.models.reduce((a, m) => a + (m[k] ?? 0), 0) + (top.others?.[k] ?? 0);
      expect(sum).toBe(full.totals[k]);
    }
    const cost = top.models.reduce((a, m) => a + (m.costUsd ?? 0), 0) + (top.others?.costUsd ?? 0);
    expect(cost).toBeCloseTo(full.totals.costUsd, 6);
    const text = renderReportTable(top, { tz: 'UTC' });
    expect(text).toMatch(/^others \(3\) /m);
  });

  test('--sort output orders by output tokens, highest first', () => {
    const sorted = focusReport(fx.reportByDay(), { sort: 'output' }).models.map((m) => m.outputTokens ?? 0);
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
  });

  test('--top larger than the rows leaves no others', () => {
    expect(focusReport(fx.reportByDay(), { top: 50 }).others).toBeUndefined();
  });
});

describe('--by week|month on the metrics report', () => {
  test('weeks start on Monday (UTC)', () => {
    expect(weekStart('2026-11-19')).toBe('2026-11-16');
    expect(weekStart('2026-11-16')).toBe('2026-11-16');
    expect(weekStart('2026-11-22')).toBe('2026-11-16');
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
  });

  test('days summed per week and month; the sums equal the days', () => {
    const rep = fx.reportByDay();
    const weeks = periodsOf(rep.days!, 'week', rep.window.start, rep.window.end);
    expect(weeks.rows.map((r) => r.date)).toEqual(['2026-11-16']);
    expect(weeks.rows[0]!.partial).toBe(true);
    expect(weeks.rows[0]!.invocations).toBe(rep.days!.reduce((a, d) => a + d.invocations, 0));
    const months = periodsOf(rep.days!, 'month', rep.window.start, rep.window.end);
    expect(months.rows.map((r) => r.date)).toEqual(['2026-11']);
    const csv = parse(renderCsv({ ...rep, periods: weeks }), { columns: true });
    expect(csv.filter((r) => r.kind === 'week').map((r) => r.week)).toEqual(['2026-11-16']);
  });
});

describe('bars per row (terminal only)', () => {
  test('Unicode eighths and plain ASCII; never empty above zero', () => {
    expect(bar(1, 'unicode')).toBe('██████████');
    expect(bar(0.55, 'unicode')).toBe('█████▌');
    expect(bar(0.001, 'unicode')).toBe('▏');
    expect(bar(0, 'unicode')).toBe('');
    expect(bar(0.5, 'ascii')).toBe('#####');
    expect(bar(0.001, 'ascii')).toBe('#');
  });

  test.each<['unicode' | 'ascii', number]>([
    ['unicode', 160],
    ['ascii', 160],
    ['unicode', 100],
  ])('golden: %s bars at %i columns (share per model, trend per day)', (style, width) => {
    const text = renderViewText(reportView(fx.reportByDay(), 'UTC'), { width, bars: style });
    expectGolden(`bars-${style}-${width}.txt`, text);
    expect(text.split('\n').filter((l) => [...l].length > width)).toEqual([]);
  });

  test('no bars into a pipe, whatever the style asked', () => {
    const text = renderViewText(reportView(fx.reportByDay(), 'UTC'), { bars: 'unicode' });
    expect(text).not.toMatch(/SHARE|TREND|█/);
  });
});

describe('a narrow terminal says which columns it hid, and --wide shows them', () => {
  test('at 60 columns: OUTPUT stays before INPUT, and the hidden ones are named', () => {
    const text = renderReportTable(fx.reportByDay(), { width: 60, tz: 'UTC' });
    const head = text.split('\n').find((l) => l.startsWith('MODEL'))!;
    expect(head).toContain('OUTPUT');
    expect(text).toMatch(/Hidden to fit 60 columns: INPUT, CACHE READ/);
    expect(text).toMatch(/--wide or a wider terminal shows them/);
  });

  test('--wide: every column, no note', () => {
    const text = renderReportTable(fx.reportByDay(), { width: 60, wide: true, tz: 'UTC' });
    expect(text).not.toMatch(/Hidden/);
    expect(text.split('\n').find((l) => l.startsWith('MODEL'))).toMatch(/INPUT.*OUTPUT.*CACHE READ.*TTFT P99/);
  });

  test('at 120 columns model IDs are shortened before CACHE WRITE and THROTTLES go', () => {
    const text = renderReportTable(fx.reportByDay(), { width: 120, tz: 'UTC' });
    const head = text.split('\n').find((l) => l.startsWith('MODEL'))!;
    expect(head).toContain('CACHE WRITE');
    expect(head).toContain('THROTTLES');
  });
});

describe('HTML from the same view', () => {
  test('self-contained: no script, no external reference; charts with title and desc; totals as in JSON', () => {
    const rep = fx.reportByDay();
    const html = renderHtml(rep, 'UTC');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/prefers-color-scheme: dark/);
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect((html.match(/<title id=/g) ?? []).length).toBe(2);
    expect((html.match(/<desc id=/g) ?? []).length).toBe(2);
    const totalRow = /<tr class="total">(.*?)<\/tr>/.exec(html)![1]!;
    const value = (key: string): string => new RegExp(`data-key="${key}" data-value="([^"]*)"`).exec(totalRow)![1]!;
    expect(Number(value('invocations'))).toBe(rep.totals.invocations);
    expect(Number(value('costUsd'))).toBe(rep.totals.costUsd);
    expectGolden('report-by-day.html', html);
  });
});

describe('the logs report through the CLI', () => {
  const spec = defaultSpec({ records: 400, hours: 3 });
  const dir = mkdtempSync('/tmp/bm-pict-');
  writeCorpus(dir, spec);
  const window = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T03:00:00Z'];
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['report', ...args, '--logs', dir, '--no-reconcile', ...window], {
      env: { ...env, ...extra },
      now,
      ...(extra.COLUMNS ? { stdoutTty: true } : {}),
    });

  test('--by principal --top 5: 6 rows (5 + others) whose sum is the untruncated total', async () => {
    const full = (await run(['--by', 'principal', '--json'])).json();
    const top = (await run(['--by', 'principal', '--top', '5', '--json'])).json();
    expect(full.rows.length).toBeGreaterThan(5);
    expect(top.rows).toHaveLength(5);
    expect(top.others.groups).toBe(full.rows.length - 5);
    for (const k of ['invocations', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'errors']) {
      const sum = top.rows.reduce((a: number, r: Record<string, number>) => a + r[k]!, 0) + top.others[k];
      expect(sum).toBe(full.totals[k]);
    }
    expect(top.totals).toEqual(full.totals);
    const csv = parse((await run(['--by', 'principal', '--top', '5', '--output', 'csv'])).stdout, {
      columns: true,
    });
    expect(csv.map((r) => r.kind)).toEqual(['group', 'group', 'group', 'group', 'group', 'others', 'total']);
    const sumCsv = csv.filter((r) => r.kind !== 'total').reduce((a, r) => a + Number(r.invocations), 0);
    expect(sumCsv).toBe(full.totals.invocations);
  });

  test('CSV: no TOTAL in a key column; kind, region and the window on every row', async () => {
    const r = await run(['--by', 'principal,model', '--output', 'csv']);
    const rows = parse(r.stdout, { columns: true });
    expect(Object.keys(rows[0]!).slice(0, 6)).toEqual([
      'kind',
      'region',
      'windowStart',
      'windowEnd',
      'principal',
      'model',
    ]);
    expect(rows.filter((x) => x.principal === 'TOTAL' || x.model === 'TOTAL')).toEqual([]);
    const total = rows.filter((x) => x.kind === 'total');
    expect(total).toHaveLength(1);
    expect(total[0]!.principal).toBe('');
    expect(new Set(rows.map((x) => x.region))).toEqual(new Set(['us-east-1']));
  });

  test('--by week and --by month from the local engine', async () => {
    const week = (await run(['--by', 'week,model', '--json'])).json();
    expect(new Set(week.rows.map((r: Record<string, string>) => r.week))).toEqual(new Set(['2026-11-16']));
    const month = (await run(['--by', 'month', '--json'])).json();
    expect(month.rows.map((r: Record<string, string>) => r.month)).toEqual(['2026-11']);
    expect(month.totals.invocations).toBe(week.totals.invocations);
  });

  test('at 60 columns a logs report says which columns it hid', async () => {
    const r = await run(['--by', 'principal'], { COLUMNS: '60' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Hidden to fit 60 columns: .*CACHE READ/s);
    expect(r.stdout.split('\n').filter((l) => [...l].length > 60)).toEqual([]);
  });

  test('bars in a UTF-8 terminal (a share per row), none into a pipe', async () => {
    const tty = await run(['--by', 'principal', '--top', '5'], { COLUMNS: '160', LANG: 'C.UTF-8' });
    expectGolden('logs-top5-160.txt', tty.stdout.split(dir).join('<DIR>'));
    expect(tty.stdout).toMatch(/SHARE/);
    const piped = await run(['--by', 'principal', '--top', '5'], { LANG: 'C.UTF-8' });
    expect(piped.stdout).not.toMatch(/SHARE|█/);
  });
});
