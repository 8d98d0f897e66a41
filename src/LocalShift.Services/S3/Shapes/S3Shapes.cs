namespace LocalShift.Services.S3.Shapes;

// The S3 model's shapes that the typed operations read and write, named as the model names them; the rest-xml codec
// (src/LocalShift.Aws/Protocols/Xml/RestXmlCodec.cs) reads and writes them from the model
// (src/LocalShift.Aws/Model/models/s3.json): URI labels, query strings, headers and XML payloads. ShapeConformanceTests
// checks every property against its shape.

// ---- shared ----

public sealed record Owner(string? DisplayName = null, string? ID = null);
public sealed record Tag(string Key, string Value);
public sealed record Tagging(List<Tag>? TagSet = null);
public sealed record CommonPrefix(string? Prefix = null);

// ---- bucket tagging ----

public sealed record GetBucketTaggingRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketTaggingOutput(List<Tag> TagSet);
public sealed record PutBucketTaggingRequest(
    string Bucket, Tagging? Tagging = null, string? ContentMD5 = null, string? ChecksumAlgorithm = null, string? ExpectedBucketOwner = null);
public sealed record DeleteBucketTaggingRequest(string Bucket, string? ExpectedBucketOwner = null);

// ---- versioning configuration ----

public sealed record VersioningConfiguration(string? MFADelete = null, string? Status = null);
public sealed record GetBucketVersioningRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketVersioningOutput(string? Status = null, string? MFADelete = null);
public sealed record PutBucketVersioningRequest(
    string Bucket, VersioningConfiguration? VersioningConfiguration = null, string? MFA = null, string? ContentMD5 = null,
    string? ChecksumAlgorithm = null, string? ExpectedBucketOwner = null);

// ---- policy status, ACL, location ----

public sealed record PolicyStatus(bool? IsPublic = null);
public sealed record GetBucketPolicyStatusRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketPolicyStatusOutput(PolicyStatus? PolicyStatus = null);

public sealed record Grantee(string Type, string? DisplayName = null, string? EmailAddress = null, string? ID = null, string? URI = null);
public sealed record Grant(Grantee? Grantee = null, string? Permission = null);
public sealed record GetBucketAclRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketAclOutput(Owner? Owner = null, List<Grant>? Grants = null);

public sealed record GetBucketLocationRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketLocationOutput(string? LocationConstraint = null);

// ---- listings ----

public sealed record Bucket(string? Name = null, DateTimeOffset? CreationDate = null, string? BucketRegion = null);
public sealed record ListBucketsRequest(int? MaxBuckets = null, string? ContinuationToken = null, string? Prefix = null, string? BucketRegion = null);
public sealed record ListBucketsOutput(List<Bucket>? Buckets = null, Owner? Owner = null, string? ContinuationToken = null, string? Prefix = null);

/// <summary>An object of a listing (the model's <c>Object</c> shape).</summary>
public sealed record ListedObject(
    string? Key = null, DateTimeOffset? LastModified = null, string? ETag = null, List<string>? ChecksumAlgorithm = null,
    string? ChecksumType = null, long? Size = null, string? StorageClass = null, Owner? Owner = null);

public sealed record ListObjectsV2Request(
    string Bucket, string? Delimiter = null, string? EncodingType = null, int? MaxKeys = null, string? Prefix = null,
    string? ContinuationToken = null, bool? FetchOwner = null, string? StartAfter = null, string? ExpectedBucketOwner = null);

public sealed record ListObjectsV2Output(
    bool? IsTruncated = null, List<ListedObject>? Contents = null, string? Name = null, string? Prefix = null, string? Delimiter = null,
    int? MaxKeys = null, List<CommonPrefix>? CommonPrefixes = null, string? EncodingType = null, int? KeyCount = null,
    string? ContinuationToken = null, string? NextContinuationToken = null, string? StartAfter = null);

public sealed record ListObjectsRequest(
    string Bucket, string? Delimiter = null, string? EncodingType = null, string? Marker = null, int? MaxKeys = null,
    string? Prefix = null, string? ExpectedBucketOwner = null);

public sealed record ListObjectsOutput(
    bool? IsTruncated = null, string? Marker = null, string? NextMarker = null, List<ListedObject>? Contents = null, string? Name = null,
    string? Prefix = null, string? Delimiter = null, int? MaxKeys = null, List<CommonPrefix>? CommonPrefixes = null, string? EncodingType = null);

public sealed record GetObjectAclRequest(string Bucket, string Key, string? VersionId = null, string? ExpectedBucketOwner = null);
public sealed record GetObjectAclOutput(Owner? Owner = null, List<Grant>? Grants = null);

// ---- encryption, ownership, public access block, policy ----

public sealed record ServerSideEncryptionByDefault(string SSEAlgorithm, string? KMSMasterKeyID = null);
public sealed record ServerSideEncryptionRule(ServerSideEncryptionByDefault? ApplyServerSideEncryptionByDefault = null, bool? BucketKeyEnabled = null);
public sealed record ServerSideEncryptionConfiguration(List<ServerSideEncryptionRule> Rules);
public sealed record GetBucketEncryptionRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketEncryptionOutput(ServerSideEncryptionConfiguration? ServerSideEncryptionConfiguration = null);
public sealed record PutBucketEncryptionRequest(
    string Bucket, ServerSideEncryptionConfiguration? ServerSideEncryptionConfiguration = null, string? ContentMD5 = null,
    string? ChecksumAlgorithm = null, string? ExpectedBucketOwner = null);
public sealed record DeleteBucketEncryptionRequest(string Bucket, string? ExpectedBucketOwner = null);

public sealed record OwnershipControlsRule(string ObjectOwnership);
public sealed record OwnershipControls(List<OwnershipControlsRule> Rules);
public sealed record GetBucketOwnershipControlsRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketOwnershipControlsOutput(OwnershipControls? OwnershipControls = null);
public sealed record PutBucketOwnershipControlsRequest(
    string Bucket, OwnershipControls? OwnershipControls = null, string? ContentMD5 = null, string? ChecksumAlgorithm = null,
    string? ExpectedBucketOwner = null);
public sealed record DeleteBucketOwnershipControlsRequest(string Bucket, string? ExpectedBucketOwner = null);

/// <summary>The bucket's public access block, on the wire and as stored (its JSON is the bucket setting).</summary>
public sealed record PublicAccessBlockConfiguration(
    bool? BlockPublicAcls = null, bool? IgnorePublicAcls = null, bool? BlockPublicPolicy = null, bool? RestrictPublicBuckets = null);
public sealed record GetPublicAccessBlockRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetPublicAccessBlockOutput(PublicAccessBlockConfiguration? PublicAccessBlockConfiguration = null);
public sealed record PutPublicAccessBlockRequest(
    string Bucket, PublicAccessBlockConfiguration? PublicAccessBlockConfiguration = null, string? ContentMD5 = null,
    string? ChecksumAlgorithm = null, string? ExpectedBucketOwner = null);
public sealed record DeletePublicAccessBlockRequest(string Bucket, string? ExpectedBucketOwner = null);

// ---- buckets and their policy ----

public sealed record DeleteBucketRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record HeadBucketRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record HeadBucketOutput(string? BucketRegion = null);
public sealed record GetBucketPolicyRequest(string Bucket, string? ExpectedBucketOwner = null);
public sealed record GetBucketPolicyOutput(string? Policy = null);
public sealed record PutBucketPolicyRequest(
    string Bucket, string? Policy = null, string? ContentMD5 = null, string? ChecksumAlgorithm = null,
    bool? ConfirmRemoveSelfBucketAccess = null, string? ExpectedBucketOwner = null);
public sealed record DeleteBucketPolicyRequest(string Bucket, string? ExpectedBucketOwner = null);

// ---- objects: deleting, tagging ----

public sealed record DeleteObjectRequest(
    string Bucket, string Key, string? MFA = null, string? VersionId = null, string? RequestPayer = null, bool? BypassGovernanceRetention = null,
    string? ExpectedBucketOwner = null, string? IfMatch = null, DateTimeOffset? IfMatchLastModifiedTime = null, long? IfMatchSize = null);
public sealed record DeleteObjectOutput(bool? DeleteMarker = null, string? VersionId = null, string? RequestCharged = null);

public sealed record ObjectIdentifier(string Key, string? VersionId = null, string? ETag = null, DateTimeOffset? LastModifiedTime = null, long? Size = null);
public sealed record Delete(List<ObjectIdentifier> Objects, bool? Quiet = null);
public sealed record DeleteObjectsRequest(
    string Bucket, Delete Delete, string? MFA = null, string? RequestPayer = null, bool? BypassGovernanceRetention = null,
    string? ExpectedBucketOwner = null, string? ChecksumAlgorithm = null);
public sealed record DeletedObject(string? Key = null, string? VersionId = null, bool? DeleteMarker = null, string? DeleteMarkerVersionId = null);

/// <summary>A key DeleteObjects could not delete (the model's <c>Error</c> shape).</summary>
public sealed record DeleteError(string? Key = null, string? VersionId = null, string? Code = null, string? Message = null);
public sealed record DeleteObjectsOutput(List<DeletedObject>? Deleted = null, string? RequestCharged = null, List<DeleteError>? Errors = null);

public sealed record GetObjectTaggingRequest(string Bucket, string Key, string? VersionId = null, string? ExpectedBucketOwner = null, string? RequestPayer = null);
public sealed record GetObjectTaggingOutput(List<Tag> TagSet, string? VersionId = null);
public sealed record PutObjectTaggingRequest(
    string Bucket, string Key, Tagging Tagging, string? VersionId = null, string? ContentMD5 = null, string? ChecksumAlgorithm = null,
    string? ExpectedBucketOwner = null, string? RequestPayer = null);
public sealed record PutObjectTaggingOutput(string? VersionId = null);
public sealed record DeleteObjectTaggingRequest(string Bucket, string Key, string? VersionId = null, string? ExpectedBucketOwner = null);
public sealed record DeleteObjectTaggingOutput(string? VersionId = null);

// ---- multipart uploads ----

public sealed record AbortMultipartUploadRequest(
    string Bucket, string Key, string UploadId, string? RequestPayer = null, string? ExpectedBucketOwner = null,
    DateTimeOffset? IfMatchInitiatedTime = null);
public sealed record AbortMultipartUploadOutput(string? RequestCharged = null);

public sealed record Initiator(string? ID = null, string? DisplayName = null);

/// <summary>A part of an upload; its checksum under the member of its algorithm (<c>ChecksumCRC32</c>, …).</summary>
public sealed record Part(
    int? PartNumber = null, DateTimeOffset? LastModified = null, string? ETag = null, long? Size = null, string? ChecksumCRC32 = null,
    string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null, string? ChecksumSHA256 = null);

public sealed record ListPartsRequest(
    string Bucket, string Key, string UploadId, int? MaxParts = null, int? PartNumberMarker = null, string? RequestPayer = null,
    string? ExpectedBucketOwner = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null);
public sealed record ListPartsOutput(
    string? Bucket = null, string? Key = null, string? UploadId = null, int? PartNumberMarker = null, int? NextPartNumberMarker = null,
    int? MaxParts = null, bool? IsTruncated = null, List<Part>? Parts = null, Initiator? Initiator = null, Owner? Owner = null,
    string? StorageClass = null, string? ChecksumAlgorithm = null, string? ChecksumType = null);

public sealed record MultipartUpload(
    string? UploadId = null, string? Key = null, DateTimeOffset? Initiated = null, string? StorageClass = null, Owner? Owner = null,
    Initiator? Initiator = null, string? ChecksumAlgorithm = null, string? ChecksumType = null);
public sealed record ListMultipartUploadsRequest(
    string Bucket, string? Delimiter = null, string? EncodingType = null, string? KeyMarker = null, int? MaxUploads = null, string? Prefix = null,
    string? UploadIdMarker = null, string? ExpectedBucketOwner = null, string? RequestPayer = null);
public sealed record ListMultipartUploadsOutput(
    string? Bucket = null, string? KeyMarker = null, string? UploadIdMarker = null, string? NextKeyMarker = null, string? Prefix = null,
    string? Delimiter = null, string? NextUploadIdMarker = null, int? MaxUploads = null, bool? IsTruncated = null,
    List<MultipartUpload>? Uploads = null, List<CommonPrefix>? CommonPrefixes = null, string? EncodingType = null);

// ---- multipart writes: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload ----

public sealed record CreateMultipartUploadRequest(
    string Bucket, string Key, string? ACL = null, string? CacheControl = null, string? ContentDisposition = null, string? ContentEncoding = null,
    string? ContentLanguage = null, string? ContentType = null, string? Expires = null, string? GrantFullControl = null, string? GrantRead = null,
    string? GrantReadACP = null, string? GrantWriteACP = null, Dictionary<string, string>? Metadata = null, string? ServerSideEncryption = null,
    string? StorageClass = null, string? WebsiteRedirectLocation = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null,
    string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, string? SSEKMSEncryptionContext = null, bool? BucketKeyEnabled = null,
    string? RequestPayer = null, string? Tagging = null, string? ObjectLockMode = null, DateTimeOffset? ObjectLockRetainUntilDate = null,
    string? ObjectLockLegalHoldStatus = null, string? ExpectedBucketOwner = null, string? ChecksumAlgorithm = null, string? ChecksumType = null)
{
    /// <summary>
    /// The members that describe the object the upload will make, as PutObject has them: the upload's content headers,
    /// metadata, tags, ACL and encryption are read, checked and turned into condition keys as a PutObject's are.
    /// </summary>
    public PutObjectRequest AsPut() => new(Bucket, Key, ACL: ACL, CacheControl: CacheControl, ContentDisposition: ContentDisposition,
        ContentEncoding: ContentEncoding, ContentLanguage: ContentLanguage, ContentType: ContentType, Expires: Expires,
        GrantFullControl: GrantFullControl, GrantRead: GrantRead, GrantReadACP: GrantReadACP, GrantWriteACP: GrantWriteACP, Metadata: Metadata,
        ServerSideEncryption: ServerSideEncryption, StorageClass: StorageClass, WebsiteRedirectLocation: WebsiteRedirectLocation,
        SSECustomerAlgorithm: SSECustomerAlgorithm, SSECustomerKey: SSECustomerKey, SSECustomerKeyMD5: SSECustomerKeyMD5, SSEKMSKeyId: SSEKMSKeyId,
        BucketKeyEnabled: BucketKeyEnabled, RequestPayer: RequestPayer, Tagging: Tagging, ObjectLockMode: ObjectLockMode,
        ObjectLockRetainUntilDate: ObjectLockRetainUntilDate, ObjectLockLegalHoldStatus: ObjectLockLegalHoldStatus,
        ExpectedBucketOwner: ExpectedBucketOwner);
}

public sealed record CreateMultipartUploadOutput(
    DateTimeOffset? AbortDate = null, string? AbortRuleId = null, string? Bucket = null, string? Key = null, string? UploadId = null,
    string? ServerSideEncryption = null, string? SSECustomerAlgorithm = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null,
    string? SSEKMSEncryptionContext = null, bool? BucketKeyEnabled = null, string? RequestCharged = null, string? ChecksumAlgorithm = null,
    string? ChecksumType = null);

public sealed record UploadPartRequest(
    string Bucket, string Key, int PartNumber, string UploadId, long? ContentLength = null, string? ContentMD5 = null,
    string? ChecksumAlgorithm = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null,
    string? ChecksumSHA1 = null, string? ChecksumSHA256 = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null,
    string? SSECustomerKeyMD5 = null, string? RequestPayer = null, string? ExpectedBucketOwner = null)
{
    /// <summary>The model's streaming payload: the part's bytes, passed beside the document (see <see cref="IPartPayload"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IPartPayload? Body { get; init; }
}

public sealed record UploadPartOutput(
    string? ServerSideEncryption = null, string? ETag = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null,
    string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null, string? ChecksumSHA256 = null, string? SSECustomerAlgorithm = null,
    string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null, string? RequestCharged = null);

/// <summary>
/// A part's bytes as UploadPart receives them: staged to a file of the store and held to every claim made about them
/// (Content-MD5, <c>x-amz-content-sha256</c>, aws-chunked signatures, <c>x-amz-checksum-*</c> in a header or a trailer),
/// and to the upload's checksum algorithm, which only the operation knows once it has found the upload. Staging is the
/// first read of the body, so a part refused before it (authorization, a missing upload, a wrong SSE-C key) uploads nothing.
/// </summary>
public interface IPartPayload : IDisposable
{
    /// <param name="algorithm">The upload's checksum algorithm: the part's checksum is of it (computed when not sent).</param>
    /// <param name="requireChecksum">Whether the client must send that checksum (parts of a COMPOSITE upload).</param>
    Task<LocalShift.Storage.Objects.StagedBlob> StageAsync(LocalShift.Storage.Objects.IObjectStore store, string? algorithm, bool requireChecksum,
        CancellationToken ct);

    /// <summary>After staging: the additional checksum the body was held to or computed for (algorithm and base64 value).</summary>
    (string Algorithm, string Value)? Checksum { get; }
}

public sealed record UploadPartCopyRequest(
    string Bucket, string CopySource, string Key, int PartNumber, string UploadId, string? CopySourceIfMatch = null,
    DateTimeOffset? CopySourceIfModifiedSince = null, string? CopySourceIfNoneMatch = null, DateTimeOffset? CopySourceIfUnmodifiedSince = null,
    string? CopySourceRange = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null,
    string? CopySourceSSECustomerAlgorithm = null, string? CopySourceSSECustomerKey = null, string? CopySourceSSECustomerKeyMD5 = null,
    string? RequestPayer = null, string? ExpectedBucketOwner = null, string? ExpectedSourceBucketOwner = null);

public sealed record CopyPartResult(
    string? ETag = null, DateTimeOffset? LastModified = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null,
    string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null, string? ChecksumSHA256 = null);

public sealed record UploadPartCopyOutput(
    string? CopySourceVersionId = null, CopyPartResult? CopyPartResult = null, string? ServerSideEncryption = null,
    string? SSECustomerAlgorithm = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null,
    string? RequestCharged = null);

/// <summary>A part CompleteMultipartUpload names (the model's <c>CompletedPart</c> shape).</summary>
public sealed record CompletedUploadPart(
    string? ETag = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null,
    string? ChecksumSHA256 = null, int? PartNumber = null);

public sealed record CompletedMultipartUpload(List<CompletedUploadPart>? Parts = null);

public sealed record CompleteMultipartUploadRequest(
    string Bucket, string Key, string UploadId, CompletedMultipartUpload? MultipartUpload = null, string? ChecksumCRC32 = null,
    string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null, string? ChecksumSHA256 = null,
    string? ChecksumType = null, long? MpuObjectSize = null, string? RequestPayer = null, string? ExpectedBucketOwner = null,
    string? IfMatch = null, string? IfNoneMatch = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null,
    string? SSECustomerKeyMD5 = null);

public sealed record CompleteMultipartUploadOutput(
    string? Location = null, string? Bucket = null, string? Key = null, string? Expiration = null, string? ETag = null,
    string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null,
    string? ChecksumSHA256 = null, string? ChecksumType = null, string? ServerSideEncryption = null, string? VersionId = null,
    string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null, string? RequestCharged = null);

// ---- creating a bucket ----

public sealed record CreateBucketConfiguration(string? LocationConstraint = null);
public sealed record CreateBucketRequest(
    string Bucket, string? ACL = null, CreateBucketConfiguration? CreateBucketConfiguration = null, string? GrantFullControl = null,
    string? GrantRead = null, string? GrantReadACP = null, string? GrantWrite = null, string? GrantWriteACP = null,
    bool? ObjectLockEnabledForBucket = null, string? ObjectOwnership = null);
public sealed record CreateBucketOutput(string? Location = null);

// ---- reading objects: GetObject, HeadObject ----

/// <summary>
/// GetObject's input, and HeadObject's: the model's two input shapes have the same members with the same shapes and
/// locations, so one record serves both (ShapeConformanceTests holds it to each shape).
/// </summary>
public sealed record GetObjectRequest(
    string Bucket, string Key, string? IfMatch = null, DateTimeOffset? IfModifiedSince = null, string? IfNoneMatch = null,
    DateTimeOffset? IfUnmodifiedSince = null, string? Range = null, string? ResponseCacheControl = null,
    string? ResponseContentDisposition = null, string? ResponseContentEncoding = null, string? ResponseContentLanguage = null,
    string? ResponseContentType = null, DateTimeOffset? ResponseExpires = null, string? VersionId = null, string? SSECustomerAlgorithm = null,
    string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null, string? RequestPayer = null, int? PartNumber = null,
    string? ExpectedBucketOwner = null, string? ChecksumMode = null);

/// <summary>
/// What GetObject answers about the object it reads, and HeadObject's whole answer: the members the model's two output
/// shapes share (ShapeConformanceTests holds this one record to each shape), as <see cref="GetObjectRequest"/> serves
/// both inputs. GetObject's body is the model's streaming payload: not a member of the document, an open file the caller
/// sends on and disposes; it is internal, so the record's public members are those of both shapes (HeadObject leaves it null).
/// </summary>
public sealed record GetObjectOutput(
    string? AcceptRanges = null, DateTimeOffset? LastModified = null, long? ContentLength = null, string? ETag = null,
    string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null,
    string? ChecksumSHA256 = null, string? ChecksumType = null, string? VersionId = null, string? CacheControl = null,
    string? ContentDisposition = null, string? ContentEncoding = null, string? ContentLanguage = null, string? ContentRange = null,
    string? ContentType = null, string? Expires = null, string? ServerSideEncryption = null, Dictionary<string, string>? Metadata = null,
    string? SSECustomerAlgorithm = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null,
    int? PartsCount = null, int? TagCount = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    internal ObjectBody? Body { get; init; }
}

/// <summary>
/// An object's bytes as GetObject answers them: <see cref="Length"/> bytes of an open file from <see cref="Start"/> (the
/// whole object, a range, or a part). Whoever receives it sends it on (<see cref="CopyToAsync"/>) or reads it
/// (<see cref="AsStream"/>), and disposes it.
/// </summary>
public sealed class ObjectBody(FileStream file, long start, long length) : IDisposable, IAsyncDisposable
{
    public long Start => start;
    public long Length => length;

    /// <summary>
    /// Sends the bytes. The file is read synchronously: on Unix an asynchronous file read is the same read on a
    /// thread-pool thread, a hop per buffer that costs more than the read of a page-cached file it waits for.
    /// </summary>
    public async Task CopyToAsync(Stream to, CancellationToken ct)
    {
        file.Seek(start, SeekOrigin.Begin);
        var left = length;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp(left, 1, 1 << 20));
        try
        {
            while (left > 0)
            {
                var n = file.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)));
                if (n == 0) break;
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
                left -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sends the bytes into a response's pipe, each chunk read from the file straight into the pipe's own buffer: no
    /// buffer of ours between them, so a 1 MiB GET is not copied once more in memory, and the pipe sends a few large
    /// segments rather than its 4 KiB blocks. Read synchronously, as <see cref="CopyToAsync(Stream, CancellationToken)"/>.
    /// Flushed once per MiB: a flush above Kestrel's response buffer limit (64 KiB) waits for the socket, a send and a
    /// hand-off between threads each time. The caller starts the response first, or Kestrel copies these bytes again.
    /// </summary>
    public async Task CopyToAsync(System.IO.Pipelines.PipeWriter to, CancellationToken ct)
    {
        const int chunk = 256 * 1024, flushEvery = 1024 * 1024;
        var handle = file.SafeFileHandle;
        var (at, left, unflushed) = (start, length, 0L);
        while (left > 0)
        {
            var memory = to.GetMemory((int)Math.Min(left, chunk));
            var n = RandomAccess.Read(handle, memory.Span[..(int)Math.Min(Math.Min(left, chunk), memory.Length)], at);
            if (n == 0) break;
            to.Advance(n);
            (at, left, unflushed) = (at + n, left - n, unflushed + n);
            if (unflushed < flushEvery && left > 0) continue;
            unflushed = 0;
            var flushed = await to.FlushAsync(ct);
            if (flushed.IsCompleted || flushed.IsCanceled) break;
        }
    }

    /// <summary>The bytes as a stream of their own, positioned at the first; disposing it closes the file.</summary>
    public Stream AsStream()
    {
        file.Seek(start, SeekOrigin.Begin);
        return start == 0 && length == file.Length ? file : new LocalShift.Core.LimitedReadStream(file, length, ownsInner: true);
    }

    public void Dispose() => file.Dispose();

    public ValueTask DisposeAsync() => file.DisposeAsync();
}

// ---- writing objects: PutObject ----

public sealed record PutObjectRequest(
    string Bucket, string Key, string? ACL = null, string? CacheControl = null, string? ContentDisposition = null, string? ContentEncoding = null,
    string? ContentLanguage = null, long? ContentLength = null, string? ContentMD5 = null, string? ContentType = null,
    string? ChecksumAlgorithm = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null,
    string? ChecksumSHA1 = null, string? ChecksumSHA256 = null, string? Expires = null, string? IfMatch = null, string? IfNoneMatch = null,
    string? GrantFullControl = null, string? GrantRead = null, string? GrantReadACP = null, string? GrantWriteACP = null,
    Dictionary<string, string>? Metadata = null, string? ServerSideEncryption = null, string? StorageClass = null,
    string? WebsiteRedirectLocation = null, string? SSECustomerAlgorithm = null, string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null,
    string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null, string? RequestPayer = null, string? Tagging = null, string? ObjectLockMode = null,
    DateTimeOffset? ObjectLockRetainUntilDate = null, string? ObjectLockLegalHoldStatus = null, string? ExpectedBucketOwner = null)
{
    /// <summary>The model's streaming payload: the bytes to store, passed beside the document (see <see cref="IObjectPayload"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IObjectPayload? Body { get; init; }
}

public sealed record PutObjectOutput(
    string? ETag = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null,
    string? ChecksumSHA256 = null, string? ChecksumType = null, string? ServerSideEncryption = null, string? VersionId = null,
    string? SSECustomerAlgorithm = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null);

/// <summary>
/// The bytes of a write, as the operation receives them: staged to a file of the store, and held to every claim made
/// about them on the way (the edge's payload checks Content-MD5, <c>x-amz-content-sha256</c>, aws-chunked signatures and
/// <c>x-amz-checksum-*</c>; an in-process caller's bytes carry no claims). Staging is the first read of the body, so a
/// request refused before it (authorization, a failed condition) uploads nothing.
/// </summary>
public interface IObjectPayload : IDisposable
{
    Task<LocalShift.Storage.Objects.StagedBlob> StageAsync(LocalShift.Storage.Objects.IObjectStore store, CancellationToken ct);

    /// <summary>After staging: the additional checksum the body was held to or computed for (algorithm and base64 value).</summary>
    (string Algorithm, string Value)? Checksum { get; }
}

// ---- copying objects, object attributes, listing versions: CopyObject, GetObjectAttributes, ListObjectVersions ----

public sealed record CopyObjectRequest(
    string Bucket, string CopySource, string Key, string? ACL = null, string? CacheControl = null, string? ChecksumAlgorithm = null,
    string? ContentDisposition = null, string? ContentEncoding = null, string? ContentLanguage = null, string? ContentType = null,
    string? CopySourceIfMatch = null, DateTimeOffset? CopySourceIfModifiedSince = null, string? CopySourceIfNoneMatch = null,
    DateTimeOffset? CopySourceIfUnmodifiedSince = null, string? Expires = null, string? GrantFullControl = null, string? GrantRead = null,
    string? GrantReadACP = null, string? GrantWriteACP = null, string? IfMatch = null, string? IfNoneMatch = null,
    Dictionary<string, string>? Metadata = null, string? MetadataDirective = null, string? TaggingDirective = null,
    string? ServerSideEncryption = null, string? StorageClass = null, string? WebsiteRedirectLocation = null, string? SSECustomerAlgorithm = null,
    string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null, bool? BucketKeyEnabled = null,
    string? CopySourceSSECustomerAlgorithm = null, string? CopySourceSSECustomerKey = null, string? CopySourceSSECustomerKeyMD5 = null,
    string? RequestPayer = null, string? Tagging = null, string? ObjectLockMode = null, DateTimeOffset? ObjectLockRetainUntilDate = null,
    string? ObjectLockLegalHoldStatus = null, string? ExpectedBucketOwner = null, string? ExpectedSourceBucketOwner = null)
{
    /// <summary>
    /// The members a copy shares with PutObject, as a PutObject request (no body): the destination's headers, ACL,
    /// encryption and object lock are read, keyed and applied exactly as a PUT's are.
    /// </summary>
    public PutObjectRequest AsWrite() => new(Bucket, Key, ACL, CacheControl, ContentDisposition, ContentEncoding, ContentLanguage,
        ContentType: ContentType, Expires: Expires, IfMatch: IfMatch, IfNoneMatch: IfNoneMatch, GrantFullControl: GrantFullControl,
        GrantRead: GrantRead, GrantReadACP: GrantReadACP, GrantWriteACP: GrantWriteACP, Metadata: Metadata,
        ServerSideEncryption: ServerSideEncryption, StorageClass: StorageClass, WebsiteRedirectLocation: WebsiteRedirectLocation,
        SSECustomerAlgorithm: SSECustomerAlgorithm, SSECustomerKey: SSECustomerKey, SSECustomerKeyMD5: SSECustomerKeyMD5,
        SSEKMSKeyId: SSEKMSKeyId, BucketKeyEnabled: BucketKeyEnabled, RequestPayer: RequestPayer, Tagging: Tagging,
        ObjectLockMode: ObjectLockMode, ObjectLockRetainUntilDate: ObjectLockRetainUntilDate,
        ObjectLockLegalHoldStatus: ObjectLockLegalHoldStatus, ExpectedBucketOwner: ExpectedBucketOwner);
}

/// <summary>CopyObject's body: the copy's ETag and time, and its checksum under the member of its algorithm.</summary>
public sealed record CopyObjectResult(
    string? ETag = null, DateTimeOffset? LastModified = null, string? ChecksumType = null, string? ChecksumCRC32 = null,
    string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null, string? ChecksumSHA256 = null);

public sealed record CopyObjectOutput(
    CopyObjectResult? CopyObjectResult = null, string? Expiration = null, string? CopySourceVersionId = null, string? VersionId = null,
    string? ServerSideEncryption = null, string? SSECustomerAlgorithm = null, string? SSECustomerKeyMD5 = null, string? SSEKMSKeyId = null,
    bool? BucketKeyEnabled = null, string? RequestCharged = null);

public sealed record GetObjectAttributesRequest(
    string Bucket, string Key, List<string>? ObjectAttributes = null, string? VersionId = null, int? MaxParts = null, int? PartNumberMarker = null,
    string? SSECustomerAlgorithm = null, string? SSECustomerKey = null, string? SSECustomerKeyMD5 = null, string? RequestPayer = null,
    string? ExpectedBucketOwner = null);

/// <summary>An object's checksum as GetObjectAttributes answers it (the model's <c>Checksum</c> shape).</summary>
public sealed record Checksum(
    string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null, string? ChecksumSHA1 = null,
    string? ChecksumSHA256 = null, string? ChecksumType = null);

public sealed record ObjectPart(
    int? PartNumber = null, long? Size = null, string? ChecksumCRC32 = null, string? ChecksumCRC32C = null, string? ChecksumCRC64NVME = null,
    string? ChecksumSHA1 = null, string? ChecksumSHA256 = null);

public sealed record GetObjectAttributesParts(
    int? TotalPartsCount = null, int? PartNumberMarker = null, int? NextPartNumberMarker = null, int? MaxParts = null, bool? IsTruncated = null,
    List<ObjectPart>? Parts = null);

public sealed record GetObjectAttributesOutput(
    bool? DeleteMarker = null, DateTimeOffset? LastModified = null, string? VersionId = null, string? RequestCharged = null, string? ETag = null,
    Checksum? Checksum = null, GetObjectAttributesParts? ObjectParts = null, string? StorageClass = null, long? ObjectSize = null);

public sealed record ListObjectVersionsRequest(
    string Bucket, string? Delimiter = null, string? EncodingType = null, string? KeyMarker = null, int? MaxKeys = null, string? Prefix = null,
    string? VersionIdMarker = null, string? ExpectedBucketOwner = null, string? RequestPayer = null, List<string>? OptionalObjectAttributes = null);

/// <summary>A version of a listing (the model's <c>ObjectVersion</c> shape; the store has a type of that name).</summary>
public sealed record ListedVersion(
    string? ETag = null, List<string>? ChecksumAlgorithm = null, string? ChecksumType = null, long? Size = null, string? StorageClass = null,
    string? Key = null, string? VersionId = null, bool? IsLatest = null, DateTimeOffset? LastModified = null, Owner? Owner = null);

public sealed record DeleteMarkerEntry(
    Owner? Owner = null, string? Key = null, string? VersionId = null, bool? IsLatest = null, DateTimeOffset? LastModified = null);

/// <summary>
/// ListObjectVersions' answer. S3 writes its <c>Version</c> and <c>DeleteMarker</c> elements in one sequence, in key order
/// (newest first within a key); <see cref="ItemOrder"/> keeps that sequence for the codec, as the model's two lists cannot.
/// </summary>
public sealed record ListObjectVersionsOutput(
    bool? IsTruncated = null, string? KeyMarker = null, string? VersionIdMarker = null, string? NextKeyMarker = null,
    string? NextVersionIdMarker = null, List<ListedVersion>? Versions = null, List<DeleteMarkerEntry>? DeleteMarkers = null,
    string? Name = null, string? Prefix = null, string? Delimiter = null, int? MaxKeys = null, List<CommonPrefix>? CommonPrefixes = null,
    string? EncodingType = null, string? RequestCharged = null) : LocalShift.Aws.Protocols.Xml.IInterleavedLists
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string>? ItemOrder { get; init; }
}
