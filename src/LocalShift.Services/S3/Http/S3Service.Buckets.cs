using System.Text.Json;
using System.Buffers.Text;
using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    private async Task CreateBucket(S3Request r, AwsCall call)
    {
        var name = r.Bucket!;
        if (!BucketNames.IsValid(name)) throw S3Errors.InvalidBucketName(name);
        // Bucket names are global: another account's bucket is taken whatever this caller may do.
        if (Store.FindBucket(name) is { } existing && existing.OwnerAccount != call.Caller.AccountId) throw S3Errors.BucketAlreadyExists(name);
        using var payload = new RequestPayload(r);
        var body = await payload.ReadSmallAsync(64 * 1024, r.Http.RequestAborted);
        string? constraint = null;
        if (body.Length > 0 && body.Any(b => !char.IsWhiteSpace((char)b)))
        {
            constraint = S3Xml.Parse(body).Child("LocationConstraint");
            if (string.IsNullOrEmpty(constraint)) constraint = null;
        }
        if (constraint is not null && constraint != call.Region) throw S3Errors.IllegalLocationConstraint(constraint);
        var region = constraint ?? call.Region;
        call.Authorize("s3:CreateBucket", S3Access.BucketArn(name), S3ConditionKeys.CreateBucket(r, region), call.Caller.AccountId);
        var ownership = CreateBucketOwnership(r);

        var (bucket, created) = Store.CreateBucket(name, call.Caller.AccountId, region);
        // S3 keeps a legacy quirk: re-creating a bucket you own succeeds in us-east-1 and fails everywhere else.
        if (!created && bucket.Region != "us-east-1") throw S3Errors.BucketAlreadyOwnedByYou(name);
        if (created && ownership is not null) Store.SetBucketSetting(name, BucketSetting.OwnershipControls, ownership);
        // New buckets block public access with all four settings, as AWS's have since April 2023
        // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html); a public bucket
        // policy needs DeletePublicAccessBlock (or a PutPublicAccessBlock that allows it) first, as on AWS.
        if (created) Store.SetBucketSetting(name, BucketSetting.PublicAccessBlock, S3Operations.BlockAllPublicAccess);
        r.Http.Response.Headers.Location = "/" + name;
        r.Http.Response.StatusCode = 200;
    }

    /// <summary>
    /// CreateBucket's <c>x-amz-object-ownership</c> (BucketOwnerEnforced when absent) and its ACL headers: a bucket whose
    /// ACLs are disabled takes no ACL but <c>private</c> (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html,
    /// InvalidBucketAclWithObjectOwnership; the message is unverified). Returns the ownership to store, null for the default.
    /// </summary>
    private static string? CreateBucketOwnership(S3Request r)
    {
        var ownership = r.Header("x-amz-object-ownership");
        if (ownership is not null && !Ownerships.Contains(ownership, StringComparer.Ordinal))
            throw S3Errors.InvalidArgument("Invalid x-amz-object-ownership header", "x-amz-object-ownership", ownership);
        var acl = r.Header("x-amz-acl");
        var grants = r.Http.Request.Headers.Keys.Any(k => k.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase));
        if ((ownership ?? BucketOwnerEnforced) == BucketOwnerEnforced && ((acl is not null && acl != "private") || grants))
            throw new S3Exception("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
        return ownership == BucketOwnerEnforced ? null : ownership;
    }
}
