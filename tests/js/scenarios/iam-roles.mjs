import {
  IAMClient, CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand, GetRolePolicyCommand,
  ListRolesCommand, DeleteRolePolicyCommand, DeleteRoleCommand,
} from '@aws-sdk/client-iam';

// Creates a role with an inline policy through the JS SDK v3 and reads both back; then shows the errors a user meets.
export default async function (input, ctx) {
  const iam = ctx.client(IAMClient);
  const name = input.roleName;
  const created = await ctx.attempt(iam.send(new CreateRoleCommand({
    RoleName: name, AssumeRolePolicyDocument: input.trust, Description: 'from js', MaxSessionDuration: 7200,
  })));
  const put = await ctx.attempt(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: input.policy })));
  const got = await ctx.attempt(iam.send(new GetRoleCommand({ RoleName: name })));
  const policy = await ctx.attempt(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'read' })));
  const listed = await ctx.attempt(iam.send(new ListRolesCommand({ MaxItems: 1 })));
  const conflict = await ctx.attempt(iam.send(new DeleteRoleCommand({ RoleName: name })));
  const duplicate = await ctx.attempt(iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: input.trust })));
  await ctx.attempt(iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'read' })));
  const deleted = await ctx.attempt(iam.send(new DeleteRoleCommand({ RoleName: name })));
  const missing = await ctx.attempt(iam.send(new GetRoleCommand({ RoleName: name })));
  return {
    created: created.ok?.Role ?? created,
    put: put.error ?? 'ok',
    role: got.ok?.Role ?? got,
    trustDecoded: got.ok ? decodeURIComponent(got.ok.Role.AssumeRolePolicyDocument) : null,
    policyDecoded: policy.ok ? decodeURIComponent(policy.ok.PolicyDocument) : policy,
    listed: listed.ok ? { count: listed.ok.Roles.length, isTruncated: listed.ok.IsTruncated, marker: listed.ok.Marker } : listed,
    conflict: conflict.error,
    duplicate: duplicate.error,
    deleted: deleted.error ?? 'ok',
    missing: missing.error,
  };
}
