using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// The bucket settings that shape every write, as typed calls: default encryption (<c>s3:GetEncryptionConfiguration</c>,
/// <c>s3:PutEncryptionConfiguration</c>), object ownership (which decides whether ACLs are accepted) and the public
/// access block (which decides whether a public bucket policy is).
/// </summary>
public sealed partial class S3Operations
{
    internal const string BucketOwnerEnforced = "BucketOwnerEnforced";
    internal static readonly string[] Ownerships = ["BucketOwnerPreferred", "ObjectWriter", BucketOwnerEnforced];
    private static readonly string[] EncryptionAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

    private GetBucketEncryptionOutput GetBucketEncryption(AwsCall call, GetBucketEncryptionRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetEncryptionConfiguration");
        var e = BucketEncryption.Of(Store, bucket.Name);
        return new GetBucketEncryptionOutput(new ServerSideEncryptionConfiguration(
            [new ServerSideEncryptionRule(new ServerSideEncryptionByDefault(e.Algorithm, e.KmsMasterKeyId), e.BucketKeyEnabled)]));
    }

    /// <summary>One rule with an SSE algorithm, an optional KMS key and the bucket-key flag.</summary>
    private void PutBucketEncryption(AwsCall call, PutBucketEncryptionRequest request)
    {
        var bucket = AuthorizeDocumentOperation(call, nameof(PutBucketEncryption), request.Bucket);
        var rule = request.ServerSideEncryptionConfiguration?.Rules?.FirstOrDefault() ?? throw S3Errors.MalformedXml();
        var apply = rule.ApplyServerSideEncryptionByDefault ?? throw S3Errors.MalformedXml();
        var algorithm = apply.SSEAlgorithm ?? throw S3Errors.MalformedXml();
        if (!EncryptionAlgorithms.Contains(algorithm, StringComparer.Ordinal)) throw S3Errors.MalformedXml();
        var key = apply.KMSMasterKeyID;
        // AWS's text for a KMS key with SSE-S3, as reported by users (unverified).
        if (key is not null && algorithm == "AES256")
            throw S3Errors.InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
        var e = new BucketEncryption(algorithm, string.IsNullOrEmpty(key) ? null : key, rule.BucketKeyEnabled == true);
        Store.SetBucketSetting(bucket.Name, BucketSetting.Encryption, JsonSerializer.Serialize(e));
    }

    /// <summary>Since 2023 every bucket is encrypted: deleting the configuration returns the bucket to SSE-S3 (AES256).</summary>
    private void DeleteBucketEncryption(AwsCall call, DeleteBucketEncryptionRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:PutEncryptionConfiguration");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Encryption, null);
    }

    /// <summary>
    /// The bucket's object ownership: BucketOwnerEnforced unless set otherwise (AWS's default for new buckets since April
    /// 2023); null once the controls were deleted, which behaves as ObjectWriter.
    /// </summary>
    internal string? Ownership(string bucket) => Store.GetBucketSetting(bucket, BucketSetting.OwnershipControls) switch
    {
        null => BucketOwnerEnforced,
        "" => null,
        var v => v,
    };

    private GetBucketOwnershipControlsOutput GetBucketOwnershipControls(AwsCall call, GetBucketOwnershipControlsRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketOwnershipControls");
        var ownership = Ownership(bucket.Name)
            ?? throw new S3Exception("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404, ("BucketName", bucket.Name));
        return new GetBucketOwnershipControlsOutput(new OwnershipControls([new OwnershipControlsRule(ownership)]));
    }

    private void PutBucketOwnershipControls(AwsCall call, PutBucketOwnershipControlsRequest request)
    {
        var bucket = AuthorizeDocumentOperation(call, nameof(PutBucketOwnershipControls), request.Bucket);
        var ownership = request.OwnershipControls?.Rules?.FirstOrDefault()?.ObjectOwnership;
        if (ownership is null || !Ownerships.Contains(ownership, StringComparer.Ordinal)) throw S3Errors.MalformedXml();
        Store.SetBucketSetting(bucket.Name, BucketSetting.OwnershipControls, ownership);
    }

    private void DeleteBucketOwnershipControls(AwsCall call, DeleteBucketOwnershipControlsRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:PutBucketOwnershipControls");
        Store.SetBucketSetting(bucket.Name, BucketSetting.OwnershipControls, "");
    }

    internal PublicAccessBlockConfiguration? PublicAccessBlock(string bucket) =>
        Store.GetBucketSetting(bucket, BucketSetting.PublicAccessBlock) is { } json
            ? JsonSerializer.Deserialize<PublicAccessBlockConfiguration>(json)
            : null;

    /// <summary>What new buckets get: all four settings on, as AWS's have since April 2023.</summary>
    internal static string BlockAllPublicAccess { get; } = JsonSerializer.Serialize(new PublicAccessBlockConfiguration(true, true, true, true));

    private GetPublicAccessBlockOutput GetPublicAccessBlock(AwsCall call, GetPublicAccessBlockRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:GetBucketPublicAccessBlock");
        var c = PublicAccessBlock(bucket.Name) ?? throw new S3Exception("NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found", 404, ("BucketName", bucket.Name));
        return new GetPublicAccessBlockOutput(new PublicAccessBlockConfiguration(
            c.BlockPublicAcls == true, c.IgnorePublicAcls == true, c.BlockPublicPolicy == true, c.RestrictPublicBuckets == true));
    }

    /// <summary>A setting left out is false.</summary>
    private void PutPublicAccessBlock(AwsCall call, PutPublicAccessBlockRequest request)
    {
        var bucket = AuthorizeDocumentOperation(call, nameof(PutPublicAccessBlock), request.Bucket);
        var c = request.PublicAccessBlockConfiguration ?? throw S3Errors.MalformedXml();
        var stored = new PublicAccessBlockConfiguration(
            c.BlockPublicAcls == true, c.IgnorePublicAcls == true, c.BlockPublicPolicy == true, c.RestrictPublicBuckets == true);
        Store.SetBucketSetting(bucket.Name, BucketSetting.PublicAccessBlock, JsonSerializer.Serialize(stored));
    }

    private void DeletePublicAccessBlock(AwsCall call, DeletePublicAccessBlockRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:PutBucketPublicAccessBlock");
        Store.SetBucketSetting(bucket.Name, BucketSetting.PublicAccessBlock, null);
    }
}
