using System.Text;
using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Spectrum;

/// <summary>
/// A session keeps the staged links of the objects its previous statement read (and the engine's prepared query over
/// them, when a statement comes again), yet every statement still lists and reads each object as the schema's role:
/// a replaced object is read in its new version, a new or deleted object is seen at once, and a GetObject the role is
/// refused fails the statement though a link to that object is kept.
/// </summary>
public sealed class SpectrumStagingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Kept_links_serve_only_the_version_the_role_just_read()
    {
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("SpectrumStagingReader", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-staging", "arn:aws:s3:::spectrum-staging/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumstaging", [role]);
        await story.MakeBucketAsync("spectrum-staging", ("t/a.txt", "1|a\n2|b\n"));
        var setup = await story.PsqlAsync(port,
            $"create external schema s from data catalog database 'stagingdb' iam_role '{role}' create external database if not exists",
            "create external table s.t(id int, v varchar(5)) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-staging/t/'");
        Assert.True(setup.ExitCode == 0, setup.ToString());

        using var http = new HttpClient();
        async Task<List<string>> ReadsAsync()
        {
            using var log = JsonDocument.Parse(await http.GetStringAsync($"{Server.Endpoint}/_localshift/decisions?action=s3:GetObject&limit=1000"));
            return log.RootElement.GetProperty("decisions").EnumerateArray()
                .Where(d => d.GetProperty("resource").GetString()!.StartsWith("arn:aws:s3:::spectrum-staging/", StringComparison.Ordinal))
                .Select(d => d.GetProperty("time").GetString() + " " + d.GetProperty("resource").GetString() + " " + d.GetProperty("decision").GetString()).ToList();
        }

        await using var sql = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=30;Include Error Detail=true");
        await sql.OpenAsync();
        async Task<string> SumAsync()
        {
            await using var command = new NpgsqlCommand("select sum(id), count(*) from s.t", sql);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return $"{reader.GetValue(0)} {reader.GetValue(1)}";
        }

        // The same statement three times (the second and third name the link the first made): each reads the object as the role.
        var before = await ReadsAsync();
        for (var i = 0; i < 3; i++) Assert.Equal("3 2", await SumAsync());
        Assert.Equal(3, (await ReadsAsync()).Except(before).Count(d => d.EndsWith("/t/a.txt allowed", StringComparison.Ordinal)));

        // The object replaced: its new version is read, again and again.
        await story.PutAsync("spectrum-staging", "t/a.txt", Encoding.UTF8.GetBytes("10|x\n20|y\n30|z\n"));
        for (var i = 0; i < 3; i++) Assert.Equal("60 3", await SumAsync());

        // Another object added, then deleted: listed at every statement.
        await story.PutAsync("spectrum-staging", "t/b.txt", Encoding.UTF8.GetBytes("5|w\n"));
        Assert.Equal("65 4", await SumAsync());
        Assert.Equal("65 4", await SumAsync());
        (await Server.AwsAsync("s3", "rm", "s3://spectrum-staging/t/b.txt")).EnsureSuccess();
        Assert.Equal("60 3", await SumAsync());

        // The role refused the object it has a kept link to: the statement fails with the S3 error, and the refusal is logged.
        var deny = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Deny", Action = "s3:GetObject", Resource = "arn:aws:s3:::spectrum-staging/t/a.txt" } },
        });
        (await Server.AwsAsync("iam", "put-role-policy", "--role-name", "SpectrumStagingReader", "--policy-name", "deny-a", "--policy-document", deny)).EnsureSuccess();
        before = await ReadsAsync();
        var refused = await Assert.ThrowsAsync<PostgresException>(SumAsync);
        Assert.Equal("Spectrum Scan Error", refused.MessageText);
        Assert.Contains("Access Denied", refused.Detail);
        Assert.Contains((await ReadsAsync()).Except(before), d => d.Contains("/t/a.txt ", StringComparison.Ordinal) && !d.EndsWith(" allowed", StringComparison.Ordinal));

        // Allowed again: read as the role, and the same rows (from psql: Npgsql gives up a connection after an XX000 error).
        (await Server.AwsAsync("iam", "delete-role-policy", "--role-name", "SpectrumStagingReader", "--policy-name", "deny-a")).EnsureSuccess();
        var again = await story.PsqlAsync(port, "select sum(id), count(*) from s.t");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("60|3", again.Stdout.Trim());
    }
}
