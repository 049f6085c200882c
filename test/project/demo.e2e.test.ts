import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { demoColour, demoStyle } from '../support/demo-style.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Without the test setup's warning switch, so that a warning the binary would print is seen.
    const base = { ...process.env };
    delete base.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const merged: NodeJS.ProcessEnv = { ...base, NO_COLOR: '1', ...env };
    for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
    const child = spawn(process.execPath, args, { cwd: root, env: merged });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// These run the built CLI (npm test builds first) as a user would: the demo as `npm run demo` (its commands run the
// CLI's main() in the demo's process, and the demo must end by itself), the others through bin/bedrock-monitor.js.
describe('the real binary', () => {
  test('npm run demo does the whole job on the emulator and cleans up', async () => {
    // Into a pipe, without NO_COLOR: no colour codes either (the output is not a terminal).
    const r = await run(['scripts/demo.mjs'], { NO_COLOR: undefined, FORCE_COLOR: undefined });
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|DeprecationWarning|ExperimentalWarning/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Done: 26 resources created or updated in us-east-1.');
    expect(r.stdout).toContain('All 26 resources are as configured.');
    expect(r.stdout).toMatch(/created\s+budget\s+bedrock-monitor-monthly/);
    expect(r.stdout).toContain('Quota headroom: peak per minute in the window against Service Quotas');
    const where = /Wrote the HTML report to (\S+) \(open it in a browser/.exec(r.stdout);
    expect(where).not.toBeNull();
    const html = readFileSync(where![1]!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Estimated cost per hour, stacked by tag:team');
    const audit = /Wrote the HTML audit to (\S+) \(open it/.exec(r.stdout);
    expect(audit).not.toBeNull();
    expect(readFileSync(audit![1]!, 'utf8')).toContain('Calls per hour, by principal');
    const bill = /Wrote the HTML bill to (\S+) \(open it/.exec(r.stdout);
    expect(bill).not.toBeNull();
    expect(readFileSync(bill![1]!, 'utf8')).toContain('From the estimate to the invoice');
    expect(r.stdout).toMatch(
      /us\.anthropic\.claude-sonnet-4-5-20250929-v1:0\s+cross-region\s+[\d,]+\s+6,000\s+\d+\.\d%/,
    );
    expect(r.stdout).toMatch(/TOTAL\s+[\d,]+\s+[\d,]+/);
    expect(r.stdout).toContain('SYNTHETIC');
    // Who spent what, from the invocation logs in the (emulated) log bucket.
    expect(r.stdout).toMatch(/ROLE\s+INVOCATIONS/);
    expect(r.stdout).toMatch(/assumed-role\/ChatService\s+[\d,]+/);
    expect(r.stdout).toMatch(/TAG:TEAM\s+INVOCATIONS/);
    expect(r.stdout).toMatch(/deleted\s+iam-role/);
    expect(r.stdout).toMatch(/created\s+cloudtrail-trail\s+bedrock-monitor-trail/);
    expect(r.stdout).toMatch(/user\/mallory\s+[\d,]+\s+[\d,]+\s+[\d,]+/);
    expect(r.stdout).toMatch(/deleted\s+cloudtrail-trail/);
    // It ends with bill on SYNTHETIC data: the rows, then the bridge from the estimate to the invoice.
    expect(r.stdout).toContain('SYNTHETIC CUR 2.0 line items');
    expect(r.stdout).toContain('From estimate to invoice:');
    expect(r.stdout).toMatch(/cache-write-tier\s+\$0\.45/);
    // A small organization: every account × Region set up, then one drifted target found.
    expect(r.stdout).toContain('Fleet: 4 targets (2 accounts × 2 Regions): 4 ok, 0 failed; 80 resources created');
    expect(r.stdout).toMatch(/\d{12}\s+eu-west-1\s+drifted\s+log-group/);
    expect(r.stdout).toContain('Fleet: 4 targets (2 accounts × 2 Regions): 3 ok, 1 drifted, 0 failed.');
    // Who spent what across the organization (SYNTHETIC logs of both accounts in one tree), then the merged metrics.
    expect(r.stdout).toMatch(/ACCOUNT\s+PRINCIPAL\s+INVOCATIONS/);
    expect(r.stdout).toMatch(/\d{12}\s+arn:aws:sts::\d{12}:assumed-role\/\S+\s+[\d,]+/);
    expect(r.stdout).toMatch(/ACCOUNT\s+REGION\s+MODEL\s+INVOCATIONS/);
    expect(r.stdout).toContain('Fleet: 4 targets (2 accounts × 2 Regions): 2 with data, 2 without data in the window');
    // The commands a user sees it run, in order (each shown as `$ bedrock-monitor …` before its output).
    expect([...r.stdout.matchAll(/^\$ bedrock-monitor (\S+)/gm)].map((m) => m[1])).toEqual([
      ...['setup-all', 'status', 'report', 'report', 'report', 'report', 'report'],
      ...['audit-trail', 'audit', 'audit', 'audit', 'cleanup', 'bill', 'bill'],
      ...['setup-all', 'status', 'report', 'report'],
    ]);
    // Every banner has its own number.
    const numbers = [...r.stdout.matchAll(/━━ (\d+[a-z]?)\. /g)].map((m) => m[1]);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(r.stdout).toContain('Demo complete.');
  }, 240_000);

  test('the demo honours NO_COLOR, even over FORCE_COLOR, and colours only a terminal', () => {
    // The demo's own decision (its one run above checks a pipe gets no escape codes).
    expect(demoColour({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(demoColour({}, false)).toBe(false);
    expect(demoColour({ TERM: 'dumb' }, true)).toBe(false);
    expect(demoColour({}, true)).toBe(true);
    expect(demoColour({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(demoStyle(false).bold('━━ 1. setup-all')).toBe('━━ 1. setup-all');
    expect(readFileSync(join(root, 'scripts/demo.mjs'), 'utf8')).toContain(
      'demoStyle(demoColour(process.env, process.stdout.isTTY === true))',
    );
  });

  test('--version and --help exit 0 and --help lists every command', async () => {
    const version = await run(['bin/bedrock-monitor.js', '--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(['bin/bedrock-monitor.js', '--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'setup-iam',
      'create-bucket',
      'create-log-group',
      'enable-logging',
      'dashboard',
      'alarms',
      'athena-table',
      'report',
      'setup-all',
      'cleanup',
      'status',
    ]) {
      expect(help.stdout).toContain(c);
    }
    expect(help.stderr).toBe('');
  });

  test('a bad flag exits 2 with one line on stderr and nothing on stdout', async () => {
    const r = await run(['bin/bedrock-monitor.js', 'report', '--hours', 'x', '--region', 'us-east-1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
