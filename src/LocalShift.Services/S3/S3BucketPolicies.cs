using LocalShift.Services.Authorization;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>Serves bucket policies to the authorizer: the policy of the bucket an S3 ARN (bucket or object) names.</summary>
public sealed class S3BucketPolicies(IObjectStore store) : IResourcePolicySource
{
    public string Service => "s3";

    public ResourcePolicy? Find(string resourceArn)
    {
        const string prefix = "arn:aws:s3:::";
        if (!resourceArn.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = resourceArn[prefix.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var info = store.FindBucket(bucket);
        if (info?.Policy is null) return null;
        return new ResourcePolicy(new NamedPolicy("BucketPolicy", null, info.Policy, $"bucket policy of {bucket}"), info.OwnerAccount);
    }
}
