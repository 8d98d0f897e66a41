using System.Text.Json;
using System.Buffers.Text;
using LocalShift.Aws;
using LocalShift.Policy;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    /// <summary>
    /// ListBuckets in name order, optionally paged (<c>max-buckets</c> 1–10000, <c>continuation-token</c>) and filtered
    /// (<c>prefix</c>, <c>bucket-region</c>). The token is LocalShift's own: the last name of the page, base64url-encoded.
    /// </summary>
    private Task ListBuckets(S3Request r, AwsCall call)
    {
        call.Authorize("s3:ListAllMyBuckets", "*", null, call.Caller.AccountId);
        var prefix = r.Q("prefix");
        var region = r.Q("bucket-region");
        var after = r.Q("continuation-token") is { Length: > 0 } token ? BucketToken(token) : null;
        var max = IntOption(r, "max-buckets", 10000, 10000);
        if (r.Q("max-buckets") is not null && max < 1) throw S3Errors.InvalidArgument("Argument max-buckets must be an integer between 1 and 10000.", "max-buckets", r.Q("max-buckets"));
        var matching = Store.ListBuckets(call.Caller.AccountId)
            .Where(b => (prefix is null || b.Name.StartsWith(prefix, StringComparison.Ordinal))
                        && (region is null || b.Region == region)
                        && (after is null || string.CompareOrdinal(b.Name, after) > 0))
            .ToList();
        var buckets = matching.Take(max).ToList();
        var next = matching.Count > buckets.Count ? Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(buckets[^1].Name)) : null;
        return S3Xml.WriteAsync(r.Http, "ListAllMyBucketsResult", w =>
        {
            w.Owner("Owner", call.Caller.AccountId);
            if (next is not null) w.El("ContinuationToken", next);
            if (prefix is not null) w.El("Prefix", prefix);
            w.WriteStartElement("Buckets");
            foreach (var b in buckets)
            {
                w.WriteStartElement("Bucket");
                w.El("Name", b.Name);
                w.El("CreationDate", b.Created);
                w.El("BucketRegion", b.Region);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    private static string BucketToken(string token)
    {
        try { return System.Text.Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)); }
        catch (FormatException) { throw S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token); }
    }

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
        if (created) Store.SetBucketSetting(name, BucketSetting.PublicAccessBlock, JsonSerializer.Serialize(new PublicAccessBlockConfiguration(true, true, true, true)));
        r.Http.Response.Headers.Location = "/" + name;
        r.Http.Response.StatusCode = 200;
    }

    private Task DeleteBucket(S3Request r, AwsCall call)
    {
        access.AuthorizeBucket(call, r.Bucket!, "s3:DeleteBucket");
        Store.DeleteBucket(r.Bucket!);
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    private Task HeadBucket(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:ListBucket");
        r.Http.Response.Headers["x-amz-bucket-region"] = bucket.Region;
        r.Http.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    private Task GetBucketLocation(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketLocation");
        var bytes = S3Xml.Document("LocationConstraint", w =>
        {
            if (bucket.Region != "us-east-1") w.WriteString(bucket.Region);
        }, S3Xml.Namespace);
        r.Http.Response.ContentType = "application/xml";
        return r.Http.Response.Body.WriteAsync(bytes).AsTask();
    }

    private async Task PutBucketPolicy(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucketPolicy(call, r.Bucket!, "s3:PutBucketPolicy");
        using var payload = new RequestPayload(r);
        var body = await payload.ReadSmallAsync(20 * 1024, r.Http.RequestAborted);
        var text = System.Text.Encoding.UTF8.GetString(body);
        if (text.Length == 0 || text.TrimStart()[0] != '{')
            throw S3Errors.MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
        if (PolicyValidator.Validate(text, PolicyKind.Resource) is { } problem) throw S3Errors.MalformedPolicy(problem);
        CheckPublicPolicy(call, bucket, text);
        Store.SetBucketPolicy(r.Bucket!, text);
        NoContent(r.Http);
    }

    private async Task GetBucketPolicy(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucketPolicy(call, r.Bucket!, "s3:GetBucketPolicy");
        if (bucket.Policy is null) throw S3Errors.NoSuchBucketPolicy(bucket.Name);
        var bytes = System.Text.Encoding.UTF8.GetBytes(bucket.Policy);
        r.Http.Response.ContentType = "application/json";
        r.Http.Response.ContentLength = bytes.Length;
        await r.Http.Response.Body.WriteAsync(bytes);
    }

    private Task DeleteBucketPolicy(S3Request r, AwsCall call)
    {
        access.AuthorizeBucketPolicy(call, r.Bucket!, "s3:DeleteBucketPolicy");
        Store.SetBucketPolicy(r.Bucket!, null);
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    private Task GetBucketPolicyStatus(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketPolicyStatus");
        if (bucket.Policy is null) throw S3Errors.NoSuchBucketPolicy(bucket.Name);
        return S3Xml.WriteAsync(r.Http, "PolicyStatus", w => w.El("IsPublic", BucketPolicyStatus.IsPublic(bucket.Policy)));
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
