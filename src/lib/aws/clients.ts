import type { AwsCredentialIdentityProvider, Client, Logger, MetadataBearer } from '@smithy/types';
import type { Agent } from 'node:http';
import { stoppedError, type Interruption } from '../core/abort.js';
import { notAwsAnswer } from './not-aws.js';
import { loadAsync } from '../sdk/load.js';

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
   * Credentials for another account (an assumed role, see assume.ts); unset, the caller's: the SDK's default
   * chain (the profile, AWS_* variables, SSO, instance roles), the run's one (`shared`) or else each client's own.
   */
  credentials?: AwsCredentialIdentityProvider;
  /** The account these clients act in, when the run has many targets (request records name it). */
  account?: string;
  /** The run's interrupt: its signal goes with every request (an in-flight one is abandoned, no new one starts). */
  interruption?: Interruption;
  /**
   * What every client of the run shares, across its targets: one connection pool and the caller's credentials,
   * resolved once (unset, each client makes its own, as the SDK does by default).
   */
  shared?: SharedSdk;
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
 * the same Region, profile, the run's connection pool and settings (SharedSdk), the caller's credentials
 * or the target's assumed-role ones, and endpoint override
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
    const { region, profile, endpointUrl, maxAttempts, requestHandler, credentials, onSdkWarning } = this.options;
    const client = new ctor({
      region: inRegion ?? region,
      // The run's connection pool, the caller's credentials and settings, each resolved once per run.
      ...this.options.shared?.forClient(inRegion ?? region),
      ...(onSdkWarning ? { logger: sdkLogger(onSdkWarning) } : {}),
      // Another account's (an assumed role): one provider per account (assume.ts).
      ...(credentials ? { credentials } : {}),
      ...(profile ? { profile } : {}),
      ...(endpointUrl ? { endpoint: endpointUrl, forcePathStyle: true } : {}),
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      // The caller's own handler (tests' recorded answers) wins over the run's pool.
      ...(requestHandler !== undefined ? { requestHandler } : {}),
    });
    this.instrument(client, serviceName(ctor.name));
    this.abortWith(client);
    this.clients.set(key, client);
    return client;
  }

  /** The run is over: its connections are closed (SharedSdk.close); a target's factory shares the run's. */
  async close(): Promise<void> {
    await this.options.shared?.close();
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

const quiet = (): void => undefined;

/** The SDK's logger: its warnings to `warn`, nothing else. */
function sdkLogger(warn: (message: string) => void): Logger {
  return { trace: quiet, debug: quiet, info: quiet, warn, error: quiet };
}

/**
 * What every SDK client of one run shares, across all its targets (made once in createContext; a target's
 * AwsClients inherits it with the run's options), as aws-cdk-cli's SdkProvider shares one handler and one base
 * credential chain:
 * - one connection pool: a keep-alive http and https Agent under every client's request handler, so a client's
 *   first request reuses a connection another client of the run opened instead of a new TCP (and TLS)
 *   handshake. Each client still gets its own NodeHttpHandler from the SDK, built as the SDK builds its default one
 *   (the connection timeout of the defaults mode, AWS_DEFAULTS_MODE or defaults_mode, for the client's Region; the
 *   client's logger and socket timeout), over these agents. `maxSockets` is the SDK's 50 per host for each target
 *   running at once.
 * - the caller's credentials: the SDK's default provider chain (env, shared files with the profile, SSO, process,
 *   web identity, container and instance metadata), made once and memoized by the SDK (refreshed before they
 *   expire), instead of once per client. Assumed roles have their own provider per account (assume.ts).
 * - the settings every client reads from the environment and the profile in the shared config file (FIPS and
 *   dual-stack endpoints, max attempts and retry mode, auth scheme preference, app ID): each read once per run by
 *   the SDK's own loader and option set (`loadConfig`, the same variables, keys and defaults as every client's).
 * `close()` at the end of the run closes the idle connections, and each busy one once its answer is in.
 */
export class SharedSdk {
  private agents?: Promise<{ httpAgent: Agent; httpsAgent: Agent }>;
  private readonly regions = new Map<string, Record<string, unknown>>();
  private readonly modes = new Map<string, Promise<{ retryMode?: string }>>();
  private readonly settings = new Map<string, Promise<Record<string, () => Promise<unknown>>>>();
  private chain?: Promise<AwsCredentialIdentityProvider>;
  private closed = false;

  constructor(
    private readonly run: {
      region: string;
      profile?: string | undefined;
      /** Targets running at once (1 for a single-target run). */
      concurrency: number;
      onSdkWarning?: ((message: string) => void) | undefined;
    },
  ) {}

  /** A client's configuration from the run: its request handler, the caller's credentials and the settings. */
  forClient(region: string): Record<string, unknown> {
    let config = this.regions.get(region);
    if (!config) {
      const setting = (name: string) => async () => (await this.loadSettings(region))[name]!();
      config = {
        requestHandler: this.handlerFor(region),
        credentials: this.credentials,
        ...Object.fromEntries(SETTINGS.map((name) => [name, setting(name)])),
      };
      this.regions.set(region, config);
    }
    return config;
  }

  /** The caller's credentials: one SDK default chain for the run (marked memoized: the SDK does not wrap it again). */
  readonly credentials: AwsCredentialIdentityProvider = Object.assign(
    async (props?: Record<string, unknown>) => (await this.defaultChain())(props),
    { memoized: true },
  );

  /**
   * Ends the run's connections: the idle ones now, a busy one when its answer is in. What the run's clients started
   * loading (a client's handler asks for its options when the client is made) is waited for first, so nothing of
   * the run is still loading once it has returned.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.chain, ...this.modes.values(), ...this.settings.values()]);
    const agents = await this.agents?.catch(() => undefined);
    if (agents) [agents.httpAgent, agents.httpsAgent].forEach(release);
  }

  /**
   * A client's request handler: options the SDK builds the client's NodeHttpHandler from (a provider, as the
   * SDK's own default is), with the run's agents.
   */
  private handlerFor(region: string): () => Promise<object> {
    return async () => {
      const [defaults, agents] = await Promise.all([this.modeDefaults(region), this.pool()]);
      return { ...defaults, ...agents };
    };
  }

  private pool(): Promise<{ httpAgent: Agent; httpsAgent: Agent }> {
    this.agents ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => {
      const options = { keepAlive: !this.closed, maxSockets: 50 * Math.max(1, this.run.concurrency) };
      // A client's destroy() destroys its handler's agents: these are the run's, which close() ends.
      const keep = <A extends Agent>(agent: A): A => Object.assign(agent, { destroy: quiet });
      return { httpAgent: keep(new http.Agent(options)), httpsAgent: keep(new https.Agent(options)) };
    });
    return this.agents;
  }

  /** What the SDK's defaults mode gives a client in `region` (connection timeout, retry mode), resolved once. */
  private modeDefaults(region: string): Promise<{ retryMode?: string }> {
    let mode = this.modes.get(region);
    if (!mode) {
      mode = Promise.all([loadAsync('@smithy/core/config'), loadAsync('@smithy/smithy-client')]).then(
        async ([{ resolveDefaultsModeConfig }, { loadConfigsForDefaultMode }]) =>
          loadConfigsForDefaultMode(await resolveDefaultsModeConfig({ region })()),
      );
      this.modes.set(region, mode);
    }
    return mode;
  }

  /** Each setting's provider, as the SDK's clients make it (retry mode's default from the Region's defaults mode). */
  private loadSettings(region: string): Promise<Record<string, () => Promise<unknown>>> {
    const known = this.settings.get(region);
    if (known) return known;
    const loaded = Promise.all([
      loadAsync('@smithy/core/config'),
      loadAsync('@smithy/core/retry'),
      loadAsync('@aws-sdk/core'),
      loadAsync('@aws-sdk/core/client'),
    ]).then(([config, retry, auth, client]) => {
      const from = { profile: this.run.profile };
      const load = <T>(options: Parameters<typeof config.loadConfig<T>>[0]) => config.loadConfig(options, from);
      return {
        useFipsEndpoint: load(config.NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS),
        useDualstackEndpoint: load(config.NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS),
        authSchemePreference: load(auth.NODE_AUTH_SCHEME_PREFERENCE_OPTIONS),
        userAgentAppId: load(client.NODE_APP_ID_CONFIG_OPTIONS),
        maxAttempts: load(retry.NODE_MAX_ATTEMPT_CONFIG_OPTIONS),
        retryMode: load({
          ...retry.NODE_RETRY_MODE_CONFIG_OPTIONS,
          default: async () => (await this.modeDefaults(region)).retryMode || retry.DEFAULT_RETRY_MODE,
        }),
      };
    });
    this.settings.set(region, loaded);
    return loaded;
  }

  private defaultChain(): Promise<AwsCredentialIdentityProvider> {
    this.chain ??= loadAsync('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => {
      const { region, profile, onSdkWarning } = this.run;
      const logger = onSdkWarning ? sdkLogger(onSdkWarning) : undefined;
      // What the SDK gives its default chain from a client's configuration: the nested STS and SSO clients (a
      // profile's role_arn, web identity, SSO) take their Region, profile, logger and handler from it.
      const client = { region, profile, logger, requestHandler: this.handlerFor(region) };
      return defaultProvider({ profile, logger, parentClientConfig: client });
    });
    return this.chain;
  }
}

/** The client settings SharedSdk resolves once per run (every client we use reads them the same way). */
const SETTINGS = [
  'useFipsEndpoint',
  'useDualstackEndpoint',
  'authSchemePreference',
  'userAgentAppId',
  'maxAttempts',
  'retryMode',
] as const;

/** No more keep-alive: idle sockets closed now, busy ones by the agent when their answer is in (Node's Agent). */
function release(agent: Agent): void {
  Object.assign(agent, { keepAlive: false });
  for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
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
