import { describe, expect, test } from '@jest/globals';
import { Limiter } from '../../../src/lib/core/concurrency.js';
import { CONCURRENCY, metricDataLimiter, MIN_INTERVAL_MS } from '../../../src/lib/report/fetch.js';
import { runCli } from '../../support/cli.js';
import { fakeAws, json, jsonTarget, when, type FakeRequest } from '../../support/fake-aws.js';

/**
 * GetMetricData calls go through one Limiter per report: at most CONCURRENCY in flight, starts at
 * least MIN_INTERVAL_MS apart, well under CloudWatch's quota of 50 GetMetricData calls per second
 * per account and Region (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html).
 */

/**
 * A virtual clock: `sleep` sets a timer; a driver fires the earliest timer once per event-loop turn,
 * moving time to it. Nothing waits for real, and sleepers wake in time order.
 */
function virtualTime() {
  let now = 1_000_000;
  let running = true;
  const timers: { at: number; wake: () => void }[] = [];
  const driver = (async () => {
    while (running) {
      await new Promise((r) => setImmediate(r));
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next) {
        now = Math.max(now, next.at);
        next.wake();
      }
    }
  })();
  return {
    clock: () => now,
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: now + ms, wake })),
    stop: async () => {
      running = false;
      await driver;
    },
  };
}

describe('Limiter', () => {
  test('never more than `concurrency` calls in flight, and starts spaced by the interval', async () => {
    const t = virtualTime();
    const limiter = new Limiter(4, 50, t.sleep, t.clock);
    let active = 0;
    let peak = 0;
    const starts: number[] = [];
    const call = async (): Promise<void> => {
      active++;
      peak = Math.max(peak, active);
      starts.push(t.clock());
      // Each call takes a while (several event-loop turns).
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      active--;
    };
    await Promise.all(Array.from({ length: 25 }, () => limiter.run(call)));
    await t.stop();
    expect(starts).toHaveLength(25);
    expect(peak).toBe(4);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(50);
    // 25 starts at least 50 ms apart: at most 20 a second.
    expect(sorted[24]! - sorted[0]!).toBeGreaterThanOrEqual(24 * 50);
  });

  test('a failed call frees its slot', async () => {
    const t = virtualTime();
    const limiter = new Limiter(1, 0, t.sleep, t.clock);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
    await t.stop();
  });

  test("the report's limiter: 4 in flight, 50 ms apart (20 calls a second, under the quota of 50)", () => {
    expect([CONCURRENCY, MIN_INTERVAL_MS]).toEqual([4, 50]);
    expect(1000 / MIN_INTERVAL_MS).toBeLessThan(50);
    expect(metricDataLimiter()).toBeInstanceOf(Limiter);
  });
});

describe('a report with many models', () => {
  test('sends its GetMetricData calls through the limiter: never more than 4 at once', async () => {
    const models = Array.from({ length: 300 }, (_, i) => `anthropic.claude-3-haiku-20240307-v${i}:0`);
    let active = 0;
    let peak = 0;
    const inFlight = (req: FakeRequest) => {
      if (!jsonTarget('monitoring.', 'GetMetricData')(req)) return undefined;
      active++;
      peak = Math.max(peak, active);
      // Answered on a later turn, so that calls overlap when the limiter lets them.
      return undefined;
    };
    const aws = fakeAws(
      when(
        jsonTarget('monitoring.', 'ListMetrics'),
        json({
          Metrics: models.map((m) => ({
            Namespace: 'AWS/Bedrock',
            MetricName: 'Invocations',
            Dimensions: [{ Name: 'ModelId', Value: m }],
          })),
        }),
      ),
      inFlight,
      when(jsonTarget('monitoring.', 'GetMetricData'), json({ MetricDataResults: [], Messages: [] })),
    );
    const slow = {
      ...(aws.handler as object),
      handle: async (request: unknown) => {
        const r = await (aws.handler as { handle: (x: unknown) => Promise<unknown> }).handle(request);
        if (
          ((request as { headers: Record<string, string> }).headers['x-amz-target'] ?? '').endsWith('.GetMetricData')
        ) {
          // Held until a second call is in flight (or 2 s), then 30 ms: with the 30 ms alone, building and signing
          // the next 500-query request could outlast it on a loaded machine, and no two calls overlapped.
          const until = Date.now() + 2000;
          while (peak < 2 && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
          await new Promise((res) => setTimeout(res, 30));
          active--;
        }
        return r;
      },
    };
    const r = await runCli(['report', '--since', '2026-11-20T00:00:00Z', '--until', '2026-11-21T00:00:00Z', '--json'], {
      env: { AWS_REGION: 'us-east-1' },
      requestHandler: slow,
      now: new Date('2026-11-22T00:00:00Z'),
    });
    expect(r.code).toBe(0);
    // 300 models × 9 count figures + 300 × 5 percentiles = 4,200 queries: 9 calls of up to 500.
    const calls = aws.requests.filter(jsonTarget('monitoring.', 'GetMetricData')).length;
    expect(calls).toBe(9);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
  });
});
