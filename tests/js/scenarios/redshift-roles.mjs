// The user story's role flow through @aws-sdk/client-redshift: create with roles, wait, add, remove, errors.
// Input: { id, nodes, roles: [arn...], add, remove, password }.
import {
  RedshiftClient, CreateClusterCommand, DescribeClustersCommand, ModifyClusterIamRolesCommand, DeleteClusterCommand,
} from '@aws-sdk/client-redshift';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default async function (input, ctx) {
  const rs = ctx.client(RedshiftClient);
  const describe = async () => (await rs.send(new DescribeClustersCommand({ ClusterIdentifier: input.id }))).Clusters[0];
  const until = async (pred) => {
    const deadline = Date.now() + 30000;
    for (;;) {
      const c = await describe();
      if (pred(c) || Date.now() > deadline) return c;
      await sleep(200);
    }
  };
  const roles = (c) => (c.IamRoles ?? []).map((r) => [r.IamRoleArn, r.ApplyStatus]);

  const created = (await rs.send(new CreateClusterCommand({
    ClusterIdentifier: input.id, NodeType: 'dc1.large', NumberOfNodes: input.nodes,
    MasterUsername: 'admin', MasterUserPassword: input.password, IamRoles: input.roles,
  }))).Cluster;
  const available = await until((c) => c.ClusterStatus === 'available');
  const added = (await rs.send(new ModifyClusterIamRolesCommand({ ClusterIdentifier: input.id, AddIamRoles: [input.add] }))).Cluster;
  const inSync = await until((c) => c.IamRoles.every((r) => r.ApplyStatus === 'in-sync'));
  const removed = (await rs.send(new ModifyClusterIamRolesCommand({ ClusterIdentifier: input.id, RemoveIamRoles: [input.remove] }))).Cluster;
  const gone = await until((c) => !c.IamRoles.some((r) => r.IamRoleArn === input.remove));
  const notFound = await ctx.attempt(rs.send(new DescribeClustersCommand({ ClusterIdentifier: 'no-such-cluster' })));
  const badDelete = await ctx.attempt(rs.send(new DeleteClusterCommand({ ClusterIdentifier: input.id })));

  return {
    created: { status: created.ClusterStatus, nodes: created.NumberOfNodes, roles: roles(created) },
    available: { status: available.ClusterStatus, endpoint: available.Endpoint, createTime: available.ClusterCreateTime },
    added: roles(added),
    inSync: roles(inSync),
    removed: roles(removed),
    gone: roles(gone),
    notFound: notFound.error,
    badDelete: badDelete.error,
  };
}
