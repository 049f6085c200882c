import { describe, expect, test } from '@jest/globals';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir, runCli } from '../support/cli.js';
import { expectGolden } from '../support/golden.js';
import { WIDTHS, widthName } from '../support/render.js';

/**
 * The CLI's plumbing, without AWS: one error path (exit codes, hints, --json for every error,
 * argument-parsing errors included), suggestions, the config command, and per-command help.
 * None of these make a request: every run checks that.
 */

const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

async function run(args: string[], opts: Parameters<typeof runCli>[1] = {}) {
  const r = await runCli(args, { ...opts, env: { ...env, ...opts.env } });
  expect(r.requests).toEqual([]);
  return r;
}

describe('one error path', () => {
  test.each<[string, string[], RegExp, string]>([
    ['unknown option', ['status', '--dry-run', '--json'], /^unknown option '--dry-run'$/, 'E_USAGE_UNKNOWN_OPTION'],
    [
      'bad flag value',
      ['report', '--hours', 'x', '--json'],
      /^--hours: "x" is not a non-negative number$/,
      'E_USAGE_INVALID_VALUE',
    ],
    [
      'bad choice',
      ['report', '--engine', 'spark', '--output', 'json'],
      /^--engine: "spark" is not one of local, athena, insights$/,
      'E_USAGE_INVALID_VALUE',
    ],
    [
      'bad value',
      ['report', '--by', 'fortnight', '--output', 'json'],
      new RegExp(
        '^--by: "fortnight" is not a dimension ' +
          '\\(use model, hour, day, week, month, principal, role, application, operation, tag:KEY, account, region\\)$',
      ),
      'E_USAGE_INVALID_VALUE',
    ],
    ['unknown command', ['setup', '--json'], /^unknown command 'setup'$/, 'E_USAGE_UNKNOWN_COMMAND'],
    [
      'missing argument',
      ['config', 'set', 'region', '--json'],
      /^missing required argument 'value'$/,
      'E_USAGE_MISSING_ARGUMENT',
    ],
    ['too many arguments', ['status', 'now', '--json'], /too many arguments/, 'E_USAGE_EXTRA_ARGUMENT'],
    [
      'invalid Region',
      ['status', '--region', 'mars-1', '--json'],
      /^--region: "mars-1" is not an AWS Region code/,
      'E_USAGE_INVALID_VALUE',
    ],
    [
      'two formats',
      ['report', '--json', '--output', 'csv'],
      /^--json and --output csv ask for two formats: give one$/,
      'E_USAGE_OUTPUT',
    ],
  ])('%s: --json prints {"error": …} on stdout, the message on stderr, exit 2', async (_n, args, message, code) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    const { error } = r.json();
    expect(error).toMatchObject({ code, exitCode: 2, message: expect.stringMatching(message) });
    expect(Object.keys(error).sort()).toEqual(['code', 'details', 'exitCode', 'hint', 'message']);
    expect(r.stderr).toContain(`error: ${error.message}`);
  });

  test('a misspelt command suggests the nearest one', async () => {
    const r = await run(['setup']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'setup'\nDid you mean setup-all?\n");
    expect((await run(['stauts'])).stderr).toContain('Did you mean status?');
    expect((await run(['config', 'lst'])).stderr).toContain('Did you mean config list?');
  });

  test("an unknown option points at the command's own help", async () => {
    const r = await run(['status', '--dry-run']);
    expect(r.stderr).toBe("error: unknown option '--dry-run'\n`bedrock-monitor status --help` lists its options.\n");
  });

  test('a config file with several problems lists them all, with "did you mean" for unknown keys', async () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({
        regin: 'us-east-1',
        logRetentionDays: 31,
        alarms: { emial: ['a@example.com'], thresholds: { tokensPerHour: -1 } },
      }),
    );
    const r = await run(['status', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    const lines = r.json().error.message.split('\n');
    expect(lines[0]).toMatch(/bedrock-monitor\.config\.json has 4 problems:$/);
    expect(lines.slice(1).sort()).toEqual(
      [
        '  - unknown key "regin" (did you mean "region"?)',
        '  - "logRetentionDays" 31 is not a retention CloudWatch Logs accepts (one of 1, 3, 5, 7, 14, 30, ' +
          '60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
        '  - unknown key "alarms.emial" (did you mean "alarms.emails"?)',
        '  - "alarms.thresholds.tokensPerHour" must be greater than zero',
      ].sort(),
    );
  });

  test('--profile that is in neither shared file: exit 2 before any request', async () => {
    const r = await run(['status', '--profile', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --profile: profile nosuch is not in /);
  });

  test('no arguments prints the help (exit 0); --help and --version exit 0', async () => {
    expect((await run([])).stdout).toContain('Usage: bedrock-monitor');
    expect((await run(['--version'])).code).toBe(0);
    expect((await run(['report', '--help'])).code).toBe(0);
  });
});

describe('errors, golden at each width', () => {
  test.each(WIDTHS.map((w) => [widthName(w), w] as const))('at %s', async (label, width) => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({ regin: 'us-east-1', alarms: { thresholds: { tokensPerHour: 0 } } }),
    );
    const runs = [
      ['setup'],
      ['report', '--hours', 'x'],
      ['status', '--dry-run'],
      ['status'],
      ['config', 'set', 'alarms.thresholds.tokensPerHuor', '5'],
    ];
    let text = '';
    for (const args of runs) {
      const r = await run(args, { cwd: dir, tty: width !== undefined, env: width ? { COLUMNS: String(width) } : {} });
      text += `$ bedrock-monitor ${args.join(' ')}   (exit ${r.code})\n${r.stderr.replace(dir, '<dir>')}\n`;
      if (width)
        for (const l of r.stderr.replace(dir, '<dir>').split('\n')) expect(l.length).toBeLessThanOrEqual(width);
    }
    expectGolden(`errors-${label}.txt`, text);
  });
});

describe('config: settings that last', () => {
  test('set creates the file, typed by the schema; get, list and unset read and write it', async () => {
    const cwd = emptyDir();
    const file = join(cwd, 'bedrock-monitor.config.json');
    expect((await run(['config', 'set', 'alarms.thresholds.tokensPerHour', '500000'], { cwd })).stdout).toBe(
      `Created ${file}: alarms.thresholds.tokensPerHour = 500000\n`,
    );
    await run(['config', 'set', 'alarms.emails', 'oncall@example.com, lead@example.com'], { cwd });
    await run(['config', 'set', 'logging.imageDataDeliveryEnabled', 'true'], { cwd });
    await run(['config', 'set', 'logging.destinations', 'cloudwatch'], { cwd });
    await run(['config', 'set', 'alarms.thresholds.costUsdPerHour', '12.5'], { cwd });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      alarms: {
        thresholds: { tokensPerHour: 500000, costUsdPerHour: 12.5 },
        emails: ['oncall@example.com', 'lead@example.com'],
      },
      logging: { imageDataDeliveryEnabled: true, destinations: ['cloudwatch'] },
    });
    expect((await run(['config', 'get', 'alarms.thresholds.tokensPerHour'], { cwd })).stdout).toBe('500000\n');
    expect((await run(['config', 'get', 'alarms.emails', '--json'], { cwd })).json()).toMatchObject({
      value: ['oncall@example.com', 'lead@example.com'],
      source: 'file',
    });
    const dflt = await run(['config', 'get', 'logRetentionDays'], { cwd });
    expect([dflt.code, dflt.stdout]).toEqual([0, '30\n']);
    expect(dflt.stderr).toContain('this is the default');
    const unsetRegion = await run(['config', 'get', 'region'], { cwd });
    expect([unsetRegion.code, unsetRegion.stdout]).toEqual([1, '']);
    const list = (await run(['config', 'list', '--json'], { cwd })).json();
    expect(list.entries).toEqual(
      expect.arrayContaining([
        { key: 'alarms.thresholds.tokensPerHour', value: 500000, source: 'file' },
        { key: 'logRetentionDays', value: 30, source: 'default' },
      ]),
    );
    expect((await run(['config', 'unset', 'alarms.thresholds'], { cwd })).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).alarms).toEqual({
      emails: ['oncall@example.com', 'lead@example.com'],
    });
  });

  test.each<[string, string[], RegExp]>([
    [
      'unknown key, with a suggestion',
      ['alarms.thresholds.tokensPerHuor', '1'],
      /"alarms\.thresholds\.tokensPerHuor" is not a config key \(did you mean "alarms\.thresholds\.tokensPerHour"\?\)/,
    ],
    [
      'not a number',
      ['alarms.thresholds.tokensPerHour', 'lots'],
      /alarms\.thresholds\.tokensPerHour: "lots" is not a number/,
    ],
    ['a value the schema refuses', ['logRetentionDays', '31'], /31 is not a retention CloudWatch Logs accepts/],
    ['an invalid address in a list', ['alarms.emails', 'a@example.com,nope'], /"nope" is not a valid email address/],
    ['not a boolean', ['logging.textDataDeliveryEnabled', 'maybe'], /"maybe" is not true or false/],
    [
      'a value that contradicts another setting',
      ['alarms.anomaly.prefix', 'Bedrock-'],
      /alarms\.anomaly\.prefix "Bedrock-" overlaps the alarm prefix "Bedrock-"/,
    ],
  ])('set refuses %s (exit 2) and leaves the file alone', async (_n, args, message) => {
    const cwd = emptyDir();
    await run(['config', 'set', 'region', 'eu-west-1'], { cwd });
    const before = readFileSync(join(cwd, 'bedrock-monitor.config.json'), 'utf8');
    const r = await run(['config', 'set', ...args], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(join(cwd, 'bedrock-monitor.config.json'), 'utf8')).toBe(before);
  });

  test('a contradiction the file already had does not block another key; one the change makes is refused', async () => {
    const cwd = emptyDir();
    const file = join(cwd, 'bedrock-monitor.config.json');
    // Already there (written by hand): anomaly prefix inside the alarm prefix.
    writeFileSync(file, JSON.stringify({ alarms: { prefix: 'Team-', anomaly: { prefix: 'Team-Anomaly-' } } }));
    expect((await run(['config', 'set', 'dashboardName', 'Team'], { cwd })).code).toBe(0);
    // New: the security alarms' prefix inside the alarm prefix.
    for (const [k, v] of [
      ['audit.enabled', 'true'],
      ['audit.cloudWatchLogs', 'true'],
      ['audit.alarms.enabled', 'true'],
    ])
      expect((await run(['config', 'set', k!, v!], { cwd })).code).toBe(0);
    const r = await run(['config', 'set', 'audit.alarms.prefix', 'Team-Security-'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('audit.alarms.prefix "Team-Security-" starts with alarms.prefix "Team-"');
    expect(JSON.parse(readFileSync(file, 'utf8')).audit.alarms).toEqual({ enabled: true });
  });

  test('--config names the file', async () => {
    const cwd = emptyDir();
    await run(['config', 'set', 'dashboardName', 'Team', '--config', 'team.json'], { cwd });
    expect(JSON.parse(readFileSync(join(cwd, 'team.json'), 'utf8'))).toEqual({ dashboardName: 'Team' });
  });

  test('get shows the default of a key the file does not hold, marked as the default (issue 19)', async () => {
    const cwd = emptyDir();
    for (const [key, value] of [
      ['audit.dataEventTypes', 'AWS::Bedrock::AgentAlias'],
      ['alarms.anomaly.prefix', 'BedrockAnomaly-'],
      ['bill.enabled', 'false'],
    ] as const) {
      const r = await run(['config', 'get', key], { cwd });
      expect([r.code, r.stdout.split(',')[0]!.trim()]).toEqual([0, value]);
      expect(r.stderr).toContain(`(${key} is not in`);
      expect(r.stderr).toContain('this is the default)');
      expect((await run(['config', 'get', key, '--json'], { cwd })).json().source).toBe('default');
    }
    // A key with no default says so (exit 1).
    expect((await run(['config', 'get', 'budget.monthlyUsd'], { cwd })).code).toBe(1);
  });

  test('set into a missing directory creates it, readable by its owner only (0700)', async () => {
    const cwd = emptyDir();
    const r = await run(['config', 'set', 'region', 'eu-west-1', '--config', 'team/ops/monitor.json'], { cwd });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(join(cwd, 'team/ops/monitor.json'), 'utf8'))).toEqual({ region: 'eu-west-1' });
    expect(statSync(join(cwd, 'team/ops')).mode & 0o777).toBe(0o700);
  });

  test('a price without cache prices (a model without prompt caching) is accepted; they count as 0', async () => {
    const cwd = emptyDir();
    const r = await run(['config', 'set', 'prices.meta.llama3-70b-instruct-v1:0', '{"input": 2.65, "output": 3.5}'], {
      cwd,
    });
    expect(r.code).toBe(0);
    const got = await run(['config', 'get', 'prices.meta.llama3-70b-instruct-v1:0.cacheRead', '--json'], { cwd });
    expect(got.json()).toMatchObject({ value: 0, source: 'default' });
  });

  test.each([
    ['nope', undefined],
    ['zzzz', undefined],
    ['regoin', 'region'],
    ['alarms.prefx', 'alarms.prefix'],
  ])('get %s suggests only a close key (%s)', async (key, guess) => {
    const r = await run(['config', 'get', key], { cwd: emptyDir() });
    expect(r.code).toBe(2);
    if (guess) expect(r.stderr).toContain(`(did you mean "${guess}"?)`);
    else expect(r.stderr).not.toContain('did you mean');
  });

  test.each(WIDTHS.map((w) => [widthName(w), w] as const))('config list, golden at %s', async (label, width) => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'bedrock-monitor.config.json'),
      JSON.stringify({ region: 'eu-west-1', alarms: { emails: ['oncall@example.com'] } }),
    );
    const r = await run(['config', 'list'], {
      cwd,
      env: width ? { COLUMNS: String(width) } : {},
      stdoutTty: width !== undefined,
    });
    expectGolden(`config-list-${label}.txt`, r.stdout.replace(cwd, '<dir>'));
    if (width) for (const l of r.stdout.replace(cwd, '<dir>').split('\n')) expect(l.length).toBeLessThanOrEqual(width);
  });
});

describe('help', () => {
  const help = async (args: string[]) => (await run([...args, '--help'], { env: { COLUMNS: '100' } })).stdout;

  test('setup-all is listed first', async () => {
    const commands = (await help([]))
      .split('Commands:')[1]!
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s/)[0]);
    expect(commands[0]).toBe('setup-all');
  });

  test('each command shows only the options it uses, and --output only its formats', async () => {
    const status = await help(['status']);
    expect(status).not.toMatch(/--dry-run|--yes|--force/);
    expect(status).toContain('--output <format>     output format (choices: "table", "json")');
    const report = await help(['report']);
    expect(report).toContain('(choices: "table", "json", "csv", "markdown", "html")');
    // report writes only with --notify (one SNS Publish), so it has --dry-run, and never --force.
    expect(report).toContain('--dry-run             with --notify: build the message but publish nothing');
    expect(report).not.toMatch(/--force|--yes/);
    const setupAll = await help(['setup-all']);
    expect(setupAll).toMatch(/--dry-run[\s\S]*-y, --yes[\s\S]*--force/);
    expect(await help(['create-log-group'])).not.toContain('--yes');
    expect(await help(['config', 'set'])).not.toMatch(/--region|--profile|--endpoint-url/);
  });

  test('the help says flags are one-run overrides, and names the config key each flag overrides', async () => {
    const alarms = (await help(['alarms'])).replace(/\s+/g, ' ');
    expect(alarms).toContain(
      'Flags apply to this run only. To keep a setting, use `bedrock-monitor config set KEY VALUE`.',
    );
    expect(alarms).toContain('config alarms.thresholds.tokensPerHour');
  });

  test('the top-level help, golden', async () => {
    expectGolden('help.txt', await help([]));
  });
});

describe('dates', () => {
  test('--since in the future says so (exit 2, no request)', async () => {
    const r = await run(['report', '--since', '2026-12-01T00:00:00Z'], { now: new Date('2026-11-22T00:00:00Z') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --since (2026-12-01T00:00:00.000Z) is in the future: it is now 2026-11-22T00:00:00.000Z\n',
    );
  });
});
