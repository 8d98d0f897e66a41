using System.Security.Cryptography;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Lambda;

/// <summary>
/// Lambda versions and aliases as users drive them: Debian's AWS CLI (its own driver, many commands in one process) and
/// the JS SDK, on one server per class; one function carries the CLI's story, including a restart.
/// </summary>
public sealed class LambdaVersionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;
    private const string Account = LocalShiftServer.AccountId;
    private const string Arn = $"arn:aws:lambda:us-east-1:{Account}:function:vf";

    /// <summary>A handler that says which code it is, which version runs it and which ARN it was invoked by.</summary>
    private static string Handler(string code) => $$"""
        exports.handler = async (event, context) => ({
          code: '{{code}}', version: process.env.AWS_LAMBDA_FUNCTION_VERSION, arn: context.invokedFunctionArn, echo: event,
        });
        """;

    private static string Sha(string zip) => Convert.ToBase64String(SHA256.HashData(File.ReadAllBytes(zip)));

    private static JsonElement Out(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return doc.RootElement.Clone();
    }

    private static void Fails(CommandResult r, string code, string operation, string message)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains($"({code}) when calling the {operation} operation: {message}", r.Stderr);
    }

    [Fact]
    public async Task The_cli_publishes_versions_points_aliases_invokes_by_qualifier_and_keeps_them_over_a_restart()
    {
        var role = await FunctionPackage.RoleAsync(Server, "vf-role");
        var one = await FunctionPackage.ZipAsync(("index.js", Handler("one")));
        var two = await FunctionPackage.ZipAsync(("index.js", Handler("two")));
        var dir = Path.GetDirectoryName(one)!;
        string Output(string name) => Path.Combine(dir, name + ".json");
        string[] Invoke(string function, string output, params string[] extra) =>
            ["lambda", "invoke", "--function-name", function, "--cli-binary-format", "raw-in-base64-out", "--payload", """{"n":1}""", .. extra, Output(output)];

        var r = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            /* 0 */ ["lambda", "create-function", "--function-name", "vf", "--runtime", "nodejs20.x", "--handler", "index.handler", "--role", role,
                     "--zip-file", "fileb://" + one, "--publish"],
            /* 1 */ ["lambda", "update-function-code", "--function-name", "vf", "--zip-file", "fileb://" + two],
            /* 2 */ ["lambda", "publish-version", "--function-name", "vf", "--code-sha256", Sha(one)],
            /* 3 */ ["lambda", "publish-version", "--function-name", "vf", "--code-sha256", Sha(two), "--description", "second"],
            /* 4 */ ["lambda", "publish-version", "--function-name", "vf"],
            /* 5 */ ["lambda", "publish-version", "--function-name", "vf", "--revision-id", "00000000-0000-0000-0000-000000000000"],
            /* 6 */ ["lambda", "list-versions-by-function", "--function-name", "vf", "--page-size", "1"],
            /* 7 */ Invoke("vf", "v1", "--qualifier", "1"),
            /* 8 */ Invoke("vf:2", "v2"),
            /* 9 */ Invoke("vf", "latest"),
            /* 10 */ Invoke("vf:1", "mismatch", "--qualifier", "2"),
            /* 11 */ ["lambda", "get-function", "--function-name", "vf", "--qualifier", "9"],
            /* 12 */ ["lambda", "create-alias", "--function-name", "vf", "--name", "live", "--function-version", "1", "--description", "prod"],
            /* 13 */ ["lambda", "create-alias", "--function-name", "vf", "--name", "live", "--function-version", "2"],
            /* 14 */ Invoke("vf", "live", "--qualifier", "live"),
            /* 15 */ ["lambda", "get-function-configuration", "--function-name", "vf:live"],
            /* 16 */ ["lambda", "delete-function", "--function-name", "vf", "--qualifier", "1"],
            /* 17 */ ["lambda", "delete-function", "--function-name", "vf", "--qualifier", "$LATEST"],
            /* 18 */ ["lambda", "get-alias", "--function-name", "vf", "--name", "nope"],
            /* 19 */ ["lambda", "update-alias", "--function-name", "vf", "--name", "live", "--function-version", "2",
                      "--routing-config", "AdditionalVersionWeights={1=0.25}"],
            /* 20 */ ["lambda", "create-alias", "--function-name", "vf", "--name", "beta", "--function-version", "$LATEST"],
            /* 21 */ ["lambda", "list-aliases", "--function-name", "vf", "--function-version", "1"],
            /* 22 */ ["lambda", "list-aliases", "--function-name", "vf"],
            /* 23 */ ["lambda", "add-permission", "--function-name", "vf", "--qualifier", "$LATEST", "--statement-id", "s", "--action",
                      "lambda:InvokeFunction", "--principal", "111122223333"],
            /* 24 */ ["lambda", "add-permission", "--function-name", "vf:live", "--statement-id", "partner", "--action", "lambda:InvokeFunction",
                      "--principal", "111122223333"],
            /* 25 */ ["lambda", "get-policy", "--function-name", "vf", "--qualifier", "live"],
            /* 26 */ ["lambda", "get-policy", "--function-name", "vf"],
            /* 27 */ ["lambda", "list-functions", "--function-version", "ALL"],
        ]);

        var created = r[0].Json();
        Assert.Equal("1", created.GetProperty("Version").GetString());
        Assert.Equal(Arn + ":1", created.GetProperty("FunctionArn").GetString());
        Assert.Equal(Sha(one), created.GetProperty("CodeSha256").GetString());
        Assert.Equal(Sha(two), r[1].Json().GetProperty("CodeSha256").GetString());
        Fails(r[2], "InvalidParameterValueException", "PublishVersion",
            $"CodeSHA256 ({Sha(one)}) is different from current CodeSHA256 in $LATEST ({Sha(two)}). Please try again with the CodeSHA256 in $LATEST.");
        var second = r[3].Json();
        Assert.Equal("2", second.GetProperty("Version").GetString());
        Assert.Equal(Arn + ":2", second.GetProperty("FunctionArn").GetString());
        Assert.Equal("second", second.GetProperty("Description").GetString());
        // Nothing changed since version 2: Lambda answers version 2 again instead of publishing a copy.
        Assert.Equal("2", r[4].Json().GetProperty("Version").GetString());
        Fails(r[5], "PreconditionFailedException", "PublishVersion", "The Revision Id provided does not match the latest Revision Id.");
        // One version a page: the CLI follows NextMarker through three pages.
        Assert.Equal(["$LATEST", "1", "2"], r[6].Json().GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
        Assert.Equal([Arn + ":$LATEST", Arn + ":1", Arn + ":2"],
            r[6].Json().GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("FunctionArn").GetString()));

        // Each version runs its own code, told its version and the ARN it was invoked by.
        Assert.Equal("1", r[7].Json().GetProperty("ExecutedVersion").GetString());
        Assert.Equal(("one", "1", Arn + ":1"), Ran(Out(Output("v1"))));
        Assert.Equal("2", r[8].Json().GetProperty("ExecutedVersion").GetString());
        Assert.Equal(("two", "2", Arn + ":2"), Ran(Out(Output("v2"))));
        Assert.Equal("$LATEST", r[9].Json().GetProperty("ExecutedVersion").GetString());
        Assert.Equal(("two", "$LATEST", Arn), Ran(Out(Output("latest"))));
        Fails(r[10], "InvalidParameterValueException", "Invoke", "The derived qualifier from the function name does not match the specified qualifier.");
        Fails(r[11], "ResourceNotFoundException", "GetFunction", $"Function not found: {Arn}:9");

        // Aliases.
        var alias = r[12].Json();
        Assert.Equal(Arn + ":live", alias.GetProperty("AliasArn").GetString());
        Assert.Equal("1", alias.GetProperty("FunctionVersion").GetString());
        Assert.Equal("prod", alias.GetProperty("Description").GetString());
        Fails(r[13], "ResourceConflictException", "CreateAlias", $"Alias already exists: {Arn}:live");
        Assert.Equal("1", r[14].Json().GetProperty("ExecutedVersion").GetString());
        Assert.Equal(("one", "1", Arn + ":live"), Ran(Out(Output("live"))));
        var viaAlias = r[15].Json();
        Assert.Equal("1", viaAlias.GetProperty("Version").GetString());
        Assert.Equal(Arn + ":live", viaAlias.GetProperty("FunctionArn").GetString());
        Fails(r[16], "ResourceConflictException", "DeleteFunction", "Unable to delete version because the following aliases reference it: [live]");
        Fails(r[17], "InvalidParameterValueException", "DeleteFunction", "$LATEST version cannot be deleted without deleting the function.");
        Fails(r[18], "ResourceNotFoundException", "GetAlias", $"Cannot find alias arn: {Arn}:nope");
        var weighted = r[19].Json();
        Assert.Equal("2", weighted.GetProperty("FunctionVersion").GetString());
        Assert.Equal(0.25, weighted.GetProperty("RoutingConfig").GetProperty("AdditionalVersionWeights").GetProperty("1").GetDouble());
        Assert.NotEqual(alias.GetProperty("RevisionId").GetString(), weighted.GetProperty("RevisionId").GetString());
        Assert.Equal("$LATEST", r[20].Json().GetProperty("FunctionVersion").GetString());
        // Version 1 is invoked by "live" (its routed share), not by "beta".
        Assert.Equal(["live"], r[21].Json().GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
        Assert.Equal(["beta", "live"], r[22].Json().GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));

        // Resource policies are per qualified ARN; $LATEST takes none.
        Fails(r[23], "InvalidParameterValueException", "AddPermission", "We currently do not support adding policies for $LATEST.");
        using (var statement = JsonDocument.Parse(r[24].Json().GetProperty("Statement").GetString()!))
            Assert.Equal(Arn + ":live", statement.RootElement.GetProperty("Resource").GetString());
        Assert.Contains("\"Sid\":\"partner\"", r[25].Json().GetProperty("Policy").GetString());
        Fails(r[26], "ResourceNotFoundException", "GetPolicy", "The resource you requested does not exist.");
        Assert.Equal([Arn, Arn + ":1", Arn + ":2"],
            r[27].Json().GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionArn").GetString()).Where(a => a!.StartsWith(Arn, StringComparison.Ordinal)));

        // Everything is kept over a restart, code of old versions included.
        await Server.RestartAsync();
        var after = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            /* 0 */ ["lambda", "list-versions-by-function", "--function-name", "vf"],
            /* 1 */ ["lambda", "get-alias", "--function-name", "vf", "--name", "live"],
            /* 2 */ Invoke("vf:1", "restarted"),
            /* 3 */ ["lambda", "get-policy", "--function-name", "vf:live"],
            /* 4 */ ["lambda", "delete-alias", "--function-name", "vf", "--name", "beta"],
            /* 5 */ ["lambda", "delete-alias", "--function-name", "vf", "--name", "never-was"],
            /* 6 */ ["lambda", "update-alias", "--function-name", "vf", "--name", "live", "--function-version", "1",
                     "--routing-config", """{"AdditionalVersionWeights":{}}"""],
            /* 7 */ ["lambda", "delete-function", "--function-name", "vf", "--qualifier", "2"],
            /* 8 */ ["lambda", "delete-function", "--function-name", "vf", "--qualifier", "2"],
            /* 9 */ ["lambda", "list-versions-by-function", "--function-name", "vf"],
            /* 10 */ ["lambda", "list-aliases", "--function-name", "vf"],
            /* 11 */ ["lambda", "delete-function", "--function-name", "vf", "--qualifier", "live"],
        ]);
        Assert.Equal(["$LATEST", "1", "2"], after[0].Json().GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
        Assert.Equal("2", after[1].Json().GetProperty("FunctionVersion").GetString());
        Assert.Equal(weighted.GetProperty("RevisionId").GetString(), after[1].Json().GetProperty("RevisionId").GetString());
        Assert.Equal(("one", "1", Arn + ":1"), Ran(Out(Output("restarted"))));
        Assert.Contains("\"Sid\":\"partner\"", after[3].Json().GetProperty("Policy").GetString());
        after[4].EnsureSuccess();
        after[5].EnsureSuccess();
        Assert.False(after[6].Json().TryGetProperty("RoutingConfig", out _), after[6].Stdout);
        after[7].EnsureSuccess();
        // A version that is not there (any more) is no error.
        after[8].EnsureSuccess();
        Assert.Equal(["$LATEST", "1"], after[9].Json().GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
        Assert.Equal(["live"], after[10].Json().GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
        Fails(after[11], "InvalidParameterValueException", "DeleteFunction", "Deletion of aliases is not currently supported.");
    }

    private static (string?, string?, string?) Ran(JsonElement payload) =>
        (payload.GetProperty("code").GetString(), payload.GetProperty("version").GetString(), payload.GetProperty("arn").GetString());

    [Fact]
    public async Task A_grant_on_the_unqualified_arn_does_not_cover_versions_or_aliases()
    {
        var role = await FunctionPackage.RoleAsync(Server, "grant-role");
        var zip = await FunctionPackage.ZipAsync(("index.js", Handler("g")));
        var root = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            ["lambda", "create-function", "--function-name", "grants", "--runtime", "nodejs22.x", "--handler", "index.handler", "--role", role,
             "--zip-file", "fileb://" + zip, "--publish"],
            ["lambda", "create-alias", "--function-name", "grants", "--name", "live", "--function-version", "1"],
        ]);
        foreach (var x in root) x.EnsureSuccess();
        var grants = $"arn:aws:lambda:us-east-1:{Account}:function:grants";
        var (key, secret) = await Server.UserKeysAsync("invoker", JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = "lambda:InvokeFunction", Resource = grants },
                new { Effect = "Allow", Action = "lambda:GetFunction", Resource = grants + ":*" },
            },
        }));
        var r = await Server.AwsBatchAsAsync(key, secret, null,
        [
            ["lambda", "invoke", "--function-name", "grants", "/dev/null"],
            ["lambda", "invoke", "--function-name", "grants:live", "/dev/null"],
            ["lambda", "invoke", "--function-name", "grants", "--qualifier", "1", "/dev/null"],
            ["lambda", "get-function", "--function-name", "grants:live"],
            ["lambda", "get-function", "--function-name", "grants"],
        ]);
        Assert.Equal("$LATEST", r[0].Json().GetProperty("ExecutedVersion").GetString());
        var user = $"arn:aws:iam::{Account}:user/invoker";
        Fails(r[1], "AccessDeniedException", "Invoke", $"User: {user} is not authorized to perform: lambda:InvokeFunction on resource: {grants}:live");
        Fails(r[2], "AccessDeniedException", "Invoke", $"User: {user} is not authorized to perform: lambda:InvokeFunction on resource: {grants}:1");
        // A wildcard after the colon covers the qualified ARNs and not the unqualified one.
        Assert.Equal("1", r[3].Json().GetProperty("Configuration").GetProperty("Version").GetString());
        Fails(r[4], "AccessDeniedException", "GetFunction", $"User: {user} is not authorized to perform: lambda:GetFunction on resource: {grants}");
    }

    [Fact]
    public async Task The_sdk_routes_a_weighted_alias_exactly_and_pages_aliases()
    {
        var role = await FunctionPackage.RoleAsync(Server, "sdk-ver-role");
        var r = await Server.NodeAsync("lambda-versions", new
        {
            role,
            name = "sdk-ver",
            one = Convert.ToBase64String(await File.ReadAllBytesAsync(await FunctionPackage.ZipAsync(("index.js", Handler("one"))))),
            two = Convert.ToBase64String(await File.ReadAllBytesAsync(await FunctionPackage.ZipAsync(("index.js", Handler("two"))))),
        });
        Assert.False(r.TryGetProperty("error", out var error), error.ToString());
        var sdkArn = $"arn:aws:lambda:us-east-1:{Account}:function:sdk-ver";

        Assert.Equal("1", r.GetProperty("created").GetString());
        Assert.Equal("2", r.GetProperty("updated").GetString());
        // 20 invocations of an alias of version 2 that routes 25% to version 1: exactly 5 run version 1, with its code.
        var runs = r.GetProperty("runs").EnumerateArray().Select(x => (x.GetProperty("executed").GetString(), x.GetProperty("code").GetString())).ToList();
        Assert.Equal(20, runs.Count);
        Assert.Equal(5, runs.Count(x => x == ("1", "one")));
        Assert.Equal(15, runs.Count(x => x == ("2", "two")));
        Assert.Equal(["canary", "live", "old"], r.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(3, r.GetProperty("aliasPages").GetInt32());

        var stale = r.GetProperty("staleUpdate").GetProperty("error");
        Assert.Equal("PreconditionFailedException", stale.GetProperty("name").GetString());
        Assert.Equal(412, stale.GetProperty("status").GetInt32());
        var missing = r.GetProperty("missingVersion").GetProperty("error");
        Assert.Equal("ResourceNotFoundException", missing.GetProperty("name").GetString());
        Assert.Equal($"Function not found: {sdkArn}:7", missing.GetProperty("message").GetString());
        var latest = r.GetProperty("weightsOnLatest").GetProperty("error");
        Assert.Equal("InvalidParameterValueException", latest.GetProperty("name").GetString());
        Assert.Equal("$LATEST is not supported for an alias pointing to more than 1 version", latest.GetProperty("message").GetString());
        var own = r.GetProperty("weightOnOwnVersion").GetProperty("error");
        Assert.Equal("Invalid function version 2. Function version 2 is already included in routing configuration.", own.GetProperty("message").GetString());
        Assert.Equal(204, r.GetProperty("deletedFunction").GetInt32());
        Assert.Equal("ResourceNotFoundException", r.GetProperty("aliasGone").GetProperty("error").GetProperty("name").GetString());
    }
}
