import type { Identity } from './types.js';

/**
 * A refused call: CloudTrail's AccessDenied… and …UnauthorizedOperation error codes (Bedrock's API
 * names it AccessDeniedException). The same rule as the refused-calls metric filter.
 */
export function isAccessDenied(errorCode: string | null | undefined): boolean {
  return !!errorCode && (errorCode.startsWith('AccessDenied') || errorCode.endsWith('UnauthorizedOperation'));
}

/** The identity fields of a parsed CloudTrail record. */
export function identityOf(userIdentity: unknown): Identity {
  const u = (userIdentity ?? {}) as Record<string, unknown>;
  const s = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const issuer = ((u.sessionContext as Record<string, unknown> | undefined)?.sessionIssuer ?? {}) as Record<
    string,
    unknown
  >;
  return {
    type: s(u.type),
    arn: s(u.arn),
    principalId: s(u.principalId),
    accountId: s(u.accountId),
    invokedBy: s(u.invokedBy),
    issuerArn: s(issuer.arn),
  };
}
