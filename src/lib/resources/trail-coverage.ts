import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '../sdk/client-cloudtrail.js';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { Ctx } from '../context/context.js';
import { AwsClients } from '../aws/clients.js';
import { errorName } from '../aws/errors.js';
import { mapLimit } from '../core/concurrency.js';
import { coversManagementEvents } from './trail-selectors.js';

/**
 * Does another trail already record this Region's management events? Then the tool's trail leaves
 * them out: the first copy of management events is free, every further copy costs $2.00 per
 * 100,000 events (https://aws.amazon.com/cloudtrail/pricing/).
 */

export interface ManagementCoverage {
  /** Whether the tool's trail records management events. */
  include: boolean;
  /** The logging trail (ARN) that records them already, when there is one. */
  recordedBy: string | undefined;
  /** In words, for outcomes and status. */
  note: string;
}

/** A CloudTrail client in the Region a trail lives in (trail APIs must be called from its home Region). */
export function cloudTrailIn(ctx: Ctx, region: string): CloudTrailClient {
  if (region === ctx.settings.region) return ctx.aws.get(CloudTrailClient);
  return new AwsClients({ ...ctx.aws.options, region }).get(CloudTrailClient);
}

/** True when the trail is logging and its selectors record Bedrock's management events. */
async function recordsManagementEvents(ctx: Ctx, trail: Trail): Promise<boolean> {
  const client = cloudTrailIn(ctx, trail.HomeRegion ?? ctx.settings.region);
  const arn = trail.TrailARN ?? trail.Name ?? '';
  try {
    const status = await client.send(new GetTrailStatusCommand({ Name: arn }));
    if (status.IsLogging !== true) return false;
    const sel = await client.send(new GetEventSelectorsCommand({ TrailName: arn }));
    return coversManagementEvents(sel.EventSelectors, sel.AdvancedEventSelectors);
  } catch (err) {
    // An organization trail belongs to the management account; a member account may not read its
    // selectors. Organization trails record management events in practice: do not pay for a copy.
    if (trail.IsOrganizationTrail === true && errorName(err) !== '') return true;
    throw err;
  }
}

async function findCoverage(ctx: Ctx, ownArn: string): Promise<ManagementCoverage> {
  const { trailList = [] } = await ctx.aws
    .get(CloudTrailClient)
    .send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const others = trailList
    .filter((t) => t.TrailARN !== ownArn)
    .sort((a, b) => (a.TrailARN ?? '').localeCompare(b.TrailARN ?? ''));
  const covering = await mapLimit(others, 4, (t) => recordsManagementEvents(ctx, t));
  const by = others.find((_t, i) => covering[i]);
  if (by?.TrailARN) {
    return {
      include: false,
      recordedBy: by.TrailARN,
      note:
        `management events: recorded by trail ${by.TrailARN}; not copied (a second copy costs $2.00 per ` +
        `100,000 events)`,
    };
  }
  return {
    include: true,
    recordedBy: undefined,
    note: 'management events: recorded by this trail (no other logging trail records them; the first copy is free)',
  };
}

/**
 * Whether the tool's trail should record management events: the `audit.managementEvents` setting,
 * or with 'auto' only when no other logging trail in the Region records them. Read once per run.
 */
export function managementCoverage(ctx: Ctx, ownArn: string): Promise<ManagementCoverage> {
  const setting = ctx.settings.audit.managementEvents;
  if (setting === true)
    return Promise.resolve({
      include: true,
      recordedBy: undefined,
      note: 'management events: recorded by this trail (audit.managementEvents: true)',
    });
  if (setting === false)
    return Promise.resolve({
      include: false,
      recordedBy: undefined,
      note: 'management events: not recorded (audit.managementEvents: false)',
    });
  return ctx.cache.get(`trail-coverage:${ownArn}`, () => findCoverage(ctx, ownArn));
}
