using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Services.Iam;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The checks a role passes before Redshift associates it with a cluster: the caller may pass it to Redshift
/// (iam:PassRole), it exists in the cluster's account, and its trust policy lets redshift.amazonaws.com assume it.
/// </summary>
public sealed class RoleVetting(IRoleDirectory roles)
{
    public const string ServicePrincipal = "redshift.amazonaws.com";
    private const string ServiceLinkedPath = "role/aws-service-role/";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> PassRoleKeys =
        new Dictionary<string, IReadOnlyList<string>> { ["iam:PassedToService"] = [ServicePrincipal] };

    /// <summary>Vets every role in <paramref name="roleArns"/> for a cluster of <paramref name="clusterAccount"/>; throws the first failure.</summary>
    public void Vet(AwsCall call, string clusterAccount, IEnumerable<string> roleArns)
    {
        foreach (var roleArn in roleArns.Distinct(StringComparer.Ordinal))
        {
            if (!Arn.TryParse(roleArn, out var arn) || arn.Service != "iam" || !arn.Resource.StartsWith("role/", StringComparison.Ordinal))
                throw RedshiftErrors.RoleNotValid(roleArn);

            // A role of another account is refused before PassRole is asked (which would deny it across accounts): Redshift
            // answers that the role is not valid for the cluster, whoever the caller is. A missing role and a role that does
            // not trust Redshift get the same answer.
            if (arn.Account != clusterAccount) throw RedshiftErrors.RoleNotValid(roleArn);
            if (arn.Resource.StartsWith(ServiceLinkedPath, StringComparison.Ordinal)) throw RedshiftErrors.ServiceLinkedRole(roleArn);
            call.Authorize("iam:PassRole", roleArn, PassRoleKeys, arn.Account);
            var role = roles.FindByArn(roleArn);
            if (role is null || role.AccountId != clusterAccount) throw RedshiftErrors.RoleNotValid(roleArn);
            if (!PolicyValidator.TrustsService(role.AssumeRolePolicyDocument, ServicePrincipal)) throw RedshiftErrors.RoleNotValid(roleArn);
        }
    }
}
