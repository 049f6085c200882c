import { BmError } from '../core/errors.js';

/**
 * An answer that is not from AWS (an HTML page, text that is neither AWS's JSON nor its XML): the
 * operation, the endpoint and what came back in one line, and for an endpoint override (an emulator)
 * that it may not support the operation. Never the SDK's own wording ($response, "Deserialization error").
 */
export function notAwsAnswer(a: {
  service: string;
  operation: string;
  endpoint: string | undefined;
  status: number | undefined;
  what: string;
}): BmError {
  const where = a.endpoint ?? 'the AWS endpoint';
  const http = a.status ? ` (HTTP ${a.status})` : '';
  return new BmError(`${a.service} ${a.operation}: ${where} answered with ${a.what}${http}, not an AWS response.`, {
    hint: a.endpoint
      ? `If ${a.endpoint} is an emulator, it may not support ${a.operation}: docs/emulator.md lists the ` +
        'operations bedrock-monitor needs.'
      : 'Something between you and AWS (a proxy, a captive portal) may have answered: check the network.',
  });
}

/** The SDK's note on an answer it could not parse, and what follows it. */
const SDK_PARSE_NOTE = /\s*Deserialization error: to see the raw response[\s\S]*$/;

/** True for an error the SDK raised because it could not parse the answer. */
export function isUnparsable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && (SDK_PARSE_NOTE.test(message) || message.includes('$response'));
}

/** What came back, as far as the error says: never the SDK's wording. */
export function describeUnparsable(err: unknown): string {
  const raw = (err as { message?: unknown }).message;
  const message = (typeof raw === 'string' ? raw : '').replace(SDK_PARSE_NOTE, '');
  if (/Unexpected token '<'|<!doctype|<html/i.test(message)) return 'an HTML page';
  return 'something that is not AWS JSON or XML';
}
