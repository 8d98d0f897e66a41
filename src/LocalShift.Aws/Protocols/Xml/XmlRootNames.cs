using LocalShift.Aws.Model;

namespace LocalShift.Aws.Protocols.Xml;

/// <summary>
/// The root element of a rest-xml response whose output has no payload member. AWS's Smithy models name it with an
/// <c>@xmlName</c> trait on the output structure; botocore's JSON models leave it out (its parser never reads the root's
/// name), so the names S3 answers with are kept here, from S3's API reference
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/). An output not listed is rooted at its shape's name.
/// </summary>
public static class XmlRootNames
{
    private static readonly Dictionary<string, string> S3 = new(StringComparer.Ordinal)
    {
        ["ListBucketsOutput"] = "ListAllMyBucketsResult",
        ["ListDirectoryBucketsOutput"] = "ListAllMyDirectoryBucketsResult",
        ["ListObjectsOutput"] = "ListBucketResult",
        ["ListObjectsV2Output"] = "ListBucketResult",
        ["ListObjectVersionsOutput"] = "ListVersionsResult",
        ["ListMultipartUploadsOutput"] = "ListMultipartUploadsResult",
        ["ListPartsOutput"] = "ListPartsResult",
        ["GetBucketTaggingOutput"] = "Tagging",
        ["GetObjectTaggingOutput"] = "Tagging",
        ["GetBucketVersioningOutput"] = "VersioningConfiguration",
        ["GetBucketAclOutput"] = "AccessControlPolicy",
        ["GetObjectAclOutput"] = "AccessControlPolicy",
        ["GetBucketLocationOutput"] = "LocationConstraint",
        ["GetBucketCorsOutput"] = "CORSConfiguration",
        ["GetBucketLifecycleConfigurationOutput"] = "LifecycleConfiguration",
        ["GetBucketLoggingOutput"] = "BucketLoggingStatus",
        ["GetBucketWebsiteOutput"] = "WebsiteConfiguration",
        ["GetBucketRequestPaymentOutput"] = "RequestPaymentConfiguration",
        ["GetBucketAccelerateConfigurationOutput"] = "AccelerateConfiguration",
        ["CreateMultipartUploadOutput"] = "InitiateMultipartUploadResult",
        ["CompleteMultipartUploadOutput"] = "CompleteMultipartUploadResult",
        ["DeleteObjectsOutput"] = "DeleteResult",
        ["GetObjectAttributesOutput"] = "GetObjectAttributesResponse",
    };

    public static string Of(Shape output) => output.LocationName ?? S3.GetValueOrDefault(output.Name) ?? output.Name;
}
