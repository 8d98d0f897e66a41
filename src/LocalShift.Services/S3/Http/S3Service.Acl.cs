using System.Xml;
using LocalShift.Aws;

namespace LocalShift.Services.S3.Http;

public sealed partial class S3Service
{
    // LocalShift has no ACLs (AWS disables them on new buckets too: "bucket owner enforced"); these answer what such a
    // bucket answers, so tools that read ACLs keep working.

    private Task GetBucketAcl(S3Request r, AwsCall call)
    {
        var bucket = access.AuthorizeBucket(call, r.Bucket!, "s3:GetBucketAcl");
        return S3Xml.WriteAsync(r.Http, "AccessControlPolicy", w => OwnerFullControl(w, bucket.OwnerAccount));
    }

    private Task GetObjectAcl(S3Request r, AwsCall call)
    {
        var bucket = access.Bucket(r.Bucket!);
        var found = Store.FindObject(r.Bucket!, r.Key!);
        access.AuthorizeObject(call, r.Bucket!, r.Key!, "s3:GetObjectAcl", S3ConditionKeys.ExistingTags(found));
        _ = found ?? throw access.MissingKey(call, bucket, r.Key!);
        return S3Xml.WriteAsync(r.Http, "AccessControlPolicy", w => OwnerFullControl(w, bucket.OwnerAccount));
    }

    private static void OwnerFullControl(XmlWriter w, string account)
    {
        w.Owner("Owner", account);
        w.WriteStartElement("AccessControlList");
        w.WriteStartElement("Grant");
        w.WriteStartElement("Grantee");
        w.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
        w.WriteAttributeString("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser");
        w.El("ID", S3Xml.CanonicalId(account));
        w.El("DisplayName", account);
        w.WriteEndElement();
        w.El("Permission", "FULL_CONTROL");
        w.WriteEndElement();
        w.WriteEndElement();
    }
}
