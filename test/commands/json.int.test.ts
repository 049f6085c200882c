import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { PricingClient } from '@aws-sdk/client-pricing';
import { cliFor, emptyDir, useMoto } from '../support/cli.js';
import { sdk } from '../support/aws.js';
import { cloudTrailCorpus, writeCorpus } from '../support/cloudtrail.js';
import { defaultSpec, writeCorpus as writeLogsCorpus } from '../support/corpus.js';
import { serveFixture } from '../support/pricing-fixture.js';
import { putMetrics, seedingClients } from '../support/synthetic.js';
import * as S from '../support/schemas.js';

/** Every command's real --json output, validated against the documented (strict) schema. */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);

async function valid(
  schema: z.ZodTypeAny,
  args: string[],
  opts: Parameters<typeof cli>[1] = {},
  code = 0,
): Promise<unknown> {
  const r = await cli([...args, '--json'], opts);
  expect(r.code).toBe(code);
  const doc = r.json();
  const parsed = schema.safeParse(doc);
  expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  return doc;
}

describe('--json matches the documented shapes', () => {
  test('setup-all (plan, run, re-run), status, single steps, dashboard, alarms, cleanup', async () => {
    const cwd = emptyDir();
    await valid(S.ConfigSetDocSchema, ['config', 'set', 'alarms.emails', 'oncall@example.com'], { cwd });
    await valid(S.SetupAllDocSchema, ['setup-all', '--dry-run'], { cwd });
    const first = (await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], { cwd })) as z.infer<
      typeof S.SetupAllDocSchema
    >;
    expect(first.subscriptions).toEqual([{ email: 'oncall@example.com', state: 'confirmed' }]);
    await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], { cwd });
    await valid(S.StatusDocSchema, ['status'], { cwd });
    for (const step of ['setup-iam', 'create-bucket', 'create-log-group', 'enable-logging'])
      await valid(S.StepDocSchema, [step], { cwd });
    await valid(S.DashboardDocSchema, ['dashboard'], { cwd });
    await valid(S.AlarmsDocSchema, ['alarms'], { cwd });
    await valid(S.CleanupDocSchema, ['cleanup', '--dry-run'], { cwd });
    await valid(S.CleanupDocSchema, ['cleanup', '--yes'], { cwd });
    await valid(S.StatusDocSchema, ['status'], { cwd }, 3);
  });

  test('setup-all with a failed step: the document, with its error', async () => {
    await sdk(emulator().url, REGION).logs.send(
      new CreateLogGroupCommand({ logGroupName: '/aws/bedrock/modelinvocations' }),
    );
    const doc = (await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], {}, 2)) as z.infer<
      typeof S.SetupAllDocSchema
    >;
    expect(doc.error?.exitCode).toBe(2);
  });

  test('report, with and without --by day, with data and without', async () => {
    const now = new Date('2026-11-22T03:30:00Z');
    const window = ['--since', '2026-11-20T06:00:00Z', '--until', '2026-11-21T12:00:00Z'];
    await valid(S.ReportDocSchema, ['report', ...window], { now });
    await putMetrics(seedingClients(emulator().url, REGION).cw, [
      {
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        metric: 'Invocations',
        timestamp: new Date('2026-11-20T18:00:00Z'),
        value: 5,
      },
    ]);
    await valid(S.ReportDocSchema, ['report', ...window], { now });
    const byDay = (await valid(S.ReportDocSchema, ['report', ...window, '--by', 'day'], { now })) as z.infer<
      typeof S.ReportDocSchema
    >;
    expect(byDay.days!.map((d) => [d.date, d.partial])).toEqual([
      ['2026-11-20', true],
      ['2026-11-21', true],
    ]);
  });

  test('config get, unset, list; errors', async () => {
    const cwd = emptyDir();
    await valid(S.ConfigGetDocSchema, ['config', 'get', 'logRetentionDays'], { cwd });
    await valid(S.ConfigListDocSchema, ['config', 'list'], { cwd });
    await valid(S.ConfigUnsetDocSchema, ['config', 'unset', 'region'], { cwd });
    await valid(S.ErrorDocSchema, ['config', 'set', 'nokey', '1'], { cwd }, 2);
    await valid(S.ErrorDocSchema, ['status', '--region', 'nowhere'], {}, 2);
    await valid(S.ErrorDocSchema, ['frobnicate'], {}, 2);
  });

  test('budget and audit-trail print the outcomes document, created and unchanged', async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'bedrock-monitor.config.json'),
      JSON.stringify({ budget: { monthlyUsd: 100 }, audit: { enabled: true } }),
    );
    for (const step of ['budget', 'audit-trail']) {
      const first = (await valid(S.StepDocSchema, [step], { cwd })) as z.infer<typeof S.StepDocSchema>;
      expect(first.outcomes.some((o) => o.action === 'created')).toBe(true);
      const again = (await valid(S.StepDocSchema, [step], { cwd })) as z.infer<typeof S.StepDocSchema>;
      expect(new Set(again.outcomes.map((o) => o.action))).toEqual(new Set(['unchanged']));
    }
    await valid(S.StepDocSchema, ['budget', '--dry-run', '--monthly-usd', '200'], { cwd });
  });

  test('report --quotas and report --notify: the quotas and notification sections', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const window = ['--since', '2026-11-20T10:00:00Z', '--until', '2026-11-20T11:00:00Z'];
    const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
    await putMetrics(seedingClients(emulator().url, REGION).cw, [
      { modelId, metric: 'Invocations', timestamp: new Date('2026-11-20T10:04:00Z'), value: 10 },
      { modelId, metric: 'InputTokenCount', timestamp: new Date('2026-11-20T10:04:00Z'), value: 9000 },
      { modelId, metric: 'OutputTokenCount', timestamp: new Date('2026-11-20T10:04:00Z'), value: 1000 },
    ]);
    // No quotas for bedrock: the rows are there, quotas null, with a note.
    const bare = (await valid(S.ReportDocSchema, ['report', ...window, '--quotas'], { now })) as z.infer<
      typeof S.ReportDocSchema
    >;
    expect(bare.quotas?.rows[0]?.tpmQuota).toBeNull();
    emulator().setBedrockQuotas({
      applied: [
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-8CE99163',
          QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
          Value: 12_000,
        },
      ],
      defaults: [
        {
          ServiceCode: 'bedrock',
          QuotaCode: 'L-2DC80978',
          QuotaName: 'On-demand model inference requests per minute for Anthropic Claude 3 Haiku',
          Value: 1000,
        },
      ],
    });
    const q = (await valid(S.ReportDocSchema, ['report', ...window, '--quotas'], { now })) as z.infer<
      typeof S.ReportDocSchema
    >;
    // Claude 3 Haiku at the assumed 5x output burndown (quota-compute.ts): 9,000 + 1,000 × 5 = 14,000.
    expect(q.quotas?.rows[0]).toMatchObject({
      peakTokensPerMinute: 14_000,
      tpmPercent: expect.any(Number),
      flagged: true,
    });
    // Too old for 1-minute data: not available, with its reason.
    const old = (await valid(
      S.ReportDocSchema,
      ['report', '--since', '2026-10-01T00:00:00Z', '--until', '2026-10-02T00:00:00Z', '--quotas'],
      { now },
    )) as z.infer<typeof S.ReportDocSchema>;
    expect(old.quotas).toMatchObject({ available: false, reason: expect.any(String) });

    expect((await cli(['alarms'])).code).toBe(0);
    const dry = (await valid(S.ReportDocSchema, ['report', ...window, '--notify', '--dry-run'], { now })) as z.infer<
      typeof S.ReportDocSchema
    >;
    expect(dry.notification?.messageId).toBeNull();
    const sent = (await valid(S.ReportDocSchema, ['report', ...window, '--quotas', '--notify'], { now })) as z.infer<
      typeof S.ReportDocSchema
    >;
    expect(typeof sent.notification?.messageId).toBe('string');
  });

  test(
    'report from the invocation logs: rows named after --by, ' + 'reconciliation available and not, skipped files',
    async () => {
      const spec = defaultSpec({ records: 300, hours: 3, malformedEvery: 50 });
      const dir = emptyDir();
      writeLogsCorpus(dir, spec);
      writeFileSync(join(dir, 'not-gzip.json.gz'), 'plain text, not gzip');
      const window = [
        '--since',
        spec.start.toISOString(),
        '--until',
        new Date(spec.start.getTime() + spec.hours * 3_600_000).toISOString(),
      ];
      const now = new Date(spec.start.getTime() + 24 * 3_600_000);
      for (const by of [['principal'], ['role', 'tag:team'], ['application', 'model'], ['operation', 'hour']]) {
        const schema = S.logsReportDocSchema(by);
        const doc = (await valid(schema, ['report', '--by', by.join(','), '--logs', dir, '--no-reconcile', ...window], {
          now,
        })) as z.infer<typeof schema>;
        expect(doc.rows.length).toBeGreaterThan(0);
        expect(doc.reconciliation).toMatchObject({ available: false, reason: expect.any(String), models: [] });
        expect(doc.skipped.malformedLines).toBeGreaterThan(0);
        expect(doc.skipped.unreadableFiles.map((f) => f.file)).toEqual([join(dir, 'not-gzip.json.gz')]);
      }
      // With CloudWatch's totals (moto): one model has metrics, the others none (metrics null).
      await putMetrics(seedingClients(emulator().url, REGION).cw, [
        {
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          metric: 'Invocations',
          timestamp: new Date(spec.start.getTime() + 3_600_000),
          value: 5,
        },
      ]);
      const schema = S.logsReportDocSchema(['model']);
      const doc = (await valid(schema, ['report', '--source', 'logs', '--logs', dir, ...window], { now })) as z.infer<
        typeof schema
      >;
      expect(doc.reconciliation.available).toBe(true);
      expect(doc.reconciliation.models.length).toBeGreaterThan(0);
    },
  );

  test("audit from a trail's files, every --by, and from the event history", async () => {
    const end = new Date('2026-03-10T12:00:00Z');
    const start = new Date(end.getTime() - 24 * 3_600_000);
    const opts = { account: '123456789012', region: REGION, start, end };
    const dir = emptyDir();
    const corpus = cloudTrailCorpus({ ...opts, calls: 60 });
    writeCorpus(dir, corpus.files);
    const window = ['--since', start.toISOString(), '--until', end.toISOString()];
    for (const by of ['principal', 'role', 'event', 'source-ip', 'error'] as const) {
      const doc = (await valid(S.AuditDocSchema, ['audit', '--logs', dir, ...window, '--by', by], {
        now: end,
      })) as z.infer<typeof S.AuditDocSchema>;
      expect(doc.rows.length).toBeGreaterThan(0);
      // Each row carries the value under the field --by names, and no other group field.
      for (const row of doc.rows)
        expect(Object.keys(row).filter((k) => (Object.values(S.AUDIT_GROUP_FIELD) as string[]).includes(k))).toEqual([
          S.AUDIT_GROUP_FIELD[by],
        ]);
    }
    await valid(S.AuditDocSchema, ['audit', '--logs', dir, ...window, '--denied'], { now: end });
    await valid(S.AuditDocSchema, ['audit', '--logs', emptyDir(), ...window], { now: end });

    const ct = mockClient(CloudTrailClient);
    try {
      const events = corpus.records
        .filter((r) => r.record.eventCategory === 'Management' && r.record.awsRegion === REGION)
        .sort((a, b) => b.time - a.time)
        .map((r) => ({
          EventId: String(r.record.eventID),
          EventName: String(r.record.eventName),
          EventTime: new Date(r.time),
          EventSource: String(r.record.eventSource),
          CloudTrailEvent: JSON.stringify(r.record),
        }));
      ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => ({
        Events: events.filter(
          (e) =>
            e.EventSource === input.LookupAttributes?.[0]?.AttributeValue &&
            e.EventTime >= input.StartTime! &&
            e.EventTime <= input.EndTime!,
        ),
      }));
      const history = (await valid(S.AuditDocSchema, ['audit', ...window], { now: end })) as z.infer<
        typeof S.AuditDocSchema
      >;
      expect(history.source).toEqual({ kind: 'event-history', dataEvents: false });
      expect(history.rows.length).toBeGreaterThan(0);
      // A previous window beyond the 90-day history: previousWindow null, "new" null.
      const long = (await valid(S.AuditDocSchema, ['audit', '--hours', String(24 * 60)], { now: end })) as z.infer<
        typeof S.AuditDocSchema
      >;
      expect(long.previousWindow).toBeNull();
    } finally {
      ct.restore();
    }
  });

  test('prices list (bundled, refreshed, with config overrides) and prices refresh (written, --dry-run)', async () => {
    const env = { XDG_CACHE_HOME: emptyDir() };
    const now = new Date('2026-11-20T08:00:00Z');
    const bundled = (await valid(S.PricesListDocSchema, ['prices', 'list'], { env, now })) as z.infer<
      typeof S.PricesListDocSchema
    >;
    expect(bundled.inUse.table).toBe('snapshot');
    const pricing = mockClient(PricingClient);
    try {
      serveFixture(pricing);
      const dry = (await valid(S.PricesRefreshDocSchema, ['prices', 'refresh', '--dry-run'], { env, now })) as z.infer<
        typeof S.PricesRefreshDocSchema
      >;
      expect(dry.written).toBe(false);
      const refresh = (await valid(S.PricesRefreshDocSchema, ['prices', 'refresh'], { env, now })) as z.infer<
        typeof S.PricesRefreshDocSchema
      >;
      expect(refresh.written).toBe(true);
    } finally {
      pricing.restore();
    }
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'bedrock-monitor.config.json'),
      JSON.stringify({
        prices: { 'anthropic.claude-3-haiku': { input: 0.2, output: 1, cacheRead: 0.02, cacheWrite: 0.25 } },
      }),
    );
    const refreshed = (await valid(S.PricesListDocSchema, ['prices', 'list'], { env, cwd, now })) as z.infer<
      typeof S.PricesListDocSchema
    >;
    expect(refreshed.inUse.table).toBe('refreshed');
    expect(new Set(refreshed.rows.map((r) => r.source))).toEqual(new Set(['config', 'price-list', 'table']));
    // A config row's "date" is where its rates come from: the config file (docs/commands/prices.md).
    expect(refreshed.rows.find((r) => r.source === 'config')?.date).toBe(join(cwd, 'bedrock-monitor.config.json'));
  });
});
