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
    [Fact]
    public async Task Insert_into_a_json_table_writes_each_mapped_column_under_its_json_key()
    {
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("SpectrumJsonWriter", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:PutObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-jsonw", "arn:aws:s3:::spectrum-jsonw/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumjsonw", [role]);
        await story.MakeBucketAsync("spectrum-jsonw");

        var r = await story.PsqlAsync(port,
            $"create external schema w from data catalog database 'jsonwdb' iam_role '{role}' create external database if not exists",
            "create table events(id int, requesttime timestamp, who varchar(10), event_source varchar(10))",
            "insert into events values (1, '2024-01-02 03:04:05', 'ann', 's3'), (2, '2024-01-03 00:00:00', null, 'iam')",
            // Under the default case.insensitive the SerDe keeps its mappings lowercased; dots.in.keys changes nothing
            // on write (event_source is written as it is, and read back as itself).
            """
            create external table w.lower(id int, requesttime timestamp, who varchar(10), event_source varchar(10))
            row format serde 'org.openx.data.jsonserde.JsonSerDe'
            with serdeproperties ('mapping.requesttime'='RequestTimestamp', 'mapping.who'='User', 'dots.in.keys'='true')
            location 's3://spectrum-jsonw/lower/'
            """,
            "insert into w.lower select * from events",
            "select id, requesttime, coalesce(who, '<null>'), event_source from w.lower order by id",
            // With case.insensitive false the keys are written as the mappings give them, and read back through them.
            """
            create external table w.cased(id int, requesttime timestamp, who varchar(10))
            row format serde 'org.openx.data.jsonserde.JsonSerDe'
            with serdeproperties ('case.insensitive'='false', 'mapping.requesttime'='RequestTimestamp', 'mapping.who'='User')
            location 's3://spectrum-jsonw/cased/'
            """,
            "insert into w.cased select id, requesttime, who from events",
            "select id, requesttime, coalesce(who, '<null>') from w.cased order by id");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "CREATE SCHEMA", "CREATE TABLE", "INSERT 0 2", "CREATE EXTERNAL TABLE", "INSERT 0 2",
                "1|2024-01-02 03:04:05|ann|s3", "2|2024-01-03 00:00:00|<null>|iam",
                "CREATE EXTERNAL TABLE", "INSERT 0 2",
                "1|2024-01-02 03:04:05|ann", "2|2024-01-03 00:00:00|<null>",
            ],
            r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The objects as another reader of the table finds them: the mapped keys, not the column names.
        async Task<List<string>> KeysOfFirstLine(string prefix)
        {
            var key = Assert.Single(await story.KeysAsync("spectrum-jsonw", prefix));
            Assert.EndsWith(".json", key);
            var lines = (await story.ReadAsync("spectrum-jsonw", key)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            using var first = JsonDocument.Parse(lines.Single(l => l.Contains("ann", StringComparison.Ordinal)));
            return first.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        }
        Assert.Equal(["id", "requesttimestamp", "user", "event_source"], await KeysOfFirstLine("lower/"));
        Assert.Equal(["id", "RequestTimestamp", "User"], await KeysOfFirstLine("cased/"));

        // Two columns mapped to one key cannot both be written.
        var clash = await story.PsqlAsync(port,
            """
            create external table w.clash(a int, b int)
            row format serde 'org.openx.data.jsonserde.JsonSerDe' with serdeproperties ('mapping.b'='A')
            location 's3://spectrum-jsonw/clash/'
            """,
            "insert into w.clash select 1, 2");
        Assert.NotEqual(0, clash.ExitCode);
        Assert.Contains("the JSON key \"a\" is written for more than one column", clash.Stderr);
        Assert.Empty(await story.KeysAsync("spectrum-jsonw", "clash/"));
    }

    [Fact]
    public async Task A_malformed_json_line_fails_the_scan_unless_ignore_malformed_json_makes_it_a_row_of_nulls()
    {
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("SpectrumJsonMalformed", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-jsonbad", "arn:aws:s3:::spectrum-jsonbad/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumjsonbad", [role]);
        await story.MakeBucketAsync("spectrum-jsonbad",
            ("logs/day=1/good.json", """{"id":1,"name":"a"}""" + "\n" + """{"id":2,"name":"b"}""" + "\n"),
            ("logs/day=2/mixed.json", """{"id":3,"name":"c"}""" + "\n" + """{"id":4,"name": }""" + "\n" + """{"id":5,"name":"e"}""" + "\n"));

        var r = await story.PsqlAsync(port,
            $"create external schema m from data catalog database 'jsonbaddb' iam_role '{role}' create external database if not exists",
            """
            create external table m.strict(id int, name varchar(10)) partitioned by (day int)
            row format serde 'org.openx.data.jsonserde.JsonSerDe' location 's3://spectrum-jsonbad/logs/'
            """,
            "alter table m.strict add partition (day=1) location 's3://spectrum-jsonbad/logs/day=1/' partition (day=2) location 's3://spectrum-jsonbad/logs/day=2/'",
            """
            create external table m.lenient(id int, name varchar(10)) partitioned by (day int)
            row format serde 'org.openx.data.jsonserde.JsonSerDe' with serdeproperties ('ignore.malformed.json'='TRUE')
            location 's3://spectrum-jsonbad/logs/'
            """,
            "alter table m.lenient add partition (day=1) location 's3://spectrum-jsonbad/logs/day=1/' partition (day=2) location 's3://spectrum-jsonbad/logs/day=2/'",
            // The partition that holds no malformed line reads as before.
            "select count(*), sum(id) from m.strict where day = 1",
            "select day, coalesce(cast(id as varchar), '<null>'), coalesce(name, '<null>') from m.lenient order by day, id nulls last",
            "select count(*), count(id), count(name) from m.lenient where day = 2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "CREATE SCHEMA", "CREATE EXTERNAL TABLE", "ALTER TABLE", "CREATE EXTERNAL TABLE", "ALTER TABLE",
                "2|3",
                "1|1|a", "1|2|b", "2|3|c", "2|5|e", "2|<null>|<null>",
                "3|2|2",
            ],
            r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Without the property the scan fails, naming the object (never the server's own copy of it).
        var strict = await story.PsqlAsync(port, "select count(*) from m.strict");
        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("Spectrum Scan Error", strict.Stderr);
        Assert.Contains("malformed JSON record in file 's3://spectrum-jsonbad/logs/day=2/mixed.json'", strict.Stderr);
        Assert.DoesNotContain("/tmp", strict.Stderr);
        Assert.DoesNotContain("staging", strict.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
