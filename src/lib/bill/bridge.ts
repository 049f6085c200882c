import { roleOfArn, roleOfIssuer } from '../core/identity.js';
import type { Figures } from '../logs/aggregate.js';
import { normalizeModelId, type ResolvedPrice } from '../pricing/price.js';
import { classifyUsage, modelKey, type Routing, type TokenKind } from './usage.js';

/**
 * The bill beside the estimate, and the bridge between them. Pure: line items of the bill (CUR 2.0), the logs'
 * sums per principal, day and model, and a price function in; rows and named causes out. Every amount is
 * computed in millionths of a dollar, so that the causes and the residual sum to billed − estimated exactly.
 */

export const GROUP_BY = ['principal', 'role', 'model', 'day', 'account'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Bedrock line items of the bill, summed by what the bridge needs (one CUR 2.0 query). */
export interface BilledLine {
  account: string;
  /** line_item_iam_principal; '' when the line carries none (credits, provisioned throughput, older data). */
  principal: string;
  /** YYYY-MM-DD of line_item_usage_start_date (UTC). */
  day: string;
  usageType: string;
  productName: string;
  /** line_item_line_item_type: Usage, Credit, Discount, … */
  lineItemType: string;
  costUsd: number;
  /** Tokens (usage amount × the pricing unit), for token usage types. */
  tokens: number;
  /** Principal tags the export carries (keys without the iamPrincipal/ prefix). */
  tags: Record<string, string>;
  /** product_region_code (CUR 2.0); '' or absent when the source names none (Cost Explorer). */
  region?: string;
}

/** The logs' sums for one principal, Region, day and model ID. */
export interface EstimatedGroup extends Figures {
  principal: string;
  /** The record's Region (the context's when the logs do not say). */
  region: string;
  day: string;
  modelId: string;
}

/** A model's price on a day, from the table of the Region its records were logged in. */
export type PriceOf = (modelId: string, day: string, region: string) => ResolvedPrice | undefined;

export const CAUSES = {
  'calls-not-in-logs':
    'calls billed but not in the invocation logs (billed tokens beyond the logged ones × billed rate)',
  'openai-compatible-endpoint':
    'the bedrock-mantle (OpenAI-compatible) endpoint, which invocation logging does not cover (its line items)',
  batch: 'batch inference, not in the invocation logs (its line items)',
  'provisioned-throughput': 'Provisioned Throughput, billed per model unit hour (its line items)',
  'credits-discounts': 'credits, discounts and refunds (line items of those types)',
  routing: 'regional vs global rate (tokens billed at the other routing × the rate difference in the price table)',
  'cache-write-tier':
    '1-hour cache writes the estimate priced at the 5-minute rate (tokens × the 1-hour minus 5-minute rate)',
  'price-table': 'the price table differs from the billed rate (matched tokens × (billed rate − table rate))',
  'not-in-price-table': 'models the price table lacks, billed (their billed token cost)',
  'estimated-not-billed': 'logged calls with no matching line item (their estimated cost, negative)',
  'other-bedrock-charges': 'other Bedrock line items (not model tokens: guardrails, knowledge bases, …)',
} as const;
export type CauseId = keyof typeof CAUSES;

export interface Cause {
  cause: CauseId;
  usd: number;
  how: string;
}

export interface BillRow {
  key: string;
  billedUsd: number;
  estimatedUsd: number;
  differenceUsd: number;
  /** Principal tags from the export, for --by principal (empty otherwise). */
  tags?: Record<string, string>;
}

export interface Bridge {
  estimatedUsd: number;
  billedUsd: number;
  differenceUsd: number;
  causes: Cause[];
  residualUsd: number;
}

const micro = (usd: number): number => Math.round(usd * 1e6);
const usd = (m: number): number => m / 1e6;
const KINDS: TokenKind[] = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h'];
const ROUTINGS: Routing[] = ['regional', 'global'];

/**
 * The role behind a principal as the bill and the logs both name it, in the one form `audit` and `report` use
 * (core/identity.ts): a billed IAM role ARN (`arn:aws:iam::A:role/path/Name`) and a logged session
 * (`arn:aws:sts::A:assumed-role/Name/session`) both give `arn:aws:sts::A:assumed-role/Name`.
 */
export function roleOf(principal: string): string {
  return roleOfIssuer(principal) ?? roleOfArn(principal);
}

export const accountOf = (arn: string): string => /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)?.[1] ?? '';

/**
 * The bill's name for a logged principal: the same ARN when the bill has it, else its role when the bill names
 * roles (IAM principal attribution may record the role rather than the session).
 */
export function principalMatcher(billed: BilledLine[]): (logged: string) => string {
  const names = new Set(billed.map((l) => l.principal).filter(Boolean));
  // A billed role, by the role its sessions fold into (the bill writes the IAM role's ARN).
  const roles = new Map([...names].filter((n) => roleOfIssuer(n)).map((n) => [roleOf(n), n]));
  return (logged) => (names.has(logged) ? logged : (roles.get(roleOf(logged)) ?? logged));
}

type Slot = Record<TokenKind, Record<Routing, { tokens: number; costUsd: number }>>;
const emptySlot = (): Slot =>
  Object.fromEntries(
    KINDS.map((k) => [k, { regional: { tokens: 0, costUsd: 0 }, global: { tokens: 0, costUsd: 0 } }]),
  ) as Slot;

/** One principal × Region × model × day: what the bill says and what the logs say. */
interface Cell {
  billed: Slot;
  logged: Slot;
  /** Table rates (USD per million) by kind and routing; undefined where the table has none. */
  rate: Record<TokenKind, Partial<Record<Routing, number>>>;
  priced: boolean;
  /** Whether any logged call fell in the cell. */
  logs: boolean;
}

export { micro, usd, KINDS, ROUTINGS, emptySlot, classifyUsage, modelKey, normalizeModelId };
export type { Cell, Slot };
