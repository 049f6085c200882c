import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, SourceData } from '@smithy/types';

/**
 * One Bedrock Converse call for the live test, made without @aws-sdk/client-bedrock-runtime (not a
 * dependency of the project): a plain HTTPS request signed with Signature Version 4 by the SDK's
 * own signer (@smithy/signature-v4, installed with every SDK client) and Node's SHA-256.
 * POST /model/{modelId}/converse on bedrock-runtime.<region>.amazonaws.com, signing name "bedrock"
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 */

const bytes = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the signer takes. */
export class NodeSha256 {
  private readonly hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** The smallest useful Converse request: one short user message, a few output tokens. */
export function converseBody(prompt: string, maxTokens: number): string {
  return JSON.stringify({
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inferenceConfig: { maxTokens, temperature: 0 },
  });
}

export interface SignedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export async function signConverse(opts: {
  region: string;
  modelId: string;
  credentials: AwsCredentialIdentity;
  body: string;
  now?: Date;
}): Promise<SignedRequest> {
  const hostname = `bedrock-runtime.${opts.region}.amazonaws.com`;
  const path = `/model/${encodeURIComponent(opts.modelId)}/converse`;
  const signer = new SignatureV4({
    service: 'bedrock',
    region: opts.region,
    credentials: opts.credentials,
    sha256: NodeSha256,
  });
  const request = {
    method: 'POST',
    protocol: 'https:',
    hostname,
    path,
    query: {},
    headers: { host: hostname, 'content-type': 'application/json', accept: 'application/json' },
    body: opts.body,
  };
  const signed = await signer.sign(request, opts.now ? { signingDate: opts.now } : {});
  return { url: `https://${hostname}${path}`, method: 'POST', headers: signed.headers, body: opts.body };
}

export interface ConverseResult {
  requestId: string;
  inputTokens: number;
  outputTokens: number;
}

/** Sends it; returns the request ID and token counts only (never the response text). */
export async function converse(opts: {
  region: string;
  modelId: string;
  credentials: AwsCredentialIdentity;
}): Promise<ConverseResult> {
  const signed = await signConverse({ ...opts, body: converseBody('Reply with the single word: ok', 5) });
  // fetch sets Host itself, from the URL (the same value that was signed).
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== 'host'));
  const res = await fetch(signed.url, { method: 'POST', headers, body: signed.body });
  const text = await res.text();
  if (!res.ok) {
    const type = res.headers.get('x-amzn-errortype') ?? '';
    const message = (JSON.parse(text || '{}') as { message?: string }).message ?? '';
    throw new Error(`Converse on ${opts.modelId} failed: HTTP ${res.status} ${type.split(':')[0]} ${message}`.trim());
  }
  const usage = (JSON.parse(text) as { usage?: { inputTokens?: number; outputTokens?: number } }).usage ?? {};
  return {
    requestId: res.headers.get('x-amzn-requestid') ?? '',
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
  };
}
