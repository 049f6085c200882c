import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DisassociateKmsKeyCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  paginateDescribeLogGroups,
} from '../sdk/client-cloudwatch-logs.js';
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { logGroupArn } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';

export interface LogGroupState {
  retentionInDays: number | null;
  kmsKeyId: string | null;
  managedTag: boolean;
}

export async function findLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroup | undefined> {
  for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: name })) {
    const found = page.logGroups?.find((g) => g.logGroupName === name);
    if (found) return found;
  }
  return undefined;
}

export async function logGroupResource(ctx: RegionCtx): Promise<ResourceDef<LogGroupState>> {
  const { region, logGroupName, logRetentionDays, logGroupKmsKeyArn } = ctx.settings;
  const logs = ctx.aws.get(CloudWatchLogsClient);
  const arn = logGroupArn(region, await ctx.account(), logGroupName);

  return {
    resource: 'log-group',
    name: logGroupName,
    desired: { retentionInDays: logRetentionDays, kmsKeyId: logGroupKmsKeyArn ?? null, managedTag: true },
    async read() {
      const group = await findLogGroup(logs, logGroupName);
      if (!group) return undefined;
      const tags = await absentIfNotFound(logs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
      return {
        retentionInDays: group.retentionInDays ?? null,
        kmsKeyId: group.kmsKeyId ?? null,
        managedTag: hasManagedTag(tags?.tags),
      };
    },
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag },
    attributes: [
      {
        field: 'retentionInDays',
        get: (s) => s.retentionInDays,
        afterCreate: true,
        update: async () => {
          await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: logRetentionDays }));
        },
      },
      {
        field: 'kmsKeyId',
        get: (s) => s.kmsKeyId,
        update: async () => {
          if (logGroupKmsKeyArn)
            await logs.send(new AssociateKmsKeyCommand({ logGroupName, kmsKeyId: logGroupKmsKeyArn }));
          else await logs.send(new DisassociateKmsKeyCommand({ logGroupName }));
        },
      },
      {
        field: 'tags.ManagedBy',
        get: (s) => s.managedTag,
        update: async () => {
          await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE } }));
        },
      },
    ],
    async create() {
      await logs.send(
        new CreateLogGroupCommand({
          logGroupName,
          ...(logGroupKmsKeyArn ? { kmsKeyId: logGroupKmsKeyArn } : {}),
          tags: { [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
        }),
      );
    },
    alreadyExists: (err) => errorName(err) === 'ResourceAlreadyExistsException',
    remove: async () => void (await logs.send(new DeleteLogGroupCommand({ logGroupName }))),
  };
}
