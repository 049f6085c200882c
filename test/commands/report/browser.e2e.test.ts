import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../../../src/lib/report/render.js';
import { browserAvailable, browserTitle, launchBrowser, visitPage, type Visit } from '../../support/browser.js';
import { runCli } from '../../support/cli.js';
import { defaultSpec, writeCorpus } from '../../support/corpus.js';
import * as fx from '../../fixtures/human.js';

/**
 * The HTML report opened in a real browser (Debian's chromium, driven by playwright-core over the
 * DevTools protocol): no console error, no request leaving the file, at least one SVG chart, every
 * total on the page equal to --json's, at a wide and a narrow width. Where Chromium cannot be had
 * (BM_CHROMIUM or /usr/bin/chromium missing; `.ci/run` installs it), the tests say so in their name
 * and are skipped. BM_SCREENSHOTS=DIR takes a screenshot of each page there (docs/images/report.png is
 * one of them); without it none is taken.
 */

const title = browserTitle('the HTML report in headless Chromium');

const env = { AWS_REGION: 'us-east-1' };
const now = new Date('2026-11-20T06:00:00Z');
const window = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T03:00:00Z'];

(browserAvailable ? describe : describe.skip)(title, () => {
  let browser: Browser;
  const out = mkdtempSync(join(tmpdir(), 'bm-html-'));
  const dir = mkdtempSync('/tmp/bm-html-logs-');
  writeCorpus(dir, defaultSpec({ records: 400, hours: 3 }));

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the file at `width` (visitPage; the screenshot `shot` under BM_SCREENSHOTS when set). */
  const visit = (file: string, width: number, shot: string): Promise<Visit> => visitPage(browser, file, width, shot);

  test('report --by principal --logs DIR --output html: charts, no error, no request, totals as --json', async () => {
    const args = ['report', '--by', 'principal', '--logs', dir, '--no-reconcile', ...window];
    const html = await runCli([...args, '--output', 'html'], { env, now });
    expect(html.code).toBe(0);
    const json = (await runCli([...args, '--json'], { env, now })).json();
    const file = join(out, 'by-principal.html');
    writeFileSync(file, html.stdout);
    for (const [width, shot] of [
      [1280, 'report-by-principal-1280.png'],
      [420, 'report-by-principal-420.png'],
    ] as const) {
      const v = await visit(file, width, shot);
      expect(v.consoleErrors).toEqual([]);
      expect(v.requests).toEqual([]);
      expect(v.svgs).toBeGreaterThanOrEqual(1);
      expect(v.titled).toBe(v.svgs);
      // A narrow page scrolls its tables, not itself.
      expect(v.overflow).toBeLessThanOrEqual(0);
      for (const k of ['invocations', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'errors', 'costUsd'])
        expect(Number(v.totals[k])).toBe(json.totals[k]);
    }
  }, 120_000);

  test('report --by day,model (stacked spend over time) and the metrics report with quotas', async () => {
    const args = ['report', '--by', 'hour,model', '--logs', dir, '--no-reconcile', ...window];
    const html = await runCli([...args, '--output', 'html'], { env, now });
    expect(html.code).toBe(0);
    const byHour = join(out, 'by-hour.html');
    writeFileSync(byHour, html.stdout);
    const v = await visit(byHour, 1280, 'report.png');
    expect(v.consoleErrors).toEqual([]);
    expect(v.requests).toEqual([]);
    expect(v.svgs).toBeGreaterThanOrEqual(1);
    const metrics = join(out, 'metrics.html');
    const rep = { ...fx.reportByDay(), quotas: fx.quotaHeadroom() };
    writeFileSync(metrics, renderHtml(rep, 'UTC'));
    const m = await visit(metrics, 1024, 'report-metrics-1024.png');
    expect(m.consoleErrors).toEqual([]);
    expect(m.requests).toEqual([]);
    expect(Number(m.totals.costUsd)).toBe(rep.totals.costUsd);
    expect(Number(m.totals.invocations)).toBe(rep.totals.invocations);
  }, 120_000);
});
