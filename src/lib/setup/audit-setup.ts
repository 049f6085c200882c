import type { Ctx } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { usageError } from '../core/errors.js';
import { runStep, type StepName } from './steps.js';

/**
 * `audit-trail`: the audit steps in dependency order, beginning with the bucket, whose policy must
 * allow CloudTrail before the trail is created (AWS refuses CreateTrail otherwise).
 */
export async function runAuditSetup(ctx: Ctx): Promise<Outcome[]> {
  const { audit } = ctx.settings;
  if (!audit.enabled) {
    throw usageError(
      'audit is off in these settings, so there is no trail to set up.',
      'Add "audit": {"enabled": true} to bedrock-monitor.config.json (status and cleanup follow the config), ' +
        'or run `bedrock-monitor setup-all --audit`.',
    );
  }
  const steps: StepName[] = [
    'create-bucket',
    ...(audit.cloudWatchLogs ? (['audit-iam', 'audit-log-group'] as const) : []),
    'audit-trail',
    ...(audit.alarms.enabled ? (['topic'] as const) : []),
    'security-view',
  ];
  const outcomes: Outcome[] = [];
  for (const step of steps) outcomes.push(...(await runStep(ctx, step)));
  return outcomes;
}
