import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BCMDataExportsClient,
  CreateExportCommand,
  DeleteExportCommand,
  GetExportCommand,
  ListExportsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateExportCommand,
  type Export,
} from '@aws-sdk/client-bcm-data-exports';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { checkInput, loadModel, type ServiceModel } from '../../support/aws-model.js';
import { exportBody } from '../../../src/lib/resources/cur-export.js';

/**
 * The opt-in cur-export step. moto 5.2.1 has no Data Exports (no bcm-data-exports backend in its source), so the
 * Data Exports answers come from aws-sdk-client-mock in the shapes of AWS's API model (botocore bcm-data-exports
 * 2023-11-26, which every request here is also checked against); the bucket, its policy and the rest of setup-all
 * run on moto. The bucket statement is the one AWS documents for a Data Exports destination
 * (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-s3-bucket.html); the caller-identity table property
 * is INCLUDE_IAM_PRINCIPAL_DATA (the CUR 2.0 "Include caller identity (IAM principal) allocation data" option,
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html).
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const ARN =
  `arn:aws:bcm-data-exports:us-east-1:${ACCOUNT}:export/` + 'bedrock-monitor-cur2-0f4c1c2e-5b7a-4b8e-9d0e-2c1b3a4d5e6f';
const dx = mockClient(BCMDataExportsClient);
let model: ServiceModel;

beforeAll(() => {
  model = loadModel('bcm-data-exports');
});
afterEach(() => {
  dx.reset();
});

function configDir(bill: Record<string, unknown> = { enabled: true }): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ bill }));
  return dir;
}

/** Every Data Exports request of the run, checked against the API model. */
function requests(): { operation: string; input: Record<string, unknown> }[] {
  const all = dx.calls().map((c) => {
    const cmd = c.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
    return { operation: cmd.constructor.name.replace(/Command$/, ''), input: cmd.input };
  });
  expect(all.flatMap((r) => checkInput(model, r.operation, r.input))).toEqual([]);
  return all;
}

/** An existing export as GetExport describes it (API model: Export, ExportStatus). */
function existing(body: Export, tags = [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]): void {
  dx.on(ListExportsCommand).resolves({
    Exports: [{ ExportArn: ARN, ExportName: 'bedrock-monitor-cur2', ExportStatus: { StatusCode: 'HEALTHY' } }],
  });
  dx.on(GetExportCommand).resolves({
    Export: { ...body, ExportArn: ARN },
    ExportStatus: { StatusCode: 'HEALTHY', CreatedAt: new Date('2026-11-01T00:00:00Z') },
  });
  dx.on(ListTagsForResourceCommand).resolves({ ResourceTags: tags });
}

const policyOf = async () =>
  JSON.parse((await sdk(emulator().url).s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy ?? '{}') as {
    Statement: { Sid?: string; Principal?: unknown; Action?: unknown; Resource?: unknown; Condition?: unknown }[];
  };

describe('cur-export: the CUR 2.0 Data Export (opt-in, bill.enabled)', () => {
  test('setup-all: the bucket statement by Sid, then CreateExport with IAM principals, Parquet, tagged', async () => {
    dx.on(ListExportsCommand).resolves({ Exports: [] });
    dx.on(CreateExportCommand).resolves({ ExportArn: ARN });
    const r = await cli(['setup-all', '--yes', '--json'], { cwd: configDir() });
    expect(r.code).toBe(0);
    const j = r.json<{ steps: { step: string; status: string }[]; outcomes: { resource: string; note?: string }[] }>();
    const order = j.steps.map((s) => s.step);
    expect(order.indexOf('cur-export')).toBeGreaterThan(order.indexOf('create-bucket'));
    expect(j.steps.find((s) => s.step === 'cur-export')!.status).toBe('ok');
    // What the person sees the first day: no files yet, within 24 hours, and where bill reads them.
    expect(j.outcomes.find((o) => o.resource === 'data-export')!.note).toMatch(/within 24 hours/);
    const create = requests().find((x) => x.operation === 'CreateExport')!.input as {
      Export: Export;
      ResourceTags: { Key: string; Value: string }[];
    };
    expect(create.Export.DataQuery!.TableConfigurations!.COST_AND_USAGE_REPORT!.INCLUDE_IAM_PRINCIPAL_DATA).toBe(
      'TRUE',
    );
    expect(create.Export.DataQuery!.QueryStatement).toMatch(
      /^SELECT .*line_item_iam_principal.* FROM COST_AND_USAGE_REPORT$/,
    );
    expect(create.Export.DestinationConfigurations!.S3Destination).toEqual({
      S3Bucket: BUCKET,
      S3Prefix: 'cur2',
      S3Region: REGION,
      S3OutputConfigurations: {
        OutputType: 'CUSTOM',
        Format: 'PARQUET',
        Compression: 'PARQUET',
        Overwrite: 'OVERWRITE_REPORT',
      },
    });
    expect(create.ResourceTags).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
    // The Data Exports API is in us-east-1 whatever the Region; the bucket statement is AWS's, under the tool's Sid.
    const st = (await policyOf()).Statement.find((s) => s.Sid === 'BedrockMonitorDataExportsWrite')!;
    expect(st.Principal).toEqual({ Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] });
    expect(st.Action).toEqual(['s3:PutObject', 's3:GetBucketPolicy']);
    expect(st.Resource).toEqual([`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/cur2/*`]);
    expect(st.Condition).toEqual({
      StringLike: {
        'aws:SourceAccount': ACCOUNT,
        'aws:SourceArn': [
          `arn:aws:cur:us-east-1:${ACCOUNT}:definition/*`,
          `arn:aws:bcm-data-exports:us-east-1:${ACCOUNT}:export/*`,
        ],
      },
    });
  });

  test("a statement of someone else's in the bucket policy is kept; the re-run writes nothing", async () => {
    const cwd = configDir();
    expect((await cli(['create-bucket'], { cwd: configDir({ enabled: false }) })).code).toBe(0);
    const before = await policyOf();
    const theirs = {
      Sid: 'SomeoneElsesRead',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/reports/*`,
    };
    await sdk(emulator().url).s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({ ...before, Statement: [...before.Statement, theirs] }),
      }),
    );
    existing(exportBody(BUCKET, REGION));
    expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
    const sids = (await policyOf()).Statement.map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['SomeoneElsesRead', 'BedrockMonitorDataExportsWrite']));
    const again = await cli(['cur-export', '--json'], { cwd });
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.json<{ outcomes: { action: string }[] }>().outcomes.map((o) => o.action)).toEqual(['unchanged']);
    expect(requests().filter((x) => !/^(Get|List)/.test(x.operation))).toEqual([]);
  });

  test('drift: an export without IAM principals is drift in status (exit 3) and UpdateExport repairs it', async () => {
    const cwd = configDir();
    expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
    const body = exportBody(BUCKET, REGION);
    const cur = body.DataQuery!.TableConfigurations!.COST_AND_USAGE_REPORT!;
    existing({
      ...body,
      DataQuery: {
        ...body.DataQuery!,
        // AWS may add properties the tool does not set (a billing view): no drift.
        TableConfigurations: {
          COST_AND_USAGE_REPORT: {
            ...cur,
            INCLUDE_IAM_PRINCIPAL_DATA: 'FALSE',
            BILLING_VIEW_ARN: 'arn:aws:billing::1:x',
          },
        },
      },
    });
    const status = await cli(['status', '--json'], { cwd });
    expect(status.code).toBe(3);
    const row = status
      .json<{ rows: { resource: string; status: string; changes: { field: string }[]; repair: string }[] }>()

      .rows.find((x) => x.resource === 'data-export')!;
    expect([row.status, row.changes.map((c) => c.field), row.repair]).toEqual([
      'drifted',
      ['tableProperties'],
      'bedrock-monitor cur-export',
    ]);
    dx.on(UpdateExportCommand).resolves({ ExportArn: ARN });
    expect((await cli(['cur-export'], { cwd })).code).toBe(0);
    const update = requests().find((x) => x.operation === 'UpdateExport')!.input as {
      ExportArn: string;
      Export: Export;
    };
    expect(update.ExportArn).toBe(ARN);
    expect(update.Export.DataQuery!.TableConfigurations!.COST_AND_USAGE_REPORT!.INCLUDE_IAM_PRINCIPAL_DATA).toBe(
      'TRUE',
    );
  });

  test('an export of the same name without the tag is refused (exit 2); --force adopts and tags it', async () => {
    const cwd = configDir();
    expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
    existing(exportBody(BUCKET, REGION), [{ Key: 'team', Value: 'finance' }]);
    const refused = await cli(['cur-export'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bedrock-monitor-cur2/);
    dx.on(TagResourceCommand).resolves({});
    expect((await cli(['cur-export', '--force'], { cwd })).code).toBe(0);
    const tag = requests().find((x) => x.operation === 'TagResource')!.input;
    expect(tag).toEqual({ ResourceArn: ARN, ResourceTags: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }] });
  });

  test('status says whether AWS has delivered yet, and an UNHEALTHY export with its reason', async () => {
    const cwd = configDir();
    expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
    existing(exportBody(BUCKET, REGION));
    const first = await cli(['status', '--json'], { cwd });
    const delivery = () =>
      first
        .json<{ rows: { resource: string; note?: string }[] }>()

        .rows.find((x) => x.resource === 'data-export-delivery');
    expect(delivery()!.note).toMatch(/no files yet.*24 hours/);
    dx.on(GetExportCommand).resolves({
      Export: { ...exportBody(BUCKET, REGION), ExportArn: ARN },
      ExportStatus: { StatusCode: 'UNHEALTHY', StatusReason: 'INSUFFICIENT_PERMISSION' },
    });
    const bad = await cli(['status', '--json'], { cwd });
    expect(bad.code).toBe(3);
    const row = bad
      .json<{ rows: { resource: string; status: string; changes: { from: string }[] }[] }>()

      .rows.find((x) => x.resource === 'data-export-delivery')!;
    expect([row.status, row.changes[0]!.from]).toEqual(['drifted', 'UNHEALTHY (INSUFFICIENT_PERMISSION)']);
  });

  test('run alone without the bucket: the prerequisite is named, nothing is created', async () => {
    dx.on(ListExportsCommand).resolves({ Exports: [] });
    const r = await cli(['cur-export', '--json'], { cwd: configDir() });
    expect(r.code).toBe(1);
    expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'E_PREREQUISITE_MISSING',
      message: expect.stringMatching(/create-bucket/),
    });
    expect(dx.commandCalls(CreateExportCommand)).toHaveLength(0);
  });

  test('cleanup deletes the export (by its ARN) before the bucket', async () => {
    const cwd = configDir();
    expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
    existing(exportBody(BUCKET, REGION));
    dx.on(DeleteExportCommand).resolves({ ExportArn: ARN });
    const r = await cli(['cleanup', '--yes', '--json'], { cwd });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(dx.commandCalls(DeleteExportCommand)[0]!.args[0].input).toEqual({ ExportArn: ARN });
    const deleted = r.json<{ outcomes: { resource: string; action: string }[] }>().outcomes;
    const idx = (res: string) => deleted.findIndex((o) => o.resource === res && o.action === 'deleted');
    expect(idx('data-export')).toBeGreaterThanOrEqual(0);
    expect(idx('data-export')).toBeLessThan(idx('s3-bucket'));
  });

  test('with bill off, setup-all, status and cleanup never ask Data Exports', async () => {
    const cwd = configDir({ enabled: false });
    expect((await cli(['setup-all', '--yes'], { cwd })).code).toBe(0);
    expect((await cli(['status'], { cwd })).code).toBe(0);
    expect((await cli(['cleanup', '--yes'], { cwd })).code).toBe(0);
    expect(dx.calls()).toHaveLength(0);
    expect(exportBody('b', 'eu-west-1').DestinationConfigurations!.S3Destination!.S3Region).toBe('eu-west-1');
  });
});
