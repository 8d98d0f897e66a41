using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalShift.Storage.Objects;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Services.S3.Http;

/// <summary>A bucket's default encryption (PutBucketEncryption); AES256 (SSE-S3) when none was set, as on every AWS bucket.</summary>
public sealed record BucketEncryption(string Algorithm, string? KmsMasterKeyId, bool BucketKeyEnabled)
{
    public static readonly BucketEncryption Default = new("AES256", null, false);

    public static BucketEncryption Of(IObjectStore store, string bucket) =>
        store.GetBucketSetting(bucket, BucketSetting.Encryption) is { } json
            ? JsonSerializer.Deserialize<BucketEncryption>(json) ?? Default
            : Default;
}

/// <summary>
/// Server-side encryption as S3 reports it. LocalShift stores bytes as they came (there is nothing to protect them from on
/// a developer's machine) but keeps S3's bookkeeping: which encryption each object has, the headers that say so, and
/// SSE-C's rule that an object is read only with the key it was written with
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html).
/// </summary>
public static class ObjectEncryption
{
    public const string Sse = "x-amz-server-side-encryption";
    public const string KmsKeyId = "x-amz-server-side-encryption-aws-kms-key-id";
    public const string BucketKey = "x-amz-server-side-encryption-bucket-key-enabled";
    public const string CustomerPrefix = "x-amz-server-side-encryption-customer-";
    public const string CopySourceCustomerPrefix = "x-amz-copy-source-server-side-encryption-customer-";

    private static readonly string[] Algorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

    /// <summary>
    /// The encryption a write asks for, validated: SSE-C headers, else x-amz-server-side-encryption (with the KMS key, or the
    /// account's aws/s3 key when none is named), else the bucket's default encryption.
    /// </summary>
    public static ObjectAttributes Apply(S3Request r, ObjectAttributes attributes, BucketEncryption bucketDefault, string account, string region) =>
        Apply(r.Header(Sse), r.Header(KmsKeyId), r.Header(BucketKey) is { } b ? string.Equals(b, "true", StringComparison.OrdinalIgnoreCase) : null,
            CustomerKey(r, CustomerPrefix), attributes, bucketDefault, account, region);

    /// <summary>The same, from PutObject's members.</summary>
    public static ObjectAttributes Apply(Shapes.PutObjectRequest p, ObjectAttributes attributes, BucketEncryption bucketDefault, string account, string region) =>
        Apply(p.ServerSideEncryption, p.SSEKMSKeyId, p.BucketKeyEnabled,
            CustomerKey(p.SSECustomerAlgorithm, p.SSECustomerKey, p.SSECustomerKeyMD5, CustomerPrefix), attributes, bucketDefault, account, region);

    private static ObjectAttributes Apply(string? sse, string? kmsKey, bool? bucketKeyAsked, (string Algorithm, string KeyMd5)? customerKey,
        ObjectAttributes attributes, BucketEncryption bucketDefault, string account, string region)
    {
        var cleared = attributes with
        {
            ServerSideEncryption = null, KmsKeyId = null, BucketKeyEnabled = false, CustomerAlgorithm = null, CustomerKeyMd5 = null,
        };
        var bucketKey = bucketKeyAsked == true;

        if (customerKey is { } customer)
        {
            // Unverified text: AWS refuses SSE-C together with another encryption method; the wording is ours.
            if (sse is not null)
                throw S3Errors.InvalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified", Sse, sse);
            return cleared with { CustomerAlgorithm = customer.Algorithm, CustomerKeyMd5 = customer.KeyMd5 };
        }
        if (sse is null)
        {
            // Unverified text (InvalidArgument as AWS answers a KMS key id without aws:kms, in users' reports).
            if (kmsKey is not null)
                throw S3Errors.InvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", KmsKeyId, kmsKey);
            return cleared with
            {
                ServerSideEncryption = bucketDefault.Algorithm,
                KmsKeyId = bucketDefault.Algorithm == "AES256" ? null : KmsKeyArn(bucketDefault.KmsMasterKeyId, account, region) ?? DefaultKmsKeyArn(account, region),
                BucketKeyEnabled = bucketDefault.Algorithm != "AES256" && bucketDefault.BucketKeyEnabled,
            };
        }
        if (!Algorithms.Contains(sse, StringComparer.Ordinal))
            throw S3Errors.InvalidArgument("The encryption method specified is not supported", Sse, sse);
        if (sse == "AES256")
        {
            if (kmsKey is not null)
                throw S3Errors.InvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", KmsKeyId, kmsKey);
            return cleared with { ServerSideEncryption = "AES256" };
        }
        return cleared with
        {
            ServerSideEncryption = sse,
            KmsKeyId = KmsKeyArn(kmsKey, account, region)
                       ?? (bucketDefault.Algorithm == sse ? KmsKeyArn(bucketDefault.KmsMasterKeyId, account, region) : null)
                       ?? DefaultKmsKeyArn(account, region),
            BucketKeyEnabled = bucketKey || (bucketKeyAsked is null && bucketDefault.Algorithm == sse && bucketDefault.BucketKeyEnabled),
        };
    }

    /// <summary>
    /// A KMS key as S3 answers it: an ARN as given; a bare key id or an alias in the ARN form of this account and Region
    /// (AWS resolves aliases to the key's ARN, which LocalShift, without KMS, cannot: the alias ARN stands in).
    /// </summary>
    private static string? KmsKeyArn(string? key, string account, string region) => key switch
    {
        null or "" => null,
        _ when key.StartsWith("arn:", StringComparison.Ordinal) => key,
        _ when key.StartsWith("alias/", StringComparison.Ordinal) => $"arn:aws:kms:{region}:{account}:{key}",
        _ => $"arn:aws:kms:{region}:{account}:key/{key}",
    };

    /// <summary>
    /// The ARN of the account's AWS managed key for S3 (alias aws/s3) in a Region. AWS creates that key with a random id
    /// on first use; LocalShift derives a stable one from the account and Region (the id is LocalShift's, the ARN's form is AWS's).
    /// </summary>
    public static string DefaultKmsKeyArn(string account, string region)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"localshift-aws/s3:{account}:{region}"));
        return $"arn:aws:kms:{region}:{account}:key/{new Guid(h.AsSpan(0, 16))}";
    }

    /// <summary>
    /// A read of an object (GET, HEAD, a copy's source with <see cref="CopySourceCustomerPrefix"/>): an SSE-C object needs
    /// its key; other objects refuse SSE-C headers. Texts as AWS answers them, status codes as the S3 conformance suites
    /// check them (400 without the key, 403 for another key).
    /// </summary>
    public static void CheckRead(S3Request r, ObjectAttributes a, string prefix = CustomerPrefix) =>
        CheckRead(CustomerKey(r, prefix), a);

    /// <summary>The same, with the SSE-C members of a typed request (GetObject's, HeadObject's; a copy's source's under <see cref="CopySourceCustomerPrefix"/>).</summary>
    public static void CheckRead(string? algorithm, string? key, string? keyMd5, ObjectAttributes a, string prefix = CustomerPrefix) =>
        CheckRead(CustomerKey(algorithm, key, keyMd5, prefix), a);

    private static void CheckRead((string Algorithm, string KeyMd5)? given, ObjectAttributes a)
    {
        if (a.CustomerAlgorithm is null)
        {
            if (given is not null) throw S3Errors.InvalidRequest("The encryption parameters are not applicable to this object.");
            return;
        }
        if (given is null)
            throw S3Errors.InvalidRequest("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
        if (given.Value.KeyMd5 != a.CustomerKeyMd5) throw S3Errors.AccessDenied();
    }

    /// <summary>
    /// UploadPart and UploadPartCopy of an upload begun with SSE-C carry the same key; parts of other uploads carry none.
    /// The text is AWS's as S3 clients report it (unverified).
    /// </summary>
    public static void CheckPart(string? algorithm, string? key, string? keyMd5, ObjectAttributes upload)
    {
        var given = CustomerKey(algorithm, key, keyMd5, CustomerPrefix);
        if (upload.CustomerAlgorithm is null)
        {
            if (given is not null) throw S3Errors.InvalidRequest("The encryption parameters are not applicable to this object.");
            return;
        }
        if (given is null || given.Value.KeyMd5 != upload.CustomerKeyMd5)
            throw S3Errors.InvalidRequest("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.");
    }

    /// <summary>
    /// The SSE-C headers of a request under <paramref name="prefix"/>, checked: algorithm AES256, a 256-bit key, and its MD5
    /// when given. Null when the request has none of them.
    /// </summary>
    private static (string Algorithm, string KeyMd5)? CustomerKey(S3Request r, string prefix) =>
        CustomerKey(r.Header(prefix + "algorithm"), r.Header(prefix + "key"), r.Header(prefix + "key-MD5"), prefix);

    private static (string Algorithm, string KeyMd5)? CustomerKey(string? algorithm, string? key, string? md5, string prefix)
    {
        if (algorithm is null && key is null && md5 is null) return null;
        // The texts below are AWS's as S3 clients and conformance suites quote them; not captured by us (unverified).
        if (algorithm is null)
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.", prefix + "algorithm", "null");
        if (algorithm != "AES256")
            throw new S3Exception("InvalidEncryptionAlgorithmError", "The Encryption request you specified is not valid. Supported value: AES256.", 400,
                ("ArgumentName", prefix + "algorithm"), ("ArgumentValue", algorithm));
        if (key is null)
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.", prefix + "key", "null");
        byte[] keyBytes;
        try { keyBytes = Convert.FromBase64String(key); }
        catch (FormatException) { keyBytes = []; }
        if (keyBytes.Length != 32)
            throw S3Errors.InvalidArgument("The secret key was invalid for the specified algorithm.", prefix + "key", "");
        var computed = Convert.ToBase64String(MD5.HashData(keyBytes));
        if (md5 is null)
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.", prefix + "key-MD5", "null");
        if (md5 != computed)
            throw S3Errors.InvalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", prefix + "key-MD5", md5);
        return (algorithm, computed);
    }
}
