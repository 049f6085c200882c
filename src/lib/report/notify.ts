import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Writable } from 'node:stream';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { isNotFound } from '../aws/errors.js';
import { Output } from '../io/output.js';
import { topicArn } from '../resources/topic.js';
import { renderQuotas } from './quota-render.js';
import { renderReportTable } from './render.js';
import type { Report } from './types.js';

/**
 * report --notify: the text report published to the alert topic, so the people subscribed to the
 * alarms get it too (email subscribers receive it as the message body). One Publish per report.
 *
 * SNS limits (Publish API reference, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html):
 * "messages must be UTF-8 encoded strings and at most 256 KB in size (262,144 bytes, not 262,144
 * characters)"; a subject must be "UTF-8 text with no line breaks or control characters, and less
 * than 100 characters long".
 */

export const MAX_MESSAGE_BYTES = 262_144;
export const MAX_SUBJECT_CHARS = 99;
/** Columns the message is laid out for: wide enough that model IDs are never shortened. */
const MESSAGE_COLUMNS = '180';

const stamp = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** "Bedrock usage, us-east-1, 2026-11-20 00:00 to 2026-11-21 00:00 UTC" (UTC always: no TZ surprises in a mailbox). */
export function reportSubject(report: Report): string {
  const subject = `Bedrock usage, ${report.region}, ${stamp(report.window.start)} to ${stamp(report.window.end)} UTC`;
  // eslint-disable-next-line no-control-regex -- the documented ban on control characters
  const clean = subject.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > MAX_SUBJECT_CHARS ? `${clean.slice(0, MAX_SUBJECT_CHARS - 1)}…` : clean;
}

/** The text report exactly as `report` prints it, without colour, in UTC. */
export function reportText(report: Report): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const io = {
    stdout: sink,
    stderr: sink,
    stdin: process.stdin,
    env: { COLUMNS: MESSAGE_COLUMNS, NO_COLOR: '1', TZ: 'UTC' },
    cwd: '/',
  };
  const out = new Output(io, { json: false, color: false, verbose: false });
  // No width: a message body is never cut (as into a pipe).
  text += renderReportTable(report, { tz: 'UTC' });
  if (report.quotas) {
    out.print('');
    renderQuotas(out, report.quotas);
  }
  return text;
}

/**
 * The message: the whole report when it fits; otherwise the models with the highest cost that fit
 * (the totals still count every model), and a line saying how many were left out.
 */
export function reportMessage(report: Report): { message: string; truncated: boolean } {
  const footer =
    '\n-- \nSent by bedrock-monitor report --notify. Estimates from list prices; see `bedrock-monitor ' +
    'report` for every figure.\n';
  const fits = (s: string): boolean => Buffer.byteLength(s, 'utf8') <= MAX_MESSAGE_BYTES;
  const whole = reportText(report) + footer;
  if (fits(whole)) return { message: whole, truncated: false };
  const total = report.models.length;
  const withTop = (n: number): string =>
    `${reportText({ ...report, models: report.models.slice(0, n), days: undefined })}\n(${n} of ${total} ` +
    `models shown: an SNS message is limited to 256 KB; the totals count all ${total}.)\n${footer}`;
  // Rows are about equally long: scale by size, re-rendering only while it still does not fit
  // (rendering is proportional to the rows, so a search over every count would be slow).
  let n = Math.floor((total * MAX_MESSAGE_BYTES) / Buffer.byteLength(whole, 'utf8'));
  let candidate = withTop(n);
  while (!fits(candidate) && n > 0) {
    n = Math.min(n - 1, Math.floor(n * (MAX_MESSAGE_BYTES / Buffer.byteLength(candidate, 'utf8')) * 0.98));
    candidate = withTop(Math.max(n, 0));
  }
  const message = candidate;
  if (!fits(message))
    throw new BmError('report --notify: the report does not fit in one SNS message even without its model rows.');
  return { message, truncated: true };
}

/** Publishes the report to the alert topic (nothing under --dry-run) and says what was sent. */
export async function publishReport(ctx: Ctx, report: Report): Promise<NonNullable<Report['notification']>> {
  const arn = await topicArn(ctx);
  const subject = reportSubject(report);
  const { message, truncated } = reportMessage(report);
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
