using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    private Task CreateMultipartUpload(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        ObjectKeys.Encode(key);
        var bucketInfo = access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.ObjectWrite(r, call.Time));
        CheckAclHeaders(r, bucketInfo);
        var (algorithm, type) = UploadChecksum(r);
        var attributes = ObjectEncryption.Apply(r, ObjectHeaders.Read(r), BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region)
            with { ChecksumAlgorithm = algorithm, ChecksumType = type };
        var upload = Store.CreateUpload(bucket, key, attributes, call.Caller.Arn);
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, attributes);
        if (algorithm is not null)
        {
            r.Http.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
            r.Http.Response.Headers["x-amz-checksum-type"] = type;
        }
        return S3Xml.WriteAsync(r.Http, "InitiateMultipartUploadResult", w =>
        {
            w.El("Bucket", bucket);
            w.El("Key", key);
            w.El("UploadId", upload.UploadId);
        });
    }

    /// <summary>
    /// CreateMultipartUpload's <c>x-amz-checksum-algorithm</c> and <c>x-amz-checksum-type</c>: CRC64NVME is full-object
    /// only, SHA1/SHA256 composite only, CRC32/CRC32C either (composite unless asked)
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
    /// </summary>
    private static (string? Algorithm, string? Type) UploadChecksum(S3Request r)
    {
        var algorithmHeader = r.Header("x-amz-checksum-algorithm");
        var typeHeader = r.Header("x-amz-checksum-type");
        if (algorithmHeader is null)
            return typeHeader is null ? (null, null) : throw S3Errors.ChecksumTypeWithoutAlgorithm();
        var algorithm = S3Checksum.Canonical(algorithmHeader) ?? throw S3Errors.InvalidChecksumAlgorithm();
        var type = typeHeader?.Trim().ToUpperInvariant() switch
        {
            null => algorithm == S3Checksum.Crc64Nvme ? FullObject : Composite,
            FullObject => FullObject,
            Composite => Composite,
            _ => throw S3Errors.InvalidChecksumType(typeHeader),
        };
        if (type == FullObject && !S3Checksum.SupportsFullObject(algorithm) || type == Composite && !S3Checksum.SupportsComposite(algorithm))
            throw S3Errors.ChecksumTypeNotSupported(type, algorithm);
        return (algorithm, type);
    }

    internal const string FullObject = "FULL_OBJECT";
    internal const string Composite = "COMPOSITE";

    private (UploadInfo Upload, int PartNumber) PartTarget(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        var uploadId = r.Q("uploadId")!;
        UploadInfo? upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException) { upload = null; }
        access.AuthorizeObject(call, bucket, key, "s3:PutObject", S3ConditionKeys.Part(r, upload?.Attributes));
        var text = r.Q("partNumber");
        if (!int.TryParse(text, out var partNumber) || partNumber is < 1 or > 10000)
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", text);
        return (upload ?? throw S3Errors.NoSuchUpload(uploadId), partNumber);
    }

    private async Task UploadPart(S3Request r, AwsCall call)
    {
        var (upload, partNumber) = PartTarget(r, call);
        ObjectEncryption.CheckPart(r, upload.Attributes);
        var algorithm = upload.Attributes.ChecksumAlgorithm;
        using var payload = new RequestPayload(r, algorithm, requireClaim: upload.Attributes.ChecksumType == Composite);
        using var staged = await payload.StageAsync(Store, r.Http.RequestAborted);
        var part = Store.CommitPart(upload, partNumber, staged, algorithm is null ? null : payload.Checksum?.Value);
        r.Http.Response.Headers.ETag = S3Xml.Quote(part.ETag);
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, upload.Attributes);
        if (payload.Checksum is { } sum) r.Http.Response.Headers["x-amz-checksum-" + sum.Algorithm.ToLowerInvariant()] = sum.Value;
        r.Http.Response.StatusCode = 200;
    }

    private async Task UploadPartCopy(S3Request r, AwsCall call)
    {
        var (upload, partNumber) = PartTarget(r, call);
        ObjectEncryption.CheckPart(r, upload.Attributes);
        var (srcBucket, srcKey) = CopySource(r);
        var srcBucketInfo = access.Bucket(srcBucket);
        await using var source = OpenCopySourceBeforeAuthorizing(r, srcBucket, srcKey);
        AuthorizeRead(call, srcBucket, srcKey, source);
        var opened = OpenCopySource(call, srcBucketInfo, srcKey, source);
        PartInfo part;
        {
            var body = opened.Body;
            Conditions.Check(r, opened.Info, "x-amz-copy-source-");
            ObjectEncryption.CheckRead(r, opened.Info.Attributes, ObjectEncryption.CopySourceCustomerPrefix);
            var range = Conditions.CopySourceRange(r.Header("x-amz-copy-source-range"), opened.Info.Size);
            var (start, length) = range ?? (0, opened.Info.Size);
            body.Seek(start, SeekOrigin.Begin);
            using var slice = new LocalShift.Core.LimitedReadStream(body, length, ownsInner: false);
            using var checksum = upload.Attributes.ChecksumAlgorithm is { } algorithm ? S3Checksum.Create(algorithm) : null;
            using var staged = await Store.StageAsync(slice, checksum is null ? null : [checksum], r.Http.RequestAborted);
            part = Store.CommitPart(upload, partNumber, staged, checksum is null ? null : Convert.ToBase64String(checksum.Hash()));
        }
        WriteVersionId(r, srcBucket, opened.Info.VersionId, "x-amz-copy-source-version-id");
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, upload.Attributes);
        await S3Xml.WriteAsync(r.Http, "CopyPartResult", w =>
        {
            w.El("LastModified", part.LastModified);
            w.El("ETag", S3Xml.Quote(part.ETag));
            if (part.Checksum is not null) w.El("Checksum" + upload.Attributes.ChecksumAlgorithm, part.Checksum);
        });
    }

    private async Task CompleteMultipartUpload(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        access.AuthorizeObject(call, bucket, key, "s3:PutObject");
        var uploadId = r.Q("uploadId")!;
        UploadInfo upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException)
        {
            // A retry of a completion that succeeded (its answer lost) gets the same answer, as long as the object is still
            // the one that upload made.
            if (Store.FindObject(bucket, key) is { } done && done.Attributes.CompletedUploadId == uploadId)
            {
                await WriteCompleteResult(r, done);
                return;
            }
            throw S3Errors.NoSuchUpload(uploadId);
        }
        Conditions.CheckWrite(r, Store.FindObject(bucket, key));

        using var payload = new RequestPayload(r, checksumHeadersDescribeBody: false);
        var doc = S3Xml.Parse(await payload.ReadSmallAsync(4 * 1024 * 1024, r.Http.RequestAborted));
        var algorithm = upload.Attributes.ChecksumAlgorithm;
        var parts = new List<CompletedPart>();
        foreach (var p in doc.Children("Part"))
        {
            if (!int.TryParse(p.Child("PartNumber"), out var n) || p.Child("ETag") is not { } etag) throw S3Errors.MalformedXml();
            var claimed = S3Checksum.Algorithms.Select(a => p.Child("Checksum" + a)).FirstOrDefault(v => v is not null);
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

        var claimedWhole = algorithm is null ? null : r.Header("x-amz-checksum-" + algorithm.ToLowerInvariant());
        using var whole = algorithm is not null && upload.Attributes.ChecksumType == FullObject ? S3Checksum.Create(algorithm) : null;
        var info = await Store.CompleteUploadAsync(upload, parts, r.Http.RequestAborted,
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
        await WriteCompleteResult(r, info);
    }

    private Task WriteCompleteResult(S3Request r, ObjectInfo info)
    {
        WriteVersionId(r, info.Bucket, info.VersionId);
        var host = r.Http.Request.Host.Value;
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, info.Attributes);
        return S3Xml.WriteAsync(r.Http, "CompleteMultipartUploadResult", w =>
        {
            w.El("Location", $"{r.Http.Request.Scheme}://{host}/{info.Bucket}/{Uri.EscapeDataString(info.Key).Replace("%2F", "/", StringComparison.Ordinal)}");
            w.El("Bucket", info.Bucket);
            w.El("Key", info.Key);
            w.El("ETag", S3Xml.Quote(info.ETag));
            WriteChecksumElements(w, info.Attributes);
        });
    }

    /// <summary>The object's checksum as the result documents of PutObject-like operations carry it: ChecksumXXX and ChecksumType.</summary>
    private static void WriteChecksumElements(System.Xml.XmlWriter w, ObjectAttributes a)
    {
        if (a.ChecksumAlgorithm is null || a.ChecksumValue is null) return;
        w.El("Checksum" + a.ChecksumAlgorithm, a.ChecksumValue);
        w.El("ChecksumType", a.ChecksumType ?? FullObject);
    }
}
