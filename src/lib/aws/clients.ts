import type { AwsCredentialIdentityProvider, Client, MetadataBearer } from '@smithy/types';
import { stoppedError, type Interruption } from '../core/abort.js';
import { notAwsAnswer } from './not-aws.js';

export interface RequestRecord {
  service: string;
  operation: string;
  write: boolean;
  /** The command's input as the tool built it (tests check it against AWS's documented rules). */
  input: unknown;
  /** Over many targets: the account and Region the call went to (absent for a single-target run). */
  target?: { account: string; region: string };
}

export interface AwsOptions {
  region: string;
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  /**
   * Tests only. Left unset, the SDK decides retries from its defaults and the user's settings
   * (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, the profile's max_attempts and retry_mode).
   */
  maxAttempts?: number;
  /** Tests only: an HTTP handler that answers instead of AWS (recorded real responses). */
  requestHandler?: unknown;
  /** Called once per SDK call (before retries), from a middleware on every client. */
  onRequest?: (r: RequestRecord) => void;
  /** Receives the SDK's own warnings (e.g. two credential sources), instead of the console. */
  onSdkWarning?: (message: string) => void;
  /**
   * Credentials for another account (an assumed role, see assume.ts); unset, the SDK's default chain
   * (the profile, AWS_* variables, SSO, instance roles) is used.
   */
  credentials?: AwsCredentialIdentityProvider;
  /** The account these clients act in, when the run has many targets (request records name it). */
  account?: string;
  /** The run's interrupt: its signal goes with every request (an in-flight one is abandoned, no new one starts). */
  interruption?: Interruption;
}

// AssumeRole changes no state: it only hands out credentials for another account.
const READ_PREFIX = /^(Get|List|Describe|Head|Filter|Lookup|StartQuery|StopQuery|TestMetric|AssumeRole$)/;

export function isWriteOperation(operation: string): boolean {
  return !READ_PREFIX.test(operation);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = Client<any, MetadataBearer, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClientCtor<C extends AnyClient> = new (config: any) => C;

/**
 * The one AWS client factory, for one target (an account in a Region; a fleet run makes one per target
 * from the same base credentials, as aws-cdk-cli's SdkProvider.forEnvironment does). Every client gets
 * the same Region, profile (shared credentials chain) or assumed-role credentials, and endpoint override
 * (S3 in path style when set), and one middleware that reports each call and names the service and
 * operation on any error it throws. Clients are created on first use, so a command loads only the SDK
 * packages it needs.
 */
export class AwsClients {
  private readonly clients = new Map<unknown, AnyClient>();

  constructor(readonly options: AwsOptions) {}

  /**
   * The client for a service; `inRegion` for the few APIs that answer in one Region only (the
   * Price List API), whatever Region the tool works in. The endpoint override still applies.
   */
  get<C extends AnyClient>(ctor: ClientCtor<C>, inRegion?: string): C {
    const key = inRegion ? `${ctor.name}@${inRegion}` : ctor;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    const { region, profile, endpointUrl, maxAttempts, requestHandler, onSdkWarning } = this.options;
    const credentials = this.options.credentials;
    const quiet = (): void => undefined;
    const client = new ctor({
      region: inRegion ?? region,
      ...(onSdkWarning
        ? { logger: { trace: quiet, debug: quiet, info: quiet, warn: onSdkWarning, error: quiet } }
        : {}),
      ...(credentials ? { credentials } : profile ? { profile } : {}),
      ...(endpointUrl ? { endpoint: endpointUrl, forcePathStyle: true } : {}),
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(requestHandler !== undefined ? { requestHandler } : {}),
    });
    this.instrument(client, serviceName(ctor.name));
    this.abortWith(client);
    this.clients.set(key, client);
    return client;
  }

  /** Every send() gets the run's abort signal (unless the caller passed its own). */
  private abortWith(client: AnyClient): void {
    const run = this.options.interruption;
    if (!run) return;
    const send = client.send.bind(client) as (...a: unknown[]) => unknown;
    Object.assign(client, {
      send: (command: unknown, options?: unknown, cb?: unknown) =>
        typeof options === 'function' || cb !== undefined || run.shielded
          ? send(command, options, cb)
          : send(command, { abortSignal: run.signal, ...(options as object | undefined) }),
    });
  }

  private instrument(client: AnyClient, service: string): void {
    const { onRequest, interruption: run, endpointUrl, account, region } = this.options;
    const target = account ? { target: { account, region } } : {};
    // An answer that is not AWS's (an HTML page from an emulator without the operation, a proxy's
    // page): one clear error naming the operation and the endpoint, before the SDK tries to parse it.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const response = result.response as HttpAnswer | undefined;
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        // An HTML page: some emulators label every answer text/html, so the body decides. A server
        // error (5xx) stays the SDK's to retry and report.
        const serverError = (response?.statusCode ?? 0) >= 500;
        if (
          response &&
          !serverError &&
          operation !== 'GetObject' &&
          /text\/html/i.test(headerOf(response, 'content-type'))
        ) {
          const bytes = await collect(response.body);
          const head = Buffer.from(bytes.subarray(0, 100)).toString('utf8').trimStart().toLowerCase();
          if (head.startsWith('<!doctype html') || head.startsWith('<html'))
            throw notAwsAnswer({
              service,
              operation,
              endpoint: endpointUrl,
              status: response.statusCode,
              what: 'an HTML page',
            });
          response.body = bytes;
        }
        return result;
      },
      { step: 'deserialize', name: 'bedrockMonitorNotAws', priority: 'low' },
    );
    const stopped = (): boolean => run?.signal.aborted === true && !run.shielded;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        // Once the run is interrupted, no new request starts, and an abandoned one ends as the interrupt.
        if (stopped()) throw stoppedError(run!.signal);
        onRequest?.({ service, operation, write: isWriteOperation(operation), input: args.input, ...target });
        try {
          return await next(args);
        } catch (err) {
          if (stopped()) throw stoppedError(run!.signal);
          if (typeof err === 'object' && err !== null)
            Object.assign(err, { $service: service, $command: operation, $endpoint: endpointUrl });
          throw err;
        }
      },
      { step: 'initialize', name: 'bedrockMonitorAccounting', priority: 'high' },
    );
  }
}

interface HttpAnswer {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function headerOf(r: HttpAnswer, name: string): string {
  const found = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found?.[1] ?? '';
}

/** The whole body of a (small) answer, which the SDK's deserializer then reads as it would the stream. */
async function collect(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
    for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

const SERVICE_NAMES: Record<string, string> = {
  IAMClient: 'IAM',
  S3Client: 'S3',
  CloudWatchLogsClient: 'CloudWatch Logs',
  CloudWatchClient: 'CloudWatch',
  SNSClient: 'SNS',
  OrganizationsClient: 'Organizations',
  EC2Client: 'EC2',
  STSClient: 'STS',
  BedrockClient: 'Bedrock',
  PricingClient: 'Price List',
  BudgetsClient: 'Budgets',
  ServiceQuotasClient: 'Service Quotas',
  BCMDataExportsClient: 'Data Exports',
  CostExplorerClient: 'Cost Explorer',
};

function serviceName(ctorName: string): string {
  return SERVICE_NAMES[ctorName] ?? ctorName.replace(/Client$/, '');
}
