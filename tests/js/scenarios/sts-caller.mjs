import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

export default async function (input, ctx) {
  const sts = ctx.client(STSClient);
  return ctx.attempt(sts.send(new GetCallerIdentityCommand({})));
}
