namespace LocalShift.Storage.Objects;

/// <summary>A bucket as the store knows it.</summary>
public sealed record BucketInfo(string Name, string OwnerAccount, string Region, DateTimeOffset Created, string? Policy);

/// <summary>The HTTP-visible attributes of an object that S3 stores and returns as given.</summary>
public sealed record ObjectAttributes
{
    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }
    public string? Expires { get; init; }
    /// <summary>User metadata (x-amz-meta-*), names lower-case without the prefix.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>Additional checksum the writer asked for ("CRC32", "SHA256", ...) with its base64 value; null when none.</summary>
    public string? ChecksumAlgorithm { get; init; }
    public string? ChecksumValue { get; init; }
    /// <summary>"FULL_OBJECT" (a single PUT, or a multipart upload's CRC of the whole object) or "COMPOSITE" (the checksum of the parts' checksums, "-N").</summary>
    public string? ChecksumType { get; init; }
    /// <summary>
    /// For an object made by a multipart upload, each part's size in part order (for GET ?partNumber= and
    /// GetObjectAttributes) and, when the upload had a checksum algorithm, each part's checksum; null otherwise.
    /// </summary>
    public IReadOnlyList<long>? PartSizes { get; init; }
    public IReadOnlyList<string>? PartChecksums { get; init; }
    /// <summary>The multipart upload that made this object, so a retried completion can be answered again; null otherwise.</summary>
    public string? CompletedUploadId { get; init; }
    /// <summary>
    /// Server-side encryption as S3 reports it ("AES256", "aws:kms", "aws:kms:dsse"), with the KMS key and bucket-key flag;
    /// null for SSE-C objects and for records written before encryption was tracked (those read as AES256).
    /// </summary>
    public string? ServerSideEncryption { get; init; }
    public string? KmsKeyId { get; init; }
    public bool BucketKeyEnabled { get; init; }
    /// <summary>SSE-C: the algorithm and the base64 MD5 of the customer's key (the key itself is never stored); null otherwise.</summary>
    public string? CustomerAlgorithm { get; init; }
    public string? CustomerKeyMd5 { get; init; }

    public static readonly ObjectAttributes Empty = new();
}

/// <summary>
/// One stored object version. <see cref="VersionId"/> is null for S3's "null" version: every object of a bucket that never
/// had versioning, and the objects written while versioning was suspended.
/// </summary>
public sealed record ObjectInfo(
    string Bucket,
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    ObjectAttributes Attributes,
    string BlobId,
    string? VersionId = null);

/// <summary>An in-progress multipart upload.</summary>
public sealed record UploadInfo(string UploadId, string Bucket, string Key, DateTimeOffset Initiated, string InitiatorArn, ObjectAttributes Attributes);

/// <summary>One uploaded part.</summary>
public sealed record PartInfo(int PartNumber, long Size, string ETag, DateTimeOffset LastModified, string BlobId, string? Checksum = null);

/// <summary>A part the client names in CompleteMultipartUpload, with the checksum it claims for it (base64), if any.</summary>
public sealed record CompletedPart(int PartNumber, string ETag, string? Checksum = null);

/// <summary>One entry of a listing: an object, or a common prefix rolled up at the delimiter.</summary>
public sealed record ListEntry(ObjectInfo? Object, string? CommonPrefix)
{
    /// <summary>The key or the common prefix: where a listing continues after this entry.</summary>
    public string Position => Object?.Key ?? CommonPrefix!;
}

public sealed record ListPage(IReadOnlyList<ListEntry> Entries, bool IsTruncated);

/// <summary>A bucket's versioning state; a bucket that was once versioned can be suspended but never unversioned again.</summary>
public enum BucketVersioning
{
    Unversioned,
    Enabled,
    Suspended,
}

/// <summary>
/// One version of a key as ListObjectVersions and a GET by version id see it: an object or a delete marker (which has no
/// bytes: size 0, empty ETag and blob), and whether it is the key's newest version.
/// </summary>
public sealed record ObjectVersion(ObjectInfo Info, bool IsDeleteMarker, bool IsLatest);

/// <summary>
/// What a delete did: the version it created (a delete marker) or removed, and whether that version is a delete marker.
/// <see cref="Versioned"/> is false for the plain delete of a bucket that never had versioning, which answers no version headers.
/// </summary>
public sealed record DeleteOutcome(string? VersionId, bool DeleteMarker, bool Versioned);

/// <summary>One entry of a version listing: a version or delete marker, or a common prefix rolled up at the delimiter.</summary>
public sealed record VersionListEntry(ObjectVersion? Version, string? CommonPrefix);

public sealed record VersionListPage(IReadOnlyList<VersionListEntry> Entries, bool IsTruncated);
