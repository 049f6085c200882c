import { beforeEach, describe, expect, test } from '@jest/globals';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { cliFor, fromSnapshot, useMoto } from '../../support/cli.js';
import { ACCOUNT } from '../../support/aws.js';
import type { SyntheticQuota } from '../../support/emulator.js';
import { callerBase, createOrganization, memberBase, type ClientBase } from '../../support/org.js';
import { putMetrics, type Datapoint } from '../../support/synthetic.js';
import { FleetMetricsReportDocSchema } from '../../support/schemas.js';

/**
 * report --quotas and --notify across an organization: each account and Region's own 1-minute metrics (moto keeps
 * each account's CloudWatch apart), read with that target's credentials, against Service Quotas (the emulator's
 * synthetic "bedrock" quotas: moto has none). One table, the target closest to a quota first. Truth worked out by
 * hand. The merged report goes to the alert topic of the caller's account in the home Region.
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
const REGIONS = ['us-east-1', 'eu-west-1'];
const NOW = new Date('2026-11-20T12:00:00Z');
const WINDOW = ['--since', '2026-11-20T10:00:00Z', '--until', '2026-11-20T11:00:00Z'];
const US_SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';

const QUOTAS: { applied: SyntheticQuota[]; defaults: SyntheticQuota[] } = {
  applied: [
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-F4DDD3EB',
      QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1',
      Value: 6000,
    },
  ],
  defaults: [
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-8CE99163',
      QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
      Value: 400_000,
    },
  ],
};

let members: string[] = [];
const base = (region = 'us-east-1'): ClientBase => callerBase(emulator().url, region);

async function put(account: string, region: string, points: Datapoint[]): Promise<void> {
  const cfg = account === ACCOUNT ? base(region) : await memberBase(base(), account, region);
  await putMetrics(new CloudWatchClient({ ...cfg, disableRequestCompression: true }), points);
}

const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 20, 10, minute));
const p = (modelId: string, metric: string, minute: number, value: number): Datapoint => ({
  modelId,
  metric,
  timestamp: at(minute),
  value,
});

// Built for the first test; later ones start from a copy of moto's state after it (the same member accounts). The
// synthetic quotas are a file beside the server, not its state: written for each test.
beforeEach(async () => {
  await fromSnapshot(emulator, 'organization', async () => {
    members = await createOrganization(base());
    // The caller's us-east-1: minute 2 = 500 input + 1,000 output × 5 (Sonnet 4.5's burndown) = 5,500 of 6,000.
    await put(ACCOUNT, 'us-east-1', [
      p(US_SONNET, 'Invocations', 2, 4),
      p(US_SONNET, 'InputTokenCount', 2, 500),
      p(US_SONNET, 'OutputTokenCount', 2, 1000),
    ]);
    // The first member's eu-west-1: minute 7 = 9,000 + 1,000 × 5 = 14,000 of 400,000 (3.5%).
    await put(members[0]!, 'eu-west-1', [
      p(HAIKU_3, 'Invocations', 7, 10),
      p(HAIKU_3, 'InputTokenCount', 7, 9000),
      p(HAIKU_3, 'OutputTokenCount', 7, 1000),
    ]);
  })();
  emulator().setBedrockQuotas(QUOTAS);
});

describe('report --quotas across an organization', () => {
  const flags = ['--quotas', '--accounts', 'org', '--regions', REGIONS.join(','), ...WINDOW];

  test("each target's peaks against its own quotas, in one table, the closest to a quota first", async () => {
    const r = await cli(['report', ...flags, '--json'], { now: NOW });
    expect(r.code).toBe(0);
    const q = FleetMetricsReportDocSchema.parse(r.json()).quotas!;
    expect(q.unavailable).toEqual([]);
    expect(q.rows.map((x) => [x.account, x.region, x.models, x.peakTokensPerMinute, x.tpmPercent, x.flagged])).toEqual([
      [ACCOUNT, 'us-east-1', [US_SONNET], 5500, 91.7, true],
      [members[0], 'eu-west-1', [HAIKU_3], 14_000, 3.5, false],
    ]);
    expect(q.rows[1]).toMatchObject({ peakTokensAt: '2026-11-20T10:07:00.000Z', tpmQuota: { code: 'L-8CE99163' } });
    // A note every target gave, once.
    expect(q.notes.filter((n) => n.startsWith('Bedrock also reserves'))).toHaveLength(1);
    // Service Quotas was asked in each target with usage (the others have no model to look up).
    expect(r.requests.filter((x) => x.operation === 'ListServiceQuotas')).toHaveLength(2);

    const human = await cli(['report', ...flags], { now: NOW, env: { COLUMNS: '200' } });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Quota headroom per account and Region');
    expect(human.stdout).toMatch(/ACCOUNT\s+REGION\s+MODEL\s+TYPE\s+PEAK TPM/);
    expect(human.stdout).toMatch(new RegExp(`!\\s+${ACCOUNT}\\s+us-east-1\\s+${US_SONNET.replace(/\./g, '\\.')}`));
    expect(human.stdout).toContain(`! above 80% of a quota: ${ACCOUNT} us-east-1 ${US_SONNET}`);
    expect(human.stdout.indexOf(US_SONNET)).toBeLessThan(human.stdout.lastIndexOf(`${members[0]}  eu-west-1`));
  }, 180_000);

  test('a window older than 1-minute data: every target read is named as unavailable, with why', async () => {
    const later = new Date(NOW.getTime() + 20 * 86_400_000);
    const r = await cli(['report', ...flags, '--json'], { now: later });
    expect(r.code).toBe(0);
    const q = FleetMetricsReportDocSchema.parse(r.json()).quotas!;
    expect(q.rows).toEqual([]);
    expect(q.unavailable).toHaveLength(3 * REGIONS.length);
    expect(new Set(q.unavailable.map((u) => u.reason))).toEqual(
      new Set([expect.stringContaining('CloudWatch keeps 1-minute data for 15 days')]),
    );
    const human = await cli(['report', ...flags], { now: later, env: { COLUMNS: '200' } });
    expect(human.stdout).toContain(`${members[0]} eu-west-1: not available: CloudWatch keeps 1-minute data`);
  }, 180_000);

  test('--notify: the merged report, as shown (--top applies), to the home Region topic of the caller', async () => {
    expect((await cli(['alarms'])).code).toBe(0); // the alert topic, in the caller's us-east-1
    await emulator().startRecording();
    const r = await cli(['report', ...flags, '--notify', '--top', '1', '--json'], { now: NOW });
    const [publish, ...more] = await emulator().stopRecordingPublishes();
    expect(r.code).toBe(0);
    expect(more).toEqual([]);
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:bedrock-usage-alerts`;
    expect(publish!.get('TopicArn')).toBe(topic);
    expect(publish!.get('Subject')).toBe(
      'Bedrock usage, 3 accounts x 2 Regions, 2026-11-20 10:00 to 2026-11-20 11:00 UTC',
    );
    const message = publish!.get('Message')!;
    expect(message).toContain('Bedrock usage in 3 accounts × 2 Regions (us-east-1, eu-west-1), 2026-11-20 10:00');
    expect(message).toMatch(/others \(1\)/);
    expect(message).toContain('Quota headroom per account and Region');
    expect(message).toContain(`${members[1]}  eu-west-1`); // every target's row, with or without data
    const doc = FleetMetricsReportDocSchema.parse(r.json());
    expect(doc.notification).toMatchObject({ topicArn: topic, truncated: false, bytes: Buffer.byteLength(message) });
    expect(r.stderr).toContain(`Published the report to ${topic}`);
    // The home Region follows the run (targets.homeRegion, else the Region): there, under --dry-run.
    const elsewhere = await cli(['report', ...flags, '--notify', '--dry-run', '--json'], {
      now: NOW,
      env: { AWS_REGION: 'eu-west-1' },
    });
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.json().notification).toMatchObject({
      topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:bedrock-usage-alerts`,
      messageId: null,
    });
  }, 180_000);
});
