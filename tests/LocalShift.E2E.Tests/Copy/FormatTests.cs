using System.IO.Compression;
using System.Text;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>COPY and UNLOAD formats and options, one cluster with a default role.</summary>
public sealed class FormatFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;
    public RoleStory Story { get; private set; } = null!;
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync();
        Story = new RoleStory(Server);
        var role = await Story.CreateRoleAsync("Formats", policy: RoleStory.S3Policy("fmt", "s3:*"));
        Port = await Story.CreateClusterAsync("formats", [role], defaultRole: role);
        await Story.MakeBucketAsync("fmt");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class FormatTests(FormatFixture f) : IClassFixture<FormatFixture>
{
    private async Task<string> SqlAsync(params string[] statements)
    {
        var r = await f.Story.PsqlAsync(f.Port, statements);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Replace("\r", "");
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest)) gz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    [Fact]
    public async Task Pipe_text_default_with_nulls_and_gzip()
    {
        await f.Story.PutAsync("fmt", "text/part1.gz", Gzip("1|one|2024-01-02\n2|\\N|\n"));
        var rows = await SqlAsync("CREATE TABLE text1(id INTEGER, name VARCHAR, day DATE)",
            "COPY text1 FROM 's3://fmt/text/' IAM_ROLE default GZIP",
            "SELECT id, coalesce(name, 'NULL'), coalesce(day::VARCHAR, 'NULL') FROM text1 ORDER BY id");
        Assert.EndsWith("1|one|2024-01-02\n2|NULL|NULL\n", rows);
    }

    [Fact]
    public async Task Json_auto_and_auto_ignorecase_map_keys_to_columns()
    {
        await f.Story.MakeBucketAsync("fmt-json", ("a.json", "{\"id\": 1, \"Name\": \"x\"}\n{\"id\": 2, \"Name\": \"y\", \"extra\": true}\n"));
        (await f.Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", "fmt-json", "--policy",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Formats"},"Action":"s3:*","Resource":["arn:aws:s3:::fmt-json","arn:aws:s3:::fmt-json/*"]}]}""")).EnsureSuccess();
        var rows = await SqlAsync("CREATE TABLE json1(id INTEGER, name VARCHAR)",
            "COPY json1 FROM 's3://fmt-json/a.json' IAM_ROLE default JSON 'auto'",
            "COPY json1 FROM 's3://fmt-json/a.json' IAM_ROLE default FORMAT AS JSON 'auto ignorecase'",
            "SELECT id, coalesce(name, 'NULL') FROM json1 ORDER BY id, name");
        Assert.EndsWith("1|x\n1|NULL\n2|y\n2|NULL\n", rows);
    }

    [Fact]
    public async Task Csv_options_dateformat_emptyasnull_and_noload()
    {
        await f.Story.MakeBucketAsync("fmt-csv", ("c.csv", "id;name;day\n1;\"a;b\";02/01/2024\n2;;03/01/2024\n"));
        (await f.Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", "fmt-csv", "--policy",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Formats"},"Action":"s3:*","Resource":["arn:aws:s3:::fmt-csv","arn:aws:s3:::fmt-csv/*"]}]}""")).EnsureSuccess();
        var rows = await SqlAsync("CREATE TABLE csv1(id INTEGER, name VARCHAR, day DATE)",
            "COPY csv1 FROM 's3://fmt-csv/c.csv' IAM_ROLE default NOLOAD CSV DELIMITER ';' IGNOREHEADER 1 DATEFORMAT 'DD/MM/YYYY'",
            "SELECT count(*) FROM csv1",
            "COPY csv1 FROM 's3://fmt-csv/c.csv' IAM_ROLE default CSV DELIMITER ';' IGNOREHEADER 1 DATEFORMAT 'DD/MM/YYYY' EMPTYASNULL REGION 'us-east-1' COMPUPDATE OFF STATUPDATE OFF",
            "SELECT id, coalesce(name, 'NULL'), day FROM csv1 ORDER BY id");
        Assert.Contains("COPY 0\n0\n", rows);
        Assert.EndsWith("1|a;b|2024-01-02\n2|NULL|2024-01-03\n", rows);
    }

    [Fact]
    public async Task Manifest_lists_the_files_to_load()
    {
        await f.Story.PutAsync("fmt", "m/one.txt", Encoding.UTF8.GetBytes("1\n"));
        await f.Story.PutAsync("fmt", "m/two.txt", Encoding.UTF8.GetBytes("2\n"));
        await f.Story.PutAsync("fmt", "m/skip.txt", Encoding.UTF8.GetBytes("99\n"));
        await f.Story.PutAsync("fmt", "m/list.manifest", Encoding.UTF8.GetBytes(
            """{"entries":[{"url":"s3://fmt/m/one.txt","mandatory":true},{"url":"s3://fmt/m/two.txt"},{"url":"s3://fmt/m/missing.txt"}]}"""));
        var rows = await SqlAsync("CREATE TABLE man1(id INTEGER)", "COPY man1 FROM 's3://fmt/m/list.manifest' IAM_ROLE default MANIFEST",
            "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM man1");
        Assert.EndsWith("1,2\n", rows);
    }

    [Fact]
    public async Task Unload_csv_header_parallel_off_and_gzip_names_files_like_redshift()
    {
        await SqlAsync("CREATE TABLE u1(id INTEGER, name VARCHAR)", "INSERT INTO u1 VALUES (1, 'a,b'), (2, NULL)",
            "UNLOAD ('select * from u1 order by id') TO 's3://fmt/u1/csv_' IAM_ROLE default CSV HEADER PARALLEL OFF NULL AS 'null'",
            "UNLOAD ('select * from u1 order by id') TO 's3://fmt/u1/gz_' IAM_ROLE default GZIP");
        Assert.Equal("id,name\n1,\"a,b\"\n2,null\n", await f.Story.ReadAsync("fmt", "u1/csv_000"));
        Assert.Contains("u1/gz_0000_part_00.gz", await f.Story.KeysAsync("fmt", "u1/gz_"));
    }

    [Fact]
    public async Task Unload_partition_by_json_cleanpath_and_allowoverwrite()
    {
        await SqlAsync("CREATE TABLE u2(id INTEGER, region VARCHAR)", "INSERT INTO u2 VALUES (1, 'eu'), (2, 'us'), (3, 'eu')",
            "UNLOAD ('select * from u2') TO 's3://fmt/u2/' IAM_ROLE default PARQUET PARTITION BY (region)");
        var keys = await f.Story.KeysAsync("fmt", "u2/");
        Assert.Contains("u2/region=eu/0000_part_00.parquet", keys);
        Assert.Contains("u2/region=us/0000_part_00.parquet", keys);

        await SqlAsync("UNLOAD ('select * from u2 order by id') TO 's3://fmt/u2/' IAM_ROLE default JSON PARALLEL OFF CLEANPATH");
        Assert.Equal(["u2/000"], await f.Story.KeysAsync("fmt", "u2/"));
        Assert.StartsWith("{\"id\":1,\"region\":\"eu\"}", await f.Story.ReadAsync("fmt", "u2/000"));

        await SqlAsync("UNLOAD ('select 42 as answer') TO 's3://fmt/u2/' IAM_ROLE default PARALLEL OFF ALLOWOVERWRITE MANIFEST VERBOSE");
        Assert.Equal("42\n", await f.Story.ReadAsync("fmt", "u2/000"));
        Assert.Contains("\"record_count\": 1", await f.Story.ReadAsync("fmt", "u2/manifest"));
    }

    [Fact]
    public async Task Copy_inside_a_rolled_back_transaction_leaves_nothing_and_column_lists_fill_defaults()
    {
        await f.Story.PutAsync("fmt", "tx/a.txt", Encoding.UTF8.GetBytes("1|x\n2|y\n"));
        var rows = await SqlAsync("CREATE TABLE tx1(id INTEGER, name VARCHAR, note VARCHAR DEFAULT 'none')",
            "BEGIN; COPY tx1 (id, name) FROM 's3://fmt/tx/' IAM_ROLE default; ROLLBACK;",
            "SELECT count(*) FROM tx1",
            "COPY tx1 (id, name) FROM 's3://fmt/tx/' IAM_ROLE default",
            "SELECT id, name, note FROM tx1 ORDER BY id");
        Assert.EndsWith("0\nCOPY 2\n1|x|none\n2|y|none\n", rows);
    }

    [Fact]
    public async Task Unload_text_writes_fields_raw_and_escape_round_trips_through_copy()
    {
        await SqlAsync("CREATE TABLE esc1(id INTEGER, s VARCHAR)", "INSERT INTO esc1 VALUES (1, 'a|b'), (2, 'back\\slash \"q\"')",
            "UNLOAD ('select * from esc1 order by id') TO 's3://fmt/esc/raw_' IAM_ROLE default PARALLEL OFF",
            "UNLOAD ('select * from esc1 order by id') TO 's3://fmt/esc/escaped_' IAM_ROLE default PARALLEL OFF ESCAPE");
        Assert.Equal("1|a|b\n2|back\\slash \"q\"\n", await f.Story.ReadAsync("fmt", "esc/raw_000"));
        Assert.Equal("1|a\\|b\n2|back\\\\slash \\\"q\\\"\n", await f.Story.ReadAsync("fmt", "esc/escaped_000"));
        var back = await SqlAsync("CREATE TABLE esc2(id INTEGER, s VARCHAR)", "COPY esc2 FROM 's3://fmt/esc/escaped_000' IAM_ROLE default ESCAPE",
            "SELECT count(*) FROM (SELECT * FROM esc1 EXCEPT SELECT * FROM esc2) d");
        Assert.EndsWith("COPY 2\n0\n", back);
    }
}
