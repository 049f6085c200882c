/**
 * Who made a call, the one rule `audit` and `report` share (docs/commands/audit.md, docs/report.md):
 *
 * - the **principal** is the caller as logged: CloudTrail's `userIdentity.arn`, the invocation log's `identity.arn`.
 *   An assumed-role session keeps its session name, which for IAM Identity Center and SAML federation is the person
 *   (`arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_abc123/jane@example.com`);
 * - the **role** is the role or user behind it: an assumed-role session without its session name
 *   (`arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_abc123`), any other ARN as it is.
 *
 * The role keeps the `assumed-role` form because it is all an invocation log says: the IAM role's ARN has a path
 * (`role/aws-reserved/sso.amazonaws.com/…`) that only CloudTrail's `sessionIssuer` carries. The SQL and Logs
 * Insights engines apply the same pattern, {@link ASSUMED_ROLE_PATTERN}, in their own dialects.
 */

/** The role part of an assumed-role session ARN (group 1), as a regular expression's source for every dialect. */
export const ASSUMED_ROLE_PATTERN = '^(arn:[^:]+:sts::[0-9]+:assumed-role/[^/]+)/';

const ASSUMED_ROLE = new RegExp(ASSUMED_ROLE_PATTERN);

/** The role or user behind a caller's ARN: an assumed-role session without its session name, else the ARN. */
export function roleOfArn(arn: string): string {
  return ASSUMED_ROLE.exec(arn)?.[1] ?? arn;
}

/**
 * An IAM role ARN (CloudTrail's `sessionContext.sessionIssuer.arn`, path included) in the form {@link roleOfArn}
 * gives its sessions: `arn:aws:iam::1:role/path/R` → `arn:aws:sts::1:assumed-role/R`. Null for what is not a role.
 */
export function roleOfIssuer(issuerArn: string): string | null {
  const m = /^arn:([^:]+):iam::([0-9]+):role\/(?:.*\/)?([^/]+)$/.exec(issuerArn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}` : null;
}

/** The identity fields of a CloudTrail record (`userIdentity`) that name a principal. */
export interface Identity {
  type: string | null;
  arn: string | null;
  principalId: string | null;
  accountId: string | null;
  invokedBy: string | null;
  /** `sessionContext.sessionIssuer.arn`: the role behind an assumed-role session. */
  issuerArn: string | null;
}

/** Who is behind a call without an ARN: the calling service, the account, or the principal ID. */
function withoutArn(id: Partial<Identity>): string {
  if (id.invokedBy) return id.invokedBy;
  if (id.accountId && id.type === 'AWSAccount') return `account:${id.accountId}`;
  return id.principalId ?? '(unknown)';
}

/**
 * The caller as logged, from CloudTrail's `userIdentity` (an invocation log's `identity` is `{arn}`): its ARN, an
 * assumed-role session's name kept; without an ARN, the calling service, the account or the principal ID.
 */
export function principalOf(id: Partial<Identity>): string {
  return id.arn ?? withoutArn(id);
}

/**
 * The role or user behind the caller (`report --by role`'s rule): an assumed-role session without its session
 * name, from the ARN, else from the `sessionIssuer` (a role in its sessions' form); any other caller as
 * {@link principalOf} names it.
 */
export function roleOf(id: Partial<Identity>): string {
  if (id.arn) return roleOfArn(id.arn);
  if (id.issuerArn) return roleOfIssuer(id.issuerArn) ?? id.issuerArn;
  return withoutArn(id);
}
