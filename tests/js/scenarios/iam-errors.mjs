import { IAMClient, CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, GetUserCommand } from '@aws-sdk/client-iam';

// Mistakes the JS SDK does not catch itself, so the server's answer is what the user sees.
export default async function (input, ctx) {
  const iam = ctx.client(IAMClient);
  const badName = await ctx.attempt(iam.send(new CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: input.trust })));
  const badPolicy = await ctx.attempt(iam.send(new CreateRoleCommand({ RoleName: input.roleName, AssumeRolePolicyDocument: '{"Version":"2012-10-17"' })));
  await ctx.attempt(iam.send(new CreateUserCommand({ UserName: input.userName })));
  await ctx.attempt(iam.send(new CreateAccessKeyCommand({ UserName: input.userName })));
  await ctx.attempt(iam.send(new CreateAccessKeyCommand({ UserName: input.userName })));
  const thirdKey = await ctx.attempt(iam.send(new CreateAccessKeyCommand({ UserName: input.userName })));
  const missingUser = await ctx.attempt(iam.send(new GetUserCommand({ UserName: input.userName + 'x' })));
  return { badName: badName.error, badPolicy: badPolicy.error, thirdKey: thirdKey.error, missingUser: missingUser.error };
}
