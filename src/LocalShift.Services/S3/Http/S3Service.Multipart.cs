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
        var attributes = ObjectEncryption.Apply(r, ObjectHeaders.Read(r), BucketEncryption.Of(Store, bucket), bucketInfo.OwnerAccount, bucketInfo.Region);
        var upload = Store.CreateUpload(bucket, key, attributes, call.Caller.Arn);
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, attributes);
        return S3Xml.WriteAsync(r.Http, "InitiateMultipartUploadResult", w =>
        {
            w.El("Bucket", bucket);
            w.El("Key", key);
            w.El("UploadId", upload.UploadId);
        });
    }

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
        using var payload = new RequestPayload(r);
        using var staged = await Store.StageAsync(payload.Body, r.Http.RequestAborted);
        payload.Verify(staged);
        var part = Store.CommitPart(upload, partNumber, staged);
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
            using var slice = new LimitedStream(body, length);
            using var staged = await Store.StageAsync(slice, r.Http.RequestAborted);
            part = Store.CommitPart(upload, partNumber, staged);
        }
        WriteVersionId(r, srcBucket, opened.Info.VersionId, "x-amz-copy-source-version-id");
        ObjectEncryption.WriteHeaders(r.Http.Response.Headers, upload.Attributes);
        await S3Xml.WriteAsync(r.Http, "CopyPartResult", w =>
        {
            w.El("LastModified", part.LastModified);
            w.El("ETag", S3Xml.Quote(part.ETag));
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

        using var payload = new RequestPayload(r);
        var doc = S3Xml.Parse(await payload.ReadSmallAsync(4 * 1024 * 1024, r.Http.RequestAborted));
        var parts = new List<CompletedPart>();
        foreach (var p in doc.Children("Part"))
        {
            if (!int.TryParse(p.Child("PartNumber"), out var n) || p.Child("ETag") is not { } etag) throw S3Errors.MalformedXml();
            parts.Add(new CompletedPart(n, etag));
        }
        if (parts.Count == 0) throw S3Errors.MalformedXml();
        var info = await Store.CompleteUploadAsync(upload, parts, r.Http.RequestAborted);
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
        });
    }

    private Task AbortMultipartUpload(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        access.AuthorizeObject(call, bucket, key, "s3:AbortMultipartUpload");
        var uploadId = r.Q("uploadId")!;
        try { Store.AbortUpload(Store.GetUpload(bucket, key, uploadId)); }
        catch (ObjectStoreException) { throw S3Errors.NoSuchUpload(uploadId); }
        NoContent(r.Http);
        return Task.CompletedTask;
    }

    private Task ListParts(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        var bucketInfo = access.AuthorizeObject(call, bucket, key, "s3:ListMultipartUploadParts");
        var uploadId = r.Q("uploadId")!;
        UploadInfo upload;
        try { upload = Store.GetUpload(bucket, key, uploadId); }
        catch (ObjectStoreException) { throw S3Errors.NoSuchUpload(uploadId); }
        var maxParts = IntOption(r, "max-parts", 1000, 1000);
        var marker = IntOption(r, "part-number-marker", 0, 10000);
        var all = Store.ListParts(uploadId).Where(p => p.PartNumber > marker).ToList();
        var page = all.Take(maxParts).ToList();
        var truncated = all.Count > page.Count;
        return S3Xml.WriteAsync(r.Http, "ListPartsResult", w =>
        {
            w.El("Bucket", bucket);
            w.El("Key", key);
            w.El("UploadId", uploadId);
            w.Owner("Initiator", bucketInfo.OwnerAccount);
            w.Owner("Owner", bucketInfo.OwnerAccount);
            w.El("StorageClass", "STANDARD");
            w.El("PartNumberMarker", marker);
            w.El("NextPartNumberMarker", page.Count > 0 ? page[^1].PartNumber : marker);
            w.El("MaxParts", maxParts);
            w.El("IsTruncated", truncated);
            foreach (var p in page)
            {
                w.WriteStartElement("Part");
                w.El("PartNumber", p.PartNumber);
                w.El("LastModified", p.LastModified);
                w.El("ETag", S3Xml.Quote(p.ETag));
                w.El("Size", p.Size);
                w.WriteEndElement();
            }
        });
    }

    private Task ListMultipartUploads(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:ListBucketMultipartUploads");
        var prefix = r.Q("prefix");
        var maxUploads = IntOption(r, "max-uploads", 1000, 1000);
        var all = Store.ListUploads(bucket.Name, prefix);
        var page = all.Take(maxUploads).ToList();
        return S3Xml.WriteAsync(r.Http, "ListMultipartUploadsResult", w =>
        {
            w.El("Bucket", bucket.Name);
            w.El("KeyMarker", r.Q("key-marker") ?? "");
            w.El("UploadIdMarker", r.Q("upload-id-marker") ?? "");
            if (page.Count > 0)
            {
                w.El("NextKeyMarker", page[^1].Key);
                w.El("NextUploadIdMarker", page[^1].UploadId);
            }
            if (prefix is not null) w.El("Prefix", prefix);
            w.El("MaxUploads", maxUploads);
            w.El("IsTruncated", all.Count > page.Count);
            foreach (var u in page)
            {
                w.WriteStartElement("Upload");
                w.El("Key", u.Key);
                w.El("UploadId", u.UploadId);
                w.WriteStartElement("Initiator");
                w.El("ID", u.InitiatorArn);
                w.El("DisplayName", u.InitiatorArn);
                w.WriteEndElement();
                w.Owner("Owner", bucket.OwnerAccount);
                w.El("StorageClass", "STANDARD");
                w.El("Initiated", u.Initiated);
                w.WriteEndElement();
            }
        });
    }

    /// <summary>At most <c>length</c> bytes of the inner stream.</summary>
    private sealed class LimitedStream(Stream inner, long length) : LocalShift.Core.ForwardReadStream
    {
        private long _left = length;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_left <= 0) return 0;
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], ct);
            _left -= n;
            return n;
        }

    }
}
