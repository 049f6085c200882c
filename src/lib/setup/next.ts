import type { Ctx } from '../context/context.js';
import type { NextSteps } from './render.js';
import { NO_EMAIL_WARNING } from './render.js';
import { subscriptionStates } from './steps.js';

/** The next steps after a setup run, said once: pending subscriptions, no one to alert, the dashboard link. */

/** The dashboard in the AWS console. */
export function dashboardUrl(region: string, name: string): string {
  const host = region.startsWith('cn-')
    ? `${region}.console.amazonaws.cn`
    : region.startsWith('us-gov-')
      ? `${region}.console.amazonaws-us-gov.com`
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}

/**
 * What is left for a person: reads the subscriptions (from the run's cache when the topic step ran)
 * only when the topic is there, and links the dashboard only when it is.
 */
export async function nextSteps(ctx: Ctx, made: { topic: boolean; dashboard: boolean }): Promise<NextSteps> {
  const subscriptions = made.topic && !ctx.dryRun ? await subscriptionStates(ctx) : [];
  return {
    subscriptions,
    dashboardUrl: made.dashboard && !ctx.dryRun ? dashboardUrl(ctx.settings.region, ctx.settings.dashboardName) : null,
  };
}

/** Alarms that reach no one deserve a warning (stderr), once per run; returned for --json. */
export function emailWarnings(ctx: Ctx): string[] {
  if (ctx.settings.alarms.emails.length) return [];
  ctx.events.warn(NO_EMAIL_WARNING);
  return [NO_EMAIL_WARNING];
}
