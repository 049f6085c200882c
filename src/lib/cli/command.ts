import { InvalidArgumentError, type Command } from 'commander';
import type { SettingOverrides, GlobalOptions } from '../config/settings.js';
import type { Ctx, CtxDeps } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { ExitCode, usageError, type ExitCodeValue } from '../core/errors.js';
import { Output, type IO } from '../io/output.js';
import { renderOutcomes } from '../setup/render.js';

/**
 * Glue between a thin command file and the logic in src/lib. A command file declares its flags,
 * maps them to setting overrides and calls one lib function; this module validates, builds the
 * context, prints the result (human or --json) and hands the exit code back to main().
 * It must stay cheap to import: the AWS SDK is loaded only when a command runs.
 */

export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown';

export interface CommandResult {
  /** Exactly what --json prints; the human view is drawn from the same object. */
  data: unknown;
  render(out: Output, format: OutputFormat): void;
  exitCode?: ExitCodeValue;
}

export interface CommandSpec<O> {
  name: string;
  summary: string;
  examples: string[];
  configure?(cmd: Command): void;
  overrides?(opts: O): SettingOverrides;
  /** Formats besides table/json that this command can print. */
  formats?: OutputFormat[];
  /**
   * Interactive sessions only: asks for what the flags did not give, before settings are resolved
   * (setup-all asks for the Region here). Returns options to merge over the parsed ones.
   */
  prepare?(opts: O & GlobalOptions, io: IO): Promise<Partial<O & GlobalOptions>>;
  run(ctx: Ctx, opts: O): Promise<CommandResult>;
}

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

export function numeric(parse: (raw: string) => number | string, check?: (n: number) => string | undefined): (v: string) => number {
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

export function outcomesResult(outcomes: Outcome[]): CommandResult {
  return {
    data: { outcomes },
    render: (out) => renderOutcomes(out, outcomes),
  };
}

export interface RunEnv {
  io: IO;
  deps: CtxDeps;
}

export async function execute<O extends object>(spec: CommandSpec<O>, cmd: Command, env: RunEnv): Promise<number> {
  const all = cmd.optsWithGlobals<GlobalOptions & O>();
  const format: OutputFormat = all.json ? 'json' : ((all.output as OutputFormat | undefined) ?? 'table');
  const allowed: OutputFormat[] = ['table', 'json', ...(spec.formats ?? [])];
  if (!allowed.includes(format)) throw usageError(`--output: "${format}" is not available for ${spec.name} (use ${allowed.join(' or ')})`);
  const out = new Output(env.io, { json: format === 'json', color: all.color !== false, verbose: all.verbose === true });
  const { createContext, isInteractive } = await import('../context/context.js');
  if (spec.prepare && isInteractive(env.io, all)) Object.assign(all, await spec.prepare(all, env.io));
  const ctx = await createContext(all, spec.overrides?.(all) ?? {}, env.io, out, env.deps);
  const result = await spec.run(ctx, all);
  if (format === 'json') out.printJson(result.data);
  else result.render(out, format);
  return result.exitCode ?? ExitCode.ok;
}
