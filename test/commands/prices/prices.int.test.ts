import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { putMetrics, seedingClients } from '../../support/synthetic.js';
import { serveFixture } from '../../support/pricing-fixture.js';

/**
 * prices refresh from recorded GetProducts answers (moto has no Price List API: aws-sdk-client-mock
 * answers), then report against moto's CloudWatch with the refreshed table in XDG_CACHE_HOME.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const pricing = mockClient(PricingClient);
const GPT_OSS = 'openai.gpt-oss-120b-1:0';
const HAIKU_45 = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const fetchedAt = new Date('2026-11-20T08:00:00Z');
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-21T00:00:00Z'];

afterEach(() => {
  pricing.reset();
});

async function seed(): Promise<void> {
  const timestamp = new Date(Date.UTC(2026, 10, 20, 9));
  await putMetrics(seedingClients(emulator().url, REGION).cw, [
    { modelId: GPT_OSS, metric: 'Invocations', timestamp, value: 100 },
    { modelId: GPT_OSS, metric: 'InputTokenCount', timestamp, value: 2_000_000 },
    { modelId: GPT_OSS, metric: 'OutputTokenCount', timestamp, value: 500_000 },
    { modelId: HAIKU_45, metric: 'Invocations', timestamp, value: 10 },
    { modelId: HAIKU_45, metric: 'InputTokenCount', timestamp, value: 1_000_000 },
    { modelId: HAIKU_45, metric: 'OutputTokenCount', timestamp, value: 100_000 },
  ]);
}

describe('prices refresh → report', () => {
  test(
    'a refreshed table prices a non-Anthropic model the bundled table lacks, and the report says which table ' +
      'priced what',
    async () => {
      await seed();
      const env = { XDG_CACHE_HOME: emptyDir() };
      const before = await cli(['report', ...WINDOW, '--json'], { env, now: new Date('2026-11-21T06:00:00Z') });
      // Before any refresh the bundled Price List snapshot prices it (same parser, same rates here).
      expect(before.json().models.find((m: { modelId: string }) => m.modelId === GPT_OSS)).toMatchObject({
        priced: true,
        costUsd: 0.6,
      });
      expect(before.json().prices).toMatchObject({ table: 'snapshot', date: '2026-11-22' });

      serveFixture(pricing);
      const refresh = await cli(['prices', 'refresh', '--json'], { env, now: fetchedAt });
      expect(refresh.code).toBe(0);
      const path = join(env.XDG_CACHE_HOME, 'bedrock-monitor', 'prices-us-east-1.json');
      expect(refresh.json()).toMatchObject({
        region: REGION,
        path,
        written: true,
        fetchedAt: '2026-11-20T08:00:00.000Z',
        models: 4,
        incomplete: ['Claude 2.0', 'Claude 3 Haiku'],
      });
      expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(4);
      expect(existsSync(path)).toBe(true);

      const after = await cli(['report', ...WINDOW, '--json'], { env, now: new Date('2026-11-21T06:00:00Z') });
      const rep = after.json();
      // 2M input × $0.15 + 0.5M output × $0.60 per million (AmazonBedrock, gpt-oss-120b, us-east-1).
      expect(rep.models.find((m: { modelId: string }) => m.modelId === GPT_OSS)).toMatchObject({
        priced: true,
        costUsd: 0.6,
      });
      // Global Haiku 4.5 at the Price List's global rates: 1M × $1 + 0.1M × $5.
      expect(rep.models.find((m: { modelId: string }) => m.modelId === HAIKU_45)).toMatchObject({ costUsd: 1.5 });
      expect(rep.prices).toMatchObject({
        table: 'refreshed',
        date: '2026-11-20',
        source: 'AWS Price List API (GetProducts)',
        models: { [GPT_OSS]: 'price-list', [HAIKU_45]: 'price-list' },
      });
      expect(rep.warnings).toEqual([]);

      const text = await cli(['report', ...WINDOW], { env, now: new Date('2026-11-21T06:00:00Z') });
      expect(text.stdout).toContain('Estimates from AWS Price List prices fetched 2026-11-20.');

      const list = await cli(['prices', 'list'], { env, now: new Date('2026-11-21T06:00:00Z'), maxAttempts: 1 });
      expect(list.code).toBe(0);
      expect(list.requests).toEqual([]);
      expect(list.stdout).toContain(
        'In use: AWS Price List prices fetched 2026-11-20 (prices refresh), bundled table for models it lacks; ' +
          'config overrides win.',
      );
      // Batch input as published; DATE is the rate's effective date in the Price List.
      const row = /gpt-oss-120b\s+price list\s+regional\s+\$0\.15\s+\$0\.60\s+—\s+—\s+—\s+\$0\.075\s+—\s+2026-07-01/;
      expect(list.stdout).toMatch(row);
      expect(list.stdout).toMatch(
        /Claude Haiku 4\.5\s+price list\s+global\s+\$1\.00\s+\$5\.00\s+\$0\.10\s+\$1\.25\s+\$2\.00/,
      );
    },
  );

  test('the report from the invocation logs prices from the refreshed table too', async () => {
    const env = { XDG_CACHE_HOME: emptyDir() };
    const logs = emptyDir();
    const record = {
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: '2026-11-20T09:00:00Z',
      accountId: '123456789012',
      region: REGION,
      requestId: 'r-1',
      operation: 'Converse',
      modelId: GPT_OSS,
      identity: { arn: 'arn:aws:sts::123456789012:assumed-role/App/session' },
      input: { inputTokenCount: 2_000_000 },
      output: { outputTokenCount: 500_000 },
    };
    writeFileSync(join(logs, 'records.json'), `${JSON.stringify(record)}\n`);
    const args = ['report', '--by', 'role', '--logs', logs, '--no-reconcile', ...WINDOW, '--json'];
    const before = (await cli(args, { env, now: new Date('2026-11-21T06:00:00Z') })).json();
    expect(before.rows[0]).toMatchObject({ priced: true, costUsd: 0.6 });
    expect(before.prices).toMatchObject({ table: 'snapshot' });
    serveFixture(pricing);
    expect((await cli(['prices', 'refresh'], { env, now: fetchedAt })).code).toBe(0);
    const after = (await cli(args, { env, now: new Date('2026-11-21T06:00:00Z') })).json();
    // 2M input × $0.15 + 0.5M output × $0.60 per million, as in the CloudWatch report.
    expect(after.rows[0]).toMatchObject({ priced: true, costUsd: 0.6 });
    expect(after.prices).toMatchObject({ table: 'refreshed', date: '2026-11-20' });
  });

  test(
    'the dashboard and the HighCost alarm price from the ' + 'refreshed table, and say which table they used',
    async () => {
      const env = { XDG_CACHE_HOME: emptyDir() };
      const cwd = emptyDir();
      writeFileSync(
        join(cwd, 'bedrock-monitor.config.json'),
        JSON.stringify({ alarms: { costModelId: HAIKU_45, thresholds: { costUsdPerHour: 5 } } }),
      );
      const bodyOf = async (): Promise<string> => {
        const { CloudWatchClient, GetDashboardCommand } = await import('@aws-sdk/client-cloudwatch');
        const cw = new CloudWatchClient({ region: REGION, endpoint: emulator().url });
        return (await cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody!;
      };
      expect((await cli(['setup-all', '--yes'], { env, cwd })).code).toBe(0);
      expect(await bodyOf()).toContain('Costs are estimates from the bundled Price List snapshot of 2026-11-22');

      serveFixture(pricing);
      expect((await cli(['prices', 'refresh'], { env, cwd, now: fetchedAt })).code).toBe(0);
      // The refreshed table changes what the dashboard and HighCost say: both are rewritten, nothing else.
      const again = await cli(['setup-all', '--yes', '--json'], { env, cwd, now: new Date('2026-11-21T06:00:00Z') });
      const changed = again
        .json()
        .outcomes.filter((o: { action: string }) => o.action !== 'unchanged')
        .map((o: { name: string }) => o.name);
      expect(changed).toEqual(expect.arrayContaining(['BedrockUsageMonitoring', 'Bedrock-HighCost']));
      expect(changed.every((n: string) => n === 'BedrockUsageMonitoring' || n.startsWith('Bedrock-HighCost'))).toBe(
        true,
      );
      const body = await bodyOf();
      expect(body).toContain('Costs are estimates from AWS Price List prices fetched 2026-11-20 (prices refresh)');
      const { CloudWatchClient, DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
      const cw = new CloudWatchClient({ region: REGION, endpoint: emulator().url });
      const composite = (
        await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['Bedrock-HighCost'], AlarmTypes: ['CompositeAlarm'] }))
      ).CompositeAlarms?.[0];
      expect(composite?.AlarmDescription).toContain('prices from AWS Price List prices fetched 2026-11-20');
    },
  );

  test(
    'the Price List is asked in us-east-1 (its endpoint) for the ' + "Region's products; --dry-run writes no file",
    async () => {
      serveFixture(pricing);
      const env = { XDG_CACHE_HOME: emptyDir() };
      const r = await cliFor(() => emulator().url, 'eu-west-1')(['prices', 'refresh', '--dry-run', '--json'], {
        env,
        now: fetchedAt,
      });
      expect(r.code).toBe(0);
      expect(r.json()).toMatchObject({ region: 'eu-west-1', written: false });
      const call = pricing.commandCalls(GetProductsCommand)[0]!;
      expect(await (call.thisValue as PricingClient).config.region()).toBe('us-east-1');
      expect(call.args[0].input.Filters).toEqual([{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' }]);
      expect(existsSync(join(env.XDG_CACHE_HOME, 'bedrock-monitor', 'prices-eu-west-1.json'))).toBe(false);
    },
  );

  test('an old refresh is used with a warning; a damaged file is not used at all', async () => {
    serveFixture(pricing);
    const env = { XDG_CACHE_HOME: emptyDir() };
    expect((await cli(['prices', 'refresh'], { env, now: fetchedAt })).code).toBe(0);
    const late = await cli(['prices', 'list', '--json'], { env, now: new Date('2027-01-05T00:00:00Z') });
    expect(late.json().inUse.table).toBe('refreshed');
    expect(late.stderr).toContain('prices were refreshed 45 days ago (2026-11-20)');

    const path = join(env.XDG_CACHE_HOME, 'bedrock-monitor', 'prices-us-east-1.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"currency": "USD"', '"currency": "EUR"'));
    const damaged = await cli(['prices', 'list', '--json'], { env, now: fetchedAt });
    expect(damaged.json().inUse).toMatchObject({ table: 'snapshot', problem: expect.stringContaining('currency') });
    expect(damaged.stderr).toContain('is not usable');
  });

  test('a partition the Price List API does not serve is refused before any request', async () => {
    const r = await cliFor(() => emulator().url, 'cn-north-1')(['prices', 'refresh'], {
      env: { XDG_CACHE_HOME: emptyDir() },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not serve cn-north-1's partition");
    expect(pricing.commandCalls(GetProductsCommand)).toEqual([]);
  });

  test('an unknown action is invalid input (exit 2)', async () => {
    const r = await cli(['prices', 'update']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("value 'update' is invalid for argument 'action'. Allowed choices are list, refresh.");
  });
});
