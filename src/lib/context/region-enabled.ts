import type { AwsClients } from '../aws/clients.js';
import { errorName } from '../aws/errors.js';
import { BmError } from '../core/errors.js';
import { partitionOf } from '../core/targets.js';
import { load } from '../sdk/load.js';

/**
 * A request sent to an opt-in Region the account has not enabled is refused as if the credentials were bad: STS
 * answers `InvalidClientTokenId` ("The security token included in the request is invalid."), JSON services
 * `UnrecognizedClientException` with the same message, EC2 `AuthFailure`. Only these answers lead to the check below.
 */
const REFUSED_IN_REGION = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure']);

/** A Region of each partition that is enabled in every account (none of them is opt-in): where the check is asked. */
const ALWAYS_ENABLED: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/**
 * Whether the account has the Region enabled, as EC2 DescribeRegions says (the same source as `--regions all`, which
 * lists enabled Regions only): `AllRegions` with the Region named gives its `OptInStatus` (`opt-in-not-required`,
 * `opted-in` or `not-opted-in`), asked in a Region every account has. Undefined when it cannot be told.
 */
async function optInStatus(aws: AwsClients, region: string): Promise<string | undefined> {
  const where = ALWAYS_ENABLED[partitionOf(region)];
  if (!where || where === region) return undefined;
  try {
    const { EC2Client, DescribeRegionsCommand } = load('@aws-sdk/client-ec2');
    const r = await aws
      .get(EC2Client, where)
      .send(new DescribeRegionsCommand({ AllRegions: true, RegionNames: [region] }));
    return r.Regions?.find((x) => x.RegionName === region)?.OptInStatus;
  } catch {
    return undefined;
  }
}

/**
 * The error for a Region the account has not enabled: which Region, which account, and how to enable it. For a member
 * account of the caller's organization the command names it (`--account-id`, allowed from the management account).
 */
export function regionNotEnabledError(region: string, account?: string, member = false, cause?: unknown): BmError {
  const whose = account ? `account ${account}` : 'the account';
  const other = member && account ? ` --account-id ${account}` : '';
  return new BmError(
    `${region} is an opt-in Region that is not enabled for ${whose}: AWS refuses every request sent there`,
    {
      code: 'E_AWS_REGION_NOT_ENABLED',
      hint:
        `Enable ${region} in the AWS console (account menu, Account, AWS Regions) or with \`aws account ` +
        `enable-region --region-name ${region}${other}\`; enabling can take minutes to hours. Or use another Region.`,
      cause,
    },
  );
}

/**
 * The failure of a run in `region`, explained: a refusal of the credentials in an opt-in Region the account has not
 * enabled becomes that Region's error; anything else is returned as it was.
 */
export async function explainRegionFailure(
  aws: AwsClients,
  region: string,
  err: unknown,
  target?: { account: string; member: boolean },
): Promise<unknown> {
  if (!REFUSED_IN_REGION.has(errorName(err))) return err;
  if ((await optInStatus(aws, region)) !== 'not-opted-in') return err;
  return regionNotEnabledError(region, target?.account, target?.member, err);
}
