import type { Client, MetadataBearer } from '@smithy/types';

// The SDK warns on every run under Node 20 about a future minimum version. That is for us to act on
// (engines field), not something to print on every user's terminal.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface RequestRecord {
  service: string;
  operation: string;
  write: boolean;
}

export interface AwsOptions {
  region: string;
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  maxAttempts?: number;
  /** Called for every request the SDK sends (after validation, before retries). */
  onRequest?: (r: RequestRecord) => void;
}

const READ_PREFIX = /^(Get|List|Describe|Head|Filter|StartQuery|StopQuery|TestMetric)/;

export function isWriteOperation(operation: string): boolean {
  return !READ_PREFIX.test(operation);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = Client<any, MetadataBearer, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClientCtor<C extends AnyClient> = new (config: any) => C;

/**
 * The one AWS client factory. Every client gets the same Region, profile (shared credentials chain),
 * endpoint override (S3 path-style when set), retry policy, request accounting and error annotation.
 * Clients are created on first use, so a command loads only the SDK packages it needs.
 */
export class AwsClients {
  private readonly clients = new Map<unknown, AnyClient>();
  readonly requests: RequestRecord[] = [];

  constructor(readonly options: AwsOptions) {}

  get<C extends AnyClient>(ctor: ClientCtor<C>): C {
    const existing = this.clients.get(ctor);
    if (existing) return existing as C;
    const { region, profile, endpointUrl } = this.options;
    const client = new ctor({
      region,
      ...(profile ? { profile } : {}),
      ...(endpointUrl ? { endpoint: endpointUrl, forcePathStyle: true } : {}),
      maxAttempts: this.options.maxAttempts ?? 5,
      retryMode: 'standard',
    });
    const service = serviceName(ctor.name);
    // Wrap send() on the instance (looking the prototype's send up at call time, so test doubles
    // installed with aws-sdk-client-mock are still counted and annotated like real calls).
    const proto = Object.getPrototypeOf(client) as { send: (...a: unknown[]) => Promise<unknown> };
    const wrapped = async (command: { constructor: { name: string } }, ...rest: unknown[]): Promise<unknown> => {
      const operation = command.constructor.name.replace(/Command$/, '');
      const record = { service, operation, write: isWriteOperation(operation) };
      this.requests.push(record);
      this.options.onRequest?.(record);
      try {
        return await proto.send.call(client, command, ...rest);
      } catch (err) {
        if (typeof err === 'object' && err !== null) Object.assign(err, { $service: service, $command: operation });
        throw err;
      }
    };
    Object.assign(client, { send: wrapped });
    this.clients.set(ctor, client);
    return client;
  }

  writeCount(): number {
    return this.requests.filter((r) => r.write).length;
  }
}

const SERVICE_NAMES: Record<string, string> = {
  IAMClient: 'IAM',
  S3Client: 'S3',
  CloudWatchLogsClient: 'CloudWatch Logs',
  CloudWatchClient: 'CloudWatch',
  SNSClient: 'SNS',
  STSClient: 'STS',
  BedrockClient: 'Bedrock',
};

function serviceName(ctorName: string): string {
  return SERVICE_NAMES[ctorName] ?? ctorName.replace(/Client$/, '');
}
