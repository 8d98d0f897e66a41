using System.Text.Json.Nodes;
using LocalShift.Aws.Model;
using LocalShift.Aws.Protocols.Json;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

/// <summary>The embedded service models and the protocols driven by them, on the models' own shapes.</summary>
public class ServiceModelTests
{
    [Theory]
    [InlineData("redshift", AwsProtocol.Query, 119)]
    [InlineData("iam", AwsProtocol.Query, 158)]
    [InlineData("sts", AwsProtocol.Query, 8)]
    [InlineData("glue", AwsProtocol.Json, 202)]
    [InlineData("redshift-data", AwsProtocol.Json, 10)]
    [InlineData("lambda", AwsProtocol.RestJson, 65)]
    [InlineData("s3", AwsProtocol.RestXml, 111)]
    public void Every_model_loads_with_its_protocol_and_operations(string name, AwsProtocol protocol, int operations)
    {
        var m = ServiceModel.Get(name);
        Assert.Equal(protocol, m.Protocol);
        Assert.Equal(operations, m.Operations.Count);
        Assert.All(m.Operations.Values, o => Assert.True(o.Input is null || o.Input.Type == ShapeType.Structure, o.Name));
    }

    [Fact]
    public void The_models_in_the_repository_carry_no_documentation()
    {
        var dir = Path.Combine(RepoRoot(), "src", "LocalShift.Aws", "Model", "models");
        foreach (var file in Directory.GetFiles(dir, "*.json"))
            Assert.DoesNotContain("\"documentation\"", File.ReadAllText(file));
    }

    [Fact]
    public void Nearly_every_pattern_of_the_models_compiles_for_dotnet()
    {
        // Patterns that do not translate are not checked (docs/aws-protocols.md); keep them rare.
        var failing = ServiceModel.EmbeddedNames.Select(ServiceModel.Get)
            .SelectMany(m => m.Shapes.Values.Where(s => s.Pattern is not null && s.PatternRegex is null).Select(s => $"{m.Name}:{s.Name} {s.Pattern}"))
            .ToList();
        Assert.True(failing.Count <= 5, string.Join("\n", failing));
    }

    [Fact]
    public void Query_lists_read_in_the_models_member_name_and_in_the_dotnet_sdks_member_form()
    {
        var input = ServiceModel.Get("redshift").Operations["ModifyClusterIamRoles"].Input!;
        var cli = QueryCodec.Read(input, Params(("ClusterIdentifier", "c1"), ("AddIamRoles.IamRoleArn.2", "b"), ("AddIamRoles.IamRoleArn.1", "a")));
        Assert.Equal("""{"ClusterIdentifier":"c1","AddIamRoles":["a","b"]}""", cli.ToJsonString());
        var dotnet = QueryCodec.Read(input, Params(("ClusterIdentifier", "c1"), ("RemoveIamRoles.member.1", "x")));
        Assert.Equal("""{"ClusterIdentifier":"c1","RemoveIamRoles":["x"]}""", dotnet.ToJsonString());
        var empty = QueryCodec.Read(input, Params(("ClusterIdentifier", "c1"), ("AddIamRoles", "")));
        Assert.Equal("""{"ClusterIdentifier":"c1","AddIamRoles":[]}""", empty.ToJsonString());
    }

    [Fact]
    public void Query_list_items_without_a_value_are_never_null_elements()
    {
        // Found by the edge fuzzer: a bare value where a structure belongs used to become a null tag, and a 500.
        var tags = ServiceModel.Get("redshift").Operations["CreateTags"].Input!;
        var bare = QueryCodec.Read(tags, Params(("ResourceName", "r"), ("Tags.member.2", "x")));
        Assert.Equal("""{"ResourceName":"r","Tags":[{}]}""", bare.ToJsonString());
        var roles = ServiceModel.Get("redshift").Operations["ModifyClusterIamRoles"].Input!;
        var subKeysOnly = QueryCodec.Read(roles, Params(("ClusterIdentifier", "c1"), ("AddIamRoles.IamRoleArn.1.x", "y"), ("AddIamRoles.IamRoleArn.2", "b")));
        Assert.Equal("""{"ClusterIdentifier":"c1","AddIamRoles":["b"]}""", subKeysOnly.ToJsonString());
    }

    [Fact]
    public void Query_structures_lists_of_structures_and_scalars_get_their_model_types()
    {
        var input = ServiceModel.Get("redshift").Operations["CreateCluster"].Input!;
        var doc = QueryCodec.Read(input, Params(("ClusterIdentifier", "c1"), ("NumberOfNodes", "4"), ("Encrypted", "TRUE"),
            ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v")));
        Assert.Equal("""{"ClusterIdentifier":"c1","NumberOfNodes":4,"Encrypted":true,"Tags":[{"Key":"k","Value":"v"}]}""", doc.ToJsonString());
        var e = Assert.Throws<AwsException>(() => QueryCodec.Read(input, Params(("NumberOfNodes", "four"))));
        Assert.Equal("InvalidParameterValue", e.Code);
    }

    [Fact]
    public void Query_output_uses_the_models_element_names_for_list_members()
    {
        var output = ServiceModel.Get("redshift").Operations["DescribeClusters"].Output!;
        var doc = JsonNode.Parse("""{"Clusters":[{"ClusterIdentifier":"c1","IamRoles":[{"IamRoleArn":"arn:r","ApplyStatus":"in-sync"}],"ClusterCreateTime":"2026-12-06T20:00:00+00:00","Endpoint":{"Port":5439}}]}""")!.AsObject();
        var sb = new System.Text.StringBuilder();
        using (var w = System.Xml.XmlWriter.Create(sb, new System.Xml.XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            w.WriteStartElement("R");
            QueryCodec.WriteMembers(w, output, doc);
            w.WriteEndElement();
        }
        Assert.Equal("<R><Clusters><Cluster><ClusterIdentifier>c1</ClusterIdentifier><Endpoint><Port>5439</Port></Endpoint>" +
                     "<ClusterCreateTime>2026-12-06T20:00:00.000Z</ClusterCreateTime>" +
                     "<IamRoles><ClusterIamRole><IamRoleArn>arn:r</IamRoleArn><ApplyStatus>in-sync</ApplyStatus></ClusterIamRole></IamRoles>" +
                     "</Cluster></Clusters></R>", sb.ToString());
    }

    [Fact]
    public void Coral_validation_reports_every_broken_constraint_in_awss_words()
    {
        var input = ServiceModel.Get("sts").Operations["AssumeRole"].Input!;
        var doc = JsonNode.Parse("""{"RoleArn":"arn:aws:iam::123456789012:role/r","RoleSessionName":"a b","DurationSeconds":60}""")!.AsObject();
        var e = Assert.Throws<AwsException>(() => ShapeValidator.Validate(input, doc, ValidationStyle.Coral, AwsProtocol.Query));
        Assert.Equal("ValidationError", e.Code);
        Assert.Equal("2 validation errors detected: " +
                     "Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; " +
                     "Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", e.Message);

        var missing = Assert.Throws<AwsException>(() => ShapeValidator.Validate(input, new JsonObject(), ValidationStyle.Coral, AwsProtocol.Json));
        Assert.Equal("ValidationException", missing.Code);
        Assert.StartsWith("2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", missing.Message);
    }

    [Fact]
    public void Value_ranges_are_checked_on_numbers_as_the_protocol_readers_make_them()
    {
        // The readers give integers as long values, which JsonValue will not hand out as double.
        var input = ServiceModel.Get("sts").Operations["AssumeRole"].Input!;
        var query = QueryCodec.Read(input, new QueryParameters([
            KeyValuePair.Create("RoleArn", "arn:aws:iam::123456789012:role/r"), KeyValuePair.Create("RoleSessionName", "s1"),
            KeyValuePair.Create("DurationSeconds", "60")]));
        var json = JsonCodec.Read(input, """{"RoleArn":"arn:aws:iam::123456789012:role/r","RoleSessionName":"s1","DurationSeconds":60}"""u8.ToArray());
        foreach (var doc in new[] { query, json })
            Assert.Equal("1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
                Assert.Throws<AwsException>(() => ShapeValidator.Validate(input, doc, ValidationStyle.Coral, AwsProtocol.Query)).Message);
    }

    [Theory]
    [InlineData("é", false)]
    [InlineData("名前", false)]
    [InlineData("a+=,.@-_Z9", true)]
    public void Patterns_keep_javas_ascii_word_class(string roleName, bool valid)
    {
        // AWS checks patterns with java.util.regex, whose \w is [a-zA-Z_0-9]; .NET's would accept any letter.
        var input = ServiceModel.Get("iam").Operations["GetRole"].Input!;
        var doc = new JsonObject { ["RoleName"] = roleName };
        var error = Record.Exception(() => ShapeValidator.Validate(input, doc, ValidationStyle.Coral, AwsProtocol.Query));
        if (valid) Assert.Null(error);
        else Assert.Equal($@"1 validation error detected: Value '{roleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
            Assert.IsType<AwsException>(error).Message);
    }

    [Fact]
    public void Nested_members_are_named_by_their_path_with_list_positions()
    {
        var input = ServiceModel.Get("glue").Operations["CreateTable"].Input!;
        var doc = JsonNode.Parse("""{"DatabaseName":"db","TableInput":{"Name":"t","StorageDescriptor":{"Columns":[{"Name":"ok"},{"Name":""}]}}}""")!.AsObject();
        var e = Assert.Throws<AwsException>(() => ShapeValidator.Validate(input, doc, ValidationStyle.Coral, AwsProtocol.Json));
        Assert.Contains("Value '' at 'tableInput.storageDescriptor.columns.2.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1", e.Message);
    }

    [Fact]
    public void Json_bodies_are_read_with_their_model_types_and_written_with_epoch_timestamps()
    {
        var op = ServiceModel.Get("glue").Operations["GetTable"];
        var input = JsonCodec.Read(op.Input!, """{"DatabaseName":"db","Name":"t","Unknown":1}"""u8);
        Assert.Equal("""{"DatabaseName":"db","Name":"t"}""", input.ToJsonString());
        Assert.Equal("SerializationException", Assert.Throws<AwsException>(() => JsonCodec.Read(op.Input!, """{"DatabaseName":5}"""u8)).Code);

        var output = JsonNode.Parse("""{"Table":{"Name":"t","CreateTime":"2026-12-06T20:00:00.5+00:00"}}""")!.AsObject();
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) JsonCodec.WriteStructure(w, op.Output!, output);
        Assert.Equal("""{"Table":{"Name":"t","CreateTime":1796587200.5}}""", System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData("GET", "/2015-03-31/functions/", "ListFunctions")]
    [InlineData("GET", "/2015-03-31/functions", "ListFunctions")]
    [InlineData("POST", "/2015-03-31/functions", "CreateFunction")]
    [InlineData("GET", "/2015-03-31/functions/my-fn", "GetFunction")]
    [InlineData("POST", "/2015-03-31/functions/my-fn/invocations", "Invoke")]
    [InlineData("GET", "/2015-03-31/functions/my-fn/configuration", "GetFunctionConfiguration")]
    [InlineData("DELETE", "/2015-03-31/functions/my-fn/policy/sid-1", "RemovePermission")]
    [InlineData("GET", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af", "ListTags")]
    public void Rest_json_requests_route_by_method_and_path(string method, string path, string operation)
    {
        var router = new RestRouter(ServiceModel.Get("lambda"));
        var match = router.Match(method, path, []);
        Assert.NotNull(match);
        Assert.Equal(operation, match.Value.Operation.Name);
    }

    [Fact]
    public void Rest_json_literal_query_parts_pick_their_operation_and_labels_are_decoded()
    {
        var router = new RestRouter(ServiceModel.Get("lambda"));
        Assert.Equal("GetLayerVersionByArn", router.Match("GET", "/2018-10-31/layers", [new("find", "LayerVersion"), new("Arn", "x")])!.Value.Operation.Name);
        Assert.Equal("ListLayers", router.Match("GET", "/2018-10-31/layers", [])!.Value.Operation.Name);
        var tags = router.Match("GET", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af", [])!.Value;
        Assert.Equal("arn:aws:lambda:us-east-1:1:function:f", tags.Labels["ARN"]);
        Assert.Null(router.Match("PATCH", "/2015-03-31/functions/f", []));
    }

    [Fact]
    public void Rest_json_reads_labels_query_headers_and_a_raw_payload()
    {
        var op = ServiceModel.Get("lambda").Operations["Invoke"];
        var request = new RestRequest("POST", "/2015-03-31/functions/f/invocations", [new("Qualifier", "1")],
            h => h == "X-Amz-Invocation-Type" ? "Event" : null, [], """{"a":1}"""u8.ToArray());
        var doc = RestJsonCodec.Read(op, request, new Dictionary<string, string> { ["FunctionName"] = "f" });
        Assert.Equal("f", (string?)doc["FunctionName"]);
        Assert.Equal("Event", (string?)doc["InvocationType"]);
        Assert.Equal("1", (string?)doc["Qualifier"]);
        Assert.Equal(Convert.ToBase64String("""{"a":1}"""u8.ToArray()), (string?)doc["Payload"]);
    }

    [Fact]
    public void Rest_json_writes_invokes_status_headers_and_raw_payload_and_the_models_response_codes()
    {
        var lambda = ServiceModel.Get("lambda");
        var invoke = RestJsonCodec.Write(lambda.Operations["Invoke"], new JsonObject
        {
            ["StatusCode"] = 200,
            ["FunctionError"] = "Unhandled",
            ["LogResult"] = "U1RBUlQ=",
            ["ExecutedVersion"] = "$LATEST",
            ["Payload"] = Convert.ToBase64String("""{"errorMessage":"x"}"""u8.ToArray()),
        });
        Assert.Equal(200, invoke.Status);
        Assert.Contains(new KeyValuePair<string, string>("X-Amz-Function-Error", "Unhandled"), invoke.Headers);
        Assert.Contains(new KeyValuePair<string, string>("X-Amz-Log-Result", "U1RBUlQ="), invoke.Headers);
        Assert.Contains(new KeyValuePair<string, string>("X-Amz-Executed-Version", "$LATEST"), invoke.Headers);
        Assert.Equal("""{"errorMessage":"x"}""", System.Text.Encoding.UTF8.GetString(invoke.Body));

        // An Event invocation: the status member decides; no payload.
        var queued = RestJsonCodec.Write(lambda.Operations["Invoke"], new JsonObject { ["StatusCode"] = 202 });
        Assert.Equal(202, queued.Status);
        Assert.Empty(queued.Body);

        Assert.Equal(201, RestJsonCodec.Write(lambda.Operations["CreateFunction"], new JsonObject { ["FunctionName"] = "f" }).Status);
        Assert.Equal(204, RestJsonCodec.Write(lambda.Operations["DeleteFunction"], null).Status);
    }

    [Theory]
    [InlineData("nodejs22.x", true)]
    [InlineData("python3.12", true)]
    [InlineData("provided.al2023", true)]
    [InlineData("nodejs99.x", false)]
    public void Lambdas_runtime_enum_takes_the_runtimes_aws_added_after_the_installed_cli(string runtime, bool valid)
    {
        var input = ServiceModel.Get("lambda").Operations["CreateFunction"].Input!;
        var doc = new JsonObject
        {
            ["FunctionName"] = "f", ["Role"] = "arn:aws:iam::123456789012:role/r", ["Code"] = new JsonObject(), ["Runtime"] = runtime,
        };
        var e = Record.Exception(() => ShapeValidator.Validate(input, doc, ValidationStyle.Coral, AwsProtocol.RestJson));
        if (valid) Assert.Null(e);
        else Assert.Contains("at 'runtime' failed to satisfy constraint: Member must satisfy enum value set", Assert.IsType<AwsException>(e).Message);
    }

    private static QueryParameters Params(params (string, string)[] p) => new(p.Select(x => KeyValuePair.Create(x.Item1, x.Item2)));

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "LocalShift.slnx"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }
}
