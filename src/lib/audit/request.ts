import type { Ctx } from '../context/context.js';
import { usageError } from '../core/errors.js';
import type { AuditRequest } from './build.js';
import { checkDirectory, parseLogLocation, type TrailLocation } from './cloudtrail-files.js';
import type { GroupBy } from './types.js';
import { checkHistoryWindow, resolveAuditWindow } from './window.js';

export interface AuditFlags {
  hours?: number;
  since?: string;
  until?: string;
  by?: GroupBy;
  denied?: boolean;
  source?: 'history' | 'trail';
  logs?: string;
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
}

/** Every flag checked, and the request built, before the first AWS request (exit 2 on a bad one). */
export async function auditRequest(ctx: Ctx, f: AuditFlags): Promise<Omit<AuditRequest, 'onProgress'>> {
  const window = resolveAuditWindow({ hours: f.hours, since: f.since, until: f.until }, ctx.now());
  const source = f.source ?? (f.logs !== undefined ? 'trail' : 'history');
  if (source === 'history' && f.logs !== undefined)
    throw usageError("--logs reads a trail's files: it needs --source trail (or no --source)");
  if (source === 'history') checkHistoryWindow(window, ctx.now());
  let logs: TrailLocation | undefined;
  if (f.logs !== undefined) {
    const loc = parseLogLocation(f.logs, ctx.io.cwd);
    if (typeof loc === 'string') throw usageError(`--logs: ${loc}`);
    if (loc.kind === 'dir') await checkDirectory(loc.path);
    logs = loc;
  }
  const targets = {
    ...(f.regions !== undefined ? { regions: f.regions } : {}),
    ...(f.accounts !== undefined ? { accounts: f.accounts } : {}),
  };
  return {
    window,
    groupBy: f.by ?? 'principal',
    deniedOnly: f.denied === true,
    source,
    targets,
    ...(logs ? { logs } : {}),
  };
}
