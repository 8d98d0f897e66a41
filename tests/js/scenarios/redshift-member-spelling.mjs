// The .NET SDK's list spelling on the wire: AddIamRoles.member.N instead of AddIamRoles.IamRoleArn.N.
// The JS SDK builds the request; a build-step middleware rewrites the form body before it is signed.
// Input: { id, role }.
import { RedshiftClient, ModifyClusterIamRolesCommand } from '@aws-sdk/client-redshift';

export default async function (input, ctx) {
  const rs = ctx.client(RedshiftClient);
  let sentBody = '';
  rs.middlewareStack.add((next) => async (args) => {
    const body = String(args.request.body).replace(/\.IamRoleArn\./g, '.member.');
    args.request.body = body;
    args.request.headers['content-length'] = String(Buffer.byteLength(body));
    sentBody = body;
    return next(args);
  }, { step: 'build', name: 'memberSpelling', priority: 'low' });
  const r = await ctx.attempt(rs.send(new ModifyClusterIamRolesCommand({ ClusterIdentifier: input.id, AddIamRoles: [input.role] })));
  return { sentBody, ...(r.ok ? { roles: r.ok.Cluster.IamRoles } : { error: r.error }) };
}
