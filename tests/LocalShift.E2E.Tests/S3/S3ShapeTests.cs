using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using LocalShift.Aws.Model;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>
/// S3's XML answers against S3's service model, as the typed services' records are checked against theirs
/// (ShapeConformanceTests): botocore drives 40-odd operations and keeps each raw body, and every element of every body
/// must be a member of the operation's output shape (list wrappers, flattened lists and locationNames as the model
/// says), with a value of the member's type (integers, booleans, ISO 8601 timestamps, the enum's values). An element the
/// model lacks is one an SDK silently drops; a misspelt one is a field the user never sees.
/// </summary>
public sealed class S3ShapeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Every_element_of_every_xml_answer_is_a_member_of_the_operations_output_shape()
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "LocalShift.E2E.Tests", "S3", "s3_shapes.py");
        var run = await fixture.Server.BotocoreScriptAsync(script);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var model = ServiceModel.Get("s3");
        var problems = new List<string>();
        var checkedOperations = new HashSet<string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(run.Stdout);
        foreach (var call in doc.RootElement.EnumerateArray())
        {
            var name = call.GetProperty("operation").GetString()!;
            var body = call.GetProperty("body").GetString()!;
            Assert.True(call.GetProperty("status").GetInt32() is >= 200 and < 300, $"{name}: {body}");
            if (!body.TrimStart().StartsWith('<')) continue; // no body, or an object's bytes, or a policy's JSON
            var output = model.Operations[name].Output;
            Assert.True(output is not null, $"{name} answered XML but its model has no output");
            CheckBody(name, XElement.Parse(body), output!, problems);
            checkedOperations.Add(name);
        }
        // The script's XML-answering operations all reached the check (so it cannot pass by checking nothing).
        string[] expected =
        [
            "ListBuckets", "GetBucketLocation", "GetBucketPolicyStatus", "ListObjects", "ListObjectsV2", "GetBucketAcl",
            "GetObjectAcl", "GetBucketEncryption", "GetPublicAccessBlock", "GetBucketOwnershipControls", "GetBucketTagging",
            "GetObjectTagging", "GetObjectAttributes", "CopyObject", "CreateMultipartUpload", "ListParts",
            "ListMultipartUploads", "CompleteMultipartUpload", "UploadPartCopy", "GetBucketVersioning", "ListObjectVersions",
            "DeleteObjects",
        ];
        Assert.Empty(expected.Except(checkedOperations));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static void CheckBody(string operation, XElement root, Shape output, List<string> problems)
    {
        var path = operation + ":" + root.Name.LocalName;
        if (output.Payload is { } payload)
        {
            // The body is the payload member itself (CopyObjectResult, PolicyStatus, …).
            var member = output.MembersByName[payload];
            var expectedRoot = member.LocationName ?? member.Shape.LocationName ?? member.Name;
            if (root.Name.LocalName != expectedRoot) problems.Add($"{path}: the root element should be {expectedRoot}");
            CheckValue(root, member, path, problems);
            return;
        }
        var bodyMembers = output.Members.Where(m => m.Location == MemberLocation.Body).ToList();
        // GetBucketLocation's body is its one member as the root element.
        if (bodyMembers is [var only] && root.Name.LocalName == only.WireName && only.Shape.Type != ShapeType.Structure)
        {
            CheckValue(root, only, path, problems);
            return;
        }
        CheckStructure(root, output, path, problems);
    }

    private static void CheckStructure(XElement element, Shape shape, string path, List<string> problems)
    {
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            var member = shape.Members.FirstOrDefault(m => m.Location == MemberLocation.Body && !m.XmlAttribute && ElementName(m) == name);
            if (member is null) problems.Add($"{path}/{name}: not a member of {shape.Name}");
            else CheckValue(child, member, $"{path}/{name}", problems);
        }
    }

    /// <summary>A member's element name: a flattened list's items carry the member's (or its items') locationName.</summary>
    private static string ElementName(MemberModel m) =>
        m.Shape.Type == ShapeType.List && (m.Flattened || m.Shape.Flattened)
            ? m.LocationName ?? m.Shape.Member!.LocationName ?? m.Name
            : m.WireName;

    private static void CheckValue(XElement element, MemberModel member, string path, List<string> problems)
    {
        var shape = member.Shape;
        switch (shape.Type)
        {
            case ShapeType.Structure:
                CheckStructure(element, shape, path, problems);
                return;
            case ShapeType.List when member.Flattened || shape.Flattened:
                CheckValue(element, shape.Member!, path, problems);
                return;
            case ShapeType.List:
                var itemName = shape.Member!.LocationName ?? "member";
                foreach (var item in element.Elements())
                {
                    if (item.Name.LocalName != itemName) problems.Add($"{path}/{item.Name.LocalName}: the items of {shape.Name} are <{itemName}>");
                    else CheckValue(item, shape.Member, $"{path}/{itemName}", problems);
                }
                return;
            case ShapeType.Map:
                return;
        }
        if (element.HasElements)
        {
            problems.Add($"{path}: {shape.Name} is a {shape.Type}, the answer has elements in it");
            return;
        }
        var text = element.Value;
        var ok = shape.Type switch
        {
            ShapeType.Integer or ShapeType.Long => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            ShapeType.Boolean => text is "true" or "false",
            ShapeType.Timestamp => DateTimeOffset.TryParseExact(text, ["yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-ddTHH:mm:ssZ"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
            ShapeType.Float or ShapeType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            ShapeType.String when shape.Enum is { } values => text.Length == 0 || values.Contains(text),
            _ => true,
        };
        if (!ok) problems.Add($"{path}: '{text}' is not a {shape.Name} ({shape.Type}{(shape.Enum is { } e ? ": " + string.Join("|", e) : "")})");
    }
}
