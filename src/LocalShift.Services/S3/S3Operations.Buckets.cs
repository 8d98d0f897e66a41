using LocalShift.Aws;
using LocalShift.Policy;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>Buckets and their policy as typed calls: CreateBucket, DeleteBucket, HeadBucket, Get/Put/DeleteBucketPolicy.</summary>
public sealed partial class S3Operations
{
    /// <summary>The largest bucket policy S3 takes (20 KB, https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html).</summary>
    internal const int MaxPolicyBytes = 20 * 1024;

    /// <summary>
    /// A bucket in the request's region, or in the one its <c>LocationConstraint</c> names (which must be the request's).
    /// The region, the ACL headers and the ownership are condition keys (<c>s3:locationconstraint</c>, <c>s3:x-amz-acl</c>,
    /// <c>s3:x-amz-grant-*</c>, <c>s3:x-amz-object-ownership</c>), so the document is read before the call is authorized.
    /// </summary>
    private CreateBucketOutput CreateBucket(AwsCall call, CreateBucketRequest request)
    {
        var name = request.Bucket;
        if (!BucketNames.IsValid(name)) throw S3Errors.InvalidBucketName(name);
        // Bucket names are global: another account's bucket is taken whatever this caller may do.
        if (Store.FindBucket(name) is { } existing && existing.OwnerAccount != call.Caller.AccountId) throw S3Errors.BucketAlreadyExists(name);
        var constraint = request.CreateBucketConfiguration?.LocationConstraint is { Length: > 0 } c ? c : null;
        if (constraint is not null && constraint != call.Region) throw S3Errors.IllegalLocationConstraint(constraint);
        var region = constraint ?? call.Region;
        call.Authorize("s3:CreateBucket", S3Access.BucketArn(name), S3Access.Keys(
            ("s3:locationconstraint", region), ("s3:x-amz-acl", request.ACL), ("s3:x-amz-grant-full-control", request.GrantFullControl),
            ("s3:x-amz-grant-read", request.GrantRead), ("s3:x-amz-grant-read-acp", request.GrantReadACP),
            ("s3:x-amz-grant-write", request.GrantWrite), ("s3:x-amz-grant-write-acp", request.GrantWriteACP),
            ("s3:x-amz-object-ownership", request.ObjectOwnership)), call.Caller.AccountId);
        var ownership = CreateBucketOwnership(request);

        var (bucket, created) = Store.CreateBucket(name, call.Caller.AccountId, region);
        // S3 keeps a legacy quirk: re-creating a bucket you own succeeds in us-east-1 and fails everywhere else.
        if (!created && bucket.Region != "us-east-1") throw S3Errors.BucketAlreadyOwnedByYou(name);
        if (created && ownership is not null) Store.SetBucketSetting(name, BucketSetting.OwnershipControls, ownership);
        // New buckets block public access with all four settings, as AWS's have since April 2023
        // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html); a public bucket
        // policy needs DeletePublicAccessBlock (or a PutPublicAccessBlock that allows it) first, as on AWS.
        if (created) Store.SetBucketSetting(name, BucketSetting.PublicAccessBlock, BlockAllPublicAccess);
        return new CreateBucketOutput("/" + name);
    }

    /// <summary>
    /// CreateBucket's <c>x-amz-object-ownership</c> (BucketOwnerEnforced when absent) and its ACL headers: a bucket whose
    /// ACLs are disabled takes no ACL but <c>private</c> (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html,
    /// InvalidBucketAclWithObjectOwnership; the message is unverified). Returns the ownership to store, null for the default.
    /// </summary>
    private static string? CreateBucketOwnership(CreateBucketRequest request)
    {
        var ownership = request.ObjectOwnership;
        if (ownership is not null && !Ownerships.Contains(ownership, StringComparer.Ordinal))
            throw S3Errors.InvalidArgument("Invalid x-amz-object-ownership header", "x-amz-object-ownership", ownership);
        var acl = request.ACL;
        var grants = request is { GrantFullControl: not null } or { GrantRead: not null } or { GrantReadACP: not null }
            or { GrantWrite: not null } or { GrantWriteACP: not null };
        if ((ownership ?? BucketOwnerEnforced) == BucketOwnerEnforced && ((acl is not null && acl != "private") || grants))
            throw new S3Exception("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
        return ownership == BucketOwnerEnforced ? null : ownership;
    }

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
        var bucket = AuthorizeDocumentOperation(call, nameof(PutBucketPolicy), request.Bucket);
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
