import { AwsClients, type RequestRecord } from '../aws/clients.js';
import { ReadCache } from '../aws/read-cache.js';
import {
  defaultBucketName,
  resolveSettings,
  type GlobalOptions,
  type SettingOverrides,
  type Settings,
} from '../config/settings.js';
import { BmError, usageError } from '../core/errors.js';
import { RunEvents } from '../io/events.js';
import { truthyEnv, type IO, type Output } from '../io/output.js';

/** What every command's logic receives: settings, the client factory, output, the clock and run flags. */
export interface Ctx {
  settings: Settings;
  aws: AwsClients;
  /** Reads shared within this run; writes invalidate what they change. */
  cache: ReadCache;
  /** The command's output: for lib/cli only. Code below the commands reports through `events`. */
  out: Output;
  /** Warnings, notes, questions: the one event sink (lib/io/events.ts); nothing below the commands prints. */
  events: RunEvents;
  io: IO;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
  /** stdin and stderr are TTYs and neither --yes nor CI is set. */
  interactive: boolean;
  /** The account ID, from STS, asked once per run. */
  account(): Promise<string>;
  /** The configured bucket name, or the default for the account and Region. */
  bucketName(): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

/** What tests (and only tests) inject: the clock, sleeping, request accounting, SDK transport. */
export interface CtxDeps {
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Receives every AWS call (tests count writes with it). */
  onRequest?: (r: RequestRecord) => void;
  maxAttempts?: number;
  requestHandler?: unknown;
}

async function regionOfProfile(env: NodeJS.ProcessEnv, profile: string | undefined): Promise<string | undefined> {
  try {
    const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');
    const files = await loadSharedConfigFiles();
    const name = profile ?? env.AWS_PROFILE ?? 'default';
    return files.configFile?.[name]?.region ?? files.credentialsFile?.[name]?.region;
  } catch {
    return undefined;
  }
}

/** The shared files the SDK reads (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move them). */
function sharedFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE ?? process.env.AWS_CONFIG_FILE ?? '~/.aws/config',
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? process.env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials',
  };
}

/**
 * A named profile (--profile or AWS_PROFILE) must exist in the shared files: checked before any
 * request, so a typo is one line (exit 2) instead of a credentials error from deep in the SDK.
 */
export async function checkProfile(opts: { profile?: string }, io: IO): Promise<void> {
  const flag = opts.profile !== undefined;
  const name = opts.profile ?? (io.env.AWS_PROFILE || undefined);
  if (name === undefined) return;
  const paths = sharedFiles(io.env);
  const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');
  const files = await loadSharedConfigFiles({
    configFilepath: paths.config,
    filepath: paths.credentials,
    ignoreCache: true,
  });
  const known = [...new Set([...Object.keys(files.configFile ?? {}), ...Object.keys(files.credentialsFile ?? {})])];
  if (known.includes(name)) return;
  const where = (p: string, v: string): string => (p.startsWith('~') ? p : `${p} (${v})`);
  throw usageError(
    `${flag ? '--profile' : 'AWS_PROFILE'}: profile ${name} is not in ` +
      `${where(paths.config, 'AWS_CONFIG_FILE')} or ${where(paths.credentials, 'AWS_SHARED_CREDENTIALS_FILE')}`,
    known.length
      ? `Profiles there: ${known.sort().join(', ')}.`
      : `No profiles there: create one with \`aws configure --profile ${name}\`.`,
    undefined,
    'E_USAGE_PROFILE',
  );
}

export function isInteractive(io: IO, opts: { yes?: boolean }): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true && !opts.yes && !truthyEnv(io.env.CI);
}

/** Validates every input and builds the context. Makes no AWS request. */
export async function createContext(
  opts: GlobalOptions,
  overrides: SettingOverrides,
  io: IO,
  out: Output,
  deps: CtxDeps = {},
): Promise<Ctx> {
  const settings = await resolveSettings(opts, overrides, io.env, (p) => regionOfProfile(io.env, p), io.cwd);
  const events = new RunEvents(out);
  const aws = new AwsClients({
    region: settings.region,
    profile: settings.profile,
    endpointUrl: settings.endpointUrl,
    maxAttempts: deps.maxAttempts,
    requestHandler: deps.requestHandler,
    onRequest: (r) => {
      events.debug(`→ ${r.service} ${r.operation}`);
      deps.onRequest?.(r);
    },
    // The SDK's notices (e.g. AWS_PROFILE and access keys both set) only with --verbose.
    onSdkWarning: (m) => events.debug(m),
  });
  let accountPromise: Promise<string> | undefined;
  const account = (): Promise<string> => {
    // STS is loaded on first use: a command that needs no account ID (a report over local files) never loads it.
    accountPromise ??= import('@aws-sdk/client-sts')
      .then(({ STSClient, GetCallerIdentityCommand }) => aws.get(STSClient).send(new GetCallerIdentityCommand({})))
      .then((r) => {
        if (!r.Account) throw new BmError('STS GetCallerIdentity returned no account ID', { code: 'E_AWS_NO_ACCOUNT' });
        return r.Account;
      });
    return accountPromise;
  };
  return {
    settings,
    aws,
    cache: new ReadCache(),
    out,
    events,
    io,
    dryRun: opts.dryRun === true,
    yes: opts.yes === true,
    force: opts.force === true,
    interactive: isInteractive(io, opts),
    account,
    bucketName: async () => settings.bucketName ?? defaultBucketName(await account(), settings.region),
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: deps.now ?? (() => new Date()),
  };
}
