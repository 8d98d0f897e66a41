namespace LocalShift.Policy;

public enum PolicyKind
{
    /// <summary>Attached to a user, group or role (inline or managed), also permissions boundaries and session policies; no Principal allowed.</summary>
    Identity,
    /// <summary>Attached to a resource (bucket policy, ...); Principal required.</summary>
    Resource,
    /// <summary>A role's AssumeRolePolicyDocument; Principal required, no Resource, actions sts:*.</summary>
    Trust,
}
