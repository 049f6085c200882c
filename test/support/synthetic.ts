import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LOG_STREAM_NAME } from '../../src/lib/aws/names.js';

/**
 * SYNTHETIC Bedrock usage for the demo, benchmarks and tests: CloudWatch AWS/Bedrock metrics and
 * invocation log records for emulators (moto accepts PutMetricData into AWS/Bedrock; AWS does not).
 * Every log record is marked requestMetadata.synthetic = "true". Deterministic for a given seed.
 */

export const DEMO_MODELS = [
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'us.anthropic.claude-haiku-4-5-20251001-v1:0',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'meta.llama3-1-70b-instruct-v1:0',
];

export interface Datapoint {
  modelId: string;
  metric: string;
  timestamp: Date;
  value: number;
}

const PRNG_STEP = 0x6d2b79f5;

/** mulberry32: a tiny seeded PRNG, so synthetic data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + PRNG_STEP) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * prng(seed) after `draws` numbers were drawn from it: its state is only seed + draws × the step (mod 2^32), so a
 * generator started there draws the very numbers that would have come next.
 */
export function prngAfter(seed: number, draws: number): () => number {
  return prng(Number((BigInt(seed >>> 0) + BigInt(draws) * BigInt(PRNG_STEP)) % 4294967296n));
}

/** Usage with a daily rhythm: one datapoint per model, metric and step. */
export function syntheticUsage(models: string[], start: Date, end: Date, stepMinutes = 60, seed = 42): Datapoint[] {
  const rnd = prng(seed);
  const points: Datapoint[] = [];
  const step = stepMinutes * 60_000;
  models.forEach((modelId, mi) => {
    const scale = 1 / (mi + 1);
    for (let t = start.getTime(); t < end.getTime(); t += step) {
      const hour = new Date(t).getUTCHours();
      const daily = 0.4 + 0.6 * Math.sin((Math.PI * ((hour + 18) % 24)) / 24) ** 2;
      const invocations = Math.max(1, Math.round(40 * scale * daily * (0.5 + rnd()) * (stepMinutes / 60)));
      const input = invocations * Math.round(800 + 1600 * rnd());
      const output = invocations * Math.round(150 + 450 * rnd());
      const cacheRead = mi % 2 === 0 ? invocations * Math.round(2000 * rnd()) : 0;
      const cacheWrite = mi % 2 === 0 ? Math.round(cacheRead / 10) : 0;
      const timestamp = new Date(t);
      const add = (metric: string, value: number) => points.push({ modelId, metric, timestamp, value });
      add('Invocations', invocations);
      add('InputTokenCount', input);
      add('OutputTokenCount', output);
      add('CacheReadInputTokenCount', cacheRead);
      add('CacheWriteInputTokenCount', cacheWrite);
      add('InvocationClientErrors', rnd() < 0.1 ? 1 : 0);
      add('InvocationServerErrors', rnd() < 0.03 ? 1 : 0);
      add('InvocationThrottles', rnd() < 0.05 ? Math.round(3 * rnd()) : 0);
      add('InvocationLatency', Math.round(600 + 4000 * rnd() * (1 + mi / 3)));
      add('TimeToFirstToken', Math.round(200 + 500 * rnd()));
    }
  });
  return points;
}

/**
 * Clients for seeding an emulator. Request compression is off: the SDK gzips large PutMetricData
 * bodies, which moto 5.2.1 fails to decompress.
 */
export function seedingClients(endpoint: string, region: string): { cw: CloudWatchClient; logs: CloudWatchLogsClient } {
  const config = { region, endpoint, credentials: { accessKeyId: 'synthetic', secretAccessKey: 'synthetic' } };
  return {
    cw: new CloudWatchClient({ ...config, disableRequestCompression: true }),
    logs: new CloudWatchLogsClient(config),
  };
}

/** Writes datapoints with PutMetricData, 1,000 per call. */
export async function putMetrics(cw: CloudWatchClient, points: Datapoint[]): Promise<number> {
  const data: MetricDatum[] = points.map((p) => ({
    MetricName: p.metric,
    Dimensions: [{ Name: 'ModelId', Value: p.modelId }],
    Timestamp: p.timestamp,
    Value: p.value,
    Unit: /Latency|FirstToken/.test(p.metric) ? 'Milliseconds' : 'Count',
  }));
  let calls = 0;
  for (let i = 0; i < data.length; i += 1000) {
    await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Bedrock', MetricData: data.slice(i, i + 1000) }));
    calls++;
  }
  return calls;
}

/** Invocation log records (the Bedrock schema), bodies replaced by a synthetic marker. */
export function syntheticLogRecords(
  points: Datapoint[],
  account: string,
  region: string,
  limit = 200,
): { timestamp: number; message: string }[] {
  const invocations = points.filter((p) => p.metric === 'Invocations').slice(0, limit);
  return invocations.map((p, i) => ({
    timestamp: p.timestamp.getTime(),
    message: JSON.stringify({
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: p.timestamp.toISOString(),
      accountId: account,
      region,
      requestId: `synthetic-${i.toString().padStart(6, '0')}`,
      operation: 'Converse',
      modelId: p.modelId,
      identity: { arn: `arn:aws:sts::${account}:assumed-role/demo-app/synthetic` },
      requestMetadata: { synthetic: 'true', source: 'bedrock-monitor demo' },
      input: { inputContentType: 'application/json', inputBodyJson: { synthetic: true }, inputTokenCount: 1000 + i },
      output: {
        outputContentType: 'application/json',
        outputBodyJson: { synthetic: true, metrics: { latencyMs: 800 + i } },
        outputTokenCount: 200 + i,
      },
    }),
  }));
}

export async function putLogRecords(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  records: { timestamp: number; message: string }[],
): Promise<void> {
  try {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: LOG_STREAM_NAME }));
  } catch (err) {
    if ((err as Error).name !== 'ResourceAlreadyExistsException') throw err;
  }
  const sorted = [...records].sort((a, b) => a.timestamp - b.timestamp);
  for (let i = 0; i < sorted.length; i += 1000) {
    await logs.send(
      new PutLogEventsCommand({ logGroupName, logStreamName: LOG_STREAM_NAME, logEvents: sorted.slice(i, i + 1000) }),
    );
  }
}
