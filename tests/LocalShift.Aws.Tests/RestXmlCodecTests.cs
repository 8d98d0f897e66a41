using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using LocalShift.Aws.Model;
using LocalShift.Aws.Protocols.Json;
using LocalShift.Aws.Protocols.Xml;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

/// <summary>The rest-xml codec on S3's own model: what botocore and the SDKs send, and what they read back.</summary>
public class RestXmlCodecTests
{
    private const string S3Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly ServiceModel S3 = ServiceModel.Get("s3");
    private static readonly XNamespace Ns = S3Ns;

    private static RestRequest Request(string method, IReadOnlyList<KeyValuePair<string, string>> query, Dictionary<string, string>? headers = null, string body = "") =>
        new(method, "/b", query, h => headers?.FirstOrDefault(x => x.Key.Equals(h, StringComparison.OrdinalIgnoreCase)).Value,
            headers ?? [], Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Reads_labels_query_members_headers_and_header_prefix_maps()
    {
        var op = S3.Operations["PutObject"];
        var request = Request("PUT", [new("x-id", "PutObject")], new()
        {
            ["Content-Type"] = "text/csv",
            ["x-amz-meta-Owner"] = "data-team",
            ["x-amz-meta-run"] = "7",
            ["Expires"] = "Wed, 09 Dec 2026 10:00:00 GMT",
        });
        var doc = RestXmlCodec.Read(op, request, new Dictionary<string, string?> { ["Bucket"] = "b", ["Key"] = "dir/a b.csv" });
        Assert.Equal("b", (string?)doc["Bucket"]);
        Assert.Equal("dir/a b.csv", (string?)doc["Key"]);
        Assert.Equal("text/csv", (string?)doc["ContentType"]);
        Assert.Equal("data-team", (string?)doc["Metadata"]!["owner"]);
        Assert.Equal("7", (string?)doc["Metadata"]!["run"]);
        // S3's model carries Expires as a string (AWS keeps whatever the client sent).
        Assert.Equal("Wed, 09 Dec 2026 10:00:00 GMT", (string?)doc["Expires"]);
        // The body of PutObject is a stream: the codec leaves it to the caller.
        Assert.False(RestXmlCodec.ReadsBody(op));
        Assert.Null(doc["Body"]);

        // A timestamp header in RFC 1123.
        var get = RestXmlCodec.Read(S3.Operations["GetObject"], Request("GET", [], new() { ["If-Modified-Since"] = "Wed, 09 Dec 2026 10:00:00 GMT" }),
            new Dictionary<string, string?> { ["Bucket"] = "b", ["Key"] = "k" });
        Assert.Equal(new DateTimeOffset(2026, 12, 9, 10, 0, 0, TimeSpan.Zero), get["IfModifiedSince"]!.GetValue<DateTimeOffset>());

        var list = RestXmlCodec.Read(S3.Operations["ListObjectsV2"],
            Request("GET", [new("list-type", "2"), new("max-keys", "20"), new("fetch-owner", "true"), new("prefix", "p/")]),
            new Dictionary<string, string?> { ["Bucket"] = "b" });
        Assert.Equal(20L, list["MaxKeys"]!.GetValue<long>());
        Assert.True(list["FetchOwner"]!.GetValue<bool>());
        Assert.Equal("p/", (string?)list["Prefix"]);
    }

    [Fact]
    public void A_query_integer_that_is_not_one_is_S3s_InvalidArgument_naming_it()
    {
        var e = Assert.Throws<RestXmlException>(() => RestXmlCodec.Read(S3.Operations["ListObjectsV2"],
            Request("GET", [new("list-type", "2"), new("max-keys", "lots")]), new Dictionary<string, string?> { ["Bucket"] = "b" }));
        Assert.Equal("InvalidArgument", e.Code);
        Assert.Equal("Provided max-keys not an integer or within integer range", e.Message);
        Assert.Contains(("ArgumentName", "max-keys"), e.Details);
        Assert.Contains(("ArgumentValue", "lots"), e.Details);
        Assert.Throws<RestXmlException>(() => RestXmlCodec.Read(S3.Operations["ListObjectsV2"],
            Request("GET", [new("max-keys", "99999999999")]), new Dictionary<string, string?> { ["Bucket"] = "b" }));
    }

    [Fact]
    public void Reads_an_xml_payload_per_the_input_shape_with_or_without_the_namespace()
    {
        var op = S3.Operations["PutBucketTagging"];
        Assert.True(RestXmlCodec.ReadsBody(op));
        foreach (var ns in new[] { $" xmlns=\"{S3Ns}\"", "" })
        {
            var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging{ns}><TagSet><Tag><Key>team</Key><Value>data</Value></Tag><Tag><Key>env</Key><Value></Value></Tag></TagSet></Tagging>";
            var doc = RestXmlCodec.Read(op, Request("PUT", [new("tagging", "")], body: body), new Dictionary<string, string?> { ["Bucket"] = "b" });
            var tags = doc["Tagging"]!["TagSet"]!.AsArray();
            Assert.Equal(2, tags.Count);
            Assert.Equal("team", (string?)tags[0]!["Key"]);
            Assert.Equal("data", (string?)tags[0]!["Value"]);
            Assert.Equal("", (string?)tags[1]!["Value"]);
        }

        // A flattened list (ServerSideEncryptionConfiguration's Rule) and a member with a locationName (MfaDelete).
        var sse = RestXmlCodec.Read(S3.Operations["PutBucketEncryption"], Request("PUT", [], body:
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule><Rule/></ServerSideEncryptionConfiguration>"),
            new Dictionary<string, string?> { ["Bucket"] = "b" });
        var rules = sse["ServerSideEncryptionConfiguration"]!["Rules"]!.AsArray();
        Assert.Equal(2, rules.Count);
        Assert.Equal("aws:kms", (string?)rules[0]!["ApplyServerSideEncryptionByDefault"]!["SSEAlgorithm"]);
        Assert.True(rules[0]!["BucketKeyEnabled"]!.GetValue<bool>());
        var versioning = RestXmlCodec.Read(S3.Operations["PutBucketVersioning"], Request("PUT", [], body:
            "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>"),
            new Dictionary<string, string?> { ["Bucket"] = "b" });
        Assert.Equal("Disabled", (string?)versioning["VersioningConfiguration"]!["MFADelete"]);
    }

    [Theory]
    [InlineData("<Tagging><TagSet>")]
    [InlineData("<NotTagging><TagSet/></NotTagging>")]
    [InlineData("")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"x\">]><Tagging/>")]
    public void A_payload_that_is_not_the_documents_xml_is_MalformedXML(string body)
    {
        var e = Assert.Throws<RestXmlException>(() => RestXmlCodec.Read(S3.Operations["PutBucketTagging"],
            Request("PUT", [], body: body), new Dictionary<string, string?> { ["Bucket"] = "b" }));
        Assert.Equal("MalformedXML", e.Code);
    }

    [Fact]
    public void Writes_an_output_under_s3s_root_in_model_order_with_flattened_lists_and_iso_timestamps()
    {
        var output = new JsonObject
        {
            ["Name"] = "b",
            ["Prefix"] = "",
            ["KeyCount"] = 1,
            ["MaxKeys"] = 1000,
            ["IsTruncated"] = false,
            ["Contents"] = new JsonArray(new JsonObject
            {
                ["Key"] = "a.csv",
                ["LastModified"] = new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero),
                ["ETag"] = "\"e\"",
                ["ChecksumAlgorithm"] = new JsonArray("CRC32"),
                ["Size"] = 3L,
                ["StorageClass"] = "STANDARD",
            }),
            ["CommonPrefixes"] = new JsonArray(new JsonObject { ["Prefix"] = "d/" }, new JsonObject { ["Prefix"] = "e/" }),
        };
        var response = RestXmlCodec.Write(S3.Operations["ListObjectsV2"], output, S3Ns);
        Assert.Equal(200, response.Status);
        Assert.Equal("application/xml", response.ContentType);
        var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root!;
        Assert.Equal(Ns + "ListBucketResult", root.Name);
        Assert.Equal(["IsTruncated", "Contents", "Name", "Prefix", "MaxKeys", "CommonPrefixes", "CommonPrefixes", "KeyCount"],
            root.Elements().Select(e => e.Name.LocalName));
        var contents = root.Element(Ns + "Contents")!;
        Assert.Equal("2026-12-07T11:00:00.000Z", contents.Element(Ns + "LastModified")!.Value);
        Assert.Equal("CRC32", contents.Element(Ns + "ChecksumAlgorithm")!.Value);
        Assert.Equal("3", contents.Element(Ns + "Size")!.Value);
        Assert.Equal("false", root.Element(Ns + "IsTruncated")!.Value);
    }

    [Fact]
    public void Writes_list_wrappers_attributes_payload_roots_headers_and_the_bare_location()
    {
        var acl = RestXmlCodec.Write(S3.Operations["GetBucketAcl"], new JsonObject
        {
            ["Owner"] = new JsonObject { ["ID"] = "abc", ["DisplayName"] = "me" },
            ["Grants"] = new JsonArray(new JsonObject
            {
                ["Grantee"] = new JsonObject { ["ID"] = "abc", ["Type"] = "CanonicalUser" },
                ["Permission"] = "FULL_CONTROL",
            }),
        }, S3Ns);
        var root = XDocument.Parse(Encoding.UTF8.GetString(acl.Body)).Root!;
        Assert.Equal(Ns + "AccessControlPolicy", root.Name);
        var grantee = root.Element(Ns + "AccessControlList")!.Element(Ns + "Grant")!.Element(Ns + "Grantee")!;
        Assert.Equal("CanonicalUser", grantee.Attribute(XNamespace.Get("http://www.w3.org/2001/XMLSchema-instance") + "type")!.Value);
        Assert.Equal("abc", grantee.Element(Ns + "ID")!.Value);

        // A payload member is the root under its shape's name.
        var status = RestXmlCodec.Write(S3.Operations["GetBucketPolicyStatus"], new JsonObject { ["PolicyStatus"] = new JsonObject { ["IsPublic"] = true } }, S3Ns);
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><PolicyStatus xmlns=\"" + S3Ns + "\"><IsPublic>true</IsPublic></PolicyStatus>",
            Encoding.UTF8.GetString(status.Body));

        // GetBucketLocation's only member is the root itself, empty for us-east-1.
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><LocationConstraint xmlns=\"" + S3Ns + "\">eu-west-1</LocationConstraint>",
            Encoding.UTF8.GetString(RestXmlCodec.Write(S3.Operations["GetBucketLocation"], new JsonObject { ["LocationConstraint"] = "eu-west-1" }, S3Ns).Body));
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><LocationConstraint xmlns=\"" + S3Ns + "\" />",
            Encoding.UTF8.GetString(RestXmlCodec.Write(S3.Operations["GetBucketLocation"], new JsonObject(), S3Ns).Body));

        // Header members, timestamps in RFC 1123; an output of headers only has no body; the model's 204.
        var head = RestXmlCodec.Write(S3.Operations["HeadObject"], new JsonObject
        {
            ["ContentLength"] = 3L,
            ["LastModified"] = new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero),
            ["Metadata"] = new JsonObject { ["owner"] = "data-team" },
        }, S3Ns);
        Assert.Contains(new KeyValuePair<string, string>("Content-Length", "3"), head.Headers);
        Assert.Contains(new KeyValuePair<string, string>("Last-Modified", "Mon, 07 Dec 2026 11:00:00 GMT"), head.Headers);
        Assert.Contains(new KeyValuePair<string, string>("x-amz-meta-owner", "data-team"), head.Headers);
        Assert.Empty(head.Body);
        Assert.Equal(204, RestXmlCodec.Write(S3.Operations["DeleteBucketTagging"], null, S3Ns).Status);
    }

    [Fact]
    public void Errors_are_s3s_envelope_with_details_and_no_body_for_head()
    {
        var e = new RestXmlException("NoSuchBucket", "The specified bucket does not exist", 404, ("BucketName", "b"));
        var error = RestXmlCodec.Error(e, "REQ1", "/b", head: false);
        Assert.Equal(404, error.Status);
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
                     + "<BucketName>b</BucketName><Resource>/b</Resource><RequestId>REQ1</RequestId><HostId>REQ1</HostId></Error>",
            Encoding.UTF8.GetString(error.Body));
        Assert.Empty(RestXmlCodec.Error(new AwsException("AccessDenied", "Access Denied", 403), "REQ1", null, head: true).Body);
    }

    /// <summary>
    /// ListObjectVersions' two flattened lists in the sequence the caller gives, where the first of them stands; items the
    /// sequence does not reach still come, list by list, after it. Without a sequence they are one list after the other.
    /// </summary>
    [Fact]
    public void Interleaved_flattened_lists_are_written_in_the_given_item_order()
    {
        JsonObject Item(string key) => new() { ["Key"] = key };
        var output = new JsonObject
        {
            ["IsTruncated"] = false,
            ["Versions"] = new JsonArray(Item("a"), Item("b"), Item("d")),
            ["DeleteMarkers"] = new JsonArray(Item("a"), Item("c")),
            ["Name"] = "b",
        };
        string Sequence(IReadOnlyList<string>? order) => string.Join(" ",
            XDocument.Parse(Encoding.UTF8.GetString(RestXmlCodec.Write(S3.Operations["ListObjectVersions"], output, S3Ns, order).Body)).Root!
                .Elements().Select(e => e.Name.LocalName + (e.Element(Ns + "Key") is { } k ? ":" + k.Value : "")));

        Assert.Equal("IsTruncated DeleteMarker:a Version:a Version:b DeleteMarker:c Version:d Name",
            Sequence(["DeleteMarkers", "Versions", "Versions", "DeleteMarkers", "Versions"]));
        Assert.Equal("IsTruncated Version:a DeleteMarker:a Version:b Version:d DeleteMarker:c Name", Sequence(["Versions", "DeleteMarkers"]));
        Assert.Equal("IsTruncated Version:a Version:b Version:d DeleteMarker:a DeleteMarker:c Name", Sequence(null));
    }
}
