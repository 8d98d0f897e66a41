using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// Multipart uploads as typed calls: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
/// AbortMultipartUpload, ListParts, ListMultipartUploads. Every one of them is s3:PutObject-family authorized on the
/// object before anything is read or staged; a part's bytes stream to a staged file (never into memory), held to every
/// claim made about them.
/// </summary>
public sealed partial class S3Operations
{
    private const string Composite = "COMPOSITE";

    private AbortMultipartUploadOutput AbortMultipartUpload(AwsCall call, AbortMultipartUploadRequest request)
    {
        _access.AuthorizeObject(call, request.Bucket, request.Key, "s3:AbortMultipartUpload");
        try { Store.AbortUpload(Store.GetUpload(request.Bucket, request.Key, request.UploadId)); }
        catch (ObjectStoreException) { throw S3Errors.NoSuchUpload(request.UploadId); }
        return new AbortMultipartUploadOutput();
    }

    /// <summary>Parts in number order after <c>part-number-marker</c>, at most <c>max-parts</c> (1000) a page.</summary>
    private ListPartsOutput ListParts(AwsCall call, ListPartsRequest request)
    {
        var (bucket, key, uploadId) = (request.Bucket, request.Key, request.UploadId);
        var bucketInfo = _access.AuthorizeObject(call, bucket, key, "s3:ListMultipartUploadParts");
        UploadInfo upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException) { throw S3Errors.NoSuchUpload(uploadId); }
        var maxParts = PageOption(request.MaxParts, "max-parts", 1000, 1000);
        var marker = PageOption(request.PartNumberMarker, "part-number-marker", 0, 10000);
        var all = Store.ListParts(uploadId).Where(p => p.PartNumber > marker).ToList();
        var page = all.Take(maxParts).ToList();
        var algorithm = upload.Attributes.ChecksumAlgorithm;
        var owner = OwnerOf(bucketInfo.OwnerAccount);
        return new ListPartsOutput(
            Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker,
            NextPartNumberMarker: page.Count > 0 ? page[^1].PartNumber : marker, MaxParts: maxParts, IsTruncated: all.Count > page.Count,
            Parts: page.Count == 0 ? null : page.Select(p => PartOf(p, algorithm)).ToList(),
            Initiator: new Initiator(owner.ID, owner.DisplayName), Owner: owner, StorageClass: "STANDARD",
            ChecksumAlgorithm: algorithm, ChecksumType: algorithm is null ? null : upload.Attributes.ChecksumType ?? Composite);
    }

    private static Part PartOf(PartInfo p, string? algorithm)
    {
        var part = new Part(p.PartNumber, p.LastModified, Quote(p.ETag), p.Size);
        return p.Checksum is not { } sum ? part : algorithm switch
        {
            S3Checksum.Crc32 => part with { ChecksumCRC32 = sum },
            S3Checksum.Crc32C => part with { ChecksumCRC32C = sum },
            S3Checksum.Crc64Nvme => part with { ChecksumCRC64NVME = sum },
            S3Checksum.Sha1 => part with { ChecksumSHA1 = sum },
            S3Checksum.Sha256 => part with { ChecksumSHA256 = sum },
            _ => part,
        };
    }

    /// <summary>The bucket's uploads in progress under <c>prefix</c>, at most <c>max-uploads</c> (1000).</summary>
    private ListMultipartUploadsOutput ListMultipartUploads(AwsCall call, ListMultipartUploadsRequest request)
    {
        var bucket = _access.AuthorizeBucket(call, request.Bucket, "s3:ListBucketMultipartUploads");
        var maxUploads = PageOption(request.MaxUploads, "max-uploads", 1000, 1000);
        var all = Store.ListUploads(bucket.Name, request.Prefix);
        var page = all.Take(maxUploads).ToList();
        var owner = OwnerOf(bucket.OwnerAccount);
        return new ListMultipartUploadsOutput(
            Bucket: bucket.Name, KeyMarker: request.KeyMarker ?? "", UploadIdMarker: request.UploadIdMarker ?? "",
            NextKeyMarker: page.Count > 0 ? page[^1].Key : null, Prefix: request.Prefix,
            NextUploadIdMarker: page.Count > 0 ? page[^1].UploadId : null, MaxUploads: maxUploads, IsTruncated: all.Count > page.Count,
            Uploads: page.Count == 0 ? null : page.Select(u => new MultipartUpload(
                u.UploadId, u.Key, u.Initiated, "STANDARD", owner, new Initiator(u.InitiatorArn, u.InitiatorArn),
                u.Attributes.ChecksumAlgorithm,
                u.Attributes.ChecksumAlgorithm is null ? null : u.Attributes.ChecksumType ?? Composite)).ToList());
    }

    /// <summary>A paging option: absent is <paramref name="default"/>, negative is S3's InvalidArgument, above <paramref name="max"/> is the max.</summary>
    private static int PageOption(int? value, string name, int @default, int max) => value switch
    {
        null => @default,
        < 0 => throw S3Errors.InvalidArgument($"Provided {name} not an integer or within integer range", name, value.Value.ToString(CultureInfo.InvariantCulture)),
        _ => Math.Min(value.Value, max),
    };
}

/// <summary>The multipart writes: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload.</summary>
public sealed partial class S3Operations
{
    /// <summary>The largest CompleteMultipartUpload document read: room for 10,000 parts with their checksums.</summary>
    internal const int MaxCompleteDocumentBytes = 4 * 1024 * 1024;

    private CreateMultipartUploadOutput CreateMultipartUpload(AwsCall call, CreateMultipartUploadRequest request)
    {
        var (bucket, key) = (request.Bucket, request.Key);
        ObjectKeys.Encode(key);
        var put = request.AsPut();
        var bucketInfo = _access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.ObjectWrite(put, call.Time));
        CheckAcl(request.ACL, [request.GrantFullControl, request.GrantRead, request.GrantReadACP, request.GrantWriteACP], bucketInfo);
        var (algorithm, type) = UploadChecksum(request.ChecksumAlgorithm, request.ChecksumType);
        var attributes = ObjectEncryption.Apply(put, ObjectHeaders.Read(put), BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region)
            with { ChecksumAlgorithm = algorithm, ChecksumType = type };
        var upload = Store.CreateUpload(bucket, key, attributes, call.Caller.Arn);
        var e = EncryptionOf(attributes);
        return new CreateMultipartUploadOutput(
            Bucket: bucket, Key: key, UploadId: upload.UploadId, ServerSideEncryption: e.Sse, SSECustomerAlgorithm: e.CustomerAlgorithm,
            SSECustomerKeyMD5: e.CustomerKeyMd5, SSEKMSKeyId: e.KmsKeyId, BucketKeyEnabled: e.BucketKey,
            ChecksumAlgorithm: algorithm, ChecksumType: type);
    }

    /// <summary>
    /// CreateMultipartUpload's <c>x-amz-checksum-algorithm</c> and <c>x-amz-checksum-type</c>: CRC64NVME is full-object
    /// only, SHA1/SHA256 composite only, CRC32/CRC32C either (composite unless asked)
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
    /// </summary>
    private static (string? Algorithm, string? Type) UploadChecksum(string? algorithmAsked, string? typeAsked)
    {
        if (algorithmAsked is null)
            return typeAsked is null ? (null, null) : throw S3Errors.ChecksumTypeWithoutAlgorithm();
        var algorithm = S3Checksum.Canonical(algorithmAsked) ?? throw S3Errors.InvalidChecksumAlgorithm();
        var type = typeAsked?.Trim().ToUpperInvariant() switch
        {
            null => algorithm == S3Checksum.Crc64Nvme ? FullObject : Composite,
            FullObject => FullObject,
            Composite => Composite,
            _ => throw S3Errors.InvalidChecksumType(typeAsked),
        };
        if (type == FullObject && !S3Checksum.SupportsFullObject(algorithm) || type == Composite && !S3Checksum.SupportsComposite(algorithm))
            throw S3Errors.ChecksumTypeNotSupported(type, algorithm);
        return (algorithm, type);
    }

    /// <summary>
    /// The upload a part is for, after authorizing the part (s3:PutObject, with the upload's encryption as condition keys
    /// and, for a copy, s3:x-amz-copy-source): a caller who may not write the object learns nothing about its uploads.
    /// </summary>
    private UploadInfo PartTarget(AwsCall call, string bucket, string key, string uploadId, int partNumber, string? copySource)
    {
        UploadInfo? upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException) { upload = null; }
        _access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.Part(copySource, upload?.Attributes));
        if (partNumber is < 1 or > 10000)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                partNumber.ToString(CultureInfo.InvariantCulture));
        return upload ?? throw S3Errors.NoSuchUpload(uploadId);
    }

    private async Task<UploadPartOutput> UploadPart(AwsCall call, UploadPartRequest request, CancellationToken ct)
    {
        var upload = PartTarget(call, request.Bucket, request.Key, request.UploadId, request.PartNumber, copySource: null);
        ObjectEncryption.CheckPart(request.SSECustomerAlgorithm, request.SSECustomerKey, request.SSECustomerKeyMD5, upload.Attributes);
        var algorithm = upload.Attributes.ChecksumAlgorithm;
        using var payload = request.Body ?? throw S3Errors.IncompleteBody();
        using var staged = await payload.StageAsync(Store, algorithm, requireChecksum: upload.Attributes.ChecksumType == Composite, ct);
        var part = Store.CommitPart(upload, request.PartNumber, staged, algorithm is null ? null : payload.Checksum?.Value);
        var e = EncryptionOf(upload.Attributes);
        var c = payload.Checksum is { } sum ? ChecksumMembers(sum.Algorithm, sum.Value) : default;
        return new UploadPartOutput(
            ServerSideEncryption: e.Sse, ETag: Quote(part.ETag), ChecksumCRC32: c.Crc32, ChecksumCRC32C: c.Crc32C,
            ChecksumCRC64NVME: c.Crc64Nvme, ChecksumSHA1: c.Sha1, ChecksumSHA256: c.Sha256, SSECustomerAlgorithm: e.CustomerAlgorithm,
            SSECustomerKeyMD5: e.CustomerKeyMd5, SSEKMSKeyId: e.KmsKeyId, BucketKeyEnabled: e.BucketKey);
    }

    /// <summary>
    /// A part copied from an object (or a version of it, or a byte range of either): a read of the source, authorized as
    /// GetObject's, held to the <c>x-amz-copy-source-if-*</c> conditions and its SSE-C key, streamed into the part. A range
    /// past the source's end is refused, not clipped.
    /// </summary>
    private async Task<UploadPartCopyOutput> UploadPartCopy(AwsCall call, UploadPartCopyRequest request, CancellationToken ct)
    {
        var upload = PartTarget(call, request.Bucket, request.Key, request.UploadId, request.PartNumber, request.CopySource);
        ObjectEncryption.CheckPart(request.SSECustomerAlgorithm, request.SSECustomerKey, request.SSECustomerKeyMD5, upload.Attributes);
        var (srcBucket, srcKey) = CopySourceObject(request.CopySource);
        var srcVersion = CopySourceVersion(request.CopySource);
        var srcBucketInfo = _access.Bucket(srcBucket);
        await using var found = OpenBeforeAuthorizing(srcBucket, srcKey, srcVersion);
        AuthorizeRead(call, srcBucket, srcKey, found);
        var source = OpenCopySource(call, srcBucketInfo, srcKey, found);
        Conditions.Check(request.CopySourceIfMatch, request.CopySourceIfNoneMatch, request.CopySourceIfModifiedSince,
            request.CopySourceIfUnmodifiedSince, source.Info, "x-amz-copy-source-");
        ObjectEncryption.CheckRead(request.CopySourceSSECustomerAlgorithm, request.CopySourceSSECustomerKey, request.CopySourceSSECustomerKeyMD5,
            source.Info.Attributes, ObjectEncryption.CopySourceCustomerPrefix);
        var (start, length) = Conditions.CopySourceRange(request.CopySourceRange, source.Info.Size) ?? (0, source.Info.Size);
        source.Body.Seek(start, SeekOrigin.Begin);
        PartInfo part;
        using (var slice = new LocalShift.Core.LimitedReadStream(source.Body, length, ownsInner: false))
        using (var checksum = upload.Attributes.ChecksumAlgorithm is { } algorithm ? S3Checksum.Create(algorithm) : null)
        {
            using var staged = await Store.StageAsync(slice, checksum is null ? null : [checksum], ct);
            part = Store.CommitPart(upload, request.PartNumber, staged, checksum is null ? null : Convert.ToBase64String(checksum.Hash()));
        }
        var c = part.Checksum is not null ? ChecksumMembers(upload.Attributes.ChecksumAlgorithm!, part.Checksum) : default;
        var e = EncryptionOf(upload.Attributes);
        return new UploadPartCopyOutput(
            CopySourceVersionId: VersionIdAnswer(srcBucket, source.Info.VersionId),
            CopyPartResult: new CopyPartResult(Quote(part.ETag), part.LastModified, c.Crc32, c.Crc32C, c.Crc64Nvme, c.Sha1, c.Sha256),
            ServerSideEncryption: e.Sse, SSECustomerAlgorithm: e.CustomerAlgorithm, SSECustomerKeyMD5: e.CustomerKeyMd5, SSEKMSKeyId: e.KmsKeyId,
            BucketKeyEnabled: e.BucketKey);
    }

    /// <summary>
    /// Joins the parts the request lists into the object. The list must name uploaded parts (ETag and, when given, checksum
    /// as uploaded: <c>InvalidPart</c>) in ascending order (<c>InvalidPartOrder</c>), every part but the last at least
    /// 5 MiB (<c>EntityTooSmall</c>); If-Match/If-None-Match are S3's conditional writes. The object's checksum is the
    /// composite of the parts' or, for a FULL_OBJECT upload, computed over the joined bytes; a whole-object checksum the
    /// client sends must be that one. A repeat of a completion that succeeded (its answer lost) gets the same answer.
    /// </summary>
    private async Task<CompleteMultipartUploadOutput> CompleteMultipartUpload(AwsCall call, CompleteMultipartUploadRequest request, CancellationToken ct)
    {
        var (bucket, key, uploadId) = (request.Bucket, request.Key, request.UploadId);
        _access.AuthorizeObject(call, bucket, key, "s3:PutObject");
        UploadInfo upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException)
        {
            if (Store.FindObject(bucket, key) is { } done && done.Attributes.CompletedUploadId == uploadId) return CompleteResult(done);
            throw S3Errors.NoSuchUpload(uploadId);
        }
        Conditions.CheckWrite(request.IfMatch, request.IfNoneMatch, key, Store.FindObject(bucket, key));

        var algorithm = upload.Attributes.ChecksumAlgorithm;
        var parts = new List<CompletedPart>();
        foreach (var p in request.MultipartUpload?.Parts ?? [])
        {
            if (p.PartNumber is not { } n || p.ETag is not { } etag) throw S3Errors.MalformedXml();
            var claimed = p.ChecksumCRC32 ?? p.ChecksumCRC32C ?? p.ChecksumCRC64NVME ?? p.ChecksumSHA1 ?? p.ChecksumSHA256;
            if (algorithm is not null && claimed is null && upload.Attributes.ChecksumType == Composite)
                throw S3Errors.PartChecksumMissing(algorithm, n);
            parts.Add(new CompletedPart(n, etag, claimed));
        }
        if (parts.Count == 0) throw S3Errors.MalformedXml();
        // A part whose checksum is not the one uploaded is a part that was not uploaded, as a wrong ETag is.
        var stored = Store.ListParts(uploadId).ToDictionary(p => p.PartNumber);
        foreach (var p in parts)
            if (p.Checksum is not null && stored.TryGetValue(p.PartNumber, out var sp) && sp.Checksum is not null && sp.Checksum != p.Checksum)
                throw S3Errors.InvalidPart();

        var claimedWhole = algorithm switch
        {
            S3Checksum.Crc32 => request.ChecksumCRC32,
            S3Checksum.Crc32C => request.ChecksumCRC32C,
            S3Checksum.Crc64Nvme => request.ChecksumCRC64NVME,
            S3Checksum.Sha1 => request.ChecksumSHA1,
            S3Checksum.Sha256 => request.ChecksumSHA256,
            _ => null,
        };
        using var whole = algorithm is not null && upload.Attributes.ChecksumType == FullObject ? S3Checksum.Create(algorithm) : null;
        var info = await Store.CompleteUploadAsync(upload, parts, ct,
            digest: whole,
            finish: (chosen, attributes) =>
            {
                if (algorithm is null) return attributes;
                var value = whole is not null
                    ? Convert.ToBase64String(whole.Hash())
                    : S3Checksum.Composite(algorithm, attributes.PartChecksums ?? throw S3Errors.PartChecksumMissing(algorithm, chosen[0].PartNumber));
                // The whole object's checksum, when the client sends it, must be what the parts make (unverified text).
                if (claimedWhole is not null && claimedWhole != value && claimedWhole != value.Split('-')[0])
                    throw S3Errors.ChecksumMismatch(algorithm);
                return attributes with { ChecksumValue = value };
            });
        return CompleteResult(info);
    }

    /// <summary>
    /// What a completion answers. <c>Location</c> is the object's path (<c>/bucket/key</c>, the key URL-encoded but for its
    /// slashes): the edge, which knows the endpoint the client reached, makes it the URL S3 answers.
    /// </summary>
    private CompleteMultipartUploadOutput CompleteResult(ObjectInfo info)
    {
        var a = info.Attributes;
        var path = "/" + info.Bucket + "/" + Uri.EscapeDataString(info.Key).Replace("%2F", "/", StringComparison.Ordinal);
        var c = a.ChecksumAlgorithm is not null && a.ChecksumValue is not null ? ChecksumMembers(a.ChecksumAlgorithm, a.ChecksumValue) : default;
        var e = EncryptionOf(a);
        return new CompleteMultipartUploadOutput(
            Location: path, Bucket: info.Bucket, Key: info.Key, ETag: Quote(info.ETag),
            ChecksumCRC32: c.Crc32, ChecksumCRC32C: c.Crc32C, ChecksumCRC64NVME: c.Crc64Nvme, ChecksumSHA1: c.Sha1, ChecksumSHA256: c.Sha256,
            ChecksumType: a.ChecksumAlgorithm is not null && a.ChecksumValue is not null ? a.ChecksumType ?? FullObject : null,
            ServerSideEncryption: e.Sse, VersionId: VersionIdAnswer(info.Bucket, info.VersionId), SSEKMSKeyId: e.KmsKeyId, BucketKeyEnabled: e.BucketKey);
    }

    /// <summary>
    /// An object's encryption as the multipart answers carry it (<c>x-amz-server-side-encryption*</c>): the SSE-C
    /// algorithm and key MD5, or the SSE algorithm (AES256 unless SSE-KMS), its KMS key and whether a bucket key is used.
    /// </summary>
    private static (string? Sse, string? KmsKeyId, bool? BucketKey, string? CustomerAlgorithm, string? CustomerKeyMd5) EncryptionOf(ObjectAttributes a) =>
        a.CustomerAlgorithm is not null
            ? (null, null, null, a.CustomerAlgorithm, a.CustomerKeyMd5)
            : (a.ServerSideEncryption ?? "AES256", a.KmsKeyId, a.BucketKeyEnabled ? true : null, null, null);

    /// <summary>A checksum under the member of its algorithm (<c>ChecksumCRC32</c>, …), the others null.</summary>
    private static (string? Crc32, string? Crc32C, string? Crc64Nvme, string? Sha1, string? Sha256) ChecksumMembers(string algorithm, string value) =>
        algorithm switch
        {
            S3Checksum.Crc32 => (value, null, null, null, null),
            S3Checksum.Crc32C => (null, value, null, null, null),
            S3Checksum.Crc64Nvme => (null, null, value, null, null),
            S3Checksum.Sha1 => (null, null, null, value, null),
            S3Checksum.Sha256 => (null, null, null, null, value),
            _ => default,
        };
}
