using LocalShift.Aws;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>An object as a listing shows it.</summary>
public sealed record S3ObjectSummary(string Bucket, string Key, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>
/// S3 for in-process callers (COPY, UNLOAD, Spectrum, Lambda's code): a thin caller of the typed operations the edge runs
/// (<see cref="S3Operations"/>), with the role session's principal as the caller, so its reads and writes are allowed or
/// denied exactly as the CLI's would be. Errors are <see cref="S3Exception"/>s with S3's codes (NoSuchBucket, NoSuchKey,
/// AccessDenied...). Reads are GetObject, writes PutObject: the operations the edge runs for a client's GET and PUT.
/// </summary>
public sealed class S3Objects(S3Operations operations)
{
    private S3Access Access => operations.Access;

    private IObjectStore Store => Access.Store;

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in S3 order: ListObjectsV2 page after page (s3:ListBucket with s3:prefix).</summary>
    public async Task<IReadOnlyList<S3ObjectSummary>> ListAsync(AwsCall call, string bucket, string prefix, CancellationToken ct = default)
    {
        var all = new List<S3ObjectSummary>();
        string? token = null;
        do
        {
            ct.ThrowIfCancellationRequested();
            var page = await operations.CallAsync<ListObjectsV2Request, ListObjectsV2Output>(
                "ListObjectsV2", call, new ListObjectsV2Request(bucket, Prefix: prefix, ContinuationToken: token), bucket, null, ct);
            foreach (var o in page.Contents ?? [])
                all.Add(new S3ObjectSummary(bucket, o.Key!, o.Size ?? 0, o.ETag!.Trim('"'), o.LastModified!.Value));
            token = page.NextContinuationToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>The region a bucket is in (null when there is no such bucket); S3 tells anyone (HeadBucket's x-amz-bucket-region).</summary>
    public string? BucketRegion(string bucket) => Store.FindBucket(bucket)?.Region;

    /// <summary>
    /// Opens an object's bytes for reading: GetObject, as a client's GET runs it (s3:GetObject, the object's tags as
    /// condition keys; an SSE-C object, whose key COPY and Spectrum never have, is refused as S3 refuses a GET without it).
    /// </summary>
    public async Task<Stream> OpenReadAsync(AwsCall call, string bucket, string key, CancellationToken ct = default)
    {
        var output = await operations.CallAsync<GetObjectRequest, GetObjectOutput>("GetObject", call, new GetObjectRequest(bucket, key), bucket, key, ct);
        return output.Body!.AsStream();
    }

    /// <summary>Writes an object (replacing any previous one atomically): PutObject, as a client's PUT runs it (s3:PutObject).</summary>
    public async Task<S3ObjectSummary> PutAsync(AwsCall call, string bucket, string key, Stream body, string? contentType = null, CancellationToken ct = default)
    {
        using var counted = new CountingPayload(body);
        var output = await operations.CallAsync<PutObjectRequest, PutObjectOutput>("PutObject", call,
            new PutObjectRequest(bucket, key, ContentType: contentType) { Body = counted }, bucket, key, ct);
        return Summary(call, bucket, key, output, counted.Length);
    }

    /// <summary>
    /// Writes an object from a finished local file, which the store takes over (moved, not copied, when it lies in
    /// <see cref="CreateScratchFolder"/>'s folder): PutObject, authorized before the file is touched, so a denied call
    /// leaves the file where it was. A <paramref name="digest"/> computed while the file was written spares reading it again.
    /// </summary>
    public async Task<S3ObjectSummary> PutFileAsync(AwsCall call, string bucket, string key, string file, string? contentType = null, FileDigest? digest = null, CancellationToken ct = default)
    {
        using var adopted = new FilePayload(file, digest);
        var output = await operations.CallAsync<PutObjectRequest, PutObjectOutput>("PutObject", call,
            new PutObjectRequest(bucket, key, ContentType: contentType) { Body = adopted }, bucket, key, ct);
        return Summary(call, bucket, key, output, adopted.Length);
    }

    /// <summary>
    /// What a put wrote. PutObject answers no Last-Modified; the call's time stands in for the commit's, which follows it
    /// by the time the upload took.
    /// </summary>
    private static S3ObjectSummary Summary(AwsCall call, string bucket, string key, PutObjectOutput output, long size) =>
        new(bucket, key, size, output.ETag!.Trim('"'), call.Time);

    /// <summary>An in-process caller's bytes: no claims to hold them to; counted as they are staged.</summary>
    private sealed class CountingPayload(Stream body) : IObjectPayload
    {
        public long Length { get; private set; }

        public (string Algorithm, string Value)? Checksum => null;

        public async Task<StagedBlob> StageAsync(IObjectStore store, CancellationToken ct)
        {
            var staged = await store.StageAsync(body, ct: ct);
            Length = staged.Size;
            return staged;
        }

        public void Dispose() { }
    }

    /// <summary>A finished file the store adopts.</summary>
    private sealed class FilePayload(string file, FileDigest? digest) : IObjectPayload
    {
        public long Length { get; private set; }

        public (string Algorithm, string Value)? Checksum => null;

        public async Task<StagedBlob> StageAsync(IObjectStore store, CancellationToken ct)
        {
            var staged = await store.AdoptAsync(file, digest, ct);
            Length = staged.Size;
            return staged;
        }

        public void Dispose() { }
    }

    /// <summary>
    /// Records the keys a writer is about to put together (an UNLOAD's files and manifest), so that a kill or a
    /// failure before it completes leaves none of them behind (<see cref="IObjectStore.BeginPublication"/>). Not an S3
    /// action: the puts themselves are authorized one by one.
    /// </summary>
    public ObjectPublication BeginPublication(string bucket, IReadOnlyCollection<string> keys) =>
        new(Store, Store.BeginPublication(bucket, keys));

    /// <summary>A new empty folder on the store's filesystem for files that will become objects through <see cref="PutFileAsync"/>.</summary>
    public string CreateScratchFolder() => Store.CreateScratchFolder();

    /// <summary>DeleteObject: a missing key succeeds, as in S3, and a versioned bucket keeps a delete marker (s3:DeleteObject).</summary>
    public Task DeleteAsync(AwsCall call, string bucket, string key, CancellationToken ct = default) =>
        operations.CallAsync<DeleteObjectRequest, DeleteObjectOutput>("DeleteObject", call, new DeleteObjectRequest(bucket, key), bucket, key, ct);

}
