import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../../src/cli.js';
import { commandOf, STEPS } from '../../../src/lib/setup/steps.js';
import { emptyDir, runCli, useMoto } from '../../support/cli.js';

/**
 * Every repair hint is a command that exists, and repeats the target flags the person gave, so
 * that copying it works on the same account, Region and endpoint.
 */

const emulator = useMoto();

function registered(): string[] {
  const io = { env: {}, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: '.' };
  return buildProgram(io, {}, () => undefined).commands.map((c) => c.name());
}

describe('repair hints', () => {
  test('every step is repaired by a registered command', () => {
    const names = registered();
    for (const step of STEPS)
      expect({ step: step.name, command: names.includes(commandOf(step)) }).toEqual({
        step: step.name,
        command: true,
      });
  });

  test('audit and anomaly alarms on: every repair names a registered command and repeats the flags', async () => {
    const cwd = emptyDir();
    const config = join(cwd, 'my config.json');
    writeFileSync(
      config,
      JSON.stringify({
        audit: { enabled: true, cloudWatchLogs: true },
        alarms: { anomaly: { enabled: true, models: ['amazon.nova-lite-v1:0'] } },
      }),
    );
    const flags = ['--region', 'us-east-1', '--endpoint-url', emulator().url, '--config', config];
    const r = await runCli(['status', '--json', ...flags], { cwd });
    expect(r.code).toBe(3);
    const rows = r.json<{ rows: { step: string; repair: string | null }[] }>().rows;
    expect(new Set(rows.map((row) => row.step))).toEqual(
      new Set(STEPS.filter((s) => !['budget', 'athena-table', 'cur-export'].includes(s.name)).map((s) => s.name)),
    );
    const names = registered();
    for (const row of rows.filter((x) => x.repair)) {
      const [bin, command] = row.repair!.split(' ');
      expect({ row: row.step, bin, known: names.includes(command!) }).toEqual({
        row: row.step,
        bin: 'bedrock-monitor',
        known: true,
      });
      expect(row.repair).toContain(` --region us-east-1 --endpoint-url ${emulator().url} --config '${config}'`);
    }
  }, 60_000);
});
