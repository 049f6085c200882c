import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/**
 * A small AWS Organization on moto (which keeps each account's state apart and honours cross-account AssumeRole):
 * the caller's account as management account, and member accounts entered through OrganizationAccountAccessRole.
 */

/** Client settings for the caller's own account on the emulator. */
export interface ClientBase {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const callerBase = (endpoint: string, region = 'us-east-1'): ClientBase => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

/** Creates the organization and one member account per name; returns the members' account IDs in that order. */
export async function createOrganization(base: ClientBase, names = ['dev', 'prod']): Promise<string[]> {
  const org = new OrganizationsClient(base);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const members: string[] = [];
  for (const name of names) {
    const r = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    members.push(r.CreateAccountStatus!.AccountId!);
  }
  return members;
}

/** Client settings acting inside a member account (as a person there would), in a Region. */
export async function memberBase(base: ClientBase, account: string, region = base.region): Promise<ClientBase> {
  const r = await new STSClient(base).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'by-hand',
    }),
  );
  const c = r.Credentials!;
  return {
    ...base,
    region,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  };
}
