import { AwsClients, SharedSdk, type AwsOptions, type RequestRecord } from '../aws/clients.js';
import { assumedRoleCredentials } from '../aws/assume.js';
import { roleArnFor, type Target } from '../core/targets.js';
import { ReadCache } from '../aws/read-cache.js';
import {
  accountFacts,
  defaultBucketName,
  resolveSettings,
  type AccountFacts,
  type GlobalOptions,
  type RegionView,
  type SettingOverrides,
  type Settings,
} from '../config/settings.js';
import { BmError, usageError } from '../core/errors.js';
import { RunEvents } from '../io/events.js';
import { truthyEnv, type IO, type Output } from '../io/output.js';
import { targetFlags } from '../core/flags.js';
import { Interruption, sleepUnlessStopped, throwIfStopped } from '../core/abort.js';
import { load, loadAsync } from '../sdk/load.js';

/** What every command's logic receives: settings, the client factory, output, the clock and run flags. */
export interface Ctx {
  settings: Settings;
  /**
   * What the account's settings mean for Region-level resources (the trail's bucket statements, Budgets on the
   * topic, the CUR export's bucket), computed once per account: the one way a Region-level step learns of them.
   */
  accountFacts: AccountFacts;
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
  /** In a run over many targets: the account and Region this context works on (unset for one target). */
  target?: Target;
  /**
   * The context for one target of a fleet run: its Region's settings (account-level steps only in
   * `home`), clients with the caller's credentials in the caller's account and an assumed role elsewhere,
   * its own read cache, and `out` (which writes nothing while targets run at once). No request is made.
   */
  forTarget(target: Target, f: { home: string; caller: string; out: Output }): Promise<Ctx>;
  /** Fires on Ctrl-C or SIGTERM: every AWS request, wait and step loop stops on it. */
  signal: AbortSignal;
  /** The run's interrupt, which keeps what was done for the last-resort report. */
  interruption: Interruption;
  /** The target flags the person gave, as words to repeat in the commands a hint names (` --region …`). */
  targetFlags: string;
  /** Receives each outcome as ensure and cleanup reach it (a step's runner collects its own). */
  record?(outcome: { action: string; resource: string; name: string }): void;
}

/**
 * The context a Region-level step's functions receive (setup/steps.ts): its settings are the Region's and the
 * run's (RegionView), so reading an account-level key there is a type error; what the account's settings mean
 * for the Region comes in `accountFacts`. A Ctx is one.
 */
export type RegionCtx = Omit<Ctx, 'settings'> & { settings: RegionView };

/** What tests (and only tests) inject: the clock, sleeping, request accounting, SDK transport. */
export interface CtxDeps {
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Receives every AWS call (tests count writes with it). */
  onRequest?: (r: RequestRecord) => void;
  maxAttempts?: number;
  requestHandler?: unknown;
  /** The run's interrupt (the bin stops it on SIGINT and SIGTERM; tests stop it themselves). */
  interruption?: Interruption;
}

async function regionOfProfile(env: NodeJS.ProcessEnv, profile: string | undefined): Promise<string | undefined> {
  try {
    const { loadSharedConfigFiles } = load('@smithy/shared-ini-file-loader');
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
  const { loadSharedConfigFiles } = load('@smithy/shared-ini-file-loader');
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
  const interruption = deps.interruption ?? new Interruption();
  const events = new RunEvents(out);
  // The SDK's notices (e.g. AWS_PROFILE and access keys both set) only with --verbose.
  const onSdkWarning = (m: string): void => events.debug(m);
  const { region, profile } = settings;
  const aws = new AwsClients({
    interruption,
    region,
    profile,
    endpointUrl: settings.endpointUrl,
    maxAttempts: deps.maxAttempts,
    requestHandler: deps.requestHandler,
    onRequest: (r) => {
      events.debug(`→ ${r.service} ${r.operation}`);
      deps.onRequest?.(r);
    },
    onSdkWarning,
    // One connection pool and one resolution of the caller's credentials for the run, its targets included.
    shared: new SharedSdk({ region, profile, concurrency: settings.targets.concurrency, onSdkWarning }),
  });
  const base = buildCtx(settings, aws, { opts, io, out, events, deps, interruption });
  base.forTarget = targetContexts(settings, aws, { opts, overrides, io, deps, interruption });
  return base;
}

/**
 * How a run context makes the context of one target: one credential source per account, shared by its Regions
 * (one AssumeRole per account, not per target); repair hints name the target, not the whole selection.
 */
function targetContexts(
  settings: Settings,
  aws: AwsClients,
  env: { opts: GlobalOptions; overrides: SettingOverrides; io: IO; deps: CtxDeps; interruption: Interruption },
): Ctx['forTarget'] {
  const { opts, overrides, io, deps, interruption } = env;
  const assumed = new Map<string, AwsOptions['credentials']>();
  // Once per account: every Region of it sees the same facts (the fleet's home Region's).
  const facts = new Map<string, AccountFacts>();
  const credentialsFor = (account: string, caller: string): AwsOptions['credentials'] => {
    if (account === caller) return undefined;
    if (!assumed.has(account)) {
      const t = settings.targets;
      const roleArn = roleArnFor(account, t.assumeRole, settings.region);
      assumed.set(account, assumedRoleCredentials(aws, { roleArn, externalId: t.externalId }));
    }
    return assumed.get(account);
  };
  return async (target, f) => {
    const s = await resolveSettings(
      { ...opts, region: target.region },
      overrides,
      io.env,
      () => Promise.resolve(undefined),
      io.cwd,
    );
    const clients = new AwsClients({
      ...aws.options,
      region: target.region,
      account: target.account,
      credentials: credentialsFor(target.account, f.caller),
    });
    // Each target's warnings are its own (the fleet view puts them on its row).
    const own = new RunEvents(f.out);
    const settings = { ...s, homeRegion: f.home };
    if (!facts.has(target.account)) facts.set(target.account, accountFacts(settings));
    const ctx = buildCtx(settings, clients, {
      opts,
      io,
      out: f.out,
      events: own,
      deps,
      interruption,
    });
    const flags = targetFlags({ ...opts, region: undefined, regions: undefined, accounts: undefined });
    return { ...ctx, accountFacts: facts.get(target.account)!, interactive: false, target, targetFlags: flags };
  };
}

function buildCtx(
  settings: Settings,
  aws: AwsClients,
  env: { opts: GlobalOptions; io: IO; out: Output; events: RunEvents; deps: CtxDeps; interruption: Interruption },
): Ctx {
  const { opts, io, out, events, deps, interruption } = env;
  const signal = interruption.signal;
  let accountPromise: Promise<string> | undefined;
  const account = (): Promise<string> => {
    // STS is loaded on first use: a command that needs no account ID (a report over local files) never loads it.
    accountPromise ??= loadAsync('@aws-sdk/client-sts')
      .then(({ STSClient, GetCallerIdentityCommand }) => aws.get(STSClient).send(new GetCallerIdentityCommand({})))
      .then((r) => {
        if (!r.Account) throw new BmError('STS GetCallerIdentity returned no account ID', { code: 'E_AWS_NO_ACCOUNT' });
        return r.Account;
      });
    return accountPromise;
  };
  return {
    settings,
    accountFacts: accountFacts(settings),
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
    sleep: deps.sleep
      ? (ms) => deps.sleep!(ms).then(() => throwIfStopped(signal))
      : (ms) => sleepUnlessStopped(ms, signal),
    now: deps.now ?? (() => new Date()),
    forTarget: () => Promise.reject(new BmError('forTarget: only the run context makes target contexts')),
    signal,
    interruption,
    targetFlags: targetFlags(opts),
    record: (o) => interruption.record(o),
  };
}
