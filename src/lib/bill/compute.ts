import { costUsd, type ResolvedPrice } from '../pricing/price.js';
import {
  accountOf,
  CAUSES,
  emptySlot,
  KINDS,
  micro,
  principalMatcher,
  roleOf,
  ROUTINGS,
  usd,
  type BilledLine,
  type BillRow,
  type Bridge,
  type Cause,
  type CauseId,
  type Cell,
  type EstimatedGroup,
  type GroupBy,
  type PriceOf,
} from './bridge.js';
import { classifyUsage, modelKey, type Routing, type TokenKind } from './usage.js';

/** Rows (billed, estimated, difference per group) and the bridge, from the bill's line items and the logs' sums. */

export interface BillComputed {
  rows: BillRow[];
  bridge: Bridge;
  /** Logged model IDs the price table lacks. */
  unpriced: string[];
}

const BILLED_OTHER: Partial<Record<string, CauseId>> = {
  batch: 'batch',
  mantle: 'openai-compatible-endpoint',
  provisioned: 'provisioned-throughput',
  other: 'other-bedrock-charges',
};

const otherRouting = (modelId: string, routing: Routing): string => {
  const base = modelId.replace(/^(global|us|eu|apac|jp|au|ca)\./, '');
  return routing === 'global' ? `global.${base}` : base;
};

function rateOf(p: ResolvedPrice | undefined, kind: TokenKind): number | undefined {
  if (!p) return undefined;
  return kind === 'cacheWrite1h' ? (p.cacheWrite1h ?? p.cacheWrite) : p[kind];
}

interface Acc {
  cells: Map<string, Cell>;
  causes: Map<CauseId, number>;
  rows: Map<string, { billed: number; estimated: number; tags?: Record<string, string> }>;
  unpriced: Set<string>;
}

const cellOf = (acc: Acc, key: string): Cell => {
  let c = acc.cells.get(key);
  if (!c)
    acc.cells.set(
      key,
      (c = { billed: emptySlot(), logged: emptySlot(), rate: {} as Cell['rate'], priced: true, logs: false }),
    );
  return c;
};
const addCause = (acc: Acc, id: CauseId, m: number): void => {
  acc.causes.set(id, (acc.causes.get(id) ?? 0) + m);
};
const addRow = (acc: Acc, key: string, billed: number, estimated: number, tags?: Record<string, string>): void => {
  const r = acc.rows.get(key) ?? { billed: 0, estimated: 0 };
  r.billed += billed;
  r.estimated += estimated;
  if (tags && Object.keys(tags).length) r.tags = { ...r.tags, ...tags };
  acc.rows.set(key, r);
};

function keyOf(by: GroupBy, principal: string, model: string, day: string, account: string): string {
  if (by === 'principal') return principal || '(no principal)';
  if (by === 'role') return principal ? roleOf(principal) : '(no principal)';
  if (by === 'model') return model || '(not a model)';
  if (by === 'day') return day;
  return account;
}

function addBilled(acc: Acc, lines: BilledLine[], by: GroupBy, where: (region?: string) => string): void {
  for (const l of lines) {
    const m = micro(l.costUsd);
    const cls = classifyUsage(l.usageType, l.productName);
    const model = 'model' in cls ? cls.model : '';
    addRow(acc, keyOf(by, l.principal, model, l.day, l.account), m, 0, by === 'principal' ? l.tags : undefined);
    if (!/^(Usage|DiscountedUsage|SavingsPlanCoveredUsage)$/.test(l.lineItemType)) {
      addCause(acc, 'credits-discounts', m);
      continue;
    }
    if (cls.type !== 'tokens') {
      addCause(acc, BILLED_OTHER[cls.type]!, m);
      continue;
    }
    const cell = cellOf(acc, JSON.stringify([l.principal, where(l.region), modelKey(cls.model), l.day]));
    const s = cell.billed[cls.kind][cls.routing];
    s.tokens += l.tokens;
    s.costUsd += l.costUsd;
  }
}

interface Matchers {
  /** The bill's name for a logged principal. */
  principal: (p: string) => string;
  /** The cell's Region of a line or record ('' for every one when the bill names no Regions). */
  region: (r?: string) => string;
}

function addEstimated(acc: Acc, groups: EstimatedGroup[], by: GroupBy, price: PriceOf, match: Matchers) {
  let total = 0;
  for (const g of groups) {
    const p = price(g.modelId, g.day, g.region);
    const principal = match.principal(g.principal);
    const est = p ? micro(costUsd(g, p)) : 0;
    if (!p) acc.unpriced.add(g.modelId);
    total += est;
    const family = normalizeFamily(g.modelId, p);
    addRow(acc, keyOf(by, principal, p?.name ?? family, g.day, accountOf(g.principal)), 0, est);
    const cell = cellOf(acc, JSON.stringify([principal, match.region(g.region), modelKey(family), g.day]));
    const routing: Routing = /^global\./.test(g.modelId) ? 'global' : 'regional';
    const oneHour = Math.min(g.cacheWrite1hTokens, g.cacheWriteTokens);
    const tokens: Record<TokenKind, number> = {
      input: g.inputTokens,
      output: g.outputTokens,
      cacheRead: g.cacheReadTokens,
      cacheWrite: g.cacheWriteTokens - oneHour,
      cacheWrite1h: oneHour,
    };
    cell.priced &&= p !== undefined;
    cell.logs = true;
    for (const k of KINDS) {
      cell.logged[k][routing].tokens += tokens[k];
      cell.rate[k] ??= {};
      cell.rate[k][routing] ??= rateOf(p, k);
      const other: Routing = routing === 'global' ? 'regional' : 'global';
      cell.rate[k][other] ??= rateOf(price(otherRouting(g.modelId, other), g.day, g.region), k);
    }
  }
  return total;
}

function normalizeFamily(modelId: string, p: ResolvedPrice | undefined): string {
  const id = modelId.replace(/^arn:.*\//, '').replace(/^(global|us|eu|apac|jp|au|ca)\./, '');
  return p && p.source !== 'config' ? p.name : id;
}

/** The logs' 5-minute writes the bill says were 1-hour ones, re-priced (per routing). */
function settleTier(acc: Acc, c: Cell): void {
  for (const r of ROUTINGS) {
    const b = c.billed;
    const l = c.logged;
    const moved = Math.min(
      Math.max(0, b.cacheWrite1h[r].tokens - l.cacheWrite1h[r].tokens),
      Math.max(0, l.cacheWrite[r].tokens - b.cacheWrite[r].tokens),
    );
    const hour = c.rate.cacheWrite1h?.[r];
    const five = c.rate.cacheWrite?.[r];
    if (moved <= 0 || hour === undefined || five === undefined) continue;
    addCause(acc, 'cache-write-tier', moved * (hour - five));
    l.cacheWrite[r].tokens -= moved;
    l.cacheWrite1h[r].tokens += moved;
  }
}

/** Logged tokens the bill routed the other way, re-priced at the table's rate for that routing. */
function settleRouting(acc: Acc, c: Cell): void {
  for (const k of KINDS) {
    const g = c.logged[k].global;
    const r = c.logged[k].regional;
    const moved = Math.max(-g.tokens, Math.min(r.tokens, c.billed[k].global.tokens - g.tokens));
    const rg = c.rate[k]?.global;
    const rr = c.rate[k]?.regional;
    if (moved === 0 || rg === undefined || rr === undefined) continue;
    addCause(acc, 'routing', moved * (rg - rr));
    g.tokens += moved;
    r.tokens -= moved;
  }
}

/** What is left per kind and routing: tokens only one side has, and the rate difference on the matched ones. */
function settleTokens(acc: Acc, c: Cell): void {
  for (const k of KINDS)
    for (const r of ROUTINGS) {
      const { tokens: b, costUsd: cost } = c.billed[k][r];
      const l = c.logged[k][r].tokens;
      const rate = c.rate[k]?.[r];
      if (!c.priced || rate === undefined) {
        // Logged but not priceable: the table lacks the model; nothing logged: calls the logs never saw.
        addCause(acc, c.logs && !c.priced ? 'not-in-price-table' : 'calls-not-in-logs', cost * 1e6);
        continue;
      }
      const matched = Math.min(b, l);
      const billedRate = b > 0 ? (cost * 1e6) / b : 0;
      if (b > matched) addCause(acc, 'calls-not-in-logs', (b - matched) * billedRate);
      if (matched > 0) addCause(acc, 'price-table', matched * (billedRate - rate));
      if (l > matched) addCause(acc, 'estimated-not-billed', -(l - matched) * rate);
    }
}

function bridgeOf(acc: Acc, billedMicro: number, estimatedMicro: number): Bridge {
  for (const c of acc.cells.values()) {
    settleTier(acc, c);
    settleRouting(acc, c);
    settleTokens(acc, c);
  }
  const causes: Cause[] = (Object.keys(CAUSES) as CauseId[])
    .filter((id) => acc.causes.has(id) && Math.round(acc.causes.get(id)!) !== 0)
    .map((id) => ({ cause: id, usd: usd(Math.round(acc.causes.get(id)!)), how: CAUSES[id] }));
  const explained = causes.reduce((a, c) => a + micro(c.usd), 0);
  const diff = billedMicro - estimatedMicro;
  return {
    estimatedUsd: usd(estimatedMicro),
    billedUsd: usd(billedMicro),
    differenceUsd: usd(diff),
    causes,
    residualUsd: usd(diff - explained),
  };
}

/**
 * `opts.principals: false`: the bill names no principals, so the logs' are set aside when matching. Lines and records
 * meet in their Region when the bill names Regions (CUR's product_region_code; a line without one is `opts.home`'s),
 * so that each Region's billed rate is set beside that Region's table rate; else (Cost Explorer) Regions are set aside.
 */
export function computeBill(
  billed: BilledLine[],
  estimated: EstimatedGroup[],
  by: GroupBy,
  price: PriceOf,
  opts: { principals?: boolean; home?: string } = {},
): BillComputed {
  const acc: Acc = { cells: new Map(), causes: new Map(), rows: new Map(), unpriced: new Set() };
  const byRegion = billed.some((l) => l.region);
  const region = (r?: string): string => (byRegion ? r || (opts.home ?? '') : '');
  addBilled(acc, billed, by, region);
  // A bill without principals (Cost Explorer) meets the logs per model and day: every logged principal is ''.
  const principal = opts.principals === false ? () => '' : principalMatcher(billed);
  const estimatedMicro = addEstimated(acc, estimated, by, price, { principal, region });
  const billedMicro = billed.reduce((a, l) => a + micro(l.costUsd), 0);
  const rows: BillRow[] = [...acc.rows.entries()]
    .map(([key, r]) => ({
      key,
      billedUsd: usd(r.billed),
      estimatedUsd: usd(r.estimated),
      differenceUsd: usd(r.billed - r.estimated),
      ...(r.tags ? { tags: r.tags } : {}),
    }))
    .sort((a, b) =>
      by === 'day' ? a.key.localeCompare(b.key) : b.billedUsd - a.billedUsd || a.key.localeCompare(b.key),
    );
  return { rows, bridge: bridgeOf(acc, billedMicro, estimatedMicro), unpriced: [...acc.unpriced].sort() };
}
