import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '../sdk/client-kms.js';
import type { RegionCtx } from '../context/context.js';
import type { Outcome, StatusRow } from '../aws/ensure.js';
import { errorName, isNotFound, toBmError } from '../aws/errors.js';
import { bedrockSourceArn } from '../aws/names.js';
import { normalizeStatement, parsePolicy, statementsOf, type Statement } from '../aws/policy.js';
import { usageError } from '../core/errors.js';
import { trailArn } from './trail-bucket.js';
import { trailInto } from '../config/settings.js';

/**
 * The bucket's KMS key (`kmsKeyId`). Bedrock writes logs to an SSE-KMS bucket only when the bucket
 * names the key by its full ARN ("If you are using encryption with cross-account or Amazon Web
 * Services service operations, you must use a fully qualified KMS key ARN", S3 API reference) and
 * the key policy lets bedrock.amazonaws.com call kms:GenerateDataKey (Bedrock user guide, model
 * invocation logging). The tool resolves an alias or key ID to the ARN before any write, and reads
 * the key policy; it never edits a key policy: it prints the statement to add.
 */

export const BEDROCK_KEY_SID = 'AllowBedrockModelInvocationLogging';
export const CLOUDTRAIL_KEY_SID = 'BedrockMonitorCloudTrailEncrypt';

/** The statement AWS documents for an SSE-KMS log bucket, with a Sid to find it by. */
export function bedrockKeyStatement(region: string, account: string): Statement {
  return {
    Sid: BEDROCK_KEY_SID,
    Effect: 'Allow',
    Principal: { Service: 'bedrock.amazonaws.com' },
    Action: 'kms:GenerateDataKey',
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': bedrockSourceArn(region, account) },
    },
  };
}

const asList = (v: string | boolean | readonly (string | boolean)[] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x: string | boolean) => String(x));

/** IAM's wildcard match (`*` any run, `?` one character), case-sensitive as ARN and string matches are. */
function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

const CONDITION_OPERATORS = new Set(['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike']);

/** Whether a statement's conditions hold for Bedrock's requests from this account and Region. */
function conditionsHold(condition: Statement['Condition'], expected: Record<string, string>): boolean {
  for (const [operator, pairs] of Object.entries(condition ?? {})) {
    if (!CONDITION_OPERATORS.has(operator)) return false;
    const like = operator.endsWith('Like');
    for (const [key, values] of Object.entries(pairs)) {
      const want = expected[key];
      if (want === undefined) return false;
      if (!asList(values).some((v) => (like ? wildcard(v, want) : v === want))) return false;
    }
  }
  return true;
}

/**
 * The statement CloudTrail needs to write its log files to a bucket encrypted with this key ("Granting encrypt
 * permissions for trails",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-encrypt.html),
 * with `aws:SourceArn` and the encryption context narrowed to the tool's trail.
 */
export function cloudTrailKeyStatement(region: string, account: string, trailName: string): Statement {
  const arn = trailArn(region, account, trailName);
  return {
    Sid: CLOUDTRAIL_KEY_SID,
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceArn': arn },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': arn },
    },
  };
}

/**
 * True when some statement allows the service kms:GenerateDataKey on the key, with no condition beyond the
 * expected ones (each holding for the values given).
 */
function grantsService(policyText: string, service: string, expected: Record<string, string>): boolean {
  return statementsOf(parsePolicy(policyText)).some((s) => {
    const principals = s.Principal === '*' ? [] : asList(s.Principal?.Service);
    const actions = asList(s.Action).map((a) => a.toLowerCase());
    return (
      s.Effect === 'Allow' &&
      principals.includes(service) &&
      actions.some((a) => a === '*' || a === 'kms:*' || wildcard(a, 'kms:generatedatakey')) &&
      asList(s.Resource).includes('*') &&
      conditionsHold(s.Condition, expected)
    );
  });
}

/**
 * True when some statement allows bedrock.amazonaws.com kms:GenerateDataKey on the key, with no
 * condition beyond the documented aws:SourceAccount / aws:SourceArn ones for this account and Region.
 */
export function grantsBedrock(policyText: string, region: string, account: string): boolean {
  const expected = { 'aws:SourceAccount': account, 'aws:SourceArn': bedrockSourceArn(region, account) };
  return grantsService(policyText, 'bedrock.amazonaws.com', expected);
}

/** True when some statement lets cloudtrail.amazonaws.com encrypt the trail's log files with the key. */
export function grantsCloudTrail(policyText: string, region: string, account: string, trailName: string): boolean {
  const arn = trailArn(region, account, trailName);
  const expected = {
    'aws:SourceAccount': account,
    'aws:SourceArn': arn,
    'kms:EncryptionContext:aws:cloudtrail:arn': arn,
  };
  return grantsService(policyText, 'cloudtrail.amazonaws.com', expected);
}

/** `kmsKeyId` as a key ARN (DescribeKey resolves an alias or key ID), once per run; undefined without one. */
export function bucketKeyArn(ctx: RegionCtx): Promise<string | undefined> {
  const id = ctx.settings.kmsKeyId;
  if (id === undefined) return Promise.resolve(undefined);
  return ctx.cache.get(`kms-key:${id}`, async () => {
    const region = ctx.settings.region;
    const fix =
      'Set "kmsKeyId" in bedrock-monitor.config.json to the ARN, ID or alias of an enabled symmetric ' +
      'encryption key in this Region.';
    let meta;
    try {
      meta = (await ctx.aws.get(KMSClient).send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata;
    } catch (err) {
      if (isNotFound(err) || errorName(err) === 'InvalidArnException')
        throw usageError(`kmsKeyId "${id}" is not a KMS key in ${region} (KMS DescribeKey: ${errorName(err)}).`, fix);
      throw err;
    }
    const arn = meta?.Arn;
    if (!arn) throw usageError(`kmsKeyId "${id}": KMS DescribeKey returned no key ARN.`, fix);
    const problem =
      arn.split(':')[3] !== region
        ? `is in ${arn.split(':')[3]}, but the bucket is in ${region}`
        : meta?.KeySpec !== undefined && meta.KeySpec !== 'SYMMETRIC_DEFAULT'
          ? `is a ${meta.KeySpec} key; S3 encrypts only with symmetric encryption keys`
          : meta?.KeyUsage !== undefined && meta.KeyUsage !== 'ENCRYPT_DECRYPT'
            ? `has key usage ${meta.KeyUsage}, not ENCRYPT_DECRYPT`
            : meta?.KeyState !== undefined && meta.KeyState !== 'Enabled'
              ? `is ${meta.KeyState}, not Enabled`
              : undefined;
    if (problem) throw usageError(`kmsKeyId "${id}" (${arn}) ${problem}.`, fix);
    return arn;
  });
}

export interface KeyPolicyCheck {
  keyArn: string;
  /** The statements the policy lacks (Bedrock's, and CloudTrail's when the audit trail writes to the bucket). */
  missing: Statement[];
  /** Why the policy could not be read (then every needed statement counts as missing). */
  error?: string;
}

/** Reads the key policy (GetKeyPolicy) and looks for the statements the services writing to the bucket need. */
export async function checkKeyPolicy(ctx: RegionCtx): Promise<KeyPolicyCheck | undefined> {
  const keyArn = await bucketKeyArn(ctx);
  if (!keyArn) return undefined;
  const account = await ctx.account();
  const { region } = ctx.settings;
  // The account's trail (an account fact: audit is the account's setting) writes to the bucket with this key, when
  // it writes to this Region's bucket.
  const trail = trailInto(ctx.accountFacts, region);
  const needed: [Statement, (policy: string) => boolean][] = [
    [bedrockKeyStatement(region, account), (p) => grantsBedrock(p, region, account)],
    ...(trail
      ? [
          [
            cloudTrailKeyStatement(region, account, trail.name),
            (p: string) => grantsCloudTrail(p, region, account, trail.name),
          ] as [Statement, (policy: string) => boolean],
        ]
      : []),
  ];
  try {
    const r = await ctx.aws.get(KMSClient).send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
    return { keyArn, missing: needed.filter(([, grants]) => !r.Policy || !grants(r.Policy)).map(([st]) => st) };
  } catch (err) {
    return { keyArn, missing: needed.map(([st]) => st), error: toBmError(err).message };
  }
}

const NOTE =
  'bedrock-monitor never edits key policies: add the statements (setup prints them) to the key policy, by Sid';

/** Per statement: who the key policy lets down, and what fails without it. */
const WHO: Record<string, [string, string]> = {
  [BEDROCK_KEY_SID]: ['Amazon Bedrock', 'Bedrock cannot write logs'],
  [CLOUDTRAIL_KEY_SID]: ['CloudTrail', 'the audit trail cannot deliver its log files'],
};

/** status: one row for the key policy when a key is configured. */
export async function keyPolicyRows(ctx: RegionCtx): Promise<StatusRow[]> {
  const c = await checkKeyPolicy(ctx);
  if (!c) return [];
  const base = { resource: 'kms-key-policy', name: c.keyArn };
  if (!c.missing.length) return [{ ...base, status: 'ok', changes: [] }];
  const from = c.error !== undefined ? `unreadable (${c.error})` : null;
  return [
    {
      ...base,
      status: 'drifted',
      changes: c.missing.map((st) => ({ field: `statement[${st.Sid}]`, from, to: normalizeStatement(st) })),
      note: NOTE,
      manual: true,
    },
  ];
}

/**
 * create-bucket: when the key policy lacks a statement, says so on stderr with the exact statement to
 * add, and reports the key policy as skipped (never written).
 */
export async function keyPolicyOutcomes(ctx: RegionCtx): Promise<Outcome[]> {
  const c = await checkKeyPolicy(ctx);
  if (!c || !c.missing.length) return [];
  for (const st of c.missing) {
    const [service, fails] = WHO[st.Sid ?? ''] ?? ['the service', 'it cannot write'];
    const why = c.error !== undefined ? `could not be read (${c.error})` : `does not let ${service} use the key`;
    ctx.events.warn(
      `the key policy of ${c.keyArn} ${why}: ${fails} to the SSE-KMS bucket until the key policy has this ` +
        `statement (bedrock-monitor never edits key policies):\n${JSON.stringify(st, null, 2)}`,
    );
  }
  return [
    {
      resource: 'kms-key-policy',
      name: c.keyArn,
      action: 'skipped',
      changes: c.missing.map((st) => ({ field: `statement[${st.Sid}]`, from: null, to: st })),
      note: NOTE,
    },
  ];
}
