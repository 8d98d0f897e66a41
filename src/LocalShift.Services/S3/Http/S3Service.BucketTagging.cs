using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// Bucket tagging (<c>?tagging</c> on a bucket): <c>s3:GetBucketTagging</c>, and <c>s3:PutBucketTagging</c> for both
/// PutBucketTagging and DeleteBucketTagging (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketTagging.html).
/// </summary>
public sealed partial class S3Service
{
    private Task GetBucketTagging(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketTagging");
        var tags = Store.GetBucketSetting(bucket.Name, BucketSetting.Tagging) is { } json
            ? JsonSerializer.Deserialize<List<KeyValuePair<string, string>>>(json)!
            : throw S3Errors.NoSuchTagSet(bucket.Name);
        return S3Xml.WriteAsync(r.Http, "Tagging", w =>
        {
            w.WriteStartElement("TagSet");
            foreach (var (k, v) in tags)
            {
                w.WriteStartElement("Tag");
                w.El("Key", k);
                w.El("Value", v);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    /// <summary>
    /// Replaces the bucket's tags: at most 50, keys of 1–128 characters and values of at most 256, no key twice, none of
    /// AWS's reserved <c>aws:</c> prefix (https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html).
    /// </summary>
    private async Task PutBucketTagging(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketTagging");
        using var payload = new RequestPayload(r);
        var doc = S3Xml.Parse(await payload.ReadSmallAsync(64 * 1024, r.Http.RequestAborted));
        if (doc.Name.LocalName != "Tagging") throw S3Errors.MalformedXml();
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in doc.Children("TagSet").SelectMany(s => s.Children("Tag")))
        {
            var k = tag.Child("Key") ?? throw S3Errors.MalformedXml();
            var v = tag.Child("Value") ?? "";
            if (k.Length is 0 or > 128) throw S3Errors.InvalidTag("The TagKey you have provided is invalid");
            if (v.Length > 256) throw S3Errors.InvalidTag("The TagValue you have provided is invalid");
            // unverified: AWS's text for a tag key with the reserved aws: prefix.
            if (k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw S3Errors.InvalidTag("System tags cannot be added/updated by requester");
            if (tags.Any(t => t.Key == k)) throw S3Errors.InvalidTag("Cannot provide multiple Tags with the same key");
            tags.Add(new(k, v));
        }
        if (tags.Count > 50) throw S3Errors.InvalidTag("Bucket tag count cannot be greater than 50");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Tagging, JsonSerializer.Serialize(tags));
        NoContent(r.Http);
    }

    private Task DeleteBucketTagging(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:PutBucketTagging");
        Store.SetBucketSetting(bucket.Name, BucketSetting.Tagging, null);
        NoContent(r.Http);
        return Task.CompletedTask;
    }
}
