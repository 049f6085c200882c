import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../../src/lib/report/render.js';
import { browserAvailable, browserTitle, launchBrowser, visitPage, type Visit } from '../support/browser.js';
import { emptyDir, runCli } from '../support/cli.js';
import { LINES, writeCur, writeRecords } from '../support/bill-corpus.js';
import { cloudTrailCorpus, writeCorpus } from '../support/cloudtrail.js';
import * as fx from '../fixtures/human.js';

/**
 * audit, bill and the quota headroom as HTML in headless Chromium (as test/commands/report/browser.e2e.test.ts does for
 * report), each at a wide and a narrow width: no console error, no request leaving the file, at least one SVG chart
 * with a title
 * and a description, and the totals on the page (each figure cell's data-value) equal to --json of the same run.
 * Skipped, and saying so, where Chromium cannot be had (BM_CHROMIUM or /usr/bin/chromium; `.ci/run` installs it).
 * BM_SCREENSHOTS=DIR takes a screenshot of each page there.
 */

const title = browserTitle('audit, bill and quotas as HTML in headless Chromium');

(browserAvailable ? describe : describe.skip)(title, () => {
  let browser: Browser;
  const out = mkdtempSync(join(tmpdir(), 'bm-html-views-'));

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The page at a wide and a narrow width: what the console and the network saw, and the page's figures. */
  async function visitBoth(html: string, name: string): Promise<Visit[]> {
    const file = join(out, `${name}.html`);
    writeFileSync(file, html);
    const visits: Visit[] = [];
    for (const width of [1280, 420]) {
      visits.push(await visitPage(browser, file, width, `${name}-${width}.png`));
    }
    for (const v of visits) {
      expect(v.consoleErrors).toEqual([]);
      expect(v.requests).toEqual([]);
      expect(v.svgs).toBeGreaterThanOrEqual(1);
      expect(v.titled).toBe(v.svgs);
      expect(v.overflow).toBeLessThanOrEqual(0);
    }
    return visits;
  }

  test('audit --logs DIR --output html: calls over time, refused callers highlighted, totals as --json', async () => {
    const end = new Date('2026-03-10T12:00:00Z');
    const start = new Date(end.getTime() - 24 * 3_600_000);
    const dir = emptyDir();
    writeCorpus(dir, cloudTrailCorpus({ account: '111111111111', region: 'us-east-1', start, end, calls: 300 }).files);
    const args = ['audit', '--logs', dir, '--since', start.toISOString(), '--until', end.toISOString()];
    const opts = { env: { AWS_REGION: 'us-east-1' }, now: end };
    const html = await runCli([...args, '--output', 'html'], opts);
    expect(html.code).toBe(0);
    const json = (await runCli([...args, '--json'], opts)).json();
    const throttled = json.timeline.periods.reduce((n: number, p: { throttled: number }) => n + p.throttled, 0);
    const refusedRows = json.rows.filter((r: { accessDenied: number }) => r.accessDenied > 0).length;
    expect(json.totals.accessDenied).toBeGreaterThan(0);
    for (const v of await visitBoth(html.stdout, 'audit')) {
      expect(v.svgs).toBeGreaterThanOrEqual(2);
      expect(v.refusedRows).toBeGreaterThanOrEqual(refusedRows);
      for (const k of ['calls', 'errors', 'accessDenied']) expect(Number(v.totals[k])).toBe(json.totals[k]);
      expect(Number(v.totals.throttled)).toBe(throttled);
    }
    // The timeline holds every call of the rows.
    const timelineCalls = json.timeline.periods.reduce((n: number, p: { calls: number }) => n + p.calls, 0);
    expect(timelineCalls).toBe(json.totals.calls);
  }, 120_000);

  test('bill --output html: billed beside estimated, the bridge as a waterfall, totals as --json', async () => {
    const cur = emptyDir();
    const logs = emptyDir();
    await writeCur(cur, LINES);
    writeRecords(logs);
    const args = ['bill', '--month', '2026-11', '--cur', cur, '--logs', logs];
    const opts = {
      env: { XDG_CACHE_HOME: emptyDir(), AWS_REGION: 'us-east-1' },
      now: new Date('2026-12-06T00:00:00Z'),
    };
    const html = await runCli([...args, '--output', 'html'], opts);
    expect([html.code, html.stderr]).toEqual([0, '']);
    const json = (await runCli([...args, '--json'], opts)).json();
    for (const v of await visitBoth(html.stdout, 'bill')) {
      expect(v.svgs).toBe(2);
      for (const k of ['billedUsd', 'estimatedUsd', 'differenceUsd']) expect(Number(v.totals[k])).toBe(json.totals[k]);
    }
    expect(html.stdout).toContain('From the estimate to the invoice');
    for (const c of json.bridge.causes as { cause: string }[]) expect(html.stdout).toContain(c.cause);
  }, 120_000);

  test('report --quotas as HTML: a gauge per model, at two widths', async () => {
    const rep = { ...fx.reportByDay(), quotas: fx.quotaHeadroom() };
    const html = renderHtml(rep, 'UTC');
    for (const v of await visitBoth(html, 'quotas')) expect(Number(v.totals.costUsd)).toBe(rep.totals.costUsd);
    const gauges = (html.match(/class="(ok|hot)"/g) ?? []).length;
    expect(gauges).toBe(rep.quotas.rows.filter((r) => r.tpmPercent !== null || r.rpmPercent !== null).length);
  }, 120_000);
});
