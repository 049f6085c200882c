import { describe, expect, test } from '@jest/globals';
import { cliFor, useMoto } from '../../support/cli.js';
import { statusProgress } from '../../../src/lib/setup/progress.js';

/**
 * Progress on stderr for `status` and for a single step run on its own, as setup-all and cleanup have (issue 19):
 * a spinner on an interactive stderr only, never in a pipe or under CI, never on stdout.
 */
const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
// A terminal (stdin and stderr), outside CI: the spinner runs.
const terminal = { tty: true, env: { CI: undefined } };

describe('progress while a single step or status runs', () => {
  test('a single step names itself and its Region on a terminal; a pipe gets the result alone', async () => {
    const shown = await cli(['create-log-group'], terminal);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('Running create-log-group in us-east-1');
    expect(shown.stdout).not.toContain('Running');
    const piped = await cli(['create-log-group']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('Running');
  });

  test('status says what it is reading on a terminal, and nothing in a pipe or under --json', async () => {
    const shown = await cli(['status'], terminal);
    expect(shown.stderr).toContain('Checking the resources in us-east-1');
    expect(shown.stdout).not.toContain('Checking');
    expect((await cli(['status'])).stderr).not.toContain('Checking');
    const json = await cli(['status', '--json']);
    expect(json.stderr).not.toContain('Checking');
    expect(json.json<{ rows: unknown[] }>().rows.length).toBeGreaterThan(0);
  });

  test('the status progress names the steps read of all, through the event sink', async () => {
    const texts: string[] = [];
    let stopped = false;
    const events = {
      spinner: (text: string) => {
        texts.push(text);
        return Promise.resolve({
          text: (t: string) => void texts.push(t),
          succeed: () => undefined,
          fail: () => undefined,
          stop: () => void (stopped = true),
        });
      },
    };
    const p = await statusProgress({ events, settings: { region: 'eu-west-1' } } as never);
    p.step('dashboard', 1, 8);
    p.step('topic', 2, 8);
    p.stop();
    expect(texts).toEqual([
      'Checking the resources in eu-west-1',
      'Checking eu-west-1: 1/8 steps read (dashboard)',
      'Checking eu-west-1: 2/8 steps read (topic)',
    ]);
    expect(stopped).toBe(true);
  });
});
