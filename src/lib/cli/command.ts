import { InvalidArgumentError, Option, type Command } from 'commander';
import type { SettingOverrides, GlobalOptions } from '../config/settings.js';
import type { Ctx, CtxDeps } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { checkEmail, checkEndpointUrl, checkRegion } from '../core/validate.js';
import { checkRoleName, DEFAULT_ASSUME_ROLE, parseAccounts, parseRegions } from '../core/targets.js';
import type { BmError } from '../core/errors.js';
import { ExitCode, errorJson, usageError, type ExitCodeValue } from '../core/errors.js';
import { Output, type IO } from '../io/output.js';
import { renderOutcomes, renderStepResult } from '../setup/render.js';
import type { FleetView } from './fleet-view.js';

/**
 * Glue between a thin command file and the logic in src/lib. A command file declares its flags,
 * maps them to setting overrides and calls one lib function; this module adds the options every
 * command shares (only those it uses), validates, builds the context, prints the result (human or
 * --json) and hands the exit code back to main().
 * It must stay cheap to import: the AWS SDK is loaded only when a command runs.
 */

export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown' | 'html';

export interface CommandResult {
  /** Exactly what --json prints; the human view is drawn from the same object. */
  data: unknown;
  render(out: Output, format: OutputFormat): void;
  exitCode?: ExitCodeValue;
  /**
   * An error to end with after the result is shown (setup-all with failed steps): main() prints it
   * and exits with its code; with --json it is part of the document, under "error".
   */
  error?: BmError;
}

/** Flags only some commands honour; a command's help lists only its own. */
export type RunFlag = 'dry-run' | 'yes' | 'force';

const RUN_FLAG_HELP: Record<RunFlag, string> = {
  'dry-run': 'show what would change; make no write request',
  yes: 'do not ask for confirmation (CI does the same)',
  force: 'change a same-named resource the tool does not own (adopts it: updates and tags it)',
};

/** What every command declares, whatever it does. */
interface SpecBase {
  name: string;
  summary: string;
  examples: string[];
  /** The command's own options and arguments. */
  configure?(cmd: Command): void;
  /** Formats besides table/json that this command can print. */
  formats?: OutputFormat[];
  /** Heading it is listed under in `bedrock-monitor --help` (default "Commands:"). */
  group?: string;
}

/** A command that calls AWS: it gets a context (settings, clients, events) built from its flags. */
export interface AwsCommandSpec<O> extends SpecBase {
  run(ctx: Ctx, opts: O, args: string[]): Promise<CommandResult>;
  overrides?(opts: O): SettingOverrides;
  /** The run flags it honours, with an optional description of what each does here. */
  flags?: Partial<Record<RunFlag, string | true>>;
  /**
   * Interactive sessions only: asks for what the flags did not give, before settings are resolved
   * (setup-all asks for the Region here). Returns options to merge over the parsed ones.
   */
  prepare?(opts: O & GlobalOptions, io: IO): Promise<Partial<GlobalOptions> & object>;
  /**
   * Takes the target flags (--regions, --accounts, --assume-role): true, the run fans out over the targets (one
   * context each); 'self', the command reads many accounts and Regions itself (report and audit over log files).
   */
  targets?: true | 'self';
  /** Over many targets: which fleet view its per-target documents make (lib/cli/fleet-view.ts; default 'step'). */
  fleet?: FleetView;
  local?: never;
  children?: never;
}

/** A command that makes no AWS request (`config …`): no Region, no AWS options, no context. */
export interface LocalCommandSpec<O> extends SpecBase {
  local(env: { io: IO; out: Output; opts: O & GlobalOptions }, args: string[]): Promise<CommandResult>;
  run?: never;
  children?: never;
  flags?: never;
  targets?: never;
}

/** A command that only groups subcommands (`config set`, `config get`, …). */
export interface ParentCommandSpec extends SpecBase {
  children: CommandSpec<never>[];
  run?: never;
  local?: never;
  flags?: never;
  targets?: never;
}

/** A command that runs (not a parent). */
export type LeafCommandSpec<O> = AwsCommandSpec<O> | LocalCommandSpec<O>;

/** One of three kinds, told apart by `run`, `local` or `children` (exactly one is present). */
export type CommandSpec<O> = LeafCommandSpec<O> | ParentCommandSpec;

export function defineCommand<O>(spec: AwsCommandSpec<O>): AwsCommandSpec<O>;
export function defineCommand<O>(spec: LocalCommandSpec<O>): LocalCommandSpec<O>;
export function defineCommand(spec: ParentCommandSpec): ParentCommandSpec;
export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** A commander argParser from a validator: a bad value names the flag and what is allowed. */
export function checked(check: (v: string) => string | undefined): (v: string) => string {
  return (v) => {
    const msg = check(v);
    if (msg) throw new InvalidArgumentError(msg);
    return v;
  };
}

export function numeric(
  parse: (raw: string) => number | string,
  check?: (n: number) => string | undefined,
): (v: string) => number {
  return (v) => {
    const n = parse(v);
    if (typeof n === 'string') throw new InvalidArgumentError(n);
    const msg = check?.(n);
    if (msg) throw new InvalidArgumentError(msg);
    return n;
  };
}

/** A repeatable flag (`--email a --email b`), each value checked as it is parsed. */
export function repeatable(check: (v: string) => string | undefined): (v: string, previous?: string[]) => string[] {
  const one = checked(check);
  return (v, previous = []) => [...previous, one(v.trim())];
}

/** `--email`, as `alarms` and `setup-all` take it: repeatable, each address checked; their `overrides` map it. */
export function emailOption(cmd: Command): Command {
  return cmd.option(
    '--email <address>',
    'alert email address (repeatable; replaces config alarms.emails for this run)',
    repeatable(checkEmail),
  );
}

/** A single step's result: a line per resource, or one line when nothing changed. */
export function outcomesResult(
  outcomes: Outcome[],
  region?: string,
  more: (out: Output) => void = () => undefined,
): CommandResult {
  return {
    data: { outcomes },
    render: (out) => {
      renderStepResult(out, outcomes, region);
      more(out);
    },
  };
}

export const ONE_RUN_NOTE =
  'Flags apply to this run only. To keep a setting, use `bedrock-monitor config set KEY VALUE`.';

/** The options every command shares, as far as it uses them, grouped under their own headings. */
export function addSharedOptions(cmd: Command, spec: LeafCommandSpec<never>): void {
  for (const [flag, text] of Object.entries(spec.flags ?? {}) as [RunFlag, string | true][]) {
    const help = text === true ? RUN_FLAG_HELP[flag] : text;
    cmd.option(flag === 'yes' ? '-y, --yes' : `--${flag}`, help);
  }
  // Commands that make no AWS request list their few options together.
  const group = (o: Option, heading: string): Option => (spec.local ? o : o.helpGroup(heading));
  if (!spec.local) {
    cmd.addOption(
      group(
        new Option(
          '--region <region>',
          "AWS Region (else AWS_REGION, AWS_DEFAULT_REGION, config region, the profile's region)",
        ).argParser(checked(checkRegion)),
        'AWS options:',
      ),
    );
    cmd.addOption(
      group(
        new Option('--profile <name>', 'profile in ~/.aws/config or ~/.aws/credentials (else AWS_PROFILE)'),
        'AWS options:',
      ),
    );
    cmd.addOption(
      group(
        new Option(
          '--endpoint-url <url>',
          'send every AWS request here, e.g. a local emulator (else AWS_ENDPOINT_URL)',
        ).argParser(checked(checkEndpointUrl)),
        'AWS options:',
      ),
    );
  }
  if (spec.targets) addTargetOptions(cmd);
  cmd.addOption(
    group(
      new Option('--config <file>', 'config file (default ./bedrock-monitor.config.json)'),
      spec.local ? 'Output options:' : 'AWS options:',
    ),
  );
  const formats = ['table', 'json', ...(spec.formats ?? [])];
  cmd.addOption(group(new Option('--json', 'print the result (or the error) as JSON on stdout'), 'Output options:'));
  if (formats.length > 2 || !spec.local)
    cmd.addOption(group(new Option('--output <format>', 'output format').choices(formats), 'Output options:'));
  cmd.addOption(group(new Option('--no-color', 'no colours (NO_COLOR is honoured too)'), 'Output options:'));
  if (!spec.local)
    cmd.addOption(
      group(new Option('--verbose', 'log every AWS request and runtime warnings on stderr'), 'Output options:'),
    );
}

/** A commander argParser from a parser that returns the value or `{ error }`. */
function parsed<T>(parse: (raw: string) => T | { error: string }): (v: string) => T {
  return (v) => {
    const r = parse(v);
    if (typeof r === 'object' && r !== null && 'error' in r) throw new InvalidArgumentError(r.error);
    return r;
  };
}

function addTargetOptions(cmd: Command): void {
  const heading = 'Target options (many accounts and Regions):';
  cmd.addOption(
    new Option('--regions <list>', 'Regions to work on, comma-separated, or "all" (config targets.regions)')
      .argParser(parsed(parseRegions))
      .helpGroup(heading),
  );
  cmd.addOption(
    new Option('--accounts <list>', 'account IDs, comma-separated, or "org" (config targets.accounts)')
      .argParser(parsed(parseAccounts))
      .helpGroup(heading),
  );
  cmd.addOption(
    new Option('--assume-role <name>', `role assumed in the other accounts (default ${DEFAULT_ASSUME_ROLE})`)
      .argParser(checked(checkRoleName))
      .helpGroup(heading),
  );
}

/** A result's document with the run's warnings added to its `warnings` (each once); as it was when there are none. */
export function withWarnings(data: unknown, warnings: string[]): unknown {
  if (!warnings.length || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const own = (data as { warnings?: unknown }).warnings;
  const kept = Array.isArray(own) ? (own as unknown[]) : [];
  return { ...data, warnings: [...kept, ...warnings.filter((w) => !kept.includes(w))] };
}

export interface RunEnv {
  io: IO;
  deps: CtxDeps;
}

/** Errors already printed as part of a --json document: main() must not print them again. */
export const shownAsJson = new WeakSet<BmError>();

/**
 * A command that stopped (an error, Ctrl-C) after it had created, changed or deleted something
 * still lists what it did, then ends with the error: partial work is never hidden.
 */
async function partialResult(err: unknown, done: object[]): Promise<CommandResult> {
  if (!done.some((o) => ['created', 'updated', 'deleted'].includes((o as Outcome).action))) throw err;
  const { toBmError } = await import('../aws/errors.js');
  const error = toBmError(err);
  const outcomes = done as Outcome[];
  return {
    data: { outcomes, partial: true },
    error,
    render: (out) => {
      out.say(error.interrupted ? 'Done before the interrupt:' : 'Done before the error:');
      renderOutcomes(out, outcomes);
      out.print('');
    },
  };
}

/** The command's logic on its context: over the fleet when it has targets, else the one account and Region. */
async function runWith<O extends object>(ctx: Ctx, spec: AwsCommandSpec<O>, all: GlobalOptions & O, args: string[]) {
  const t = ctx.settings.targets;
  if (spec.targets === true && (t.regions !== undefined || t.accounts !== undefined)) {
    const { runFleet } = await import('./fleet.js');
    return runFleet(ctx, spec.fleet ?? 'step', (c) => spec.run(c, all, args)).catch((err: unknown) =>
      partialResult(err, ctx.interruption.done),
    );
  }
  return spec.run(ctx, all, args).catch(async (err: unknown) => {
    // A Region the account has not enabled answers like bad credentials: said as what it is.
    const { explainRegionFailure } = await import('../context/region-enabled.js');
    return partialResult(await explainRegionFailure(ctx.aws, ctx.settings.region, err), ctx.interruption.done);
  });
}

export async function execute<O extends object>(spec: LeafCommandSpec<O>, cmd: Command, env: RunEnv): Promise<number> {
  const all = cmd.optsWithGlobals<GlobalOptions & O>();
  if (all.json && all.output !== undefined && all.output !== 'json')
    throw usageError(
      `--json and --output ${String(all.output)} ask for two formats: give one`,
      undefined,
      undefined,
      'E_USAGE_OUTPUT',
    );
  const format: OutputFormat = all.json ? 'json' : ((all.output as OutputFormat | undefined) ?? 'table');
  const allowed: OutputFormat[] = ['table', 'json', ...(spec.formats ?? [])];
  if (!allowed.includes(format))
    throw usageError(
      `--output: "${format}" is not available for ${spec.name} (use ${allowed.join(' or ')})`,
      undefined,
      undefined,
      'E_USAGE_OUTPUT',
    );
  const out = new Output(env.io, {
    json: format === 'json',
    color: all.color !== false,
    verbose: all.verbose === true,
  });
  const args = cmd.args;
  let result: CommandResult;
  let warnings: string[] = [];
  if (spec.local) {
    result = await spec.local({ io: env.io, out, opts: all }, args);
  } else {
    const { checkProfile, createContext, isInteractive } = await import('../context/context.js');
    await checkProfile(all, env.io);
    if (spec.prepare && isInteractive(env.io, all)) Object.assign(all, await spec.prepare(all, env.io));
    const ctx = await createContext(all, spec.overrides?.(all) ?? {}, env.io, out, env.deps);
    try {
      result = await runWith(ctx, spec, all, args);
    } finally {
      // The run's connections closed: nothing of it stays open once the command returns.
      await ctx.aws.close();
    }
    warnings = ctx.events.warnings;
  }
  // The warnings reported through ctx.events: once on stderr, and in the document (`warnings`).
  for (const w of warnings) out.warn(w);
  const data = withWarnings(result.data, warnings);
  if (format === 'json') out.printJson(result.error ? { ...(data as object), error: errorJson(result.error) } : data);
  else result.render(out, format);
  if (result.error) {
    if (format === 'json') shownAsJson.add(result.error);
    throw result.error;
  }
  return result.exitCode ?? ExitCode.ok;
}
