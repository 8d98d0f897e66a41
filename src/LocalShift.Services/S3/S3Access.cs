using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// The one place S3 asks the authorizer: the bucket must exist (S3 reveals bucket existence to anyone), then the caller
/// must be allowed the action on the bucket or object ARN, with the bucket's owner as the resource account so the
/// authorizer applies the same- and cross-account rules and the bucket policy.
/// </summary>
public sealed class S3Access(IObjectStore store)
{
    public IObjectStore Store { get; } = store;

    public static string BucketArn(string bucket) => $"arn:aws:s3:::{bucket}";
    public static string ObjectArn(string bucket, string key) => $"arn:aws:s3:::{bucket}/{key}";

    public BucketInfo Bucket(string bucket) => Store.FindBucket(bucket) ?? throw S3Errors.NoSuchBucket(bucket);

    public BucketInfo AuthorizeBucket(AwsCall call, string bucket, string action, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null)
    {
        var info = Bucket(bucket);
        call.Authorize(action, BucketArn(bucket), keys, info.OwnerAccount);
        return info;
    }

    /// <summary>
    /// The bucket-policy operations (s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy). The root of the
    /// account that owns the bucket may always run them, whatever the bucket policy denies, so that no policy can lock
    /// an account out of its own bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html:
    /// only VPC endpoint and Organizations policies, neither emulated, can block it). Everyone else is authorized as usual.
    /// </summary>
    public BucketInfo AuthorizeBucketPolicy(AwsCall call, string bucket, string action)
    {
        var info = Bucket(bucket);
        if (call.Caller.Kind == PrincipalKind.Root && call.Caller.AccountId == info.OwnerAccount) return info;
        call.Authorize(action, BucketArn(bucket), null, info.OwnerAccount);
        return info;
    }

    public BucketInfo AuthorizeObject(AwsCall call, string bucket, string key, string action, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null)
    {
        var info = Bucket(bucket);
        call.Authorize(action, ObjectArn(bucket, key), keys, info.OwnerAccount);
        return info;
    }

    /// <summary>
    /// What a missing key looks like to this caller: S3 answers NoSuchKey only to callers allowed to list the bucket,
    /// and AccessDenied to the others, so that keys cannot be probed.
    /// </summary>
    public Exception MissingKey(AwsCall call, BucketInfo bucket, string key)
    {
        try
        {
            call.Authorize("s3:ListBucket", BucketArn(bucket.Name), null, bucket.OwnerAccount);
            return S3Errors.NoSuchKey(key);
        }
        catch (S3Exception e) { return e; }
        catch (AwsException e) { return e; }
    }

    /// <summary>A stable 64-hex canonical user id for an account, as S3 shows owners.</summary>
    public static string CanonicalId(string account) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("localshift-canonical-user:" + account)));

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Keys(params (string Name, string? Value)[] pairs)
    {
        var d = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (n, v) in pairs)
            if (v is not null) d[n] = [v];
        return d;
    }
}
