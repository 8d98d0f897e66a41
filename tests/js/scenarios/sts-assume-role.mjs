import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

export default async function ({ roleArn, sessionName }, ctx) {
  const sts = ctx.client(STSClient);
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
  const c = assumed.Credentials;
  const asRole = ctx.client(STSClient, {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  const identity = await asRole.send(new GetCallerIdentityCommand({}));
  return { assumedRoleUser: assumed.AssumedRoleUser, identity };
}
