// The Data Exports SDK client is loaded when the opt-in step runs (`sdk()`), not with every setup, status and cleanup:
// it is one of the largest (~60 ms of CPU to load, each run).
import type { BCMDataExportsClient, Export, ExportStatus } from '@aws-sdk/client-bcm-data-exports';
import type { Ctx } from '../context/context.js';
import type { ResourceDef, StatusRow } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { BmError } from '../core/errors.js';
import { CUR_EXPORT_NAME, CUR_S3_PREFIX, DATA_EXPORTS_REGION } from './cur-bucket.js';
import { load } from '../sdk/load.js';

/**
 * The CUR 2.0 Data Export (AWS Data Exports API, https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/
 * API_DataExports_CreateExport.html; request shapes from the API model, botocore bcm-data-exports 2023-11-26): the
 * columns `bill` reads, with the caller identity (table property INCLUDE_IAM_PRINCIPAL_DATA, which adds
 * line_item_iam_principal and the principal's iamPrincipal/… tags), daily, Parquet, into the tool's bucket under its
 * own prefix, tagged ManagedBy=bedrock-monitor. The Data Exports API answers in us-east-1 for every Region; the
 * export is the account's (one per account, from the home Region). It needs the management (payer) account, or a
 * member account whose IAM principals have billing access; a member account's export holds that account's usage only.
 */

export const CUR_TABLE = 'COST_AND_USAGE_REPORT';

/** The columns `bill` reads (src/lib/bill/cur.ts), with the line item's identity and billing period. */
export const CUR_COLUMNS = [
  'bill_billing_period_start_date',
  'identity_line_item_id',
  'identity_time_interval',
  'line_item_usage_account_id',
  'line_item_iam_principal',
  'line_item_usage_start_date',
  'line_item_usage_end_date',
  'line_item_product_code',
  'line_item_usage_type',
  'line_item_operation',
  'line_item_line_item_type',
  'line_item_usage_amount',
  'line_item_unblended_cost',
  'pricing_unit',
  'product_servicecode',
  'product',
  'resource_tags',
];

export const CUR_QUERY = `SELECT ${CUR_COLUMNS.join(', ')} FROM ${CUR_TABLE}`;

/**
 * The table properties the tool sets (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-data-query.html);
 * only these are compared, so defaults AWS adds (a billing view) are no drift.
 */
export const CUR_TABLE_PROPERTIES: Record<string, string> = {
  INCLUDE_IAM_PRINCIPAL_DATA: 'TRUE',
  INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
  INCLUDE_RESOURCES: 'FALSE',
  INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
  TIME_GRANULARITY: 'DAILY',
};

export interface CurExportState {
  /** Not compared. */
  arn: string;
  query: string;
  tableProperties: Record<string, string | null>;
  destination: { bucket: string; prefix: string; region: string; format: string; overwrite: string };
  managedTag: boolean;
  /** Not compared: whether AWS can deliver, and when it last did (status shows it). */
  status: ExportStatus | undefined;
}

const squeeze = (q: string | undefined): string => (q ?? '').replace(/\s+/g, ' ').trim();

function stateOf(arn: string, e: Export, tags: boolean, status: ExportStatus | undefined): CurExportState {
  const props = e.DataQuery?.TableConfigurations?.[CUR_TABLE] ?? {};
  const s3 = e.DestinationConfigurations?.S3Destination;
  return {
    arn,
    query: squeeze(e.DataQuery?.QueryStatement),
    tableProperties: Object.fromEntries(Object.keys(CUR_TABLE_PROPERTIES).map((k) => [k, props[k] ?? null])),
    destination: {
      bucket: s3?.S3Bucket ?? '',
      prefix: s3?.S3Prefix ?? '',
      region: s3?.S3Region ?? '',
      format: s3?.S3OutputConfigurations?.Format ?? '',
      overwrite: s3?.S3OutputConfigurations?.Overwrite ?? '',
    },
    managedTag: tags,
    status,
  };
}

/** The Export as CreateExport and UpdateExport take it. */
export function exportBody(bucket: string, region: string): Export {
  return {
    Name: CUR_EXPORT_NAME,
    Description: "Bedrock line items with the caller's IAM principal, for bedrock-monitor bill",
    DataQuery: { QueryStatement: CUR_QUERY, TableConfigurations: { [CUR_TABLE]: { ...CUR_TABLE_PROPERTIES } } },
    DestinationConfigurations: {
      S3Destination: {
        S3Bucket: bucket,
        S3Prefix: CUR_S3_PREFIX,
        S3Region: region,
        S3OutputConfigurations: {
          OutputType: 'CUSTOM',
          Format: 'PARQUET',
          Compression: 'PARQUET',
          Overwrite: 'OVERWRITE_REPORT',
        },
      },
    },
    RefreshCadence: { Frequency: 'SYNCHRONOUS' },
  };
}

const sdk = () => load('@aws-sdk/client-bcm-data-exports');

/** The export's ARN, found by name (ListExports, every page). */
async function findArn(client: BCMDataExportsClient): Promise<string | undefined> {
  const { ListExportsCommand } = sdk();
  let token: string | undefined;
  do {
    const page = await client.send(new ListExportsCommand({ NextToken: token }));
    const found = page.Exports?.find((x) => x.ExportName === CUR_EXPORT_NAME);
    if (found) return found.ExportArn;
    token = page.NextToken;
  } while (token);
  return undefined;
}

async function readExport(client: BCMDataExportsClient): Promise<CurExportState | undefined> {
  const arn = await findArn(client);
  if (!arn) return undefined;
  const { GetExportCommand, ListTagsForResourceCommand } = sdk();
  const [got, tags] = await Promise.all([
    absentIfNotFound(client.send(new GetExportCommand({ ExportArn: arn }))),
    absentIfNotFound(client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))),
  ]);
  if (!got?.Export) return undefined;
  return stateOf(arn, got.Export, hasManagedTag(tags?.ResourceTags), got.ExportStatus);
}

/** Access denied to Data Exports: the account, not only a missing action, is the likely cause. */
function billingAccess(err: unknown): unknown {
  if (errorName(err) !== 'AccessDeniedException') return err;
  return new BmError(`Data Exports refused the request: ${(err as Error).message}`, {
    code: 'E_AWS_ACCESS_DENIED',
    hint:
      'A CUR 2.0 export needs the management (payer) account, or a member account whose IAM principals have ' +
      'billing access, and bcm-data-exports:* (docs/permissions.md); or set "bill": {"enabled": false}.',
    cause: err,
  });
}

const guarded = async <T>(p: Promise<T>): Promise<T> => {
  try {
    return await p;
  } catch (err) {
    throw billingAccess(err);
  }
};

export async function curExportResource(ctx: Ctx): Promise<ResourceDef<CurExportState>> {
  const { BCMDataExportsClient, CreateExportCommand, DeleteExportCommand, TagResourceCommand, UpdateExportCommand } =
    sdk();
  const client = ctx.aws.get(BCMDataExportsClient, DATA_EXPORTS_REGION);
  const bucket = await ctx.bucketName();
  const region = ctx.settings.region;
  const body = exportBody(bucket, region);
  const desired = stateOf('', body, true, undefined);
  let arn: string | undefined;
  const read = async (): Promise<CurExportState | undefined> => {
    const s = await guarded(readExport(client));
    arn = s?.arn;
    return s;
  };
  return {
    resource: 'data-export',
    name: CUR_EXPORT_NAME,
    desired,
    read,
    attributes: [
      { field: 'query', get: (s) => s.query },
      { field: 'tableProperties', get: (s) => s.tableProperties },
      { field: 'destination', get: (s) => s.destination },
      {
        field: 'tags.ManagedBy',
        get: (s) => s.managedTag,
        update: async (_d, actual) =>
          void (await client.send(
            new TagResourceCommand({ ResourceArn: actual?.arn ?? arn ?? '', ResourceTags: MANAGED_TAGS }),
          )),
      },
    ],
    async create() {
      await guarded(client.send(new CreateExportCommand({ Export: body, ResourceTags: MANAGED_TAGS })));
    },
    async update(_d, actual) {
      await client.send(new UpdateExportCommand({ ExportArn: actual.arn, Export: body }));
    },
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag },
    async remove() {
      const found = arn ?? (await findArn(client));
      if (found) await absentIfNotFound(client.send(new DeleteExportCommand({ ExportArn: found })));
    },
  };
}

/** What status adds: whether AWS can deliver the export, and whether it has yet (the first files within 24 hours). */
export async function curDeliveryRows(ctx: Ctx): Promise<StatusRow[]> {
  const actual = await (await curExportResource(ctx)).read();
  if (!actual) return [];
  const s = actual.status;
  const base = { resource: 'data-export-delivery', name: CUR_EXPORT_NAME, changes: [] };
  if (s?.StatusCode === 'UNHEALTHY')
    return [
      {
        ...base,
        status: 'drifted',
        manual: true,
        changes: [{ field: 'status', from: `UNHEALTHY (${s.StatusReason ?? 'no reason given'})`, to: 'HEALTHY' }],
        note:
          'AWS cannot deliver the export: check the bucket policy statement BedrockMonitorDataExportsWrite ' +
          '(bedrock-monitor create-bucket repairs it) and billing access',
      },
    ];
  const note = s?.LastRefreshedAt
    ? `last delivered ${s.LastRefreshedAt.toISOString()}`
    : 'no files yet: AWS delivers the first within 24 hours of creation (until then bill reads Cost Explorer)';
  return [{ ...base, status: 'ok', note }];
}
