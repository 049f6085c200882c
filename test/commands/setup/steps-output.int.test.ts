import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFor, useMoto, type CliResult } from '../../support/cli.js';
import { expectGolden } from '../../support/golden.js';
import { overlong, WIDTHS, widthName, type Width } from '../../support/render.js';
import { putMetrics, seedingClients, type Datapoint } from '../../support/synthetic.js';

/**
 * What `budget`, `audit-trail`, `report --quotas` and `report --notify` print on moto, golden at 60, 80 and 160
 * columns and into a pipe (TZ=UTC, NO_COLOR), with one invalid input each (exit 2). In a terminal
 * no line passes the width (a console link excepted).
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);

/** A new directory whose path is always as long (wrapped lines that name it do not depend on TMPDIR). */
const configDir = (config: Record<string, unknown>): string => {
  const dir = mkdtempSync('/tmp/bm-gold-');
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify(config));
  return dir;
};

/** A run in a terminal `width` wide (stdout and stderr, no spinner: CI), or into a pipe. */
function run(args: string[], width: Width, opts: { cwd?: string; now?: Date } = {}): Promise<CliResult> {
  const terminal = width === undefined ? {} : { stdoutTty: true, tty: true };
  return cli(args, {
    ...terminal,
    ...opts,
    env: { CI: '1', COLUMNS: width === undefined ? undefined : String(width) },
  });
}

/** stdout, then stderr when there is any, with the run's directory named. */
function screen(r: CliResult, dir?: string): string {
  const text = `${r.stdout}${r.stderr ? `--- stderr ---\n${r.stderr}` : ''}`;
  return dir ? text.replaceAll(dir, '<dir>') : text;
}

function check(name: string, text: string, width: Width): void {
  expectGolden(name, text);
  expect(overlong(text, width)).toEqual([]);
}

const at = WIDTHS.map((w) => [widthName(w), w] as const);

describe('budget', () => {
  test.each(at)('created, then unchanged, at %s', async (label, width) => {
    const cwd = configDir({ alarms: { emails: ['oncall@example.com'] }, budget: { monthlyUsd: 250 } });
    const created = await run(['budget'], width, { cwd });
    expect(created.code).toBe(0);
    check(`budget/created-${label}.txt`, screen(created, cwd), width);
    const unchanged = await run(['budget'], width, { cwd });
    expect(unchanged.code).toBe(0);
    expect(unchanged.writes).toEqual([]);
    check(`budget/unchanged-${label}.txt`, screen(unchanged, cwd), width);
  });

  test.each(at)('an invalid limit at %s: one error line, exit 2, no request', async (label, width) => {
    const r = await run(['budget', '--monthly-usd', '0'], width);
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
    check(`budget/error-${label}.txt`, screen(r), width);
  });
});

describe('audit-trail', () => {
  test.each(at)('created at %s', async (label, width) => {
    const cwd = configDir({ audit: { enabled: true } });
    const r = await run(['audit-trail'], width, { cwd });
    expect(r.code).toBe(0);
    check(`audit-trail/created-${label}.txt`, screen(r, cwd), width);
  });

  test.each(at)('audit off at %s: the error and how to turn it on, exit 2, no request', async (label, width) => {
    const r = await run(['audit-trail'], width, { cwd: configDir({}) });
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
    check(`audit-trail/error-${label}.txt`, screen(r), width);
  });
});

describe('report --quotas', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const WINDOW = ['--since', '2026-11-20T10:00:00Z', '--until', '2026-11-20T11:00:00Z'];
  const US_SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
  const EU_SONNET = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';
  const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
  const GLOBAL_HAIKU_45 = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

  async function seed(): Promise<void> {
    const t = (minute: number) => new Date(Date.UTC(2026, 10, 20, 10, minute));
    const p = (modelId: string, metric: string, minute: number, value: number): Datapoint => ({
      modelId,
      metric,
      timestamp: t(minute),
      value,
    });
    await putMetrics(seedingClients(emulator().url, REGION).cw, [
      p(US_SONNET, 'Invocations', 1, 5),
      p(US_SONNET, 'InputTokenCount', 1, 2000),
      p(US_SONNET, 'OutputTokenCount', 1, 300),
      p(US_SONNET, 'Invocations', 3, 3),
      p(US_SONNET, 'InputTokenCount', 3, 500),
      p(US_SONNET, 'OutputTokenCount', 3, 1000),
      p(EU_SONNET, 'Invocations', 3, 1),
      p(EU_SONNET, 'InputTokenCount', 3, 100),
      p(EU_SONNET, 'OutputTokenCount', 3, 20),
      p(HAIKU_3, 'Invocations', 4, 10),
      p(HAIKU_3, 'InputTokenCount', 4, 9000),
      p(HAIKU_3, 'OutputTokenCount', 4, 1000),
      p(GLOBAL_HAIKU_45, 'Invocations', 1, 1),
      p(GLOBAL_HAIKU_45, 'InputTokenCount', 1, 9999),
      p(GLOBAL_HAIKU_45, 'EstimatedTPMQuotaUsage', 1, 700),
    ]);
    emulator().setBedrockQuotas({
      applied: [
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-F4DDD3EB',
          QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1',
          Value: 6000,
        },
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-8CE99163',
          QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
          Value: 400_000,
        },
      ],
      defaults: [
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-4A6BFAB1',
          QuotaName: 'Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1',
          Value: 50,
        },
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-9A11C666',
          QuotaName: 'Global cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5',
          Value: 1000,
        },
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-2DC80978',
          QuotaName: 'On-demand model inference requests per minute for Anthropic Claude 3 Haiku',
          Value: 1000,
        },
      ],
    });
  }

  test(
    'the headroom table, and what --notify --dry-run says it would ' + 'publish, at 60, 80 and 160 columns and piped',
    async () => {
      await seed();
      for (const [label, width] of at) {
        const r = await run(['report', ...WINDOW, '--quotas', '--notify', '--dry-run'], width, { now });
        expect(r.code).toBe(0);
        expect(r.writes).toEqual([]);
        expect(r.stdout).toContain('Quota headroom');
        check(`report-quotas/headroom-${label}.txt`, r.stdout, width);
        check(`report-notify/dry-run-stderr-${label}.txt`, r.stderr, width);
      }
    },
  );

  test.each(at)('an invalid window at %s: one error line, exit 2, no request', async (label, width) => {
    const r = await run(['report', '--quotas', '--hours', '0'], width, { now });
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
    check(`report-quotas/error-${label}.txt`, screen(r), width);
  });
});
