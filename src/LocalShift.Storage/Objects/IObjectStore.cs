namespace LocalShift.Storage.Objects;

/// <summary>
/// S3's buckets, objects, versions and multipart uploads: what the S3 operations, COPY, UNLOAD and Spectrum read and
/// write. A write is staged first (bytes received and verified, nothing visible), then committed at once; a reader never
/// sees half an object, and a committed write survives a crash. The embedded implementation is <see cref="ObjectStore"/>
/// (files under the data directory, records in the state store); ARCHITECTURE §8 plans an external S3-compatible one.
/// The format of version ids and S3's limits are the store-independent statics of <see cref="ObjectStore"/>.
/// </summary>
public interface IObjectStore
{
    // ---- buckets ----

    /// <summary>Creates a bucket (names are global across accounts); false when the caller already owned it.</summary>
    (BucketInfo Bucket, bool Created) CreateBucket(string name, string ownerAccount, string region);
    BucketInfo? FindBucket(string name);
    BucketInfo GetBucket(string name);
    IReadOnlyList<BucketInfo> ListBuckets(string ownerAccount);
    /// <summary>Deletes an empty bucket; in-progress multipart uploads go with it.</summary>
    void DeleteBucket(string name);
    /// <summary>Sets (or with null removes) the bucket policy document.</summary>
    void SetBucketPolicy(string name, string? policy);
    /// <summary>The stored value of a bucket setting, or null when the bucket has none (the bucket's default applies).</summary>
    string? GetBucketSetting(string bucket, BucketSetting setting);
    /// <summary>Sets (or with null removes) a bucket setting.</summary>
    void SetBucketSetting(string bucket, BucketSetting setting, string? value);
    BucketVersioning GetVersioning(string bucket);
    /// <summary>Enables or suspends versioning; a bucket can never return to unversioned.</summary>
    void SetVersioning(string bucket, BucketVersioning state);

    // ---- writing objects ----

    /// <summary>
    /// Receives a body into a staged blob, feeding <paramref name="digests"/> on the way; nothing is visible until committed.
    /// <paramref name="expectedLength"/> (the request's declared length, when known) only schedules the digests' work.
    /// </summary>
    Task<StagedBlob> StageAsync(Stream body, IReadOnlyList<IBodyDigest>? digests = null, CancellationToken ct = default, long? expectedLength = null);
    /// <summary>Takes over a finished local file as a staged body (moved in, not copied, from <see cref="CreateScratchFolder"/>).</summary>
    Task<StagedBlob> AdoptAsync(string file, CancellationToken ct = default);
    /// <summary>Takes over a finished local file whose size and MD5 the caller computed while writing it.</summary>
    Task<StagedBlob> AdoptAsync(string file, FileDigest? digest, CancellationToken ct = default);
    /// <summary>A new empty folder for files that will be adopted, on the store's own filesystem so adopting is a rename.</summary>
    string CreateScratchFolder();
    /// <summary>Makes a staged body the current object of a key, atomically (a noncurrent version is kept in a versioned bucket).</summary>
    ObjectInfo Commit(string bucket, string key, StagedBlob staged, ObjectAttributes attributes, string? etag = null);
    /// <summary>Replaces an object's attributes (tags, or metadata on a copy onto itself) without touching its bytes.</summary>
    ObjectInfo UpdateAttributes(string bucket, string key, Func<ObjectAttributes, ObjectAttributes> update, bool touch);

    // ---- reading objects ----

    ObjectInfo? FindObject(string bucket, string key);
    /// <summary>Finds an object and opens its bytes; the open body stays readable even if the object is replaced meanwhile.</summary>
    (ObjectInfo Info, FileStream Body)? OpenObject(string bucket, string key);
    /// <summary>The version of a key with this id ("null" for the null version), or null when there is none.</summary>
    ObjectVersion? FindVersion(string bucket, string key, string versionId);
    /// <summary>The delete marker that hides a key, or null when the key has a current object or no versions.</summary>
    ObjectVersion? FindLatestDeleteMarker(string bucket, string key);
    /// <summary>Finds a version and opens its bytes (a null body for a delete marker); null when there is no such version.</summary>
    (ObjectVersion Version, FileStream? Body)? OpenVersion(string bucket, string key, string versionId);
    /// <summary>A page of keys after <paramref name="marker"/> under <paramref name="prefix"/>, rolled up at <paramref name="delimiter"/>, in UTF-8 order.</summary>
    ListPage List(string bucket, string? prefix, string? delimiter, string? marker, int maxKeys);
    /// <summary>A page of ListObjectVersions: versions and delete markers in key order, newest first within a key.</summary>
    VersionListPage ListVersions(string bucket, string? prefix, string? delimiter, string? keyMarker, string? versionIdMarker, int maxKeys);

    // ---- deleting ----

    /// <summary>Deletes the current object of a key (a delete marker in a versioned bucket).</summary>
    DeleteOutcome DeleteObject(string bucket, string key);
    /// <summary>S3's DeleteObject, with an optional version id that removes that version for good.</summary>
    DeleteOutcome Delete(string bucket, string key, string? versionId);

    // ---- multipart uploads ----

    UploadInfo CreateUpload(string bucket, string key, ObjectAttributes attributes, string initiatorArn);
    /// <summary>The upload with this id for this bucket and key; NoSuchUpload otherwise.</summary>
    UploadInfo GetUpload(string bucket, string key, string uploadId);
    PartInfo CommitPart(UploadInfo upload, int partNumber, StagedBlob staged, string? checksum = null);
    IReadOnlyList<PartInfo> ListParts(string uploadId);
    /// <summary>In-progress uploads of a bucket in key order, then initiation order.</summary>
    IReadOnlyList<UploadInfo> ListUploads(string bucket, string? prefix);
    /// <summary>Joins the named parts into the object; <paramref name="finish"/> completes the attributes and may refuse by throwing.</summary>
    Task<ObjectInfo> CompleteUploadAsync(UploadInfo upload, IReadOnlyList<CompletedPart> parts, CancellationToken ct = default,
        IBodyDigest? digest = null, Func<IReadOnlyList<PartInfo>, ObjectAttributes, ObjectAttributes>? finish = null);
    void AbortUpload(UploadInfo upload);

    // ---- publications (objects that only mean something together) ----

    /// <summary>Records that <paramref name="keys"/> are about to be put; a crash before <see cref="EndPublication"/> undoes them.</summary>
    string BeginPublication(string bucket, IReadOnlyCollection<string> keys);
    void EndPublication(string id);
    /// <summary>Removes what the publication put so far, then its record. Returns the number of objects removed.</summary>
    int AbandonPublication(string id);
}
