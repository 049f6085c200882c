import { PublishCommand, SNSClient } from '../sdk/client-sns.js';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { isNotFound } from '../aws/errors.js';
import { topicArn } from '../resources/topic.js';
import { renderReportTable } from './render.js';
import type { Report } from './types.js';
import type { FleetMetricsReport } from './fleet-metrics-compute.js';
import { renderFleetMetricsTable } from './fleet-metrics-render.js';

/**
 * report --notify: the text report published to the alert topic, so the people subscribed to the
 * alarms get it too (email subscribers receive it as the message body). One Publish per report.
 *
 * SNS limits (Publish API reference, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html):
 * "messages must be UTF-8 encoded strings and at most 256 KB in size (262,144 bytes, not 262,144
 * characters)"; a subject must be "UTF-8 text with no line breaks or control characters, and less
 * than 100 characters long". What SNS delivers is stricter: a subject with non-ASCII characters is replaced by
 * "Error - contains control- or non-ASCII characters"
 * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-validation-truncation.html), so
 * subjects are printable ASCII ("3 accounts x 2 Regions", "..." when cut).
 */

export const MAX_MESSAGE_BYTES = 262_144;
export const MAX_SUBJECT_CHARS = 99;

const stamp = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** "Bedrock usage, us-east-1, 2026-11-20 00:00 to 2026-11-21 00:00 UTC" (UTC always: no TZ surprises in a mailbox). */
export function reportSubject(report: Pick<Report, 'window'>, where: string): string {
  const subject = `Bedrock usage, ${where}, ${stamp(report.window.start)} to ${stamp(report.window.end)} UTC`;
  const clean = subject.replace(/[^\x20-\x7e]/g, ' ');
  return clean.length > MAX_SUBJECT_CHARS ? `${clean.slice(0, MAX_SUBJECT_CHARS - 3)}...` : clean;
}

/** The text report exactly as `report` prints it into a pipe (never cut), without colour, in UTC. */
export function reportText(report: Report): string {
  return renderReportTable(report, { tz: 'UTC' });
}

const FOOTER =
  '\n-- \nSent by bedrock-monitor report --notify. Estimates from list prices; see `bedrock-monitor ' +
  'report` for every figure.\n';

/**
 * The message: the whole text when it fits; otherwise the first `n` rows (the costliest) that fit, the totals still
 * counting every row, and a line saying how many were left out. `text(n)` draws the report with its first n rows
 * (every row when n is undefined).
 */
export function fitMessage(
  text: (n?: number) => string,
  total: number,
  noun: string,
): { message: string; truncated: boolean } {
  const fits = (s: string): boolean => Buffer.byteLength(s, 'utf8') <= MAX_MESSAGE_BYTES;
  const whole = text() + FOOTER;
  if (fits(whole)) return { message: whole, truncated: false };
  const withTop = (n: number): string =>
    `${text(n)}\n(${n} of ${total} ${noun} shown: an SNS message is limited to 256 KB; the totals count all ` +
    `${total}.)\n${FOOTER}`;
  // Rows are about equally long: scale by size, re-rendering only while it still does not fit
  // (rendering is proportional to the rows, so a search over every count would be slow).
  let n = Math.floor((total * MAX_MESSAGE_BYTES) / Buffer.byteLength(whole, 'utf8'));
  let candidate = withTop(n);
  while (!fits(candidate) && n > 0) {
    n = Math.min(n - 1, Math.floor(n * (MAX_MESSAGE_BYTES / Buffer.byteLength(candidate, 'utf8')) * 0.98));
    candidate = withTop(Math.max(n, 0));
  }
  if (!fits(candidate))
    throw new BmError(`report --notify: the report does not fit in one SNS message even without its ${noun}.`);
  return { message: candidate, truncated: true };
}

/** The single-target report's message: its model rows are what gives way. */
export function reportMessage(report: Report): { message: string; truncated: boolean } {
  return fitMessage(
    (n) => reportText(n === undefined ? report : { ...report, models: report.models.slice(0, n), days: undefined }),
    report.models.length,
    'models',
  );
}

/** What was published (or would be, under --dry-run): report --notify's `notification`. */
export type Notification = NonNullable<Report['notification']>;

/** Publishes a message to the alert topic of `ctx` (nothing under --dry-run) and says what was sent. */
export async function publishMessage(
  ctx: Ctx,
  subject: string,
  { message, truncated }: { message: string; truncated: boolean },
): Promise<Notification> {
  const arn = await topicArn(ctx);
  const base = { topicArn: arn, subject, bytes: Buffer.byteLength(message, 'utf8'), truncated };
  if (ctx.dryRun) return { ...base, messageId: null };
  try {
    const r = await ctx.aws
      .get(SNSClient)
      .send(new PublishCommand({ TopicArn: arn, Subject: subject, Message: message }));
    return { ...base, messageId: r.MessageId ?? null };
  } catch (err) {
    if (isNotFound(err)) {
      throw new BmError(
        `report --notify: the alert topic ${ctx.settings.alarms.topicName} does not exist in ${ctx.settings.region}.`,
        {
          hint: 'Create it with `bedrock-monitor alarms` or `bedrock-monitor setup-all`, or set alarms.topicName.',
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Publishes the report to the alert topic (nothing under --dry-run) and says what was sent. */
export function publishReport(ctx: Ctx, report: Report): Promise<Notification> {
  return publishMessage(ctx, reportSubject(report, report.region), reportMessage(report));
}

/** The merged report of many targets, to the alert topic of `ctx` (the caller's account, home Region). */
export function publishFleetReport(ctx: Ctx, rep: FleetMetricsReport): Promise<Notification> {
  const { accounts, regions } = rep.scope;
  const many = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const text = (n?: number): string =>
    renderFleetMetricsTable(
      n === undefined ? rep : { ...rep, rows: rep.rows.slice(0, n), days: undefined, periods: undefined },
      { tz: 'UTC' },
    );
  return publishMessage(
    ctx,
    reportSubject(rep, `${many(accounts.length, 'account')} x ${many(regions.length, 'Region')}`),
    fitMessage(text, rep.rows.length, 'rows'),
  );
}
