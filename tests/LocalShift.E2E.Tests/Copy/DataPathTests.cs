using System.Text;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>
/// The fast data path of COPY and UNLOAD (objects read in place, DuckDB's reader converting fields, files handed to the
/// store without a copy) gives what the exact path gives, and every object is still authorized and logged one by one.
/// </summary>
public class DataPathTests(FormatFixture f) : IClassFixture<FormatFixture>
{
    private async Task<string> SqlAsync(params string[] statements)
    {
        var r = await f.Story.PsqlAsync(f.Port, statements);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Replace("\r", "");
    }

    [Fact]
    public async Task Blank_and_padded_fields_load_as_the_exact_conversions_give_them()
    {
        // A field of blanks is NULL for a number; numbers, booleans and dates padded with blanks are read as their values.
        await f.Story.PutAsync("fmt", "blank/a.csv", Encoding.UTF8.GetBytes("1,   ,true,2024-01-02\n 2 , 3.5 , false ,2024-01-03\n3,4.25,,\n"));
        var rows = await SqlAsync("CREATE TABLE blank1(id INTEGER, amount DECIMAL(10,2), flag BOOLEAN, day DATE)",
            "COPY blank1 FROM 's3://fmt/blank/' IAM_ROLE default CSV",
            "SELECT id, coalesce(amount::VARCHAR, 'NULL'), coalesce(flag::VARCHAR, 'NULL'), coalesce(day::VARCHAR, 'NULL') FROM blank1 ORDER BY id");
        Assert.EndsWith("COPY 3\n1|NULL|true|2024-01-02\n2|3.50|false|2024-01-03\n3|4.25|NULL|NULL\n", rows);
    }

    [Fact]
    public async Task An_object_replaced_by_one_of_the_same_size_is_read_afresh()
    {
        // The store's files are read in place: a replaced object must never be served from what was read before.
        await f.Story.PutAsync("fmt", "again/x.csv", Encoding.UTF8.GetBytes("1,aa\n"));
        await SqlAsync("CREATE TABLE again1(id INTEGER, name VARCHAR)", "COPY again1 FROM 's3://fmt/again/x.csv' IAM_ROLE default CSV",
            "UNLOAD ('select 1 as id') TO 's3://fmt/again-pq/' IAM_ROLE default PARQUET PARALLEL OFF",
            "CREATE TABLE again2(id INTEGER)", "COPY again2 FROM 's3://fmt/again-pq/' IAM_ROLE default FORMAT AS PARQUET");
        await f.Story.PutAsync("fmt", "again/x.csv", Encoding.UTF8.GetBytes("2,bb\n"));
        var rows = await SqlAsync("COPY again1 FROM 's3://fmt/again/x.csv' IAM_ROLE default CSV",
            "UNLOAD ('select 2 as id') TO 's3://fmt/again-pq/' IAM_ROLE default PARQUET PARALLEL OFF ALLOWOVERWRITE",
            "COPY again2 FROM 's3://fmt/again-pq/' IAM_ROLE default FORMAT AS PARQUET",
            "SELECT string_agg(id::VARCHAR || name, ',' ORDER BY id) FROM again1",
            "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM again2");
        Assert.EndsWith("1aa,2bb\n1,2\n", rows);
    }

    [Fact]
    public async Task A_value_no_conversion_accepts_still_fails_the_whole_copy()
    {
        await f.Story.PutAsync("fmt", "bad/1.csv", Encoding.UTF8.GetBytes("1,2024-01-02\n2,2024-01-03\n"));
        await f.Story.PutAsync("fmt", "bad/2.csv", Encoding.UTF8.GetBytes("3,2024-01-04\n4,not a date\n"));
        await SqlAsync("CREATE TABLE bad1(id INTEGER, day DATE)", "INSERT INTO bad1 VALUES (0, NULL)");
        var r = await f.Story.PsqlAsync(f.Port, "COPY bad1 FROM 's3://fmt/bad/' IAM_ROLE default CSV");
        Assert.Contains("ERROR:  Load into table 'bad1' failed.  Check 'stl_load_errors' system table for details.", r.Stderr);
        Assert.EndsWith("1\n", await SqlAsync("SELECT count(*) FROM bad1"));
    }

    [Fact]
    public async Task Each_object_read_and_written_is_authorized_and_logged_and_unload_files_round_trip()
    {
        await f.Story.PutAsync("fmt", "logged/one.csv", Encoding.UTF8.GetBytes("1,a\n2,b\n"));
        await f.Story.PutAsync("fmt", "logged/two.csv", Encoding.UTF8.GetBytes("3,c\n"));
        var rows = await SqlAsync("CREATE TABLE logged1(id INTEGER, name VARCHAR)",
            "COPY logged1 FROM 's3://fmt/logged/' IAM_ROLE default CSV",
            "UNLOAD ('select * from logged1 order by id') TO 's3://fmt/logged-out/p_' IAM_ROLE default CSV PARALLEL OFF",
            "UNLOAD ('select * from logged1') TO 's3://fmt/logged-out/pq_' IAM_ROLE default PARQUET",
            "CREATE TABLE logged2(id INTEGER, name VARCHAR)",
            "COPY logged2 FROM 's3://fmt/logged-out/pq_' IAM_ROLE default FORMAT AS PARQUET",
            "SELECT string_agg(id::VARCHAR || name, ',' ORDER BY id) FROM logged2");
        Assert.EndsWith("1a,2b,3c\n", rows);
        Assert.Equal("1,a\n2,b\n3,c\n", await f.Story.ReadAsync("fmt", "logged-out/p_000"));
        var etag = (await f.Server.AwsAsync("s3api", "head-object", "--bucket", "fmt", "--key", "logged-out/p_000")).Json().GetProperty("ETag").GetString();
        Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("1,a\n2,b\n3,c\n"))) + "\"", etag);

        using var http = new HttpClient();
        using var log = JsonDocument.Parse(await http.GetStringAsync($"{f.Server.Endpoint}/_localshift/decisions?limit=10000"));
        var allowed = log.RootElement.GetProperty("decisions").EnumerateArray()
            .Where(d => d.GetProperty("principal").GetString()!.Contains("assumed-role/Formats/", StringComparison.Ordinal))
            .Select(d => d.GetProperty("action").GetString() + " " + d.GetProperty("resource").GetString())
            .ToList();
        Assert.Contains("s3:GetObject arn:aws:s3:::fmt/logged/one.csv", allowed);
        Assert.Contains("s3:GetObject arn:aws:s3:::fmt/logged/two.csv", allowed);
        Assert.Contains("s3:PutObject arn:aws:s3:::fmt/logged-out/p_000", allowed);
        Assert.Contains("s3:PutObject arn:aws:s3:::fmt/logged-out/pq_0000_part_00.parquet", allowed);
        Assert.Contains("s3:GetObject arn:aws:s3:::fmt/logged-out/pq_0000_part_00.parquet", allowed);
    }

    [Fact]
    public async Task Parallel_on_writes_a_file_per_slice_when_the_engine_threads_fit_the_cluster_slices_and_order_by_keeps_one()
    {
        // The fixture's cluster is a single dc2.large: 2 slices. DuckDB scans the 600,000 rows (5 row groups) with its
        // threads; when they fit in the slices (2 threads here) each writes its own file, as each slice does in Redshift;
        // with more threads than slices, one file.
        await SqlAsync("CREATE TABLE IF NOT EXISTS big1 AS SELECT i AS id, md5(i::VARCHAR) AS a, md5((i * 7)::VARCHAR) || md5((i * 3)::VARCHAR) AS b FROM generate_series(0, 599999) t(i)");
        // The engine's settings are not a user's to read; it runs a thread per core, as DuckDB does by default.
        var threads = Environment.ProcessorCount;
        await SqlAsync("UNLOAD ('select * from big1') TO 's3://fmt/slices/' IAM_ROLE default CSV");
        var keys = await f.Story.KeysAsync("fmt", "slices/");
        if (threads == 2) Assert.Equal(["slices/0000_part_00", "slices/0001_part_00"], keys.Order(StringComparer.Ordinal));
        else Assert.Equal(["slices/0000_part_00"], keys);
        // Every row is in exactly one file, and each file has the ETag of its own bytes.
        var rows = await SqlAsync("CREATE TABLE slices1(id BIGINT, a VARCHAR, b VARCHAR)", "COPY slices1 FROM 's3://fmt/slices/' IAM_ROLE default CSV",
            "SELECT count(*), count(DISTINCT id), sum(id) FROM slices1");
        Assert.EndsWith("600000|600000|179999700000\n", rows);
        foreach (var key in keys)
        {
            var bytes = await f.Story.ReadBytesAsync("fmt", key);
            var parts = bytes.Chunk(8 << 20).Select(System.Security.Cryptography.MD5.HashData).ToList();
            var expected = parts.Count == 1 ? $"\"{Convert.ToHexStringLower(parts[0])}\""
                : $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(parts.SelectMany(p => p).ToArray()))}-{parts.Count}\"";
            var etag = (await f.Server.AwsAsync("s3api", "head-object", "--bucket", "fmt", "--key", key)).Json().GetProperty("ETag").GetString();
            Assert.Equal(expected, etag);
        }

        // ORDER BY: one file, in the order asked for.
        await SqlAsync("UNLOAD ('select id from big1 where id < 300000 order by id desc') TO 's3://fmt/slices-ordered/' IAM_ROLE default CSV");
        Assert.Equal(["slices-ordered/0000_part_00"], await f.Story.KeysAsync("fmt", "slices-ordered/"));
        var ordered = Encoding.UTF8.GetString(await f.Story.ReadBytesAsync("fmt", "slices-ordered/0000_part_00")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 300000).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ordered);
    }

    [Theory]
    [InlineData("CSV", "csv")]
    [InlineData("CSV GZIP", "csv-gz")]
    [InlineData("DELIMITER '|' ZSTD", "text-zst")]
    [InlineData("FORMAT AS JSON", "json")]
    [InlineData("FORMAT AS PARQUET", "parquet")]
    [InlineData("CSV BZIP2", "csv-bz2")]
    public async Task A_large_unloaded_file_has_the_etag_the_aws_cli_multipart_upload_of_its_bytes_gets(string format, string prefix)
    {
        // Big enough (tens of MB, hard to compress) that parts are hashed while DuckDB is still writing the file.
        await SqlAsync("CREATE TABLE IF NOT EXISTS big1 AS SELECT i AS id, md5(i::VARCHAR) AS a, md5((i * 7)::VARCHAR) || md5((i * 3)::VARCHAR) AS b FROM generate_series(0, 599999) t(i)");
        await SqlAsync($"UNLOAD ('select * from big1') TO 's3://fmt/big-{prefix}/' IAM_ROLE default {format} PARALLEL OFF");
        var key = (await f.Story.KeysAsync("fmt", $"big-{prefix}/")).Single();
        var file = Path.Combine(Path.GetTempPath(), "localshift-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            var got = (await f.Server.AwsAsync("s3api", "get-object", "--bucket", "fmt", "--key", key, file)).EnsureSuccess().Json();
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.Length > 20_000_000, $"{key} is only {bytes.Length} bytes");
            Assert.Equal(bytes.Length, got.GetProperty("ContentLength").GetInt64());
            // By definition: the MD5 of the 8 MiB parts' MD5s, and the number of parts.
            var parts = bytes.Chunk(8 << 20).Select(System.Security.Cryptography.MD5.HashData).ToList();
            var expected = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(parts.SelectMany(p => p).ToArray()))}-{parts.Count}\"";
            Assert.Equal(expected, got.GetProperty("ETag").GetString());
            // And what a real client gets: the AWS CLI uploads a file this size in 8 MiB parts.
            (await f.Server.AwsAsync("s3", "cp", file, $"s3://fmt/reupload-{prefix}")).EnsureSuccess();
            var reupload = (await f.Server.AwsAsync("s3api", "head-object", "--bucket", "fmt", "--key", $"reupload-{prefix}")).Json();
            Assert.Equal(expected, reupload.GetProperty("ETag").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
