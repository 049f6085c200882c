import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { addSharedOptions, execute, ONE_RUN_NOTE, shownAsJson, type CommandSpec } from './lib/cli/command.js';
import type { CtxDeps } from './lib/context/context.js';
import { toBmError } from './lib/aws/errors.js';
import type { BmError, ErrorCode } from './lib/core/errors.js';
import { ExitCode, errorJson, usageError } from './lib/core/errors.js';
import type { Interruption } from './lib/core/abort.js';
import { nearest } from './lib/core/suggest.js';
import { Output, type IO } from './lib/io/output.js';
import setupAll from './commands/setup-all.js';
import status from './commands/status.js';
import report from './commands/report.js';
import cleanup from './commands/cleanup.js';
import config from './commands/config.js';
import setupIam from './commands/setup-iam.js';
import createBucket from './commands/create-bucket.js';
import createLogGroup from './commands/create-log-group.js';
import enableLogging from './commands/enable-logging.js';
import dashboard from './commands/dashboard.js';
import alarms from './commands/alarms.js';
import audit from './commands/audit.js';
import auditTrail from './commands/audit-trail.js';
import prices from './commands/prices.js';
import bill from './commands/bill.js';
import budget from './commands/budget.js';
import athenaTable from './commands/athena-table.js';
import curExport from './commands/cur-export.js';

/** In the order `--help` lists them: setup-all first, the single steps after the everyday commands. */
const COMMANDS: CommandSpec<never>[] = [
  setupAll,
  status,
  report,
  audit,
  prices,
  bill,
  cleanup,
  config,
  setupIam,
  createBucket,
  createLogGroup,
  enableLogging,
  dashboard,
  alarms,
  auditTrail,
  budget,
  athenaTable,
  curExport,
];

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

const EXIT_CODES =
  'Exit codes: 0 ok, 1 runtime or AWS failure, 2 invalid input or refused action, 3 status found drift, 130 ' +
  'interrupted (Ctrl-C), 143 terminated (SIGTERM).';

function defaultIO(): IO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

function addCommand(
  parent: Command,
  spec: CommandSpec<never>,
  env: { io: IO; deps: CtxDeps; setExit: (code: number) => void },
): void {
  const cmd = parent.command(spec.name).description(spec.summary);
  if (spec.group) cmd.helpGroup(spec.group);
  spec.configure?.(cmd);
  if (spec.children) {
    for (const child of spec.children) addCommand(cmd, child, env);
  } else {
    addSharedOptions(cmd, spec);
    cmd.action(async (...a: unknown[]) => {
      env.setExit(await execute(spec, a[a.length - 1] as Command, { io: env.io, deps: env.deps }));
    });
  }
  const examples = spec.examples.length ? `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n` : '';
  cmd.addHelpText('after', `${examples}${spec.local || spec.children ? '' : `\n${ONE_RUN_NOTE}\n`}`);
}

export function buildProgram(io: IO, deps: CtxDeps, setExit: (code: number) => void): Command {
  const program = new Command('bedrock-monitor')
    .description(
      'Monitoring for Amazon Bedrock in one AWS account and Region: invocation logging, dashboard, alarms, ' +
        'usage and cost report.',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ helpWidth: Math.min(100, Number(io.env.COLUMNS) || io.stdout.columns || 80) })
    // Errors go through main()'s one error path; help and version are results (stdout).
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined,
    });
  program.addHelpText(
    'after',
    `\n${EXIT_CODES}\nRun \`bedrock-monitor <command> --help\` for its options and examples.\n`,
  );
  for (const spec of COMMANDS) addCommand(program, spec, { io, deps, setExit });
  return program;
}

/** Every command name, in listing order (for "did you mean"). */
function commandNames(program: Command): string[] {
  return program.commands.flatMap((c) => [c.name(), ...c.commands.map((s) => `${c.name()} ${s.name()}`)]);
}

/** Commander's error codes → ours (docs/errors.md). */
const COMMANDER_CODES: Record<string, ErrorCode> = {
  'commander.unknownCommand': 'E_USAGE_UNKNOWN_COMMAND',
  'commander.unknownOption': 'E_USAGE_UNKNOWN_OPTION',
  'commander.invalidArgument': 'E_USAGE_INVALID_VALUE',
  'commander.missingArgument': 'E_USAGE_MISSING_ARGUMENT',
  'commander.optionMissingArgument': 'E_USAGE_MISSING_ARGUMENT',
  'commander.missingMandatoryOptionValue': 'E_USAGE_MISSING_ARGUMENT',
  'commander.excessArguments': 'E_USAGE_EXTRA_ARGUMENT',
  'commander.conflictingOption': 'E_USAGE_CONFLICT',
};

/** Commander's parse errors, as the one error type: invalid input (exit 2), with its suggestion as the hint. */
function fromCommander(err: CommanderError, program: Command, argv: string[]): BmError {
  const text = err.message
    .replace(/^error: /, '')
    // "option '--hours <n>' argument 'x' is invalid. …" → "--hours: …", naming the flag first.
    .replace(
      /^option '(-\S+?)(?:, (--\S+))?(?: <[^>]*>)?' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/,
      (_m, a: string, b: string | undefined, v: string, c: string) => `${b ?? a}: "${v}" is not one of ${c}`,
    )
    .replace(
      /^option '(-\S+?)(?:, (--\S+))?(?: <[^>]*>)?' argument '.*' is invalid\. /,
      (_m, a: string, b: string | undefined) => `${b ?? a}: `,
    );
  const [message, ...rest] = text.split('\n');
  let hint = rest.join('\n').replace(/^\((.*)\)$/, '$1') || undefined;
  if (err.code === 'commander.unknownCommand') {
    const word = /'([^']*)'/.exec(message ?? '')?.[1] ?? '';
    const parent =
      argv.indexOf(word) > 0 ? program.commands.find((c) => c.name() === argv[argv.indexOf(word) - 1]) : undefined;
    const names = parent ? parent.commands.map((c) => c.name()) : program.commands.map((c) => c.name());
    const guess = nearest(word, names);
    hint = guess
      ? `Did you mean ${parent ? `${parent.name()} ` : ''}${guess}?`
      : `Commands: ${commandNames(program).join(', ')}.`;
  }
  if (err.code === 'commander.unknownOption' && !hint) {
    const names = program.commands.map((c) => c.name());
    const cmd = argv.find((a) => names.includes(a));
    if (cmd) hint = `\`bedrock-monitor ${cmd}${cmd === 'config' ? ' <command>' : ''} --help\` lists its options.`;
  }
  // A command that needs a subcommand was given none: its help is already on stderr.
  if (err.code === 'commander.help')
    return usageError(
      `${argv.filter((a) => !a.startsWith('-')).join(' ')} needs one of its commands (see above)`,
      undefined,
      undefined,
      'E_USAGE_NO_SUBCOMMAND',
    );
  if (err.code === 'commander.missingArgument' || err.code === 'commander.optionMissingArgument')
    hint ??= 'Add --help to see how the command is used.';
  return usageError(message ?? text, hint, undefined, COMMANDER_CODES[err.code] ?? 'E_USAGE');
}

function wantsJson(argv: string[]): boolean {
  return (
    argv.includes('--json') ||
    argv.some((a, i) => (a === '--output' && argv[i + 1] === 'json') || a === '--output=json')
  );
}

/**
 * The last resort after Ctrl-C or SIGTERM, when the run did not end by itself in time (or on a
 * second Ctrl-C): what it had done so far, and the exit code (130, or 143 for SIGTERM).
 */
export function onInterrupt(run: Interruption, io: Pick<IO, 'stderr'> = defaultIO()): number {
  const done = run.done.map((d) => `  ${d.action.padEnd(8)} ${d.resource} ${d.name}\n`).join('');
  io.stderr.write(
    done
      ? `\nInterrupted. Done before it stopped:\n${done}Run the command again to converge from here.\n`
      : `\nInterrupted: nothing was created, changed or deleted.\n`,
  );
  return run.exitCode;
}

/**
 * Runs the CLI and returns the exit code. The one place errors are caught, printed and turned into
 * an exit code: 0 ok, 1 runtime/AWS failure, 2 invalid input or refused action, 3 drift, 130 interrupted.
 */
export async function main(argv: string[], ioOverride: Partial<IO> = {}, deps: CtxDeps = {}): Promise<number> {
  const io = { ...defaultIO(), ...ioOverride };
  const verbose = argv.includes('--verbose');
  // Runtime and deprecation warnings from dependencies are noise for a user: show them only with --verbose.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (verbose) io.stderr.write(`${w.name}: ${w.message}\n`);
  });

  let exitCode = 0;
  const program = buildProgram(io, deps, (c) => (exitCode = c));
  const json = wantsJson(argv);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    const e = err instanceof CommanderError ? fromCommander(err, program, argv) : toBmError(err);
    const out = new Output(io, { json, color: !argv.includes('--no-color'), verbose });
    out.error(e.message, e.hint, e.quiet);
    if (verbose && e.cause instanceof Error && e.cause.stack) out.debug(e.cause.stack);
    if (json && !shownAsJson.has(e)) out.printJson({ error: errorJson(e) });
    return e.exitCode;
  }
}
