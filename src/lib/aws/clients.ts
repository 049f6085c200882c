import type { AwsCredentialIdentityProvider, Client, MetadataBearer } from '@smithy/types';

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
    this.clients.set(key, client);
    return client;
  }

  private instrument(client: AnyClient, service: string): void {
    const onRequest = this.options.onRequest;
    const { account, region } = this.options;
    const target = account ? { target: { account, region } } : {};
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        onRequest?.({ service, operation, write: isWriteOperation(operation), input: args.input, ...target });
        try {
          return await next(args);
        } catch (err) {
          if (typeof err === 'object' && err !== null) Object.assign(err, { $service: service, $command: operation });
          throw err;
        }
      },
      { step: 'initialize', name: 'bedrockMonitorAccounting', priority: 'high' },
    );
  }
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
};

function serviceName(ctorName: string): string {
  return SERVICE_NAMES[ctorName] ?? ctorName.replace(/Client$/, '');
}
