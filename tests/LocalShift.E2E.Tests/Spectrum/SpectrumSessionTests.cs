using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Spectrum;

/// <summary>
/// The external schema's role session is reused between statements while nothing it was decided on changed, as AWS
/// services cache a role's credentials: the trust policy is not evaluated again for each statement, but every Glue and
/// S3 call is still authorized as the session and logged; a change to IAM (here the trust policy, with
/// <c>aws iam update-assume-role-policy</c>) makes the next statement assume the role afresh and be refused.
/// </summary>
public sealed class SpectrumSessionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Role_session_is_reused_between_statements_until_iam_changes()
    {
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("SpectrumSessionReader", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-session", "arn:aws:s3:::spectrum-session/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumsession", [role]);
        await story.MakeBucketAsync("spectrum-session", ("t/a.txt", "1|a\n2|b\n"));
        var setup = await story.PsqlAsync(port,
            $"create external schema s from data catalog database 'sessiondb' iam_role '{role}' create external database if not exists",
            "create external table s.t(id int, v varchar(5)) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-session/t/'");
        Assert.True(setup.ExitCode == 0, setup.ToString());

        using var http = new HttpClient();
        async Task<List<string>> DecisionsAsync(string action)
        {
            using var log = JsonDocument.Parse(await http.GetStringAsync($"{Server.Endpoint}/_localshift/decisions?action={action}&limit=1000"));
            return log.RootElement.GetProperty("decisions").EnumerateArray()
                .Where(d => d.GetProperty("resource").GetString()!.Contains("spectrum-session", StringComparison.Ordinal) || d.GetProperty("resource").GetString() == role)
                .Select(d => d.GetProperty("time").GetString() + " " + d.GetProperty("decision").GetString()).ToList();
        }

        var assumesBefore = await DecisionsAsync("sts:AssumeRole");
        var readsBefore = await DecisionsAsync("s3:GetObject");
        var twice = await story.PsqlAsync(port, "select count(*) from s.t", "select sum(id) from s.t");
        Assert.True(twice.ExitCode == 0, twice.ToString());
        Assert.Equal(["2", "3"], twice.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // Each statement read the object as the role (two GetObject decisions), but the role was not assumed again.
        Assert.Equal(2, (await DecisionsAsync("s3:GetObject")).Except(readsBefore).Count());
        Assert.Empty((await DecisionsAsync("sts:AssumeRole")).Except(assumesBefore));

        // The trust policy no longer allows Redshift: the next statement assumes the role again and is refused.
        const string nobody = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        (await Server.AwsAsync("iam", "update-assume-role-policy", "--role-name", "SpectrumSessionReader", "--policy-document", nobody)).EnsureSuccess();
        var refused = await story.PsqlAsync(port, "select count(*) from s.t");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is not authorized to assume IAM Role", refused.Stderr);
        Assert.Contains((await DecisionsAsync("sts:AssumeRole")).Except(assumesBefore), d => !d.EndsWith(" allowed", StringComparison.Ordinal));

        // Allowed again: assumed afresh, and reused from then on.
        (await Server.AwsAsync("iam", "update-assume-role-policy", "--role-name", "SpectrumSessionReader", "--policy-document", RoleStory.RedshiftTrust)).EnsureSuccess();
        var again = await story.PsqlAsync(port, "select count(*) from s.t");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("2", again.Stdout.Trim());
    }
}
