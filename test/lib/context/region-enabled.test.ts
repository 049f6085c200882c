import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { EC2Client, DescribeRegionsCommand, type DescribeRegionsCommandInput } from '@aws-sdk/client-ec2';
import { runCli } from '../../support/cli.js';

/**
 * An opt-in Region the account has not enabled (issue 19). What AWS answers there, as recorded in public reports:
 * STS GetCallerIdentity through @aws-sdk/client-sts in eu-south-1 before it was enabled fails with
 * `InvalidClientTokenId: The security token included in the request is invalid.` (HTTP 403)
 * (https://github.com/remotion-dev/github-unwrapped-2022/issues/34; the same answer, and enabling the Region as
 * the fix, in https://github.com/brefphp/extra-php-extensions/pull/384 and
 * https://github.com/aws/aws-sdk-ruby/issues/2850).
 * The answer is the same as for bad keys, so the tool asks EC2 DescribeRegions (AllRegions, the Region named) in
 * us-east-1, whose `OptInStatus` is `opt-in-not-required` | `opted-in` | `not-opted-in`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Region.html), the source `--regions all` reads too.
 */
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', NO_COLOR: '1', COLUMNS: '200' };
// Every client the mocks do not replace fails at once (nothing listens there): no request leaves the machine.
const offline = ['--endpoint-url', 'http://127.0.0.1:9'];

const refused = () =>
  Object.assign(new Error('The security token included in the request is invalid.'), {
    name: 'InvalidClientTokenId',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });

/** STS as AWS answers it: refused in af-south-1 (not enabled), the account elsewhere. */
function stsByRegion(): void {
  sts.on(GetCallerIdentityCommand).callsFake(async (_input: unknown, getClient: () => STSClient) => {
    if ((await getClient().config.region()) === 'af-south-1') throw refused();
    return { Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/dev', UserId: 'AIDAEXAMPLE' };
  });
}

const regionsAnswer = (status: string) => (input: DescribeRegionsCommandInput) => ({
  Regions: (input.RegionNames ?? []).map((r) => ({
    RegionName: r,
    Endpoint: `ec2.${r}.amazonaws.com`,
    OptInStatus: status,
  })),
});

describe('an opt-in Region not enabled for the account', () => {
  beforeEach(() => {
    sts.reset();
    ec2.reset();
    stsByRegion();
  });

  test('one target: a clear error naming the Region and how to enable it (exit 1)', async () => {
    ec2.on(DescribeRegionsCommand).callsFake(regionsAnswer('not-opted-in'));
    const r = await runCli(['status', '--region', 'af-south-1', ...offline], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'af-south-1 is an opt-in Region that is not enabled for the account: AWS refuses every request sent there',
    );
    expect(r.stderr).toContain('aws account enable-region --region-name af-south-1');
    expect(r.stderr).not.toContain('rejected the credentials');
    // The check asked EC2 in a Region every account has, about this Region only.
    const asked = ec2.commandCalls(DescribeRegionsCommand)[0]!;
    expect(asked.args[0].input).toEqual({ AllRegions: true, RegionNames: ['af-south-1'] });
    expect(await asked.thisValue.config.region()).toBe('us-east-1');
    const j = (await runCli(['status', '--region', 'af-south-1', '--json', ...offline], { env })).json();
    expect(j.error.code).toBe('E_AWS_REGION_NOT_ENABLED');
  });

  test('an enabled Region that refuses the credentials is still a credentials error', async () => {
    ec2.on(DescribeRegionsCommand).callsFake(regionsAnswer('opted-in'));
    const r = await runCli(['status', '--region', 'af-south-1', '--json', ...offline], { env });
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('E_AWS_CREDENTIALS_REJECTED');
  });

  test('in the fleet: that target is one failed row with the reason and the fix; the others run', async () => {
    ec2.on(DescribeRegionsCommand).callsFake(regionsAnswer('not-opted-in'));
    const r = await runCli(['status', '--regions', 'us-east-1,af-south-1', '--json', ...offline], { env });
    const rows = r.json().targets as {
      region: string;
      status: string;
      error: { code: string; message: string; hint: string } | null;
    }[];
    const af = rows.find((t) => t.region === 'af-south-1')!;
    expect(af.status).toBe('failed');
    expect(af.error?.code).toBe('E_AWS_REGION_NOT_ENABLED');
    expect(af.error?.message).toContain('af-south-1 is an opt-in Region that is not enabled for account 111122223333');
    expect(af.error?.hint).toContain('aws account enable-region --region-name af-south-1');
    // us-east-1 went on (and failed for its own reason here: nothing answers at the endpoint).
    expect(rows.find((t) => t.region === 'us-east-1')!.error?.code).not.toBe('E_AWS_REGION_NOT_ENABLED');
  });
});
