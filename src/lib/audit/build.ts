import type { Ctx } from '../context/context.js';
import { AuditAggregator } from './aggregate.js';
import {
  accountBase,
  cloudTrailCacheDir,
  dayCount,
  localTrailFiles,
  s3TrailFiles,
  type FileSet,
  type TrailLocation,
} from './cloudtrail-files.js';
import { countTrailCalls } from './engine.js';
import { readEventHistory } from './history.js';
import type { AuditResult, AuditSource, AuditWindow, GroupBy } from './types.js';
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
}

const round = (n: number): number => Math.round(n * 100) / 100;

async function trailFiles(ctx: Ctx, req: AuditRequest, warnings: string[]): Promise<FileSet & { location: string }> {
  const { region, audit } = ctx.settings;
  const span = { start: req.window.previousStart, end: req.window.end };
  const logs = req.logs ?? { kind: 's3', bucket: await ctx.bucketName(), prefix: audit.s3KeyPrefix };
  if (logs.kind === 'dir') {
    req.onProgress?.(`finding CloudTrail files in ${logs.path}`);
    return { ...localTrailFiles(logs.path, region, span), location: logs.path };
  }
  const account = await ctx.account();
  const { base, account: found } = await accountBase(ctx, logs, account);
  if (found !== account)
    warnings.push(`reading CloudTrail files of account ${found} (the credentials are account ${account}'s)`);
  req.onProgress?.(`listing ${dayCount(span)} day partitions in s3://${logs.bucket}/${base}`);
  const set = await s3TrailFiles(ctx, { bucket: logs.bucket, base }, region, span, {
    cacheDir: cloudTrailCacheDir(ctx.io.env),
    onProgress: (done, total) => req.onProgress?.(`downloading CloudTrail files ${done}/${total}`),
  });
  return { ...set, location: `s3://${logs.bucket}/${base}` };
}

/** Reads the source, folds the calls into rows per --by value, and says what it could not know. */
export async function runAudit(ctx: Ctx, req: AuditRequest): Promise<AuditResult> {
  const { window: w } = req;
  const region = ctx.settings.region;
  const aggregator = new AuditAggregator(req.groupBy, req.deniedOnly);
  const warnings: string[] = [];
  let source: AuditSource;
  let previousRead = true;
  if (req.source === 'history') {
    previousRead = w.previousStart.getTime() >= historyHorizon(ctx.now()).getTime();
    if (!previousRead)
      warnings.push('the previous window reaches beyond the 90-day event history, so "new" is unknown');
    await readEventHistory(
      ctx,
      {
        window: w,
        previous: previousRead,
        onProgress: (n, p) => req.onProgress?.(`reading the event history: ${n} Bedrock events, ${p} pages`),
      },
      (g) => aggregator.add(g),
    );
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
    await countTrailCalls(set.files, w, region, (g) => aggregator.add(g));
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
    source,
    groupBy: req.groupBy,
    deniedOnly: req.deniedOnly,
    rows,
    totals,
    warnings,
  };
}
