import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { renderFleet, summaryLine, type FleetData } from '../../../src/lib/cli/fleet-view.js';
import { Output } from '../../../src/lib/io/output.js';

/** A fleet cut short by Ctrl-C: the targets it stopped are `interrupted`, in their own count (issue 19). */
const interrupted = { code: 'E_INTERRUPTED', message: 'Interrupted', exitCode: 130 };
const target = (region: string, status: FleetData['targets'][number]['status']) => ({
  account: '111122223333',
  alias: null,
  region,
  status,
  error:
    status === 'interrupted'
      ? interrupted
      : status === 'failed'
        ? { code: 'E_AWS_ACCESS_DENIED', message: 'Access denied', exitCode: 1 }
        : null,
  warnings: [],
});
const data: FleetData = {
  accounts: ['111122223333'],
  regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1'],
  homeRegion: 'us-east-1',
  ok: false,
  summary: { targets: 6, ok: 2, drifted: 0, failed: 1, interrupted: 3 },
  targets: [
    target('us-east-1', 'ok'),
    target('us-east-2', 'ok'),
    target('us-west-2', 'failed'),
    target('eu-west-1', 'interrupted'),
    target('eu-central-1', 'interrupted'),
    target('ap-south-1', 'interrupted'),
  ] as FleetData['targets'],
  rows: [],
  skippedRegions: [],
};

describe('the fleet view of an interrupted run', () => {
  test('the summary line counts interrupted targets apart from failed ones', () => {
    expect(summaryLine('setup', data)).toBe(
      'Fleet: 6 targets (1 account × 6 Regions): 2 ok, 1 failed, 3 interrupted; 0 resources created or updated.',
    );
    // Nothing interrupted: the line is as before.
    const calm = { ...data, summary: { targets: 2, ok: 2, drifted: 0, failed: 0, interrupted: 0 } };
    expect(summaryLine('status', calm)).toContain(': 2 ok, 0 drifted, 0 failed.');
  });

  test('each interrupted target says so in its RESULT column', () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: { COLUMNS: '120' }, cwd: '/' };
    renderFleet(new Output(io, { json: false, color: false, verbose: false }), 'setup', data);
    expect(text).toMatch(/^111122223333\s+eu-west-1\s+interrupted\s+nothing changed; then interrupted/m);
    expect(text).toMatch(/^111122223333\s+us-west-2\s+failed\s+Access denied/m);
  });
});
