import type { Settings } from '../config/settings.js';
import type { Ctx } from '../context/context.js';
import { ensure, type Outcome, type ResourceDef } from '../aws/ensure.js';
import {
  metricFilterResource,
  securityAlarmResource,
  securityAlarmSpecs,
  securityDashboardResource,
} from '../resources/security-view.js';
import { trailCoverage, trailResource } from '../resources/trail.js';

/**
 * The audit steps' conditions, dependencies and convergence, for their entries in the registry
 * (steps.ts): audit-iam and audit-log-group (CloudWatch Logs delivery), audit-trail, security-view.
 */

export const auditOn = (s: Settings): boolean => s.audit.enabled;
export const auditLogsOn = (s: Settings): boolean => s.audit.enabled && s.audit.cloudWatchLogs;

/** The bucket (its policy names the trail), and the role and log group when logs go to CloudWatch. */
export function auditTrailNeeds(s: Settings): ('create-bucket' | 'audit-iam' | 'audit-log-group')[] {
  return s.audit.cloudWatchLogs ? ['create-bucket', 'audit-iam', 'audit-log-group'] : ['create-bucket'];
}

/** The dashboard reads the trail's log group; the alarms notify the alarms' topic. */
export function securityNeeds(s: Settings): ('audit-trail' | 'topic')[] {
  return s.audit.alarms.enabled ? ['audit-trail', 'topic'] : ['audit-trail'];
}

/** The trail, with what it does about management events in the outcome's note. */
export async function convergeTrail(ctx: Ctx): Promise<Outcome[]> {
  const outcome = await ensure(await trailResource(ctx), ctx);
  const { note, include } = await trailCoverage(ctx);
  if (!include && ctx.settings.audit.alarms.enabled) {
    ctx.events.warn(
      "the refused-calls alarm counts this trail's events, which leave out management events (InvokeModel, " +
        'Converse): set "audit.managementEvents": true to count their refusals too (a second copy costs $2.00 ' +
        'per 100,000 events)',
    );
  }
  return [{ ...outcome, note: outcome.note ? `${outcome.note}; ${note}` : note }];
}

async function alarmResources(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  const alarms = await Promise.all(securityAlarmSpecs(ctx.settings).map((s) => securityAlarmResource(ctx, s)));
  return [metricFilterResource(ctx), ...(alarms as ResourceDef<unknown>[])];
}

/**
 * The dashboard, and with `audit.alarms` the metric filter and the two alarms. With audit off, only
 * cleanup asks (to find what an earlier run made): then everything is looked for.
 */
export async function securityResources(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  const dashboard = (await securityDashboardResource(ctx)) as ResourceDef<unknown>;
  const { enabled, alarms } = ctx.settings.audit;
  return alarms.enabled || !enabled ? [dashboard, ...(await alarmResources(ctx))] : [dashboard];
}

/** With the alarms turned off: the filter and alarms an earlier run made (cleanup deletes them). */
export async function securityStrays(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  const { enabled, alarms } = ctx.settings.audit;
  return enabled && !alarms.enabled ? alarmResources(ctx) : [];
}
