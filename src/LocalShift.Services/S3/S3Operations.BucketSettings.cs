using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// Bucket settings as typed calls: tagging (<c>s3:GetBucketTagging</c>, and <c>s3:PutBucketTagging</c> for both Put
/// and Delete, https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketTagging.html), the versioning
/// configuration, the policy status, the ACL and the location.
/// </summary>
public sealed partial class S3Operations
{
    private GetBucketTaggingOutput GetBucketTagging(AwsCall call, GetBucketTaggingRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketTagging");
        var tags = Store.GetBucketSetting(bucket.Name, BucketSetting.Tagging) is { } json
            ? JsonSerializer.Deserialize<List<KeyValuePair<string, string>>>(json)!
            : throw S3Errors.NoSuchTagSet(bucket.Name);
        return new GetBucketTaggingOutput(tags.Select(t => new Tag(t.Key, t.Value)).ToList());
    }

    /// <summary>
    /// Replaces the bucket's tags: at most 50, keys of 1–128 characters and values of at most 256, no key twice, none of
    /// AWS's reserved <c>aws:</c> prefix (https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html).
    /// </summary>
    private void PutBucketTagging(AwsCall call, PutBucketTaggingRequest request)
    {
        var bucket = AuthorizeDocumentOperation(call, nameof(PutBucketTagging), request.Bucket);
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in request.Tagging?.TagSet ?? [])
        {
            var k = tag.Key ?? throw S3Errors.MalformedXml();
            var v = tag.Value ?? "";
            if (k.Length is 0 or > 128) throw S3Errors.InvalidTag("The TagKey you have provided is invalid");
            if (v.Length > 256) throw S3Errors.InvalidTag("The TagValue you have provided is invalid");
            // unverified: AWS's text for a tag key with the reserved aws: prefix.
            if (k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw S3Errors.InvalidTag("System tags cannot be added/updated by requester");
            if (tags.Any(t => t.Key == k)) throw S3Errors.InvalidTag("Cannot provide multiple Tags with the same key");
            tags.Add(new(k, v));
        }
        if (tags.Count > 50) throw S3Errors.InvalidTag("Bucket tag count cannot be greater than 50");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Tagging, JsonSerializer.Serialize(tags));
    }

    private void DeleteBucketTagging(AwsCall call, DeleteBucketTaggingRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:PutBucketTagging");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Tagging, null);
    }

    /// <summary>A bucket that never had versioning answers an empty configuration.</summary>
    private GetBucketVersioningOutput GetBucketVersioning(AwsCall call, GetBucketVersioningRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketVersioning");
        var state = Store.GetVersioning(bucket.Name);
        return new GetBucketVersioningOutput(state == BucketVersioning.Unversioned ? null : state.ToString());
    }

    /// <summary>
    /// Status Enabled or Suspended; a configuration without Status changes nothing, any other value is MalformedXML (as S3
    /// answers). MFA delete needs a hardware token LocalShift cannot check: asking for it is NotImplemented.
    /// </summary>
    private void PutBucketVersioning(AwsCall call, PutBucketVersioningRequest request)
    {
        var bucket = AuthorizeDocumentOperation(call, nameof(PutBucketVersioning), request.Bucket);
        var status = request.VersioningConfiguration?.Status;
        var mfaDelete = request.VersioningConfiguration?.MFADelete;
        if (mfaDelete is not (null or "Disabled" or "Enabled") || status is not (null or "Enabled" or "Suspended")) throw S3Errors.MalformedXml();
        if (mfaDelete == "Enabled") throw S3Errors.NotImplemented("MFA delete");
        if (status is not null) Store.SetVersioning(bucket.Name, Enum.Parse<BucketVersioning>(status));
    }

    private GetBucketPolicyStatusOutput GetBucketPolicyStatus(AwsCall call, GetBucketPolicyStatusRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketPolicyStatus");
        if (bucket.Policy is null) throw S3Errors.NoSuchBucketPolicy(bucket.Name);
        return new GetBucketPolicyStatusOutput(new PolicyStatus(BucketPolicyStatus.IsPublic(bucket.Policy)));
    }

    /// <summary>
    /// LocalShift keeps no ACLs (AWS disables them on new buckets too: "bucket owner enforced"); this answers what such a
    /// bucket answers, so tools that read ACLs keep working.
    /// </summary>
    private GetBucketAclOutput GetBucketAcl(AwsCall call, GetBucketAclRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketAcl");
        return OwnerFullControl(bucket.OwnerAccount);
    }

    /// <summary>The object's ACL: its bucket owner's full control, as under "bucket owner enforced".</summary>
    private GetObjectAclOutput GetObjectAcl(AwsCall call, GetObjectAclRequest request)
    {
        var bucket = _access.Bucket(request.Bucket);
        var found = Store.FindObject(request.Bucket, request.Key);
        _access.AuthorizeObject(call, request.Bucket, request.Key, "s3:GetObjectAcl", Http.S3ConditionKeys.ExistingTags(found));
        _ = found ?? throw _access.MissingKey(call, bucket, request.Key);
        var acl = OwnerFullControl(bucket.OwnerAccount);
        return new GetObjectAclOutput(acl.Owner, acl.Grants);
    }

    private static GetBucketAclOutput OwnerFullControl(string account)
    {
        var owner = OwnerOf(account);
        return new GetBucketAclOutput(owner, [new Grant(new Grantee("CanonicalUser", owner.DisplayName, null, owner.ID), "FULL_CONTROL")]);
    }

    /// <summary>us-east-1 is answered as an empty constraint, as S3 does.</summary>
    private GetBucketLocationOutput GetBucketLocation(AwsCall call, GetBucketLocationRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketLocation");
        return new GetBucketLocationOutput(bucket.Region == "us-east-1" ? null : bucket.Region);
    }
}
