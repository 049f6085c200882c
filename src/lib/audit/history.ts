import { CloudTrailClient, LookupEventsCommand } from '../sdk/client-cloudtrail.js';
import type { Event, LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import type { Ctx } from '../context/context.js';
import { errorName } from '../aws/errors.js';
import { Limiter } from '../core/concurrency.js';
import { BEDROCK_EVENT_SOURCE } from '../core/cloudtrail.js';
import { BmError } from '../core/errors.js';
import { identityOf } from './identity.js';
import type { AuditWindow, CallGroup } from './types.js';

/**
 * The default source: CloudTrail's event history (LookupEvents, event source bedrock.amazonaws.com),
 * 90 days of management events, free. LookupEvents allows two requests per second per account and
 * Region ("This limit cannot be increased"): requests are paced 500 ms apart, and throttling is
 * retried with growing waits beyond the SDK's own retries.
 */

export const LOOKUP_INTERVAL_MS = 500;
export const THROTTLE_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException']);

export interface HistoryOptions {
  window: AuditWindow;
  /** Whether to read the previous window too (not when it lies beyond the 90 days). */
  previous: boolean;
  /** Tests pace with a virtual clock; by default one request per 500 ms. */
  limiter?: Limiter;
  onProgress?(events: number, pages: number): void;
  /** The Region whose event history is read (default: the context's); the caller's account's. */
  region?: string;
}

function isThrottling(err: unknown): boolean {
  return (
    THROTTLING.has(errorName(err)) ||
    (err as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling === true
  );
}

/** Every attempt, retries included, waits its turn in the limiter. */
async function lookupWithRetry(
  ctx: Ctx,
  limiter: Limiter,
  input: LookupEventsCommandInput,
  region: string,
): Promise<LookupEventsCommandOutput> {
  const client = ctx.aws.get(CloudTrailClient, region === ctx.settings.region ? undefined : region);
  for (let attempt = 0; ; attempt++) {
    try {
      return await limiter.run(() => client.send(new LookupEventsCommand(input)));
    } catch (err) {
      const delay = THROTTLE_RETRY_DELAYS_MS[attempt];
      if (!isThrottling(err)) throw err;
      if (delay === undefined) {
        throw new BmError(
          `CloudTrail kept throttling LookupEvents after ${attempt + 1} attempts (it allows 2 requests per ` +
            `second per account and Region, shared with everything else that reads the event history).`,
          {
            hint: 'Retry when other readers of the event history are quiet, or use --source trail.',
            cause: err,
          },
        );
      }
      ctx.events.debug(`LookupEvents throttled; retrying in ${delay / 1000}s`);
      await ctx.sleep(delay);
    }
  }
}

/** One event as a call group; undefined for what is not a Bedrock call in the window. */
export function historyCall(e: Event, w: AuditWindow, region: string): CallGroup | undefined {
  let r: Record<string, unknown> = {};
  try {
    r = JSON.parse(e.CloudTrailEvent ?? '{}') as Record<string, unknown>;
  } catch {
    // A record that is not JSON still has the fields LookupEvents lifts out of it.
  }
  const source = typeof r.eventSource === 'string' ? r.eventSource : e.EventSource;
  const awsRegion = typeof r.awsRegion === 'string' ? r.awsRegion : region;
  const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : (e.EventTime?.getTime() ?? NaN);
  if (
    source !== BEDROCK_EVENT_SOURCE ||
    awsRegion !== region ||
    !(t >= w.previousStart.getTime() && t < w.end.getTime())
  )
    return undefined;
  const identity = identityOf(r.userIdentity);
  if (!identity.arn && !identity.principalId && e.Username) identity.principalId = e.Username;
  return {
    identity,
    eventName: typeof r.eventName === 'string' ? r.eventName : (e.EventName ?? '(unknown)'),
    sourceIp: typeof r.sourceIPAddress === 'string' ? r.sourceIPAddress : null,
    errorCode: typeof r.errorCode === 'string' && r.errorCode !== '' ? r.errorCode : null,
    account: typeof r.recipientAccountId === 'string' ? r.recipientAccountId : identity.accountId,
    region: awsRegion,
    count: 1,
    first: t,
    last: t,
    previous: t < w.start.getTime(),
  };
}

/** Pages through the event history (newest first), handing each Bedrock call to `sink`. */
export async function readEventHistory(
  ctx: Ctx,
  opts: HistoryOptions,
  sink: (g: CallGroup) => void,
): Promise<{ events: number; pages: number }> {
  const { window: w } = opts;
  const region = opts.region ?? ctx.settings.region;
  const limiter = opts.limiter ?? new Limiter(1, LOOKUP_INTERVAL_MS, (ms) => ctx.sleep(ms));
  const input = {
    LookupAttributes: [{ AttributeKey: 'EventSource' as const, AttributeValue: BEDROCK_EVENT_SOURCE }],
    StartTime: opts.previous ? w.previousStart : w.start,
    EndTime: w.end,
    MaxResults: 50,
  };
  let events = 0;
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await lookupWithRetry(ctx, limiter, { ...input, ...(token ? { NextToken: token } : {}) }, region);
    pages++;
    for (const e of page.Events ?? []) {
      const call = historyCall(e, w, region);
      if (call) {
        events++;
        sink(call);
      }
    }
    opts.onProgress?.(events, pages);
    token = page.NextToken;
  } while (token);
  return { events, pages };
}
