import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { checked, execute, type CommandSpec } from './lib/cli/command.js';
import type { CtxDeps } from './lib/context/context.js';
import { toBmError } from './lib/aws/errors.js';
import { Output, type IO } from './lib/io/output.js';
import { checkEndpointUrl, checkRegion } from './lib/core/validate.js';
import createBucket from './commands/create-bucket.js';
import createLogGroup from './commands/create-log-group.js';
import enableLogging from './commands/enable-logging.js';
import setupIam from './commands/setup-iam.js';
import status from './commands/status.js';
import dashboard from './commands/dashboard.js';
import alarms from './commands/alarms.js';
import report from './commands/report.js';
import setupAll from './commands/setup-all.js';
import cleanup from './commands/cleanup.js';
import athenaTable from './commands/athena-table.js';

const COMMANDS: CommandSpec<never>[] = [setupIam, createBucket, createLogGroup, enableLogging, dashboard, alarms, athenaTable, report, setupAll, cleanup, status] as CommandSpec<never>[];

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function defaultIO(): IO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export function buildProgram(io: IO, deps: CtxDeps, setExit: (code: number) => void): Command {
  const program = new Command('bedrock-monitor')
    .description('Monitoring for Amazon Bedrock in one AWS account and Region: invocation logging, dashboard, alarms, usage and cost report.')
    .version(VERSION, '-V, --version')
    .option('--region <region>', 'AWS Region (else AWS_REGION, AWS_DEFAULT_REGION, config "region", profile region)', checked(checkRegion))
    .option('--profile <name>', 'AWS shared-config profile (else AWS_PROFILE)')
    .option('--endpoint-url <url>', 'send every AWS request to this endpoint, e.g. a local emulator (else AWS_ENDPOINT_URL)', checked(checkEndpointUrl))
    .option('--config <file>', 'config file (default ./bedrock-monitor.config.json when present)')
    .option('--json', 'print the result as JSON on stdout (same as --output json)')
    .addOption(new Option('--output <format>', 'output format').choices(['table', 'json', 'csv', 'markdown']))
    .option('--dry-run', 'show what would change; make no write request')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', "change resources the tool does not own: adopt same-named untagged resources, replace another logging configuration, delete untagged resources in cleanup")
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .option('--verbose', 'log every AWS request and warnings on stderr')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 runtime or AWS failure, 2 invalid input or refused action, 3 status found drift.\nRun `bedrock-monitor <command> --help` for examples.',
  );

  for (const spec of COMMANDS) {
    const cmd = program.command(spec.name).description(spec.summary);
    spec.configure?.(cmd);
    cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}`);
    cmd.action(async (_opts: unknown, command: Command) => {
      setExit(await execute(spec, command, { io, deps }));
    });
  }
  return program;
}

/**
 * Runs the CLI and returns the exit code. The one place errors are caught, printed and turned into
 * an exit code: 0 ok, 1 runtime/AWS failure, 2 invalid input or refused action, 3 drift.
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
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error (unknown option, bad value) is invalid input.
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = toBmError(err);
    const json = argv.includes('--json') || argv.join(' ').includes('--output json') || argv.includes('--output=json');
    const out = new Output(io, { json, color: !argv.includes('--no-color'), verbose });
    out.error(e.message, e.hint);
    if (verbose && e.cause instanceof Error && e.cause.stack) out.debug(e.cause.stack);
    if (json) out.printJson({ error: { message: e.message, hint: e.hint ?? null, exitCode: e.exitCode, details: e.details ?? null } });
    return e.exitCode;
  }
}
