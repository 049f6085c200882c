import { describe, expect, test } from '@jest/globals';
import type { z } from 'zod';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { cliFor, emptyDir, useMoto } from './support/cli.js';
import { sdk } from './support/aws.js';
import { putMetrics, seedingClients } from './support/synthetic.js';
import * as S from './support/schemas.js';

/** Every command's real --json output, validated against the documented (strict) schema. */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);

async function valid(schema: z.ZodTypeAny, args: string[], opts: Parameters<typeof cli>[1] = {}, code = 0): Promise<unknown> {
  const r = await cli([...args, '--json'], opts);
  expect(r.code).toBe(code);
  const doc = r.json();
  const parsed = schema.safeParse(doc);
  expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  return doc;
}

describe('--json matches the documented shapes', () => {
  test('setup-all (plan, run, re-run), status, single steps, dashboard, alarms, cleanup', async () => {
    const cwd = emptyDir();
    await valid(S.ConfigSetDocSchema, ['config', 'set', 'alarms.emails', 'oncall@example.com'], { cwd });
    await valid(S.SetupAllDocSchema, ['setup-all', '--dry-run'], { cwd });
    const first = (await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], { cwd })) as z.infer<typeof S.SetupAllDocSchema>;
    expect(first.subscriptions).toEqual([{ email: 'oncall@example.com', state: 'confirmed' }]);
    await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], { cwd });
    await valid(S.StatusDocSchema, ['status'], { cwd });
    for (const step of ['setup-iam', 'create-bucket', 'create-log-group', 'enable-logging']) await valid(S.StepDocSchema, [step], { cwd });
    await valid(S.DashboardDocSchema, ['dashboard'], { cwd });
    await valid(S.AlarmsDocSchema, ['alarms'], { cwd });
    await valid(S.CleanupDocSchema, ['cleanup', '--dry-run'], { cwd });
    await valid(S.CleanupDocSchema, ['cleanup', '--yes'], { cwd });
    await valid(S.StatusDocSchema, ['status'], { cwd }, 3);
  });

  test('setup-all with a failed step: the document, with its error', async () => {
    await sdk(emulator().url, REGION).logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/bedrock/modelinvocations' }));
    const doc = (await valid(S.SetupAllDocSchema, ['setup-all', '--yes'], {}, 2)) as z.infer<typeof S.SetupAllDocSchema>;
    expect(doc.error?.exitCode).toBe(2);
  });

  test('report, with and without --by day, with data and without', async () => {
    const now = new Date('2026-11-22T03:30:00Z');
    const window = ['--since', '2026-11-20T06:00:00Z', '--until', '2026-11-21T12:00:00Z'];
    await valid(S.ReportDocSchema, ['report', ...window], { now });
    await putMetrics(seedingClients(emulator().url, REGION).cw, [{ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', metric: 'Invocations', timestamp: new Date('2026-11-20T18:00:00Z'), value: 5 }]);
    await valid(S.ReportDocSchema, ['report', ...window], { now });
    const byDay = (await valid(S.ReportDocSchema, ['report', ...window, '--by', 'day'], { now })) as z.infer<typeof S.ReportDocSchema>;
    expect(byDay.days!.map((d) => [d.date, d.partial])).toEqual([
      ['2026-11-20', true],
      ['2026-11-21', true],
    ]);
  });

  test('config get, unset, list; errors', async () => {
    const cwd = emptyDir();
    await valid(S.ConfigGetDocSchema, ['config', 'get', 'logRetentionDays'], { cwd });
    await valid(S.ConfigListDocSchema, ['config', 'list'], { cwd });
    await valid(S.ConfigUnsetDocSchema, ['config', 'unset', 'region'], { cwd });
    await valid(S.ErrorDocSchema, ['config', 'set', 'nokey', '1'], { cwd }, 2);
    await valid(S.ErrorDocSchema, ['status', '--region', 'nowhere'], {}, 2);
    await valid(S.ErrorDocSchema, ['frobnicate'], {}, 2);
  });
});
