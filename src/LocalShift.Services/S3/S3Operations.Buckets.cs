using LocalShift.Aws;
using LocalShift.Policy;
using LocalShift.Services.S3.Shapes;

namespace LocalShift.Services.S3;

/// <summary>Buckets and their policy as typed calls: DeleteBucket, HeadBucket, Get/Put/DeleteBucketPolicy.</summary>
public sealed partial class S3Operations
{
    /// <summary>The largest bucket policy S3 takes (20 KB, https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html).</summary>
    internal const int MaxPolicyBytes = 20 * 1024;

    private void DeleteBucket(AwsCall call, DeleteBucketRequest request)
    {
        _access.AuthorizeBucket(call, request.Bucket, "s3:DeleteBucket");
        Store.DeleteBucket(request.Bucket);
    }

    private HeadBucketOutput HeadBucket(AwsCall call, HeadBucketRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:ListBucket");
        return new HeadBucketOutput(bucket.Region);
    }

    private GetBucketPolicyOutput GetBucketPolicy(AwsCall call, GetBucketPolicyRequest request)
    {
        var bucket = _access.AuthorizeBucketPolicy(call, request.Bucket, "s3:GetBucketPolicy");
        return new GetBucketPolicyOutput(bucket.Policy ?? throw S3Errors.NoSuchBucketPolicy(bucket.Name));
    }

    private void PutBucketPolicy(AwsCall call, PutBucketPolicyRequest request)
    {
        var bucket = _access.AuthorizeBucketPolicy(call, request.Bucket, "s3:PutBucketPolicy");
        var text = request.Policy ?? "";
        if (text.Length == 0 || text.TrimStart() is not ['{', ..])
            throw S3Errors.MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
        if (PolicyValidator.Validate(text, PolicyKind.Resource) is { } problem) throw S3Errors.MalformedPolicy(problem);
        CheckPublicPolicy(call, bucket, text);
        Store.SetBucketPolicy(bucket.Name, text);
    }

    private void DeleteBucketPolicy(AwsCall call, DeleteBucketPolicyRequest request)
    {
        _access.AuthorizeBucketPolicy(call, request.Bucket, "s3:DeleteBucketPolicy");
        Store.SetBucketPolicy(request.Bucket, null);
    }

    /// <summary>
    /// BlockPublicPolicy: a policy that would make the bucket public is refused
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html). The message follows
    /// AWS's explicit-denial form with the block named as the reason; its exact wording is unverified.
    /// </summary>
    private void CheckPublicPolicy(AwsCall call, LocalShift.Storage.Objects.BucketInfo bucket, string policy)
    {
        if (PublicAccessBlock(bucket.Name) is not { BlockPublicPolicy: true } || !BucketPolicyStatus.IsPublic(policy)) return;
        throw new S3Exception("AccessDenied",
            $"User: {call.Caller.Arn} is not authorized to perform: s3:PutBucketPolicy on resource: \"{S3Access.BucketArn(bucket.Name)}\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
            403);
    }
}
