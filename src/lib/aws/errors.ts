import { BmError, interrupted } from '../core/errors.js';
import { describeUnparsable, isUnparsable, notAwsAnswer } from './not-aws.js';

/**
 * AWS SDK errors, classified: "not found" becomes an absent state inside readers, and every other
 * failure becomes a BmError whose message names the service, the operation and what to do.
 */

/** Shape of AWS SDK v3 service exceptions that we rely on. */
export interface AwsErrorLike {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
  /** Annotated by the client factory's middleware. */
  $service?: string;
  $command?: string;
  /** The endpoint override, when there is one (annotated with the service and operation). */
  $endpoint?: string;
  Code?: string;
}

export function isAwsError(err: unknown): err is AwsErrorLike {
  return typeof err === 'object' && err !== null && 'name' in err && ('$metadata' in err || '$fault' in err);
}

export function errorName(err: unknown): string {
  if (!isAwsError(err)) return '';
  return err.Code ?? err.name;
}

const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'NoSuchBucket',
  'NotFound',
  'NoSuchBucketPolicy',
  'NoSuchLifecycleConfiguration',
  'NoSuchPublicAccessBlockConfiguration',
  'OwnershipControlsNotFoundError',
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchTagSet',
  'NoSuchTagSetError',
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NotFoundException',
  'EntityNotFoundException',
]);

/** "Not found" errors become an absent state inside resource readers. */
export function isNotFound(err: unknown): boolean {
  if (!isAwsError(err)) return false;
  return (
    NOT_FOUND.has(errorName(err)) || (err.$metadata?.httpStatusCode === 404 && err.name !== 'UnknownOperationException')
  );
}

/** Reads a value, turning "not found" into `undefined` and rethrowing everything else. */
export async function absentIfNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** IAM action names that differ from the S3 API operation name. */
const S3_ACTIONS: Record<string, string> = {
  HeadBucket: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListObjectsV2: 's3:ListBucket',
  DeleteObjects: 's3:DeleteObjectVersion',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
};

const SERVICE_PREFIX: Record<string, string> = {
  IAM: 'iam',
  S3: 's3',
  'CloudWatch Logs': 'logs',
  CloudWatch: 'cloudwatch',
  SNS: 'sns',
  STS: 'sts',
  Bedrock: 'bedrock',
  KMS: 'kms',
  CloudTrail: 'cloudtrail',
  'Price List': 'pricing',
  'Service Quotas': 'servicequotas',
  Glue: 'glue',
  Athena: 'athena',
  'Data Exports': 'bcm-data-exports',
  'Cost Explorer': 'ce',
};

/** IAM actions whose names differ from the API operation (Budgets uses a few action names for many operations). */
const OTHER_ACTIONS: Record<string, Record<string, string>> = {
  Budgets: {
    DescribeBudget: 'budgets:ViewBudget',
    DescribeBudgets: 'budgets:ViewBudget',
    DescribeNotificationsForBudget: 'budgets:ViewBudget',
    DescribeSubscribersForNotification: 'budgets:ViewBudget',
    CreateBudget: 'budgets:ModifyBudget',
    UpdateBudget: 'budgets:ModifyBudget',
    DeleteBudget: 'budgets:ModifyBudget',
    CreateNotification: 'budgets:ModifyBudget',
    DeleteNotification: 'budgets:ModifyBudget',
    CreateSubscriber: 'budgets:ModifyBudget',
    DeleteSubscriber: 'budgets:ModifyBudget',
    TagResource: 'budgets:TagResource',
    UntagResource: 'budgets:UntagResource',
    ListTagsForResource: 'budgets:ListTagsForResource',
  },
};

/** The IAM action a failed SDK command needed, e.g. `s3:PutEncryptionConfiguration`. */
export function iamActionFor(service: string | undefined, command: string | undefined): string | undefined {
  if (!service || !command) return undefined;
  const op = command.replace(/Command$/, '');
  if (service === 'S3') return S3_ACTIONS[op] ?? `s3:${op}`;
  const other = OTHER_ACTIONS[service]?.[op];
  if (other) return other;
  const prefix = SERVICE_PREFIX[service];
  return prefix ? `${prefix}:${op}` : undefined;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'LimitExceededException',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'Forbidden',
]);
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
]);

const NETWORK = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'];

/** The socket error behind a failure, also when the SDK has wrapped it. */
function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown } | undefined;
  for (const c of [e?.code, e?.cause?.code]) if (typeof c === 'string' && NETWORK.includes(c)) return c;
  const m = typeof e?.message === 'string' ? new RegExp(`\\b(${NETWORK.join('|')})\\b`).exec(e.message) : null;
  return m?.[1];
}

/** An answer the SDK could not parse (an HTML page, garbage): the operation, the endpoint, what came back. */
function unparsableAnswer(e: AwsErrorLike): BmError {
  return notAwsAnswer({
    service: e.$service ?? 'AWS',
    operation: e.$command?.replace(/Command$/, '') ?? 'request',
    endpoint: e.$endpoint,
    status: e.$metadata?.httpStatusCode,
    what: describeUnparsable(e),
  });
}

/** Translates anything thrown into a BmError with a message a person can act on. */
export function toBmError(err: unknown): BmError {
  if (err instanceof BmError) return err;
  // Ctrl-C at an interactive prompt (or the prompt aborted): the person stopped it (exit 130), not an error.
  if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError'))
    return interrupted('Cancelled: nothing more was changed.');
  if (typeof err === 'object' && err !== null && (err as { name?: string }).name === 'CredentialsProviderError') {
    return new BmError(`No AWS credentials found: ${(err as Error).message}`, {
      code: 'E_AWS_NO_CREDENTIALS',
      hint: 'Set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`.',
      cause: err,
    });
  }
  if (networkCode(err)) {
    const e = err as Error & { $service?: string; $command?: string };
    const where = e.$service ? ` for ${e.$service} ${e.$command ?? ''}`.trimEnd() : '';
    return new BmError(`Cannot reach the AWS endpoint${where}: ${e.message}`, {
      code: 'E_AWS_UNREACHABLE',
      hint: 'Check --endpoint-url / AWS_ENDPOINT_URL, the Region and your network.',
      cause: err,
    });
  }
  if (isUnparsable(err)) return unparsableAnswer(err as AwsErrorLike);
  if (isAwsError(err)) {
    const name = errorName(err);
    const op = err.$command?.replace(/Command$/, '') ?? 'request';
    const where = err.$service ? `${err.$service} ${op}` : op;
    if (ACCESS_DENIED.has(name) || (err.$metadata?.httpStatusCode === 403 && !CREDENTIALS.has(name))) {
      const action = iamActionFor(err.$service, err.$command);
      return new BmError(`Access denied: ${where} was refused${action ? `; the caller needs ${action}` : ''}.`, {
        code: 'E_AWS_ACCESS_DENIED',
        hint: 'See docs/permissions.md for the full list the tool needs.',
        cause: err,
      });
    }
    if (THROTTLING.has(name)) {
      const attempts = err.$metadata?.attempts;
      return new BmError(`AWS throttled ${where}${attempts ? ` after ${attempts} attempts` : ''}: ${err.message}`, {
        code: 'E_AWS_THROTTLED',
        hint: 'Wait a minute and run the command again; every step is safe to re-run.',
        cause: err,
      });
    }
    if (CREDENTIALS.has(name)) {
      return new BmError(`AWS rejected the credentials (${name}) on ${where}: ${err.message}`, {
        code: 'E_AWS_CREDENTIALS_REJECTED',
        hint: 'Check AWS_PROFILE/--profile and that the session has not expired.',
        cause: err,
      });
    }
    return new BmError(`${where} failed: ${name}: ${err.message}`, { code: 'E_AWS_REQUEST_FAILED', cause: err });
  }
  if (err instanceof Error) return new BmError(err.message, { code: 'E_UNEXPECTED', cause: err });
  return new BmError(String(err), { code: 'E_UNEXPECTED' });
}
