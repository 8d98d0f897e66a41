using System.Text.Json;
using System.Text.RegularExpressions;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Spectrum;

/// <summary>
/// Writes to external tables as Redshift runs them: CREATE EXTERNAL TABLE … AS and INSERT INTO an external table put
/// Parquet or text files under the table's location as the schema's role, a folder per partition, registered in the
/// catalog; psql reads them back at once, aws s3 and aws glue see them, and a write S3 refuses leaves nothing behind.
/// </summary>
public partial class SpectrumWriteTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [GeneratedRegex(@"^\d{8}_\d{6}_\d{6}_\d+_\d{4}_part_\d{2}\.(parquet|txt)$")]
    private static partial Regex RedshiftFileName();

    [Fact]
    public async Task Create_external_table_as_and_insert_write_files_the_catalog_and_s3_show_and_a_refused_write_leaves_none()
    {
        var story = new RoleStory(Server);
        var writer = await story.CreateRoleAsync("SpectrumWriter", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:PutObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-write", "arn:aws:s3:::spectrum-write/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        // Reads and may register partitions, but S3 refuses its puts.
        var reader = await story.CreateRoleAsync("SpectrumReadOnly", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::spectrum-write", "arn:aws:s3:::spectrum-write/*" } },
                new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } },
            },
        }));
        var port = await story.CreateClusterAsync("spectrumwrite", [writer, reader]);
        await story.MakeBucketAsync("spectrum-write", ("taken/old.txt", "1\n"));

        var r = await story.PsqlAsync(port,
            $"create external schema w from data catalog database 'writedb' iam_role '{writer}' create external database if not exists",
            $"create external schema ro from data catalog database 'writedb' iam_role '{reader}'",
            "create table sales(id int, item varchar(10), price decimal(8,2), day date)",
            "insert into sales values (1, 'pen', 1.50, '2024-01-01'), (2, 'ink', 2.25, '2024-01-01'), (3, null, 3.00, '2024-01-02')",
            """
            create external table w.daily partitioned by (day) stored as parquet location 's3://spectrum-write/daily/'
            as select day, id, item, price from sales
            """,
            "select day, count(*), sum(price), count(item) from w.daily group by day order by day",
            "insert into w.daily select id + 10, item, price * 2, day from sales where id = 1",
            "insert into w.daily select 99, 'new', 9.99, date '2024-03-01'",
            "select count(*), sum(id), max(day) from w.daily",
            "create external table w.lines(id int, item varchar(10)) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-write/lines/'",
            "insert into w.lines select id, item from sales",
            "select id, coalesce(item, '<null>') from w.lines order by id");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "CREATE SCHEMA", "CREATE SCHEMA", "CREATE TABLE", "INSERT 0 3", "CREATE EXTERNAL TABLE",
                "2024-01-01|2|3.75|2", "2024-01-02|1|3.00|0",
                "INSERT 0 1", "INSERT 0 1",
                "5|116|2024-03-01",
                "CREATE EXTERNAL TABLE", "INSERT 0 3",
                "1|pen", "2|ink", "3|<null>",
            ],
            r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The catalog has the table with the query's columns, the partition key last, and each partition written.
        var table = (await Server.AwsAsync("glue", "get-table", "--database-name", "writedb", "--name", "daily")).EnsureSuccess().Json().GetProperty("Table");
        Assert.Equal(["id:int", "item:varchar(10)", "price:decimal(8,2)"],
            table.GetProperty("StorageDescriptor").GetProperty("Columns").EnumerateArray().Select(c => $"{c.GetProperty("Name").GetString()}:{c.GetProperty("Type").GetString()}"));
        Assert.Equal("day:date", table.GetProperty("PartitionKeys").EnumerateArray().Select(c => $"{c.GetProperty("Name").GetString()}:{c.GetProperty("Type").GetString()}").Single());
        var partitions = (await Server.AwsAsync("glue", "get-partitions", "--database-name", "writedb", "--table-name", "daily")).EnsureSuccess().Json().GetProperty("Partitions");
        Assert.Equal(["2024-01-01 s3://spectrum-write/daily/day=2024-01-01/", "2024-01-02 s3://spectrum-write/daily/day=2024-01-02/", "2024-03-01 s3://spectrum-write/daily/day=2024-03-01/"],
            partitions.EnumerateArray().Select(p => $"{p.GetProperty("Values")[0].GetString()} {p.GetProperty("StorageDescriptor").GetProperty("Location").GetString()}").Order());

        // aws s3 ls shows the files under the partition folders, named as Redshift names them.
        var listed = (await Server.AwsAsync("s3", "ls", "--recursive", "s3://spectrum-write/")).EnsureSuccess().Stdout
            .Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();
        var daily = listed.Where(k => k.StartsWith("daily/", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, daily.Count);
        Assert.Equal(2, daily.Count(k => k.StartsWith("daily/day=2024-01-01/", StringComparison.Ordinal)));
        Assert.All(daily, k => Assert.Matches(RedshiftFileName(), k[(k.LastIndexOf('/') + 1)..]));
        var lines = listed.Where(k => k.StartsWith("lines/", StringComparison.Ordinal)).ToList();
        Assert.EndsWith(".txt", Assert.Single(lines));
        // Hive's delimited text: '|' between fields, NULL as \N.
        Assert.Equal("1|pen\n2|ink\n3|\\N\n", await story.ReadAsync("spectrum-write", lines[0]));

        // Over the extended protocol (Npgsql: Parse, Describe, Execute, a bound parameter) the INSERT's query is what
        // is checked; the rows land at once.
        await using (var npgsql = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=10"))
        {
            await npgsql.OpenAsync();
            await using var insert = new NpgsqlCommand("insert into w.lines select id + 100, item from sales where id = $1", npgsql) { Parameters = { new NpgsqlParameter { Value = 2 } } };
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            await using var count = new NpgsqlCommand("select count(*) from w.lines", npgsql);
            Assert.Equal(4L, await count.ExecuteScalarAsync());
        }
        listed = (await Server.AwsAsync("s3", "ls", "--recursive", "s3://spectrum-write/")).EnsureSuccess().Stdout
            .Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();
        Assert.Equal(2, listed.Count(k => k.StartsWith("lines/", StringComparison.Ordinal)));

        // A join's ON on the partition key prunes as a WHERE does: only 2024-01-02's object is read.
        using var http = new HttpClient();
        async Task<List<string>> ReadsAsync()
        {
            using var log = JsonDocument.Parse(await http.GetStringAsync($"{Server.Endpoint}/_localshift/decisions?action=s3:GetObject&limit=1000"));
            return log.RootElement.GetProperty("decisions").EnumerateArray()
                .Select(d => d.GetProperty("time").GetString() + " " + d.GetProperty("resource").GetString())
                .Where(d => d.Contains("arn:aws:s3:::spectrum-write/daily/", StringComparison.Ordinal)).ToList();
        }
        var before = await ReadsAsync();
        var joined = await story.PsqlAsync(port, "select s.id, d.id from sales s join w.daily d on d.day = '2024-01-02' and d.id = s.id");
        Assert.True(joined.ExitCode == 0, joined.ToString());
        Assert.Equal("3|3", joined.Stdout.Trim());
        Assert.Equal(["arn:aws:s3:::spectrum-write/daily/day=2024-01-02/"],
            (await ReadsAsync()).Except(before).Select(d => d[(d.IndexOf(' ') + 1)..(d.LastIndexOf('/') + 1)]).Distinct());

        // Refused writes: S3 refuses the read-only role's put, CREATE … AS needs an empty location, the query must give
        // every column, and Redshift runs neither inside a transaction block. None leaves a file or a partition.
        var refused = await story.PsqlAsync(port, "insert into ro.daily select 7, 'x', 1.00, date '2024-05-05'");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Access Denied", refused.Stderr);
        var notEmpty = await story.PsqlAsync(port, "create external table w.taken stored as parquet location 's3://spectrum-write/taken/' as select 1 as id");
        Assert.Contains("is not empty", notEmpty.Stderr);
        var columns = await story.PsqlAsync(port, "insert into w.lines select id from sales");
        Assert.Contains("INSERT has more target columns than expressions", columns.Stderr);
        var block = await story.PsqlAsync(port, "begin; insert into w.lines select id, item from sales; commit;");
        Assert.Contains("cannot run inside a transaction block", block.Stderr);
        // An outer LIMIT is refused (Redshift asks for a nested one), in INSERT and in CREATE … AS alike.
        var limitedInsert = await story.PsqlAsync(port, "insert into w.lines select id, item from sales order by id limit 1");
        Assert.Contains("use a nested LIMIT clause", limitedInsert.Stderr);
        var limitedCreate = await story.PsqlAsync(port, "create external table w.limited stored as parquet location 's3://spectrum-write/limited/' as select id from sales limit 1");
        Assert.Contains("use a nested LIMIT clause", limitedCreate.Stderr);
        var after = (await Server.AwsAsync("s3", "ls", "--recursive", "s3://spectrum-write/")).EnsureSuccess().Stdout
            .Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();
        Assert.Equal(listed, after);
        Assert.Equal(3, (await Server.AwsAsync("glue", "get-partitions", "--database-name", "writedb", "--table-name", "daily")).EnsureSuccess().Json().GetProperty("Partitions").GetArrayLength());
        // ALTER TABLE … SET LOCATION / SET TABLE PROPERTIES and a partition's SET LOCATION change the catalog as the role.
        var altered = await story.PsqlAsync(port,
            "alter table w.lines set table properties ('numRows'='4')",
            "alter table w.lines set location 's3://spectrum-write/elsewhere/'",
            "alter table w.daily partition (day='2024-03-01') set location 's3://spectrum-write/moved/'",
            "select count(*) from w.lines",
            "select count(*) from w.daily");
        Assert.True(altered.ExitCode == 0, altered.ToString());
        Assert.Equal(["ALTER TABLE", "ALTER TABLE", "ALTER TABLE", "0", "4"], altered.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var moved = (await Server.AwsAsync("glue", "get-table", "--database-name", "writedb", "--name", "lines")).EnsureSuccess().Json().GetProperty("Table");
        Assert.Equal("s3://spectrum-write/elsewhere/", moved.GetProperty("StorageDescriptor").GetProperty("Location").GetString());
        Assert.Equal("4", moved.GetProperty("Parameters").GetProperty("numRows").GetString());
        Assert.Equal("|", moved.GetProperty("StorageDescriptor").GetProperty("SerdeInfo").GetProperty("Parameters").GetProperty("field.delim").GetString());

        // The puts were the roles' own: the writer's allowed, the read-only role's denied, in the decision log.
        using var log = JsonDocument.Parse(await http.GetStringAsync($"{Server.Endpoint}/_localshift/decisions?action=s3:PutObject&limit=1000"));
        var puts = log.RootElement.GetProperty("decisions").EnumerateArray()
            .Select(d => (Principal: d.GetProperty("principal").GetString()!, Decision: d.GetProperty("decision").GetString()!, Resource: d.GetProperty("resource").GetString()!))
            .Where(d => d.Resource.StartsWith("arn:aws:s3:::spectrum-write/", StringComparison.Ordinal)).ToList();
        Assert.Contains(puts, d => d.Principal.Contains("assumed-role/SpectrumWriter/", StringComparison.Ordinal) && d.Resource.Contains("/daily/day=2024-03-01/", StringComparison.Ordinal));
        Assert.Contains(puts, d => d.Principal.Contains("assumed-role/SpectrumReadOnly/", StringComparison.Ordinal) && d.Decision != "allow"
                                   && d.Resource.Contains("/daily/day=2024-05-05/", StringComparison.Ordinal));
    }
    [Fact]
    public async Task Catalog_role_reads_glue_while_iam_role_reaches_s3_and_insert_writes_opencsv_and_json_tables()
    {
        var story = new RoleStory(Server);
        // S3 only: reads and writes the bucket, may not call Glue.
        var data = await story.CreateRoleAsync("SpectrumDataOnly", policy: RoleStory.S3Policy("spectrum-gaps", "s3:GetObject", "s3:PutObject", "s3:ListBucket"));
        // Glue only: may not read a byte of S3.
        var catalogRole = await story.CreateRoleAsync("SpectrumCatalogOnly", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Allow", Action = new[] { "glue:*" }, Resource = new[] { "*" } } },
        }));
        var port = await story.CreateClusterAsync("spectrumgaps", [data, catalogRole]);
        await story.MakeBucketAsync("spectrum-gaps");

        // Without CATALOG_ROLE the IAM_ROLE calls Glue too, and this one may not.
        var denied = await story.PsqlAsync(port, $"create external schema nocat from data catalog database 'gapsdb' iam_role '{data}' create external database if not exists");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("is not authorized to perform: glue:GetDatabase", denied.Stderr);

        var r = await story.PsqlAsync(port,
            $"create external schema g from data catalog database 'gapsdb' iam_role '{data}' catalog_role '{catalogRole}' create external database if not exists",
            "create table sales(id int, item varchar(10), note char(3), price decimal(8,2), day date)",
            """insert into sales values (1, 'pen', 'a', 1.50, '2024-01-01'), (2, 'in,k"s', 'b', 2.25, '2024-01-01'), (3, null, null, 3.00, '2024-01-02')""",
            "create table days(day date)",
            "insert into days values ('2024-01-02')",
            """
            create external table g.csvt(id int, item varchar(10), price decimal(8,2))
            row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' with serdeproperties ('separatorChar'=',', 'quoteChar'='"')
            stored as textfile location 's3://spectrum-gaps/csv/' table properties ('numRows'='10')
            """,
            "insert into g.csvt select id, item, price from sales",
            "select id, coalesce(item, '<null>'), price from g.csvt order by id",
            """
            create external table g.jsont(id int, item varchar(10), price decimal(8,2)) partitioned by (day date)
            row format serde 'org.openx.data.jsonserde.JsonSerDe' stored as textfile location 's3://spectrum-gaps/json/'
            """,
            "insert into g.jsont select id, item, price, day from sales",
            "select day, count(*), sum(price), count(item) from g.jsont group by day order by day",
            """
            create external table g.copied partitioned by (day) stored as parquet location 's3://spectrum-gaps/copied/'
            as select id, item, note, upper(item) as loud, day from sales
            """,
            "select count(*), max(item) from g.copied");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "CREATE SCHEMA", "CREATE TABLE", "INSERT 0 3", "CREATE TABLE", "INSERT 0 1",
                "CREATE EXTERNAL TABLE", "INSERT 0 3", "1|pen|1.50", "2|in,k\"s|2.25", "3|<null>|3.00",
                "CREATE EXTERNAL TABLE", "INSERT 0 3", "2024-01-01|2|3.75|2", "2024-01-02|1|3.00|0",
                "CREATE EXTERNAL TABLE", "3|pen",
            ],
            r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The files as a Hive reader finds them: OpenCSV quotes every value and escapes quotes; JSON is one object a
        // line, the partition column in the folder rather than the file.
        var keys = await story.KeysAsync("spectrum-gaps", "");
        var csv = Assert.Single(keys, k => k.StartsWith("csv/", StringComparison.Ordinal));
        Assert.EndsWith(".csv", csv);
        Assert.Equal("\"1\",\"pen\",\"1.50\"\n\"2\",\"in,k\\\"s\",\"2.25\"\n\"3\",,\"3.00\"\n", await story.ReadAsync("spectrum-gaps", csv));
        var json = keys.Where(k => k.StartsWith("json/", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(2, json.Count);
        Assert.StartsWith("json/day=2024-01-02/", json[1]);
        Assert.EndsWith(".json", json[1]);
        var line = Assert.Single((await story.ReadAsync("spectrum-gaps", json[1])).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using (var row = JsonDocument.Parse(line))
            Assert.Equal(["id=3", "item=Null", "price=3"],
                row.RootElement.EnumerateObject().Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDecimal().ToString("G29", System.Globalization.CultureInfo.InvariantCulture) : p.Value.ValueKind.ToString())}"));

        // CREATE EXTERNAL TABLE AS records a VARCHAR's length where the query reads a column as it is.
        var copied = (await Server.AwsAsync("glue", "get-table", "--database-name", "gapsdb", "--name", "copied")).EnsureSuccess().Json().GetProperty("Table");
        Assert.Equal(["id:int", "item:varchar(10)", "note:char(3)", "loud:varchar(65535)"],
            copied.GetProperty("StorageDescriptor").GetProperty("Columns").EnumerateArray().Select(c => $"{c.GetProperty("Name").GetString()}:{c.GetProperty("Type").GetString()}"));
        // Redshift keeps 'numRows' up to date: CREATE … AS sets it, INSERT adds to it where the table has it.
        Assert.Equal("3", copied.GetProperty("Parameters").GetProperty("numRows").GetString());
        var csvTable = (await Server.AwsAsync("glue", "get-table", "--database-name", "gapsdb", "--name", "csvt")).EnsureSuccess().Json().GetProperty("Table");
        Assert.Equal("13", csvTable.GetProperty("Parameters").GetProperty("numRows").GetString());
        Assert.False((await Server.AwsAsync("glue", "get-table", "--database-name", "gapsdb", "--name", "jsont")).EnsureSuccess().Json()
            .GetProperty("Table").GetProperty("Parameters").TryGetProperty("numRows", out _));
        // … and refuses ROW FORMAT SERDE, as Redshift's usage notes say.
        var serde = await story.PsqlAsync(port, "create external table g.bad row format serde 'org.openx.data.jsonserde.JsonSerDe' stored as textfile location 's3://spectrum-gaps/bad/' as select 1 as id");
        Assert.Contains("ROW FORMAT SERDE is not supported by CREATE EXTERNAL TABLE AS", serde.Stderr);

        // A condition on a joined table's column prunes through its equality with the partition column.
        using var http = new HttpClient();
        async Task<List<(string Principal, string Action, string Resource)>> DecisionsAsync()
        {
            using var log = JsonDocument.Parse(await http.GetStringAsync($"{Server.Endpoint}/_localshift/decisions?limit=1000"));
            return log.RootElement.GetProperty("decisions").EnumerateArray()
                .Select(d => (d.GetProperty("principal").GetString()!, d.GetProperty("action").GetString()!, d.GetProperty("time").GetString() + " " + d.GetProperty("resource").GetString()!))
                .ToList();
        }
        var before = await DecisionsAsync();
        var joined = await story.PsqlAsync(port, "select j.id from g.jsont j join days d on j.day = d.day where d.day = '2024-01-02'");
        Assert.True(joined.ExitCode == 0, joined.ToString());
        Assert.Equal("3", joined.Stdout.Trim());
        var made = (await DecisionsAsync()).Except(before).ToList();
        var reads = made.Where(d => d.Action == "s3:GetObject").ToList();
        Assert.Equal("arn:aws:s3:::spectrum-gaps/json/day=2024-01-02/", Assert.Single(reads).Resource[(reads[0].Resource.IndexOf(' ') + 1)..(reads[0].Resource.LastIndexOf('/') + 1)]);
        // The catalog was read as the CATALOG_ROLE, the objects as the IAM_ROLE.
        Assert.All(made.Where(d => d.Action.StartsWith("glue:", StringComparison.Ordinal)), d => Assert.Contains("assumed-role/SpectrumCatalogOnly/", d.Principal));
        Assert.Contains(made, d => d.Action == "glue:GetTable");
        Assert.All(made.Where(d => d.Action.StartsWith("s3:", StringComparison.Ordinal)), d => Assert.Contains("assumed-role/SpectrumDataOnly/", d.Principal));

        // SVV_EXTERNAL_SCHEMAS shows both roles in esoptions.
        var options = await story.PsqlAsync(port, "select esoptions from svv_external_schemas where schemaname = 'g'");
        Assert.True(options.ExitCode == 0, options.ToString());
        Assert.Equal($"{{\"IAM_ROLE\":\"{data}\",\"CATALOG_ROLE\":\"{catalogRole}\"}}", options.Stdout.Trim());
    }
}
