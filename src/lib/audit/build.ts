import { S3Client } from '@aws-sdk/client-s3';
import type { Ctx } from '../context/context.js';
import { AuditAggregator } from './aggregate.js';
import { accountBase, cloudTrailCacheDir, dayPartitions, earliestDay, localTrailFiles, s3TrailFiles, type FileSet, type LogLocation } from './cloudtrail-files.js';
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
  logs?: LogLocation;
  onProgress?(msg: string): void;
}

const round = (n: number): number => Math.round(n * 100) / 100;

async function trailFiles(ctx: Ctx, req: AuditRequest, warnings: string[]): Promise<FileSet & { location: string }> {
  const { region, audit } = ctx.settings;
  const days = dayPartitions(req.window.previousStart, req.window.end);
  const logs = req.logs ?? { kind: 's3', bucket: await ctx.bucketName(), prefix: audit.s3KeyPrefix };
  if (logs.kind === 'dir') {
    req.onProgress?.(`finding CloudTrail files in ${logs.path}`);
    return { ...(await localTrailFiles(logs.path, region, days)), location: logs.path };
  }
  const s3 = ctx.aws.get(S3Client);
  const account = await ctx.account();
  const { base, account: found } = await accountBase(s3, logs, account);
  if (found !== account) warnings.push(`reading CloudTrail files of account ${found} (the credentials are account ${account}'s)`);
  req.onProgress?.(`listing ${days.length} day partitions in s3://${logs.bucket}/${base}`);
  const set = await s3TrailFiles(s3, { bucket: logs.bucket, base }, region, days, {
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
    if (!previousRead) warnings.push('the previous window reaches beyond the 90-day event history, so "new" is unknown');
    await readEventHistory(ctx, { window: w, previous: previousRead, onProgress: (n, p) => req.onProgress?.(`reading the event history: ${n} Bedrock events, ${p} pages`) }, (g) => aggregator.add(g));
    source = { kind: 'event-history', dataEvents: false };
  } else {
    const set = await trailFiles(ctx, req, warnings);
    if (set.files.length === 0) warnings.push(`no CloudTrail files for ${region} in the window under ${set.location}`);
    const first = earliestDay(set.files);
    const startDay = w.start.toISOString().slice(0, 10).replace(/-/g, '/');
    if (first !== undefined && first >= startDay && w.previousStart.toISOString().slice(0, 10).replace(/-/g, '/') < startDay) {
      warnings.push(`no CloudTrail files before ${first.replace(/\//g, '-')}: if the trail is younger than the previous window, "new" marks every principal`);
    }
    req.onProgress?.(`reading ${set.files.length} CloudTrail files`);
    await countTrailCalls(set.files, w, region, (g) => aggregator.add(g));
    source = { kind: 'trail', location: set.location, files: set.files.length, bytes: set.bytes, dataEvents: true };
  }
  const { rows, totals } = aggregator.result(previousRead);
  return {
    window: { start: w.start.toISOString(), end: w.end.toISOString(), hours: round((w.end.getTime() - w.start.getTime()) / 3_600_000) },
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
