namespace LocalShift.Services.Redshift;

/// <summary>
/// The role-association arithmetic of CreateCluster and ModifyClusterIamRoles, pure so it can run inside the store's
/// write transaction (read, check, write in one step: two concurrent requests can never pass the quota or lose a change).
/// </summary>
public static class RoleSetChange
{
    /// <summary>
    /// Applies adds and removes to <paramref name="current"/> (as seen now). New roles become <c>adding</c> until
    /// <paramref name="settleAt"/>; removed roles <c>removing</c> until then. Re-adding a role being removed adds it again.
    /// </summary>
    /// <param name="defaultRoleArn">Null leaves the default unchanged; a value must be one of the resulting roles.</param>
    /// <returns>The new association list and the new default role.</returns>
    public static (List<RoleAssociation> Roles, string? DefaultRoleArn) Apply(
        string clusterIdentifier,
        IReadOnlyList<RoleAssociation> current,
        string? currentDefault,
        IReadOnlyList<string> add,
        IReadOnlyList<string> remove,
        string? defaultRoleArn,
        int quota,
        DateTimeOffset settleAt)
    {
        foreach (var arn in add.Intersect(remove, StringComparer.Ordinal))
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterCombination($"The IAM role {arn} cannot be both added and removed in the same request.");

        var roles = current.ToList();
        foreach (var arn in add.Distinct(StringComparer.Ordinal))
        {
            var i = roles.FindIndex(r => r.RoleArn == arn);
            if (i >= 0 && roles[i].Holds) continue; // already associated (or being associated): nothing to do
            var added = new RoleAssociation(arn, ApplyStatus.Adding, settleAt);
            if (i >= 0) roles[i] = added;
            else roles.Add(added);
        }
        foreach (var arn in remove.Distinct(StringComparer.Ordinal))
        {
            var i = roles.FindIndex(r => r.RoleArn == arn);
            if (i < 0 || !roles[i].Holds) continue; // not associated: removing it is a no-op
            roles[i] = new RoleAssociation(arn, ApplyStatus.Removing, settleAt);
        }

        if (roles.Count(r => r.Holds) > quota) throw RedshiftErrors.RoleQuotaExceeded(clusterIdentifier, quota);

        var held = roles.Where(r => r.Holds).Select(r => r.RoleArn).ToHashSet(StringComparer.Ordinal);
        string? newDefault;
        if (!string.IsNullOrEmpty(defaultRoleArn))
        {
            if (!held.Contains(defaultRoleArn)) throw RedshiftErrors.DefaultRoleNotInRoles();
            newDefault = defaultRoleArn;
        }
        else
        {
            // Removing the default role leaves the cluster without one.
            newDefault = currentDefault is not null && held.Contains(currentDefault) ? currentDefault : null;
        }
        return (roles, newDefault);
    }
}
