import type { Ctx } from './context.js';
import { ensure, inspect, type Outcome, type ResourceDef, type StatusRow } from './ensure.js';
import { bucketResource } from './resources/bucket.js';
import { logGroupResource } from './resources/log-group.js';
import { checkPrerequisites, loggingResource } from './resources/logging.js';
import { roleResource } from './resources/role.js';
import { monitoringStatus } from './monitoring.js';

/** The single steps. Each converges the resources it owns and returns their outcomes. */

export async function setupIam(ctx: Ctx): Promise<Outcome[]> {
  return [await ensure(await roleResource(ctx), ctx)];
}

export async function createBucket(ctx: Ctx): Promise<Outcome[]> {
  return [await ensure(await bucketResource(ctx), ctx)];
}

export async function createLogGroup(ctx: Ctx): Promise<Outcome[]> {
  return [await ensure(await logGroupResource(ctx), ctx)];
}

export async function enableLogging(ctx: Ctx, opts: { checkPrerequisites: boolean } = { checkPrerequisites: true }): Promise<Outcome[]> {
  const def = await loggingResource(ctx, { refuseForeign: !ctx.force });
  if (opts.checkPrerequisites) await checkPrerequisites(ctx);
  return [await ensure(def, ctx)];
}

/** The logging pipeline's resources, in the order `status` lists them. */
export async function coreResources(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  const defs = await Promise.all([roleResource(ctx), bucketResource(ctx), logGroupResource(ctx), loggingResource(ctx, { refuseForeign: false })]);
  return defs;
}

/** Reads every managed resource (no writes) and says, per resource, ok, drifted or missing. */
export async function collectStatus(ctx: Ctx): Promise<StatusRow[]> {
  const [core, monitoring] = await Promise.all([
    coreResources(ctx).then((defs) => Promise.all(defs.map((d) => inspect(d)))),
    monitoringStatus(ctx),
  ]);
  return [...core, ...monitoring];
}
