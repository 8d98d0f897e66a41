using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Spectrum;

/// <summary>
/// The OpenX JSON SerDe's SERDEPROPERTIES as Redshift Spectrum reads JSON through them: <c>'mapping.column'='key'</c>
/// reads a column from a key of another name, keys compare without regard to case unless <c>case.insensitive</c> is
/// false, and <c>dots.in.keys</c> reads a key's dots as underscores. Objects put with <c>aws s3</c>, tables made in
/// SQL and with <c>aws glue create-table</c>, read with psql.
/// </summary>
public sealed class SpectrumJsonTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Json_serde_mapping_case_and_dots_properties_choose_the_keys_a_scan_reads()
    {
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("SpectrumJsonReader", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-json", "arn:aws:s3:::spectrum-json/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumjson", [role]);
        // CloudTrail-like lines: keys in mixed case, one with a dot, one a reserved word of SQL ("user"); and lines
        // with two keys that differ only in case.
        await story.MakeBucketAsync("spectrum-json",
            ("trail/a.json",
                """{"eventVersion":"1","RequestTimestamp":"2024-01-02 03:04:05","eventName":"GetObject","user":{"Name":"ann"},"event.source":"s3"}""" + "\n" +
                """{"eventVersion":"2","requesttimestamp":"2024-01-03 00:00:00","EVENTNAME":"PutObject","event.source":"iam"}""" + "\n"),
            ("ci/a.json",
                """{"URL":"https://a","Url":"x","id":1}""" + "\n" + """{"URL":"https://b","id":2}""" + "\n"));

        var r = await story.PsqlAsync(port,
            $"create external schema j from data catalog database 'jsondb' iam_role '{role}' create external database if not exists",
            // Redshift's documented example: a column mapped to a key of another name, with dots.in.keys.
            """
            create external table j.trail(eventversion int, requesttime timestamp, eventname varchar(20), who varchar(100), event_source varchar(10))
            row format serde 'org.openx.data.jsonserde.JsonSerDe'
            with serdeproperties ('dots.in.keys' = 'true', 'mapping.requesttime' = 'requesttimestamp', 'mapping.who' = 'User')
            location 's3://spectrum-json/trail/'
            """,
            "select eventversion, requesttime, eventname, who, event_source from j.trail order by eventversion");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "CREATE SCHEMA", "CREATE EXTERNAL TABLE",
                // Keys compare without case (the default); a nested object reads as its JSON text; "event.source" is
                // column event_source under dots.in.keys.
                "1|2024-01-02 03:04:05|GetObject|{\"Name\":\"ann\"}|s3",
                "2|2024-01-03 00:00:00|PutObject||iam",
            ],
            r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Without dots.in.keys the key "event.source" is not column event_source (nor is "eventName" column eventname
        // without a mapping under case.insensitive false). URL and Url are one key under the default case.insensitive,
        // which the SerDe refuses as a duplicate key.
        var plain = await story.PsqlAsync(port,
            """
            create external table j.trail2(eventname varchar(20), event_source varchar(10))
            row format serde 'org.openx.data.jsonserde.JsonSerDe' location 's3://spectrum-json/trail/'
            """,
            "select count(*), count(eventname), count(event_source) from j.trail2",
            """
            create external table j.trail3(eventname varchar(20), eventversion int)
            row format serde 'org.openx.data.jsonserde.JsonSerDe' with serdeproperties ('case.insensitive'='false', 'mapping.eventversion'='eventVersion')
            location 's3://spectrum-json/trail/'
            """,
            "select count(*), count(eventname), sum(eventversion) from j.trail3",
            """
            create external table j.dup(url varchar(20))
            row format serde 'org.openx.data.jsonserde.JsonSerDe' location 's3://spectrum-json/ci/'
            """);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal(["CREATE EXTERNAL TABLE", "2|2|0", "CREATE EXTERNAL TABLE", "2|0|3", "CREATE EXTERNAL TABLE"],
            plain.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var duplicate = await story.PsqlAsync(port, "select count(url) from j.dup");
        Assert.True(duplicate.ExitCode != 0, duplicate.ToString());

        // case.insensitive false, made with aws glue create-table as a crawler or a script would: keys as they are,
        // mapped apart (the Athena documentation's URL/Url example).
        (await Server.AwsAsync("glue", "create-table", "--database-name", "jsondb", "--table-input", JsonSerializer.Serialize(new
        {
            Name = "urls",
            TableType = "EXTERNAL_TABLE",
            StorageDescriptor = new
            {
                Columns = new[] { new { Name = "url1", Type = "string" }, new { Name = "url2", Type = "string" }, new { Name = "id", Type = "int" } },
                Location = "s3://spectrum-json/ci/",
                InputFormat = "org.apache.hadoop.mapred.TextInputFormat",
                OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                SerdeInfo = new
                {
                    SerializationLibrary = "org.openx.data.jsonserde.JsonSerDe",
                    Parameters = new Dictionary<string, string> { ["case.insensitive"] = "FALSE", ["mapping.url1"] = "URL", ["mapping.url2"] = "Url" },
                },
            },
        }))).EnsureSuccess();
        var urls = await story.PsqlAsync(port, "select id, url1, coalesce(url2, '<null>') from j.urls order by id");
        Assert.True(urls.ExitCode == 0, urls.ToString());
        Assert.Equal(["1|https://a|x", "2|https://b|<null>"], urls.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // With case.insensitive false a key of another case is not the column's: "ID" is not column id.
        await story.PutAsync("spectrum-json", "ci/b.json", """{"URL":"https://c","ID":3}"""u8.ToArray());
        var cased = await story.PsqlAsync(port, "select count(*), count(id) from j.urls");
        Assert.True(cased.ExitCode == 0, cased.ToString());
        Assert.Equal("3|2", cased.Stdout.Trim());
    }
}
