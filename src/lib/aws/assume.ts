import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { BmError } from '../core/errors.js';
import { DEFAULT_ASSUME_ROLE } from '../core/targets.js';
import type { AwsClients } from './clients.js';
import { load } from '../sdk/load.js';

/** What an AssumeRole session says about itself in CloudTrail (the role's "who"): always this tool. */
export const ROLE_SESSION_NAME = 'bedrock-monitor';

export interface AssumeOptions {
  roleArn: string;
  externalId?: string | undefined;
}

/** Refreshed this long before AWS says they expire, so a long run never signs with stale keys. */
const REFRESH_MS = 5 * 60_000;

/**
 * Credentials of a role in another account, from the base credentials (the caller's) through STS
 * AssumeRole: asked on first use, kept until five minutes before they expire. A refusal names the role and
 * how to make it assumable; the keys themselves are never logged or put in a message.
 */
export function assumedRoleCredentials(base: AwsClients, opts: AssumeOptions): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const cached = current ? await current.catch(() => undefined) : undefined;
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MS)) return cached;
    current = assume(base, opts);
    current.catch(() => (current = undefined));
    return current;
  };
}

async function assume(base: AwsClients, opts: AssumeOptions): Promise<AwsCredentialIdentity> {
  const { STSClient, AssumeRoleCommand } = load('@aws-sdk/client-sts');
  try {
    const r = await base.get(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: opts.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        ...(opts.externalId ? { ExternalId: opts.externalId } : {}),
      }),
    );
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS AssumeRole returned no credentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: new Date(c.Expiration) } : {}),
    };
  } catch (err) {
    throw assumeError(opts.roleArn, err);
  }
}

function assumeError(roleArn: string, err: unknown): BmError {
  const e = err as { name?: string; message?: string };
  const role = roleArn.split('/').pop() ?? roleArn;
  return new BmError(`cannot assume ${roleArn}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, {
    code: 'E_AWS_ASSUME_ROLE',
    hint:
      `Create the role ${role} in that account, trusting the caller's account (docs/fleet.md, "One-time role ` +
      `set-up"), or name a role that exists with --assume-role` +
      (role === DEFAULT_ASSUME_ROLE ? ' (accounts invited into an organization lack this one).' : '.'),
    cause: err,
  });
}
