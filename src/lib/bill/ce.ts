import { CostExplorerClient, GetCostAndUsageCommand } from '../sdk/client-cost-explorer.js';
import type { Expression, GetCostAndUsageCommandInput, Group, ResultByTime } from '@aws-sdk/client-cost-explorer';
import type { Ctx } from '../context/context.js';
import { usageError } from '../core/errors.js';
import type { BilledLine, GroupBy } from './bridge.js';

/**
 * The bill's Bedrock lines from Cost Explorer (GetCostAndUsage), for accounts without a CUR 2.0 export. What the API
 * can group by is botocore's ce service model (2017-10-25, GetCostAndUsageRequest.GroupBy: up to two of the
 * DIMENSION values AZ, INSTANCE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM,
 * PURCHASE_TYPE, SERVICE, TENANCY, RECORD_TYPE, USAGE_TYPE, or a TAG or COST_CATEGORY key): no IAM principal
 * dimension. Principal attribution reaches Cost Explorer only as the principals' tags, once activated as cost
 * allocation tags (https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-iam-principal-tracking.html), so
 * this source cannot split by principal or role. Each request costs $0.01
 * (https://aws.amazon.com/aws-cost-management/pricing/); the endpoint is us-east-1 whatever the Region.
 */

/** USD per GetCostAndUsage request (each page counts). */
export const CE_REQUEST_USD = 0.01;

/** What Cost Explorer cannot split, by --by value, and what to use instead. */
export const CE_CANNOT_SPLIT: Partial<Record<GroupBy, string>> = {
  principal: 'Cost Explorer cannot split the bill by IAM principal (its API has no principal dimension)',
  role: 'Cost Explorer cannot split the bill by role (its API has no principal dimension)',
};

/** Refuses, before any request, a --by the source cannot split. */
export function checkCeGroupBy(by: GroupBy): void {
  const why = CE_CANNOT_SPLIT[by];
  if (why)
    throw usageError(
      `--by ${by}: ${why}; give --cur s3://BUCKET/PREFIX (a CUR 2.0 export with the IAM principal column)`,
    );
}

/** Line item types the bridge prices as usage (the rest are credits, discounts, refunds, taxes). */
const USAGE_RECORD_TYPES = ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage'];

/** Bedrock's services as Cost Explorer names them: Amazon Bedrock, and Claude's "… (Amazon Bedrock Edition)". */
export const isBedrockService = (name: string): boolean =>
  name === 'Amazon Bedrock' || / \(Amazon Bedrock Edition\)$/.test(name);

/** Tokens per unit of UsageQuantity, by its unit (the rule cur.ts applies to pricing_unit). */
export function tokensPerUnit(unit: string): number {
  const u = unit.toLowerCase();
  if (u.startsWith('1k')) return 1000;
  if (u.startsWith('1m') || u.startsWith('million') || u === 'units') return 1_000_000;
  return 1;
}

export interface CeRead {
  lines: BilledLine[];
  /** GetCostAndUsage requests made (each $0.01). */
  requests: number;
  services: string[];
  /** Days Cost Explorer marked as estimated (not final). */
  estimatedDays: string[];
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** Cost Explorer counts whole UTC days: the window's first day to the day after its last instant. */
export function ceTimePeriod(window: { start: Date; end: Date }): { Start: string; End: string } {
  const end = new Date(window.end.getTime() - 1);
  return {
    Start: day(window.start),
    End: day(new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() + 1))),
  };
}

interface Paged {
  results: ResultByTime[];
  requests: number;
}

async function getAll(client: CostExplorerClient, input: GetCostAndUsageCommandInput): Promise<Paged> {
  const results: ResultByTime[] = [];
  let requests = 0;
  let token: string | undefined;
  do {
    const out = await client.send(new GetCostAndUsageCommand({ ...input, ...(token ? { NextPageToken: token } : {}) }));
    requests++;
    results.push(...(out.ResultsByTime ?? []));
    token = out.NextPageToken;
  } while (token);
  return { results, requests };
}

const amount = (g: Group, metric: string): number => Number(g.Metrics?.[metric]?.Amount ?? 0);

function groupsOf(results: ResultByTime[]): { day: string; keys: string[]; group: Group }[] {
  return results.flatMap((r) =>
    (r.Groups ?? []).map((g) => ({
      day: r.TimePeriod?.Start ?? '',
      keys: g.Keys ?? [],
      group: g,
    })),
  );
}

const line = (over: Partial<BilledLine>): BilledLine => ({
  account: '',
  principal: '',
  day: '',
  usageType: '',
  productName: '',
  lineItemType: 'Usage',
  costUsd: 0,
  tokens: 0,
  tags: {},
  ...over,
});

const services = (names: string[]): Expression => ({ Dimensions: { Key: 'SERVICE', Values: names } });
const usageRecords: Expression = { Dimensions: { Key: 'RECORD_TYPE', Values: USAGE_RECORD_TYPES } };

/** Usage lines of the given services per day, account and usage type (one query per service, so each has its name). */
async function usageLines(client: CostExplorerClient, period: { Start: string; End: string }, names: string[]) {
  const lines: BilledLine[] = [];
  let requests = 0;
  for (const name of names) {
    const got = await getAll(client, {
      TimePeriod: period,
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'UsageQuantity'],
      Filter: { And: [services([name]), usageRecords] },
      GroupBy: [
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
        { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
      ],
    });
    requests += got.requests;
    for (const g of groupsOf(got.results)) {
      const unit = g.group.Metrics?.UsageQuantity?.Unit ?? '';
      lines.push(
        line({
          account: g.keys[0] ?? '',
          day: g.day,
          usageType: g.keys[1] ?? '',
          productName: name,
          costUsd: amount(g.group, 'UnblendedCost'),
          tokens: amount(g.group, 'UsageQuantity') * tokensPerUnit(unit),
        }),
      );
    }
  }
  return { lines, requests };
}

/**
 * Reads the window's Bedrock charges: one query per day, service and record type (which services are Bedrock's,
 * and the credits, discounts and refunds), then each Bedrock service's usage per account and usage type.
 */
export async function readCostExplorer(ctx: Ctx, window: { start: Date; end: Date }): Promise<CeRead> {
  // Cost Explorer's one endpoint is in us-east-1 (https://ce.us-east-1.amazonaws.com).
  const client = ctx.aws.get(CostExplorerClient, 'us-east-1');
  const period = ceTimePeriod(window);
  const first = await getAll(client, {
    TimePeriod: period,
    Granularity: 'DAILY',
    Metrics: ['UnblendedCost'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'SERVICE' },
      { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
    ],
  });
  const bedrock = groupsOf(first.results).filter((g) => isBedrockService(g.keys[0] ?? ''));
  const names = [...new Set(bedrock.map((g) => g.keys[0]!))].sort();
  const other = bedrock
    .filter((g) => !USAGE_RECORD_TYPES.includes(g.keys[1] ?? ''))
    .map((g) =>
      line({
        day: g.day,
        productName: g.keys[0]!,
        lineItemType: g.keys[1] ?? '',
        costUsd: amount(g.group, 'UnblendedCost'),
      }),
    );
  const usage = await usageLines(client, period, names);
  const estimated = first.results.filter((r) => r.Estimated === true).map((r) => r.TimePeriod?.Start ?? '');
  return {
    lines: [...usage.lines, ...other].filter((l) => l.costUsd !== 0 || l.tokens !== 0),
    requests: first.requests + usage.requests,
    services: names,
    estimatedDays: [...new Set(estimated)].sort(),
  };
}
