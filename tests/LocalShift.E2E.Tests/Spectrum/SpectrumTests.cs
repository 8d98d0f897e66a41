using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Spectrum;

/// <summary>
/// CREATE EXTERNAL SCHEMA and external tables as the seed page and the Spectrum tutorial run them: the catalog in
/// LocalShift's Glue (aws glue), the data in its S3, SQL with psql, every catalog call and every read made as the
/// schema's IAM role.
/// </summary>
public class SpectrumTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RoleStory Story => new(fixture.Server);
    private LocalShiftServer Server => fixture.Server;

    private static string Policy(string bucket, params string[] glueActions) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new object[]
        {
            new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { $"arn:aws:s3:::{bucket}", $"arn:aws:s3:::{bucket}/*" } },
            new { Effect = "Allow", Action = glueActions, Resource = "*" },
        },
    });

    [Fact]
    public async Task An_external_schema_and_table_read_text_files_through_the_role_and_join_local_tables()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("SpectrumRole", policy: Policy("spectrum-data", "glue:*"));
        var port = await story.CreateClusterAsync("spectrum", [role]);
        await story.MakeBucketAsync("spectrum-data",
            ("tickit/sales/part-0.txt", "1\t10\t120.50\t2008-01-05 10:00:00\n2\t11\t30.00\t2008-01-06 11:30:00\n"),
            ("tickit/sales/part-1.txt", "3\t10\t9.50\t2008-02-01 09:15:00\n"),
            ("tickit/sales/_SUCCESS", ""));

        var r = await story.PsqlAsync(port,
            $"create external schema spectrum from data catalog database 'spectrumdb' iam_role '{role}' create external database if not exists",
            """
            create external table spectrum.sales(salesid integer, eventid integer, pricepaid decimal(8,2), saletime timestamp)
            row format delimited fields terminated by '\t' stored as textfile
            location 's3://spectrum-data/tickit/sales/' table properties ('numRows'='3')
            """,
            "select count(*), sum(pricepaid) from spectrum.sales",
            "create table event(eventid integer, eventname varchar(20))",
            "insert into event values (10, 'opera'), (11, 'rock')",
            "select e.eventname, sum(s.pricepaid) from spectrum.sales s join event e on e.eventid = s.eventid group by 1 order by 1",
            "select salesid from spectrum.sales where saletime > '2008-01-31' order by 1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("3|160.00", lines);
        Assert.Contains("opera|130.00", lines);
        Assert.Contains("rock|30.00", lines);
        Assert.Equal("3", lines[^1]);

        // The table is in the catalog, as aws glue shows it.
        var table = (await Server.AwsAsync("glue", "get-table", "--database-name", "spectrumdb", "--name", "sales")).EnsureSuccess().Json().GetProperty("Table");
        Assert.Equal("s3://spectrum-data/tickit/sales/", table.GetProperty("StorageDescriptor").GetProperty("Location").GetString());
        Assert.Equal("\t", table.GetProperty("StorageDescriptor").GetProperty("SerdeInfo").GetProperty("Parameters").GetProperty("field.delim").GetString());
        Assert.Equal(["salesid", "eventid", "pricepaid", "saletime"],
            table.GetProperty("StorageDescriptor").GetProperty("Columns").EnumerateArray().Select(c => c.GetProperty("Name").GetString()));
        Assert.Equal("decimal(8,2)", table.GetProperty("StorageDescriptor").GetProperty("Columns")[2].GetProperty("Type").GetString());
    }

    [Fact]
    public async Task A_table_made_with_aws_glue_create_table_is_queryable_and_partitions_are_read_with_their_values()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("SpectrumGlueRole", policy: Policy("spectrum-glue", "glue:*"));
        var port = await story.CreateClusterAsync("spectrumglue", [role]);
        await story.MakeBucketAsync("spectrum-glue",
            ("events/day=2024-01-01/a.csv", "id,name\n1,\"alpha, one\"\n2,beta\n"),
            ("events/day=2024-01-02/b.csv", "id,name\n3,gamma\n"));
        (await Server.AwsAsync("glue", "create-database", "--database-input", "{\"Name\":\"gluedb\"}")).EnsureSuccess();
        var input = JsonSerializer.Serialize(new
        {
            Name = "events",
            TableType = "EXTERNAL_TABLE",
            Parameters = new Dictionary<string, string> { ["classification"] = "csv", ["skip.header.line.count"] = "1" },
            PartitionKeys = new[] { new { Name = "day", Type = "date" } },
            StorageDescriptor = new
            {
                Columns = new[] { new { Name = "id", Type = "int" }, new { Name = "name", Type = "string" } },
                Location = "s3://spectrum-glue/events/",
                InputFormat = "org.apache.hadoop.mapred.TextInputFormat",
                OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                SerdeInfo = new { SerializationLibrary = "org.apache.hadoop.hive.serde2.OpenCSVSerde", Parameters = new Dictionary<string, string> { ["separatorChar"] = "," } },
            },
        });
        (await Server.AwsAsync("glue", "create-table", "--database-name", "gluedb", "--table-input", input)).EnsureSuccess();

        var r = await story.PsqlAsync(port,
            $"create external schema gl from data catalog database 'gluedb' iam_role '{role}'",
            "alter table gl.events add partition (day='2024-01-01') location 's3://spectrum-glue/events/day=2024-01-01/'",
            "alter table gl.events add partition (day='2024-01-02') location 's3://spectrum-glue/events/day=2024-01-02/'",
            "select day, count(*) from gl.events group by day order by day",
            "select name from gl.events where id = 1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("2024-01-01|2", lines);
        Assert.Contains("2024-01-02|1", lines);
        Assert.Equal("alpha, one", lines[^1]);

        // A specification naming a column the table is not partitioned by is refused, and the catalog keeps its two.
        var stray = await story.PsqlAsync(port, "alter table gl.events add partition (day='2024-01-03', hour='1') location 's3://spectrum-glue/events/x/'");
        Assert.Contains("column \"hour\" is not a partition column", stray.Stderr);
        var partitions = (await Server.AwsAsync("glue", "get-partitions", "--database-name", "gluedb", "--table-name", "events")).EnsureSuccess().Json();
        Assert.Equal(2, partitions.GetProperty("Partitions").GetArrayLength());

        // Pruning: a WHERE on the partition column reads only that partition's objects (counted in the decision log).
        var before = await GetObjectDecisionsAsync("spectrum-glue");
        var pruned = await story.PsqlAsync(port, "select count(*) from gl.events where day = '2024-01-02'");
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        Assert.Equal("1", pruned.Stdout.Trim());
        var read = (await GetObjectDecisionsAsync("spectrum-glue")).Except(before).ToList();
        Assert.Equal(["arn:aws:s3:::spectrum-glue/events/day=2024-01-02/b.csv"], read.Select(d => d.Resource).Distinct());
    }

    [Fact]
    public async Task Ranges_and_disjunctions_on_partition_columns_read_only_matching_partitions_and_pseudo_columns_name_each_rows_object()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("SpectrumRangeRole", policy: Policy("spectrum-range", "glue:*"));
        var port = await story.CreateClusterAsync("spectrumrange", [role]);
        await story.MakeBucketAsync("spectrum-range",
            ("logs/hour=1/a.txt", "1|x\n2|y\n"),
            ("logs/hour=2/b.txt", "3|z\n"),
            ("logs/hour=10/c.txt", "4|w\n5|v\n6|u\n"));
        (await story.PsqlAsync(port,
            $"create external schema rg from data catalog database 'rangedb' iam_role '{role}' create external database if not exists",
            "create external table rg.logs(id int, v varchar(5)) partitioned by (hour int) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-range/logs/'",
            "alter table rg.logs add partition (hour=1) location 's3://spectrum-range/logs/hour=1/'",
            "alter table rg.logs add partition (hour=2) location 's3://spectrum-range/logs/hour=2/'",
            "alter table rg.logs add partition (hour=10) location 's3://spectrum-range/logs/hour=10/'")).EnsureSuccess();

        // hour is an int: 10 is above 2 (as text it would sort before it).
        var before = await GetObjectDecisionsAsync("spectrum-range");
        var range = await story.PsqlAsync(port, "select count(*) from rg.logs where hour > 1 and hour <= 10");
        Assert.True(range.ExitCode == 0, range.ToString());
        Assert.Equal("4", range.Stdout.Trim());
        Assert.Equal(["arn:aws:s3:::spectrum-range/logs/hour=10/c.txt", "arn:aws:s3:::spectrum-range/logs/hour=2/b.txt"],
            (await GetObjectDecisionsAsync("spectrum-range")).Except(before).Select(d => d.Resource).Distinct().Order());

        before = await GetObjectDecisionsAsync("spectrum-range");
        var either = await story.PsqlAsync(port, "select sum(id) from rg.logs where hour between 0 and 1 or hour = 10");
        Assert.True(either.ExitCode == 0, either.ToString());
        Assert.Equal("18", either.Stdout.Trim());
        Assert.Equal(["arn:aws:s3:::spectrum-range/logs/hour=1/a.txt", "arn:aws:s3:::spectrum-range/logs/hour=10/c.txt"],
            (await GetObjectDecisionsAsync("spectrum-range")).Except(before).Select(d => d.Resource).Distinct().Order());

        // "$path" and "$size": the object each row came from and its size in bytes; SELECT * does not show them.
        var pseudo = await story.PsqlAsync(port,
            "select \"$path\", \"$size\", count(*) from rg.logs group by 1, 2 order by 1",
            "select * from rg.logs where id = 3");
        Assert.True(pseudo.ExitCode == 0, pseudo.ToString());
        Assert.Equal(
            ["s3://spectrum-range/logs/hour=1/a.txt|8|2", "s3://spectrum-range/logs/hour=10/c.txt|12|3", "s3://spectrum-range/logs/hour=2/b.txt|4|1", "3|z|2"],
            pseudo.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The s3:GetObject decisions on a bucket's objects in the decision log, newest first.</summary>
    private async Task<List<(string Time, string Resource)>> GetObjectDecisionsAsync(string bucket)
    {
        using var http = new HttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(Server.Endpoint + "/_localshift/decisions?action=s3:GetObject&limit=1000"));
        return doc.RootElement.GetProperty("decisions").EnumerateArray()
            .Select(d => (d.GetProperty("time").GetString()!, d.GetProperty("resource").GetString()!))
            .Where(d => d.Item2.StartsWith($"arn:aws:s3:::{bucket}/", StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public async Task Parquet_unloaded_by_the_cluster_is_read_back_as_an_external_table()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("SpectrumParquetRole", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Allow", Action = new[] { "s3:*", "glue:*" }, Resource = "*" } },
        }));
        var port = await story.CreateClusterAsync("spectrumpq", [role]);
        await story.MakeBucketAsync("spectrum-pq");
        var r = await story.PsqlAsync(port,
            "create table t(id integer, label varchar(10), amount decimal(10,2))",
            "insert into t values (1, 'a', 1.50), (2, 'b', 2.25), (3, null, 3.00)",
            $"unload ('select * from t') to 's3://spectrum-pq/t/' iam_role '{role}' format parquet",
            $"create external schema pq from data catalog database 'pqdb' iam_role '{role}' create external database if not exists",
            "create external table pq.t(id integer, label varchar(10), amount decimal(10,2)) stored as parquet location 's3://spectrum-pq/t/'",
            "select count(*), sum(amount), count(label) from pq.t",
            "select count(*) from (select * from t except select * from pq.t) d");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("3|6.75|2", lines[^2]);
        Assert.Equal("0", lines[^1]);
    }

    [Fact]
    public async Task The_role_decides_a_role_without_glue_permission_or_without_s3_read_is_refused()
    {
        var story = Story;
        var full = await story.CreateRoleAsync("SpectrumFull", policy: Policy("spectrum-deny", "glue:*"));
        var noGlue = await story.CreateRoleAsync("SpectrumNoGlue", policy: RoleStory.S3Policy("spectrum-deny", "s3:GetObject", "s3:ListBucket"));
        var noS3 = await story.CreateRoleAsync("SpectrumNoS3", policy: JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[] { new { Effect = "Allow", Action = "glue:*", Resource = "*" } },
        }));
        var unassociated = await story.CreateRoleAsync("SpectrumNotOnCluster", policy: Policy("spectrum-deny", "glue:*"));
        var port = await story.CreateClusterAsync("spectrumdeny", [full, noGlue, noS3]);
        await story.MakeBucketAsync("spectrum-deny", ("d/x.txt", "1|a\n"));

        var ok = await story.PsqlAsync(port,
            $"create external schema good from data catalog database 'denydb' iam_role '{full}' create external database if not exists",
            "create external table good.x(id int, v varchar(5)) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-deny/d/'",
            "select * from good.x");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("1|a", ok.Stdout);

        var glueDenied = await story.PsqlAsync(port, $"create external schema bad from data catalog database 'denydb' iam_role '{noGlue}'");
        Assert.NotEqual(0, glueDenied.ExitCode);
        Assert.Contains("AccessDeniedException", glueDenied.Stderr);
        Assert.Contains("is not authorized to perform: glue:GetDatabase", glueDenied.Stderr);

        var notAssociated = await story.PsqlAsync(port, $"create external schema nope from data catalog database 'denydb' iam_role '{unassociated}'");
        Assert.Contains($"is not authorized to assume IAM Role {unassociated}", notAssociated.Stderr);

        var s3Denied = await story.PsqlAsync(port,
            $"create external schema nos3 from data catalog database 'denydb' iam_role '{noS3}'",
            "select * from nos3.x");
        Assert.NotEqual(0, s3Denied.ExitCode);
        Assert.Contains("Spectrum Scan Error", s3Denied.Stderr);
        Assert.Contains("Access Denied", s3Denied.Stderr);

        // A user without USAGE on the external schema does not reach the role at all.
        var user = await story.PsqlAsync(port, "create user reader password 'Reader123'", "create table mine(i int)");
        Assert.True(user.ExitCode == 0, user.ToString());
        var denied = await story.PsqlAsAsync(port, "reader", "Reader123", "select * from good.x");
        Assert.Contains("permission denied for schema good", denied.Stderr);
        (await story.PsqlAsync(port, "grant usage on schema good to reader")).EnsureSuccess();
        var allowed = await story.PsqlAsAsync(port, "reader", "Reader123", "select * from good.x");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("1|a", allowed.Stdout);
    }

    [Fact]
    public async Task External_tables_are_read_only_and_locations_are_only_s3()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("SpectrumRo", policy: Policy("spectrum-ro", "glue:*"));
        var port = await story.CreateClusterAsync("spectrumro", [role]);
        await story.MakeBucketAsync("spectrum-ro", ("d/x.txt", "1\n"));
        (await story.PsqlAsync(port,
            $"create external schema ro from data catalog database 'rodb' iam_role '{role}' create external database if not exists",
            "create external table ro.x(id int) row format delimited fields terminated by '|' stored as textfile location 's3://spectrum-ro/d/'")).EnsureSuccess();

        var update = await story.PsqlAsync(port, "update ro.x set id = 2");
        Assert.Contains("Operation not supported on external tables", update.Stderr);
        var local = await story.PsqlAsync(port, "create external table ro.y(id int) stored as textfile location '/etc/'");
        Assert.Contains("LOCATION must be an s3:// URL", local.Stderr);

        var drop = await story.PsqlAsync(port, "drop table ro.x", "drop schema ro drop external database");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var gone = await Server.AwsAsync("glue", "get-database", "--name", "rodb");
        Assert.Contains("EntityNotFoundException", gone.Stderr);
    }
}
