// Issue 21's quota race through @aws-sdk/client-redshift: 60 ModifyClusterIamRoles requests, each adding one new role,
// sent at once to a cluster with none; then the cluster as DescribeClusters shows it.
// Input: { id, prefix, count }. Output: { outcomes: [{ arn, ok } | { arn, code, message, status }], roles: [[arn, status]] }.
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { RedshiftClient, DescribeClustersCommand, ModifyClusterIamRolesCommand } from '@aws-sdk/client-redshift';

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export default async function (input, ctx) {
  const iam = ctx.client(IAMClient);
  const rs = ctx.client(RedshiftClient);
  const arns = [];
  for (let i = 0; i < input.count; i++) {
    const role = await iam.send(new CreateRoleCommand({ RoleName: `${input.prefix}${i}`, AssumeRolePolicyDocument: trust }));
    arns.push(role.Role.Arn);
  }
  const outcomes = await Promise.all(arns.map(async (arn) => {
    const r = await ctx.attempt(rs.send(new ModifyClusterIamRolesCommand({ ClusterIdentifier: input.id, AddIamRoles: [arn] })));
    return r.ok ? { arn, ok: true } : { arn, ...r.error };
  }));
  const cluster = (await rs.send(new DescribeClustersCommand({ ClusterIdentifier: input.id }))).Clusters[0];
  return { outcomes, roles: (cluster.IamRoles ?? []).map((r) => [r.IamRoleArn, r.ApplyStatus]) };
}
