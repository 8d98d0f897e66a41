using static LocalShift.Sql.Tests.ExternalFunctions.ExternalFunctionServer;

using LocalShift.Engine;

namespace LocalShift.Sql.Tests.ExternalFunctions;

/// <summary>Creating, replacing, overloading, dropping and granting external functions, and their life across restarts.</summary>
[Collection("external functions")]
public sealed class ExternalFunctionDdlTests(ExternalFunctionServer server) : IClassFixture<ExternalFunctionServer>
{
    [Fact]
    public async Task Functions_overload_by_signature_replace_only_with_the_same_return_type_and_drop_by_signature()
    {
        var role = await server.CreateRoleAsync("exf-ddl-role");
        var port = await server.CreateClusterAsync("exf-ddl", role);
        server.Lambda.Define("exf-ddl-add", ExternalFunctionTests.AddHandler);
        server.Lambda.Define("exf-ddl-id", ExternalFunctionTests.IdentityHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_ov(int) returns int volatile lambda 'exf-ddl-id' iam_role '{role}'");
        await RunAsync(db, $"create external function f_ov(quantity int, price int) returns int stable lambda 'exf-ddl-add' iam_role '{role}' retry_timeout 1000 max_batch_rows 10 max_batch_size 64 kb");
        Assert.Equal(7, await ScalarAsync(db, "select f_ov(7)"));
        Assert.Equal(12, await ScalarAsync(db, "select f_ov(7, 5)"));

        var duplicate = await FailsAsync(port, $"create external function f_ov(integer) returns integer volatile lambda 'exf-ddl-id' iam_role '{role}'");
        Assert.Equal("42723", duplicate.SqlState);
        Assert.Equal("function \"f_ov\" already exists with same argument types", duplicate.MessageText);
        var returnType = await FailsAsync(port, $"create or replace external function f_ov(int) returns varchar volatile lambda 'exf-ddl-id' iam_role '{role}'");
        Assert.Equal("cannot change return type of existing function", returnType.MessageText);
        // OR REPLACE points the signature at another Lambda function.
        await RunAsync(db, $"create or replace external function f_ov(int4) returns int4 volatile lambda 'exf-ddl-add' iam_role '{role}'");
        Assert.Null(await ScalarAsync(db, "select f_ov(7)"));

        var (exit, listing, _) = await PsqlAsync(port, "\\df f_ov");
        Assert.Equal(0, exit);
        Assert.Contains("public|f_ov|integer|integer|normal", listing);
        Assert.Contains("public|f_ov|integer|integer, integer|normal", listing);

        await RunAsync(db, "drop function f_ov(integer)");
        var gone = await FailsAsync(port, "select f_ov(1)");
        Assert.Equal("42883", gone.SqlState);
        Assert.Equal("function f_ov(integer) does not exist", gone.MessageText);
        Assert.Equal("function f_ov(integer) does not exist", (await FailsAsync(port, "drop function f_ov(int)")).MessageText);
        await RunAsync(db, "drop function if exists f_ov(int)");
        Assert.Equal(3, await ScalarAsync(db, "select f_ov(1, 2)"));
    }

    [Fact]
    public async Task Creating_needs_usage_on_language_exfunc_and_calling_needs_execute()
    {
        var role = await server.CreateRoleAsync("exf-priv-role");
        var port = await server.CreateClusterAsync("exf-priv", role);
        server.Lambda.Define("exf-priv-id", ExternalFunctionTests.IdentityHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, "create user dana password 'Passw0rdDana'");
        await RunAsync(db, "create user eli password 'Passw0rdEli'");
        var create = $"create external function f_priv(int) returns int volatile lambda 'exf-priv-id' iam_role '{role}'";

        var denied = await FailsAsync(port, create, "dana", "Passw0rdDana");
        Assert.Equal("42501", denied.SqlState);
        Assert.Equal("permission denied for language exfunc", denied.MessageText);
        await RunAsync(db, "grant usage on language exfunc to dana");
        await using (var dana = await ConnectAsync(port, "dana", "Passw0rdDana"))
        {
            await RunAsync(dana, create);
            Assert.Equal(4, await ScalarAsync(dana, "select f_priv(4)"));
        }
        Assert.Equal("42501", (await FailsAsync(port, create.Replace("create ", "create or replace "), "dana", "Passw0rdDana")).SqlState);

        // EXECUTE belongs to PUBLIC until revoked; then only the owner, superusers and grantees may call it.
        await using (var eli = await ConnectAsync(port, "eli", "Passw0rdEli")) Assert.Equal(5, await ScalarAsync(eli, "select f_priv(5)"));
        await RunAsync(db, "revoke execute on function f_priv(int) from public");
        var noExecute = await FailsAsync(port, "select f_priv(5)", "eli", "Passw0rdEli");
        Assert.Equal("42501", noExecute.SqlState);
        Assert.Equal("permission denied for function f_priv", noExecute.MessageText);
        await using (var dana = await ConnectAsync(port, "dana", "Passw0rdDana")) Assert.Equal(6, await ScalarAsync(dana, "select f_priv(6)"));
        await RunAsync(db, "grant execute on function f_priv(integer) to eli");
        await using (var eli = await ConnectAsync(port, "eli", "Passw0rdEli")) Assert.Equal(7, await ScalarAsync(eli, "select f_priv(7)"));

        // Only the owner or a superuser drops it.
        Assert.Equal("must be owner of function f_priv", (await FailsAsync(port, "drop function f_priv(int)", "eli", "Passw0rdEli")).MessageText);
        await RunAsync(db, "revoke usage on language exfunc from dana");
        Assert.Equal("permission denied for language exfunc",
            (await FailsAsync(port, create.Replace("f_priv", "f_priv2"), "dana", "Passw0rdDana")).MessageText);
    }

    [Fact]
    public async Task Functions_survive_a_restart_and_a_server_without_the_function_says_so()
    {
        var role = await server.CreateRoleAsync("exf-restart-role");
        var port = await server.CreateClusterAsync("exf-restart", role);
        server.Lambda.Define("exf-restart-id", ExternalFunctionTests.IdentityHandler);
        await using (var db = await ConnectAsync(port))
            await RunAsync(db, $"create external function f_kept(varchar) returns varchar stable lambda 'exf-restart-id' iam_role '{role}'");

        await server.RestartAsync(withLambda: false);
        port = await PortOfAsync("exf-restart");
        // Without the test's invoker the server calls its own Lambda as the role's session; the role may not invoke
        // anything there (and no function of that name exists), so Lambda refuses it as AWS would, before looking.
        var unavailable = await FailsAsync(port, "select f_kept('a')");
        Assert.Equal("Invoke Lambda function exf-restart-id failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exf-restart-role/RedshiftIamRoleSession is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:exf-restart-id because no identity-based policy allows the lambda:InvokeFunction action",
            unavailable.MessageText);

        await server.RestartAsync(withLambda: true);
        port = await PortOfAsync("exf-restart");
        await using (var db = await ConnectAsync(port))
            Assert.Equal("kept", await ScalarAsync(db, "select f_kept('kept')"));

        // A cluster created after the restarts is served by the running server only: the stopped ones (one of them
        // without the test's invoker) start nothing more from the data dir.
        var laterPort = await server.CreateClusterAsync("exf-restart-later", role);
        await using (var db = await ConnectAsync(laterPort))
        {
            await RunAsync(db, $"create external function f_later(varchar) returns varchar stable lambda 'exf-restart-id' iam_role '{role}'");
            Assert.Equal("later", await ScalarAsync(db, "select f_later('later')"));
        }
        // And once the last server stops too, nothing serves the cluster: a stopped server's lifecycle loop would
        // start it again at its next poll (every second).
        await server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        // (A stopped server that found the port taken would have moved the cluster up the range and listened there.)
        foreach (var p in Enumerable.Range(server.SqlPortStart, 40))
            Assert.False(await AcceptsAsync(p), $"a stopped server serves port {p} (the cluster was on {laterPort})");
        await server.RestartAsync();
    }

    private async Task<int> PortOfAsync(string cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", cluster));
            var port = doc.RootElement.GetProperty("Clusters")[0].GetProperty("Endpoint").GetProperty("Port").GetInt32();
            try
            {
                await using var db = await ConnectAsync(port);
                return port;
            }
            catch (Npgsql.NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
