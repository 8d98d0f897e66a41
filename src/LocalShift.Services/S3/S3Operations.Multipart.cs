using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// The multipart operations that carry no body, as typed calls: AbortMultipartUpload, ListParts, ListMultipartUploads.
/// (Create/UploadPart/UploadPartCopy/Complete are still S3's HTTP handler's.)
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
