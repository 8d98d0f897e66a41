using System.Globalization;
using LocalShift.Aws;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    private static readonly string[] ObjectAttributeNames = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    /// <summary>
    /// GetObjectAttributes (<c>GET /bucket/key?attributes</c>): the attributes <c>x-amz-object-attributes</c> names, the
    /// parts paged by <c>x-amz-max-parts</c>/<c>x-amz-part-number-marker</c>. It needs <c>s3:GetObject</c> and
    /// <c>s3:GetObjectAttributes</c>, or with a version id <c>s3:GetObjectVersion</c> and <c>s3:GetObjectVersionAttributes</c>
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html).
    /// </summary>
    private async Task GetObjectAttributes(S3Request r, AwsCall call)
    {
        var (bucket, key) = (r.Bucket!, r.Key!);
        var bucketInfo = access.Bucket(bucket);
        var wanted = (r.Header("x-amz-object-attributes") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (wanted.Length == 0 || wanted.Any(a => !ObjectAttributeNames.Contains(a)))
            throw S3Errors.InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", r.Header("x-amz-object-attributes"));
        var maxParts = HeaderInt(r, "x-amz-max-parts", 1000);
        var marker = HeaderInt(r, "x-amz-part-number-marker", 0);

        await using var found = OpenBeforeAuthorizing(bucket, key, VersionIdOption(r));
        AuthorizeRead(call, bucket, key, found);
        var (attributesAction, versionKeys) = ObjectAction("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", found.VersionId);
        var keys = S3ConditionKeys.ExistingTags(found.Readable);
        if (versionKeys is not null)
            foreach (var (name, values) in versionKeys) keys[name] = values;
        access.AuthorizeObject(call, bucket, key, attributesAction, keys);
        var info = OpenForRead(r, call, bucketInfo, key, found).Info;
        ObjectEncryption.CheckRead(r, info.Attributes);

        var a = info.Attributes;
        WriteVersionId(r, bucket, info.VersionId);
        r.Http.Response.Headers.LastModified = S3Xml.HttpDate(info.LastModified);
        await S3Xml.WriteAsync(r.Http, "GetObjectAttributesResponse", w =>
        {
            if (wanted.Contains("ETag")) w.El("ETag", info.ETag);
            if (wanted.Contains("Checksum") && a.ChecksumAlgorithm is not null && a.ChecksumValue is not null)
            {
                w.WriteStartElement("Checksum");
                w.El("Checksum" + a.ChecksumAlgorithm, a.ChecksumValue);
                w.El("ChecksumType", a.ChecksumType ?? FullObject);
                w.WriteEndElement();
            }
            if (wanted.Contains("ObjectParts") && a.PartSizes is { } sizes)
            {
                var page = Enumerable.Range(1, sizes.Count).Where(n => n > marker).Take(maxParts).ToList();
                w.WriteStartElement("ObjectParts");
                w.El("PartsCount", sizes.Count);
                w.El("PartNumberMarker", marker);
                w.El("NextPartNumberMarker", page.Count > 0 ? page[^1] : marker);
                w.El("MaxParts", maxParts);
                w.El("IsTruncated", page.Count > 0 && page[^1] < sizes.Count);
                foreach (var n in page)
                {
                    w.WriteStartElement("Part");
                    if (a.PartChecksums is { } sums && a.ChecksumAlgorithm is { } algorithm) w.El("Checksum" + algorithm, sums[n - 1]);
                    w.El("PartNumber", n);
                    w.El("Size", sizes[n - 1]);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            if (wanted.Contains("StorageClass")) w.El("StorageClass", "STANDARD");
            if (wanted.Contains("ObjectSize")) w.El("ObjectSize", info.Size);
        });
    }

    private static int HeaderInt(S3Request r, string name, int @default)
    {
        var v = r.Header(name);
        if (v is null) return @default;
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw S3Errors.InvalidArgument($"Provided {name} not an integer or within integer range", name, v);
        return Math.Min(n, 1000);
    }
}
