import type { Ctx } from '../context/context.js';
import type { TargetSelection } from '../core/targets.js';
import { BmError } from '../core/errors.js';
import { AuditAggregator } from './aggregate.js';
import {
  accountBase,
  cloudTrailCacheDir,
  dayCount,
  localTrailFiles,
  s3TrailFiles,
  trailRegions,
  type FileScope,
  type FileSet,
  type TrailLocation,
} from './cloudtrail-files.js';
import { countTrailCalls } from './engine.js';
import { readEventHistory } from './history.js';
import { Timeline } from './timeline.js';
import type { AuditResult, AuditSource, AuditWindow, CallGroup, GroupBy, SkippedRecords } from './types.js';
import { historyHorizon } from './window.js';

export interface AuditRequest {
  /** Validated by resolveAuditWindow (and checkHistoryWindow) before anything is requested. */
  window: AuditWindow;
  groupBy: GroupBy;
  deniedOnly: boolean;
  source: 'history' | 'trail';
  /** For the trail source; default: the tool's bucket under `audit.s3KeyPrefix`. */
  logs?: TrailLocation;
  onProgress?(msg: string): void;
  /** --regions / --accounts (none: the context's Region; a trail's files of any account in a directory). */
  targets?: TargetSelection;
}

/** Whose calls count: the target flags, else the context's Region. */
export function auditScope(ctx: Ctx, req: Pick<AuditRequest, 'targets'>): FileScope {
  const sel = req.targets ?? {};
  const regions = sel.regions === 'all' ? undefined : (sel.regions ?? [ctx.settings.region]);
  const accounts = sel.accounts === 'org' ? undefined : sel.accounts;
  return { ...(regions ? { regions } : {}), ...(accounts ? { accounts } : {}) };
}

/** The accounts' folders of a bucket's trail tree (each account's own, or an organization trail's). */
async function s3Trees(
  ctx: Ctx,
  logs: Extract<TrailLocation, { kind: 's3' }>,
  scope: FileScope,
  warnings: string[],
): Promise<{ base: string; account: string }[]> {
  const own = await ctx.account();
  const trees = [];
  for (const account of scope.accounts ?? [own]) {
    try {
      const tree = await accountBase(ctx, logs, account);
      if (tree.account !== account)
        warnings.push(`reading CloudTrail files of account ${tree.account} (the credentials are account ${own}'s)`);
      trees.push(tree);
    } catch (err) {
      // One account without files is a warning when several are asked for, the error it always was otherwise.
      if (!scope.accounts || scope.accounts.length < 2 || !(err instanceof BmError)) throw err;
      warnings.push(`account ${account}: ${err.message}`);
    }
  }
  return trees;
}

const round = (n: number): number => Math.round(n * 100) / 100;

async function trailFiles(ctx: Ctx, req: AuditRequest, warnings: string[]): Promise<FileSet & { location: string }> {
  const { audit } = ctx.settings;
  const scope = auditScope(ctx, req);
  const span = { start: req.window.previousStart, end: req.window.end };
  const logs = req.logs ?? { kind: 's3', bucket: await ctx.bucketName(), prefix: audit.s3KeyPrefix };
  if (logs.kind === 'dir') {
    req.onProgress?.(`finding CloudTrail files in ${logs.path}`);
    const set = localTrailFiles(logs.path, scope, span);
    if (set.outside)
      warnings.push(
        `left out ${set.outside} CloudTrail files of other accounts or Regions (choose them with --regions and ` +
          `--accounts)`,
      );
    return { ...set, location: logs.path };
  }
  const sets: FileSet[] = [];
  const trees = await s3Trees(ctx, logs, scope, warnings);
  for (const { base } of trees) {
    for (const region of scope.regions ?? (await trailRegions(ctx, logs.bucket, base))) {
      req.onProgress?.(`listing ${dayCount(span)} day partitions in s3://${logs.bucket}/${base}CloudTrail/${region}/`);
      sets.push(
        await s3TrailFiles(ctx, { bucket: logs.bucket, base }, region, span, {
          cacheDir: cloudTrailCacheDir(ctx.io.env),
          onProgress: (done, total) => req.onProgress?.(`downloading CloudTrail files ${done}/${total}`),
        }),
      );
    }
  }
  const days = sets.flatMap((x) => (x.earliestDay ? [x.earliestDay] : [])).sort();
  return {
    files: sets.flatMap((x) => x.files),
    bytes: sets.reduce((n, x) => n + x.bytes, 0),
    earliestDay: days[0],
    location:
      trees.length === 1
        ? `s3://${logs.bucket}/${trees[0]!.base}`
        : `s3://${logs.bucket}/${logs.prefix} (${trees.length} accounts)`,
  };
}

/**
 * The event history of each chosen Region: of the caller's account with the context's credentials, or of several
 * accounts, each read with its own (fleet-history.ts).
 */
async function readHistories(
  ctx: Ctx,
  req: AuditRequest,
  previous: boolean,
  sink: (g: CallGroup) => void,
): Promise<Pick<AuditResult, 'targets' | 'scope'> | undefined> {
  const fleet = await import('./fleet-history.js');
  if (await fleet.needsFleetHistory(ctx, req)) return fleet.readFleetHistories(ctx, req, previous, sink);
  const scope = auditScope(ctx, req);
  for (const region of scope.regions ?? [ctx.settings.region]) {
    await readEventHistory(
      ctx,
      {
        window: req.window,
        previous,
        region,
        onProgress: (n, p) =>
          req.onProgress?.(`reading the event history of ${region}: ${n} Bedrock events, ${p} pages`),
      },
      sink,
    );
  }
  return undefined;
}

/** Reads the source, folds the calls into rows per --by value, and says what it could not know. */
export async function runAudit(ctx: Ctx, req: AuditRequest): Promise<AuditResult> {
  const { window: w } = req;
  const region = ctx.settings.region;
  const timeline = new Timeline(w);
  const aggregator = new AuditAggregator(req.groupBy, req.deniedOnly, timeline);
  const warnings: string[] = [];
  let source: AuditSource;
  let previousRead = true;
  let skipped: SkippedRecords[] = [];
  let fleet: Pick<AuditResult, 'targets' | 'scope'> | undefined;
  if (req.source === 'history') {
    previousRead = w.previousStart.getTime() >= historyHorizon(ctx.now()).getTime();
    if (!previousRead)
      warnings.push('the previous window reaches beyond the 90-day event history, so "new" is unknown');
    fleet = await readHistories(ctx, req, previousRead, (g) => aggregator.add(g));
    source = { kind: 'event-history', dataEvents: false };
  } else {
    const set = await trailFiles(ctx, req, warnings);
    if (set.files.length === 0) warnings.push(`no CloudTrail files for ${region} in the window under ${set.location}`);
    const first = set.earliestDay;
    const startDay = w.start.toISOString().slice(0, 10).replace(/-/g, '/');
    if (
      first !== undefined &&
      first >= startDay &&
      w.previousStart.toISOString().slice(0, 10).replace(/-/g, '/') < startDay
    ) {
      warnings.push(
        `no CloudTrail files before ${first.replace(/\//g, '-')}: if the trail is younger than the previous ` +
          `window, "new" marks every principal`,
      );
    }
    req.onProgress?.(`reading ${set.files.length} CloudTrail files`);
    skipped = await countTrailCalls(set.files, w, auditScope(ctx, req), (g) => aggregator.add(g), ctx.signal);
    source = { kind: 'trail', location: set.location, files: set.files.length, bytes: set.bytes, dataEvents: true };
  }
  const { rows, totals } = aggregator.result(previousRead);
  return {
    window: {
      start: w.start.toISOString(),
      end: w.end.toISOString(),
      hours: round((w.end.getTime() - w.start.getTime()) / 3_600_000),
    },
    previousWindow: previousRead ? { start: w.previousStart.toISOString(), end: w.start.toISOString() } : null,
    region,
    scope: fleet?.scope ?? {
      accounts: auditScope(ctx, req).accounts ?? null,
      regions: auditScope(ctx, req).regions ?? null,
    },
    source,
    groupBy: req.groupBy,
    deniedOnly: req.deniedOnly,
    rows,
    totals,
    skipped: { records: skipped.reduce((n, x) => n + x.records, 0), by: skipped },
    timeline: timeline.result(),
    ...(fleet?.targets ? { targets: fleet.targets } : {}),
    warnings,
  };
}
