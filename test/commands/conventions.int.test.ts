import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Output } from '../../src/lib/io/output.js';
import { emptyDir, runCli, useMoto } from '../support/cli.js';

const emulator = useMoto();
const saved = { ...process.env };
afterEach(() => {
  for (const k of ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
    process.env[k] = saved[k];
});

/** Which access keys signed the requests moto recorded. */
async function signers(run: () => Promise<unknown>): Promise<Set<string | undefined>> {
  await emulator().startRecording();
  await run();
  const requests = await emulator().stopRecording();
  expect(requests.length).toBeGreaterThan(0);
  return new Set(requests.map((r) => r.signedBy));
}

describe('AWS conventions', () => {
  function sharedFiles(): void {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'credentials'),
      '[team]\naws_access_key_id = AKIATEAMPROFILE0001\naws_secret_access_key = secret\n',
    );
    writeFileSync(join(dir, 'config'), '[profile team]\nregion = eu-north-1\n');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  }

  test('--profile signs with that profile and takes its Region when none is given', async () => {
    sharedFiles();
    let r: Awaited<ReturnType<typeof runCli>> | undefined;
    const keys = await signers(async () => {
      r = await runCli(['setup-iam', '--profile', 'team', '--endpoint-url', emulator().url, '--json']);
    });
    expect(r!.code).toBe(0);
    expect(r!.json().outcomes[0].name).toBe('BedrockCloudWatchLoggingRole-eu-north-1');
    expect(keys).toEqual(new Set(['AKIATEAMPROFILE0001']));
  });

  test('AWS_PROFILE works the same way, and --region wins over the profile Region', async () => {
    sharedFiles();
    let r: Awaited<ReturnType<typeof runCli>> | undefined;
    const keys = await signers(async () => {
      r = await runCli(['setup-iam', '--region', 'ap-south-1', '--json'], {
        env: { AWS_PROFILE: 'team', AWS_ENDPOINT_URL: emulator().url },
      });
    });
    expect(r!.json().outcomes[0].name).toBe('BedrockCloudWatchLoggingRole-ap-south-1');
    expect(keys).toEqual(new Set(['AKIATEAMPROFILE0001']));
  });

  test('an unknown profile is invalid input, named before any request: exit 2', async () => {
    sharedFiles();
    const r = await runCli([
      'status',
      '--profile',
      'nosuch',
      '--region',
      'us-east-1',
      '--endpoint-url',
      emulator().url,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(
        /^error: --profile: profile nosuch is not in \S+config \(AWS_CONFIG_FILE\) /.source +
          /or \S+credentials \(AWS_SHARED_CREDENTIALS_FILE\)$/.source,
      ),
    );
    expect(r.stderr).toContain('Profiles there: team.');
    expect(r.requests).toEqual([]);
    const viaEnv = await runCli(['status', '--region', 'us-east-1', '--json'], {
      env: { AWS_PROFILE: 'nosuch', AWS_ENDPOINT_URL: emulator().url },
    });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.json().error.message).toMatch(/^AWS_PROFILE: profile nosuch is not in/);
  });

  test('with the default shared files the message names ~/.aws/config and ~/.aws/credentials', async () => {
    delete process.env.AWS_CONFIG_FILE;
    delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    const r = await runCli([
      'status',
      '--profile',
      'nosuch-bedrock-monitor-test',
      '--region',
      'us-east-1',
      '--endpoint-url',
      emulator().url,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profile nosuch-bedrock-monitor-test is not in ~/.aws/config or ~/.aws/credentials');
    expect(r.requests).toEqual([]);
  });

  test("the caller's credentials are resolved once per run, whatever the number of services it calls", async () => {
    // A profile whose credentials come from a process (credential_process) that notes each time it runs.
    const dir = emptyDir();
    const counter = join(dir, 'runs');
    const keys = { Version: 1, AccessKeyId: 'AKIAPROCESSPROFILE01', SecretAccessKey: 'secret' };
    writeFileSync(
      join(dir, 'creds.cjs'),
      `require('node:fs').appendFileSync(${JSON.stringify(counter)}, 'run\\n');\n` +
        `process.stdout.write(${JSON.stringify(JSON.stringify(keys))});\n`,
    );
    writeFileSync(
      join(dir, 'config'),
      `[profile counted]\nregion = us-east-1\ncredential_process = "${process.execPath}" "${join(dir, 'creds.cjs')}"\n`,
    );
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    let r: Awaited<ReturnType<typeof runCli>> | undefined;
    const signedBy = await signers(async () => {
      r = await runCli(['status', '--profile', 'counted', '--endpoint-url', emulator().url, '--json']);
    });
    expect(r!.json().rows.length).toBeGreaterThan(0);
    expect(new Set(r!.requests.map((q) => q.service)).size).toBeGreaterThan(3);
    expect(signedBy).toEqual(new Set(['AKIAPROCESSPROFILE01']));
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
  });

  test("the SDK's warning about two credential sources stays off the screen (shown with --verbose)", async () => {
    sharedFiles();
    process.env.AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENT0001';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    // The SDK warns once per process, on the console unless given a logger: routed to --verbose, never to the console.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const r = await runCli(['setup-iam', '--profile', 'team', '--endpoint-url', emulator().url, '--verbose']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Multiple credential sources detected');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('network', () => {
  test('an unreachable endpoint says what to check (exit 1)', async () => {
    const r = await runCli(['status', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach the AWS endpoint');
    expect(r.stderr).toContain('--endpoint-url');
  });
});

describe('colour and progress', () => {
  const io = (env: Record<string, string>, tty: boolean) => ({
    stdout: Object.assign(new PassThrough(), { isTTY: tty }),
    stderr: Object.assign(new PassThrough(), { isTTY: tty }),
    stdin: new PassThrough(),
    env,
    cwd: '/',
  });
  test.each([
    ['a terminal', {}, true, true, 1],
    ['a pipe', {}, false, true, 0],
    ['NO_COLOR', { NO_COLOR: '1' }, true, true, 0],
    ['--no-color', {}, true, false, 0],
    ['FORCE_COLOR into a pipe', { FORCE_COLOR: '1' }, false, true, 1],
    ['NO_COLOR beats FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, false, true, 0],
  ])('colour on %s', (_n, env, tty, color, level) => {
    expect(new Output(io(env, tty), { json: false, color, verbose: false }).c.level).toBe(level);
  });
  test.each([
    ['a terminal', {}, true, true],
    ['a pipe', {}, false, false],
    ['CI', { CI: 'true' }, true, false],
  ])('spinners on %s', (_n, env, tty, spinning) => {
    expect(new Output(io(env, tty), { json: false, color: true, verbose: false }).interactiveStderr).toBe(spinning);
  });
});
