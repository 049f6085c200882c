import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir, runCli } from '../../support/cli.js';
import {
  fakeAws,
  jsonError,
  jsonTarget,
  queryAction,
  queryError,
  restJsonError,
  s3Error,
  s3Sub,
  stsIdentity,
  when,
  xml,
} from '../../support/fake-aws.js';

/**
 * Faults answered at the HTTP layer in AWS's documented wire shapes, so the whole SDK stack runs:
 * error deserialisation, the SDK's retries, and the middleware that names service and operation.
 */

/**
 * The SDK waits between attempts (standard mode: a random share of 100 ms × 2^attempt, 500 ms for throttling: the
 * `computeNextBackoffDelay` of @smithy/core's retry), with real timers: 4.5 of this file's 5 s of wall time. Its
 * random draws are made small here (a tenth of a percent of each, still different each time), so the retries run
 * as they would, a few milliseconds apart. Nothing here asserts the delays.
 */
let draws = 0;
beforeEach(() => {
  jest.spyOn(Math, 'random').mockImplementation(() => ((draws = (draws * 9301 + 49297) % 233280) / 233280) * 0.001);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const ACCOUNT = '111122223333';
const identity = when(queryAction('sts.', 'GetCallerIdentity'), stsIdentity(ACCOUNT));
const env = { AWS_REGION: 'us-east-1' };

describe('an AWS error names the service, the operation and what to do (exit 1)', () => {
  test('AccessDenied on a read names the IAM action the caller needs', async () => {
    const aws = fakeAws(
      identity,
      when(s3Sub('GET', 'location'), xml(200, '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')),
      when(s3Sub('GET', 'versioning'), s3Error(403, 'AccessDenied', 'Access Denied')),
      // Every other bucket read finds nothing configured.
      (req) =>
        req.hostname.includes('s3') && req.method === 'GET'
          ? s3Error(404, 'NoSuchTagSet', 'The TagSet does not exist')
          : undefined,
    );
    const r = await runCli(['create-bucket'], { env, requestHandler: aws.handler });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Access denied: S3 GetBucketVersioning was refused; the caller needs s3:GetBucketVersioning.',
    );
  });

  test('AccessDenied on a write maps the S3 operation to its IAM action name', async () => {
    const aws = fakeAws(
      identity,
      when(s3Sub('GET', 'location'), s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist')),
      when(s3Sub('PUT', undefined), { status: 200, headers: { location: '/bucket' } }),
      when(s3Sub('PUT', 'tagging'), { status: 204 }),
      when(s3Sub('PUT', 'ownershipControls'), { status: 200 }),
      when(s3Sub('PUT', 'publicAccessBlock'), { status: 200 }),
      when(s3Sub('PUT', 'encryption'), s3Error(403, 'AccessDenied', 'Access Denied')),
    );
    const r = await runCli(['create-bucket', '--json'], { env, requestHandler: aws.handler });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Access denied: S3 PutBucketEncryption was refused; the caller needs s3:PutEncryptionConfiguration.',
    );
    expect(r.json().error).toMatchObject({ exitCode: 1 });
  });

  test('throttling is retried by the SDK, then reported with the number of attempts', async () => {
    const aws = fakeAws(identity, when(queryAction('iam.', 'GetRole'), queryError(400, 'Throttling', 'Rate exceeded')));
    const r = await runCli(['setup-iam'], { env, requestHandler: aws.handler, maxAttempts: 3 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AWS throttled IAM GetRole after 3 attempts: Rate exceeded');
    expect(r.stderr).toContain('safe to re-run');
    expect(aws.requests.filter(queryAction('iam.', 'GetRole'))).toHaveLength(3);
  });

  test('a throttled ListMetrics is an error, not an empty report', async () => {
    const aws = fakeAws(
      identity,
      when(jsonTarget('monitoring.', 'ListMetrics'), jsonError(400, 'Throttling', 'Rate exceeded')),
    );
    const r = await runCli(['report'], { env, requestHandler: aws.handler, maxAttempts: 2 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AWS throttled CloudWatch ListMetrics after 2 attempts');
    expect(r.stdout).toBe('');
  });

  test('a Bedrock validation error other than IAM propagation is reported as it is, not retried', async () => {
    const aws = fakeAws(
      identity,
      when(
        queryAction('iam.', 'GetRole'),
        xml(
          200,
          `<GetRoleResponse ` +
            (`xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path><RoleName>` +
              `r</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/r</Arn><CreateDate>` +
              `2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></` +
              `Role></GetRoleResult></GetRoleResponse>`),
        ),
      ),
      when(
        jsonTarget('logs.', 'DescribeLogGroups'),
        json({ logGroups: [{ logGroupName: '/aws/bedrock/modelinvocations' }] }),
      ),
      when(s3Sub('GET', 'location'), xml(200, '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')),
      (req) =>
        req.hostname.startsWith('bedrock.') && req.method === 'GET'
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }
          : undefined,
      (req) =>
        req.hostname.startsWith('bedrock.') && req.method === 'PUT'
          ? restJsonError(400, 'ValidationException', 'Bucket ACLs must be disabled')
          : undefined,
    );
    const sleeps: number[] = [];
    const r = await runCli(['enable-logging'], {
      env,
      requestHandler: aws.handler,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    });
    expect(r.code).toBe(1);
    expect(sleeps).toEqual([]);
    expect(r.stderr).toContain(
      'Bedrock PutModelInvocationLoggingConfiguration failed: ValidationException: Bucket ACLs must be disabled',
    );
  });
});

function json(body: unknown) {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

describe("retries are the SDK's, as the user's AWS settings say", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of [
      'AWS_MAX_ATTEMPTS',
      'AWS_RETRY_MODE',
      'AWS_CONFIG_FILE',
      'AWS_PROFILE',
      'AWS_USE_FIPS_ENDPOINT',
      'AWS_USE_DUALSTACK_ENDPOINT',
    ]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  /** A profile `name` in a new shared config file (AWS_CONFIG_FILE), with keys, Region us-east-1 and `setting`. */
  function useProfile(name: string, setting: string): void {
    const file = join(emptyDir(), 'config');
    const keys = 'aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret';
    writeFileSync(file, `[profile ${name}]\nregion = us-east-1\n${setting}\n${keys}\n`);
    process.env.AWS_CONFIG_FILE = file;
  }

  /** Every GetRole is throttled: how many times does the SDK send it? */
  async function attempts(
    opts: { args?: string[]; env?: Record<string, string> } = {},
  ): Promise<{ count: number; stderr: string }> {
    const aws = fakeAws(identity, when(queryAction('iam.', 'GetRole'), queryError(400, 'Throttling', 'Rate exceeded')));
    // maxAttempts: undefined leaves retries to the SDK (the tests' default of 2 would override it).
    const r = await runCli(['setup-iam', ...(opts.args ?? [])], {
      env: { ...env, ...opts.env },
      requestHandler: aws.handler,
      maxAttempts: undefined,
    });
    expect(r.code).toBe(1);
    return { count: aws.requests.filter(queryAction('iam.', 'GetRole')).length, stderr: r.stderr };
  }

  test('AWS_MAX_ATTEMPTS=1 means one attempt per call', async () => {
    process.env.AWS_MAX_ATTEMPTS = '1';
    const r = await attempts();
    expect(r.count).toBe(1);
    expect(r.stderr).toContain('AWS throttled IAM GetRole after 1 attempts');
  });

  test('AWS_MAX_ATTEMPTS=2 means two', async () => {
    process.env.AWS_MAX_ATTEMPTS = '2';
    expect((await attempts()).count).toBe(2);
  });

  test("unset, the SDK's default (standard mode: 3 attempts) applies", async () => {
    delete process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_CONFIG_FILE = join(emptyDir(), 'none');
    expect((await attempts()).count).toBe(3);
  });

  test("the profile's max_attempts in ~/.aws/config is honoured", async () => {
    delete process.env.AWS_MAX_ATTEMPTS;
    useProfile('retries', 'max_attempts = 1');
    expect((await attempts({ args: ['--profile', 'retries'] })).count).toBe(1);
  });

  /** The hosts a run's requests went to: STS's, then IAM's (two clients, each given the run's endpoint settings). */
  async function hosts(args: string[] = []): Promise<string[]> {
    // Any STS host: sts., sts-fips. (the shared `identity` answers sts. only).
    const aws = fakeAws(when(queryAction('sts', 'GetCallerIdentity'), stsIdentity(ACCOUNT)));
    await runCli(['setup-iam', ...args], { env, requestHandler: aws.handler, maxAttempts: 1 });
    return [...new Set(aws.requests.map((q) => q.hostname))];
  }

  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html (FIPS and dual-stack endpoints)
  test("AWS_USE_FIPS_ENDPOINT and the profile's use_fips_endpoint send to the FIPS endpoints", async () => {
    process.env.AWS_CONFIG_FILE = join(emptyDir(), 'none');
    expect(await hosts()).toEqual(['sts.us-east-1.amazonaws.com', 'iam.amazonaws.com']);
    process.env.AWS_USE_FIPS_ENDPOINT = 'true';
    const fips = ['sts-fips.us-east-1.amazonaws.com', 'iam-fips.amazonaws.com'];
    expect(await hosts()).toEqual(fips);
    delete process.env.AWS_USE_FIPS_ENDPOINT;
    useProfile('fips', 'use_fips_endpoint = true');
    expect(await hosts(['--profile', 'fips'])).toEqual(fips);
  });

  test('AWS_USE_DUALSTACK_ENDPOINT sends to the dual-stack endpoints', async () => {
    process.env.AWS_CONFIG_FILE = join(emptyDir(), 'none');
    process.env.AWS_USE_DUALSTACK_ENDPOINT = 'true';
    expect(await hosts()).toEqual(['sts.us-east-1.api.aws', 'iam.global.api.aws']);
  });
});
