import { GetBucketPolicyCommand, S3Client } from '../sdk/client-s3.js';
import type { Ctx } from '../context/context.js';
import { ensure, type Outcome, type ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { parsePolicy, statementsOf } from '../aws/policy.js';
import { BmError, ExitCode } from '../core/errors.js';
import { bucketRegion } from '../resources/bucket.js';
import { CUR_WRITE_SID, curExportLocation } from '../resources/cur-bucket.js';
import { curExportResource } from '../resources/cur-export.js';

/**
 * The opt-in `cur-export` step (`bill.enabled`): the CUR 2.0 Data Export into the tool's bucket, whose policy
 * carries the Data Exports statement (create-bucket writes it, by Sid, while `bill.enabled`).
 */

/** Whether the bucket's policy carries the Data Exports statement (undefined: no bucket). */
async function hasCurStatement(ctx: Ctx): Promise<boolean | undefined> {
  const bucket = await ctx.bucketName();
  const s3 = ctx.aws.get(S3Client);
  if ((await bucketRegion(s3, bucket)) === undefined) return undefined;
  const policy = (await absentIfNotFound(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))))?.Policy;
  return statementsOf(policy ? parsePolicy(policy) : undefined).some((s) => s.Sid === CUR_WRITE_SID);
}

/**
 * The export, while `bill.enabled`; with it off (cleanup asks), only when the bucket policy still carries the Data
 * Exports statement an earlier run wrote: so accounts that never opted in are not asked about Data Exports.
 */
export async function curExportResources(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  if (!ctx.settings.bill.enabled && !(await hasCurStatement(ctx))) return [];
  return [await curExportResource(ctx)];
}

/** Run alone: the bucket and its statement must be there (AWS checks the policy when the export is created). */
async function checkBucket(ctx: Ctx): Promise<void> {
  const bucket = await ctx.bucketName();
  const has = await hasCurStatement(ctx);
  const missing =
    has === undefined ? `S3 bucket ${bucket}` : has ? undefined : `the ${CUR_WRITE_SID} statement in its policy`;
  if (missing)
    throw new BmError(`cur-export needs ${missing} (run \`bedrock-monitor create-bucket\`).`, {
      exitCode: ExitCode.failure,
      code: 'E_PREREQUISITE_MISSING',
      hint: 'Or run `bedrock-monitor setup-all` to create everything in order.',
    });
}

/** The export, with what the person sees next: the first files within 24 hours, and where `bill` reads them. */
export async function convergeCurExport(ctx: Ctx, opts: { standalone?: boolean }): Promise<Outcome[]> {
  if (opts.standalone) await checkBucket(ctx);
  const outcome = await ensure(await curExportResource(ctx), ctx);
  if (outcome.action === 'created' || outcome.action === 'would-create') {
    const where = curExportLocation(await ctx.bucketName());
    outcome.note =
      `AWS delivers the first files to ${where} within 24 hours, then refreshes them at least once a day; until then ` +
      '`bill` reads Cost Explorer (needs the management account or a member account with billing access)';
  }
  return [outcome];
}
