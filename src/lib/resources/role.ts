import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '../sdk/client-iam.js';
import type { RegionCtx } from '../context/context.js';
import type { Attribute, ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { bedrockSourceArn, bucketArn, logStreamArn, withSlash } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';
import { normalizePolicy, type PolicyDocument } from '../aws/policy.js';

export const INLINE_POLICY_NAME = 'BedrockMonitorLogDelivery';

/** The trust policy AWS documents for Bedrock model invocation log delivery. */
export function trustPolicy(region: string, account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': bedrockSourceArn(region, account) },
        },
      },
    ],
  };
}

/** Only CreateLogStream/PutLogEvents on the one stream, plus large-data objects when configured. */
export function permissionsPolicy(
  region: string,
  account: string,
  logGroupName: string,
  largeData?: { bucket: string; prefix: string },
): PolicyDocument {
  const statements: PolicyDocument['Statement'] = [
    {
      Sid: 'BedrockInvocationLogsToCloudWatch',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: logStreamArn(region, account, logGroupName),
    },
  ];
  if (largeData) {
    statements.push({
      Sid: 'BedrockLargeInvocationDataToS3',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `${bucketArn(region, largeData.bucket)}/${withSlash(largeData.prefix)}*`,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export interface RoleState {
  trustPolicy: Record<string, unknown> | null;
  inlinePolicy: Record<string, unknown> | null;
  managedTag: boolean;
}

/** A role a service assumes: its trust policy, one inline policy and the ownership tag, each written on its own. */
export interface ServiceRoleSpec {
  roleName: string;
  policyName: string;
  trust: PolicyDocument;
  permissions: PolicyDocument;
  description: string;
}

function roleAttributes(iam: IAMClient, r: ServiceRoleSpec): Attribute<RoleState>[] {
  return [
    {
      field: 'trustPolicy',
      get: (s) => s.trustPolicy,
      update: async () => {
        await iam.send(
          new UpdateAssumeRolePolicyCommand({ RoleName: r.roleName, PolicyDocument: JSON.stringify(r.trust) }),
        );
      },
    },
    {
      field: 'inlinePolicy',
      get: (s) => s.inlinePolicy,
      afterCreate: true,
      update: async () => {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: r.roleName,
            PolicyName: r.policyName,
            PolicyDocument: JSON.stringify(r.permissions),
          }),
        );
      },
    },
    {
      field: 'tags.ManagedBy',
      get: (s) => s.managedTag,
      update: async () => {
        await iam.send(
          new TagRoleCommand({ RoleName: r.roleName, Tags: [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] }),
        );
      },
    },
  ];
}

/** The definition of a service role (Bedrock's logging role, CloudTrail's delivery role). */
export function serviceRoleResource(iam: IAMClient, r: ServiceRoleSpec): ResourceDef<RoleState> {
  const { roleName } = r;
  return {
    resource: 'iam-role',
    name: roleName,
    desired: { trustPolicy: normalizePolicy(r.trust), inlinePolicy: normalizePolicy(r.permissions), managedTag: true },
    async read() {
      const role = await absentIfNotFound(iam.send(new GetRoleCommand({ RoleName: roleName })));
      if (!role?.Role) return undefined;
      const inline = await absentIfNotFound(
        iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: r.policyName })),
      );
      return {
        trustPolicy: normalizePolicy(role.Role.AssumeRolePolicyDocument),
        inlinePolicy: normalizePolicy(inline?.PolicyDocument),
        managedTag: hasManagedTag(role.Role.Tags),
      };
    },
    ownership: {
      rule: MANAGED_TAG_RULE,
      owns: (s) => s.managedTag,
      probe: async () => {
        const role = await absentIfNotFound(iam.send(new GetRoleCommand({ RoleName: roleName })));
        return role?.Role ? hasManagedTag(role.Role.Tags) : undefined;
      },
    },
    attributes: roleAttributes(iam, r),
    async create() {
      await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: JSON.stringify(r.trust),
          Description: r.description,
          Tags: [{ Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }],
        }),
      );
    },
    alreadyExists: (err) =>
      errorName(err) === 'EntityAlreadyExists' || errorName(err) === 'EntityAlreadyExistsException',
    remove: () => deleteRole(iam, roleName),
  };
}

export async function roleResource(ctx: RegionCtx): Promise<ResourceDef<RoleState>> {
  const { region, roleName, logGroupName, logging } = ctx.settings;
  const account = await ctx.account();
  const largeData =
    logging.largeDataS3KeyPrefix !== undefined && logging.destinations.includes('cloudwatch')
      ? { bucket: await ctx.bucketName(), prefix: logging.largeDataS3KeyPrefix }
      : undefined;
  return serviceRoleResource(ctx.aws.get(IAMClient), {
    roleName,
    policyName: INLINE_POLICY_NAME,
    trust: trustPolicy(region, account),
    permissions: permissionsPolicy(region, account, logGroupName, largeData),
    description: `Lets Amazon Bedrock deliver model invocation logs in ${region} (managed by bedrock-monitor)`,
  });
}

/** Inline policies first, then attached managed policies are detached (not deleted), then the role. */
export async function deleteRole(iam: IAMClient, roleName: string): Promise<void> {
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const PolicyName of page.PolicyNames ?? [])
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName }));
  }
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const p of page.AttachedPolicies ?? [])
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}
