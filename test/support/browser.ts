import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, ConsoleMessage, Page, Request } from 'playwright-core';

/**
 * A real browser for the HTML output: Debian's chromium (BM_CHROMIUM or /usr/bin/chromium; `.ci/run` installs it),
 * driven by playwright-core over the DevTools protocol. Where it cannot be had, the tests say so in their name and
 * are skipped.
 */

export const CHROMIUM = process.env.BM_CHROMIUM ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);

/** A describe title that says, when the browser is missing, that it was skipped and how to install one. */
export const browserTitle = (title: string): string =>
  browserAvailable ? title : `${title} (SKIPPED: no browser at ${CHROMIUM}; apt-get install chromium)`;

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** The page's figures: SVG charts, those with a title and a description, the first totals row's raw values. */
const READ_PAGE = `(() => {
  const first = document.querySelector('tr.total');
  const cells = first ? [...first.querySelectorAll('td[data-value]')] : [];
  return {
    svgs: document.querySelectorAll('svg').length,
    titled: document.querySelectorAll('svg > title + desc').length,
    totals: Object.fromEntries(cells.map((c) => [c.getAttribute('data-key'), c.getAttribute('data-value')])),
    refusedRows: document.querySelectorAll('tr.refused').length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
})()`;

/** What a visit saw: console errors, requests that left the file, and the page's figures. */
export interface Visit {
  consoleErrors: string[];
  requests: string[];
  svgs: number;
  titled: number;
  totals: Record<string, string>;
  refusedRows: number;
  overflow: number;
}

/**
 * Screenshots are review artifacts (no test reads them) and were half of Chromium's CPU time in these tests (a
 * full-page PNG at each width): they are taken when BM_SCREENSHOTS names a directory to keep them in.
 */
export const SCREENSHOTS = process.env.BM_SCREENSHOTS;

/** One tab per browser, each visit a new document in it (a new tab per visit cost Chromium a new renderer). */
const tabs = new WeakMap<Browser, Page>();

/**
 * Opens a file at `width`, watching the console and every request, reads the figures; with BM_SCREENSHOTS set,
 * screenshots the whole page to `png` there.
 */
export async function visitPage(browser: Browser, file: string, width: number, png: string): Promise<Visit> {
  const page = tabs.get(browser) ?? (await browser.newPage());
  tabs.set(browser, page);
  await page.goto('about:blank');
  await page.setViewportSize({ width, height: 900 });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const onConsole = (m: ConsoleMessage): unknown => (m.type() === 'error' ? consoleErrors.push(m.text()) : undefined);
  const onError = (e: Error): unknown => consoleErrors.push(e.message);
  const onRequest = (r: Request): unknown => (r.url().startsWith('file:') ? undefined : requests.push(r.url()));
  page.on('console', onConsole).on('pageerror', onError).on('request', onRequest);
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, png), fullPage: true });
    }
    // Run in the page (a string: this project's TypeScript has no DOM types).
    const read = await page.evaluate<Omit<Visit, 'consoleErrors' | 'requests'>>(READ_PAGE);
    return { consoleErrors, requests, ...read };
  } finally {
    page.off('console', onConsole).off('pageerror', onError).off('request', onRequest);
  }
}
