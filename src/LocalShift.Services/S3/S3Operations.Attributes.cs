using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;

namespace LocalShift.Services.S3;

/// <summary>GetObjectAttributes as a typed call: the attributes <c>x-amz-object-attributes</c> names, and only those.</summary>
public sealed partial class S3Operations
{
    private static readonly string[] ObjectAttributeNames = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    /// <summary>The most parts one GetObjectAttributes answer lists (<c>x-amz-max-parts</c> above it is this).</summary>
    private const int MaxAttributeParts = 1000;

    /// <summary>
    /// GetObjectAttributes (<c>GET /bucket/key?attributes</c>): the attributes <c>x-amz-object-attributes</c> names, the
    /// parts paged by <c>x-amz-max-parts</c>/<c>x-amz-part-number-marker</c>. It needs <c>s3:GetObject</c> and
    /// <c>s3:GetObjectAttributes</c>, or with a version id <c>s3:GetObjectVersion</c> and <c>s3:GetObjectVersionAttributes</c>
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html).
    /// </summary>
    private GetObjectAttributesOutput GetObjectAttributes(AwsCall call, GetObjectAttributesRequest request)
    {
        var (bucket, key) = (request.Bucket, request.Key);
        var bucketInfo = _access.Bucket(bucket);
        var wanted = (request.ObjectAttributes ?? []).Where(a => a.Length > 0).ToList();
        if (wanted.Count == 0 || wanted.Any(a => !ObjectAttributeNames.Contains(a)))
            throw S3Errors.InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes",
                request.ObjectAttributes is null ? null : string.Join(",", request.ObjectAttributes));
        var maxParts = Math.Min(NotNegative(request.MaxParts, "x-amz-max-parts") ?? MaxAttributeParts, MaxAttributeParts);
        var marker = NotNegative(request.PartNumberMarker, "x-amz-part-number-marker") ?? 0;

        using var found = OpenBeforeAuthorizing(bucket, key, VersionIdOption(request.VersionId, "versionId"));
        AuthorizeRead(call, bucket, key, found);
        var (attributesAction, versionKeys) = ObjectAction("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", found.VersionId);
        var keys = S3ConditionKeys.ExistingTags(found.Readable);
        if (versionKeys is not null)
            foreach (var (name, values) in versionKeys) keys[name] = values;
        _access.AuthorizeObject(call, bucket, key, attributesAction, keys);
        var info = OpenForRead("GET", call, bucketInfo, key, found).Info;
        ObjectEncryption.CheckRead(request.SSECustomerAlgorithm, request.SSECustomerKey, request.SSECustomerKeyMD5, info.Attributes);

        var a = info.Attributes;
        var output = new GetObjectAttributesOutput(
            LastModified: info.LastModified,
            VersionId: VersionIdAnswer(bucket, info.VersionId),
            // Unquoted, as S3 answers GetObjectAttributes' ETag (GetObject's header is quoted).
            ETag: wanted.Contains("ETag") ? info.ETag : null,
            StorageClass: wanted.Contains("StorageClass") ? "STANDARD" : null,
            ObjectSize: wanted.Contains("ObjectSize") ? info.Size : null);
        if (wanted.Contains("Checksum") && a.ChecksumAlgorithm is { } algorithm && a.ChecksumValue is { } value)
            output = output with { Checksum = ChecksumOf(algorithm, value) with { ChecksumType = a.ChecksumType ?? FullObject } };
        if (wanted.Contains("ObjectParts") && a.PartSizes is { } sizes)
        {
            var page = Enumerable.Range(1, sizes.Count).Where(n => n > marker).Take(maxParts).ToList();
            output = output with
            {
                ObjectParts = new GetObjectAttributesParts(
                    TotalPartsCount: sizes.Count,
                    PartNumberMarker: marker,
                    NextPartNumberMarker: page.Count > 0 ? page[^1] : marker,
                    MaxParts: maxParts,
                    IsTruncated: page.Count > 0 && page[^1] < sizes.Count,
                    Parts: page.Select(n => PartOf(n, sizes[n - 1], a.ChecksumAlgorithm, a.PartChecksums)).ToList()),
            };
        }
        return output;
    }

    /// <summary>A header number that may not be negative: <c>InvalidArgument</c>, as for a value that is not a number.</summary>
    private static int? NotNegative(int? value, string header) => value is < 0
        ? throw S3Errors.InvalidArgument($"Provided {header} not an integer or within integer range", header,
            value.Value.ToString(CultureInfo.InvariantCulture))
        : value;

    private static Checksum ChecksumOf(string algorithm, string value) => algorithm switch
    {
        S3Checksum.Crc32 => new Checksum(ChecksumCRC32: value),
        S3Checksum.Crc32C => new Checksum(ChecksumCRC32C: value),
        S3Checksum.Crc64Nvme => new Checksum(ChecksumCRC64NVME: value),
        S3Checksum.Sha1 => new Checksum(ChecksumSHA1: value),
        S3Checksum.Sha256 => new Checksum(ChecksumSHA256: value),
        _ => new Checksum(),
    };

    private static ObjectPart PartOf(int number, long size, string? algorithm, IReadOnlyList<string>? checksums)
    {
        var part = new ObjectPart(number, size);
        if (algorithm is null || checksums is null || number > checksums.Count) return part;
        var c = ChecksumOf(algorithm, checksums[number - 1]);
        return part with
        {
            ChecksumCRC32 = c.ChecksumCRC32, ChecksumCRC32C = c.ChecksumCRC32C, ChecksumCRC64NVME = c.ChecksumCRC64NVME,
            ChecksumSHA1 = c.ChecksumSHA1, ChecksumSHA256 = c.ChecksumSHA256,
        };
    }
}
