using System.Text;
using Amazon.S3.Model;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>
/// A load accounts for every input record (loaded, or rejected with a row in stl_load_errors), and the documented way
/// to debug one — <c>select * from stl_load_errors where query = pg_last_copy_id()</c> — finds a failed COPY's rows.
/// </summary>
public sealed class LoadAccountingTests(CopyCaseFixture f) : IClassFixture<CopyCaseFixture>
{
    private async Task<CommandResult> PsqlAsync(string script) =>
        await ProcessRunner.RunAsync("/usr/bin/psql",
            ["-h", "127.0.0.1", "-p", f.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "admin", "-d", "dev", "-At", "-X", "-f", "-"],
            new Dictionary<string, string?> { ["PGPASSWORD"] = RoleStory.Password, ["PGCONNECT_TIMEOUT"] = "10" }, stdin: script);

    [Fact]
    public async Task Pg_last_copy_id_of_a_failed_copy_finds_its_stl_load_errors_rows()
    {
        await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = "cases", Key = "acct/fail.txt", ContentBody = "1|a\nx|b\n3|c\n" });
        var r = await PsqlAsync("""
            CREATE TABLE acct_fail (id INTEGER, s VARCHAR(5));
            SELECT pg_last_copy_id(), pg_last_copy_count();
            COPY acct_fail FROM 's3://cases/acct/fail.txt' IAM_ROLE default;
            SELECT pg_last_copy_id() > 0, pg_last_copy_count();
            SELECT line_number, trim(colname), trim(raw_field_value), err_code, trim(err_reason) FROM stl_load_errors WHERE query = pg_last_copy_id();
            SELECT count(*) FROM acct_fail;
            """);
        Assert.Contains("ERROR:  Load into table 'acct_fail' failed.  Check 'stl_load_errors' system table for details.", r.Stderr);
        // The DETAIL block carries the first rejected record's error, code, context, query and location.
        Assert.Contains("error:  Invalid digit, Value 'x', Pos 0, Type: Integer", r.Stderr);
        Assert.Contains("code:      1207", r.Stderr);
        Assert.Contains("context:   x", r.Stderr);
        Assert.Contains("location:  s3://cases/acct/fail.txt line 2", r.Stderr);
        Assert.Equal("CREATE TABLE\n-1|0\nt|0\n2|id|x|1207|Invalid digit, Value 'x', Pos 0, Type: Integer\n0\n", r.Stdout.Replace("\r", ""));
    }

    /// <summary>
    /// Property: random files of NULLs (in CHAR, VARCHAR and NOT NULL columns), blanks, empty fields, bad numbers and
    /// dates, too long strings, short and long lines, loaded with a MAXERROR that lets them through: loaded + rejected = records, and each rejected record has
    /// exactly one row in stl_load_errors under the COPY's query id, at its own line.
    /// </summary>
    [Fact]
    public async Task Every_record_is_loaded_or_rejected_with_a_reason()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = f.Port, Username = "admin", Password = RoleStory.Password, Database = "dev",
            SslMode = SslMode.Disable, Pooling = false,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, "CREATE TABLE acct_prop (id INTEGER, name VARCHAR(6), code CHAR(3), n BIGINT, amount DECIMAL(8,2), day DATE, ts TIMESTAMP, tag VARCHAR(4) NOT NULL)");
        var random = new Random(1805);
        for (var round = 0; round < 12; round++)
        {
            var csv = round % 2 == 1;
            var lines = new List<string>();
            var bad = new HashSet<int>();
            var records = random.Next(1, 40);
            for (var r = 1; r <= records; r++)
            {
                var (line, rejected) = Record(random, r, csv);
                lines.Add(line);
                if (rejected) bad.Add(r);
            }
            var key = $"acct/prop{round}.txt";
            await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = "cases", Key = key, ContentBody = string.Concat(lines.Select(l => l + "\n")) });
            await Execute(connection, "DELETE FROM acct_prop");
            await Execute(connection, $"COPY acct_prop FROM 's3://cases/{key}' IAM_ROLE default {(csv ? "CSV" : "")} MAXERROR 1000");
            var loaded = await Scalar(connection, "SELECT count(*) FROM acct_prop");
            var rejectedRows = await Scalar(connection, "SELECT count(*) FROM stl_load_errors WHERE query = pg_last_copy_id()");
            var at = $"round {round} ({(csv ? "CSV" : "text")}):\n{string.Join('\n', lines)}";
            Assert.True(loaded + rejectedRows == records, $"{at}\nloaded {loaded} + rejected {rejectedRows} != {records}");
            Assert.True(bad.Count == rejectedRows, $"{at}\nexpected lines {string.Join(',', bad)} rejected, stl_load_errors has {rejectedRows}");
            var lineNumbers = await Column(connection, "SELECT line_number FROM stl_load_errors WHERE query = pg_last_copy_id() ORDER BY line_number");
            Assert.True(bad.Order().Select(b => (long)b).SequenceEqual(lineNumbers), $"{at}\nexpected lines {string.Join(',', bad.Order())}, got {string.Join(',', lineNumbers)}");
            Assert.Equal(loaded, await Scalar(connection, "SELECT pg_last_copy_count()"));
        }
    }

    /// <summary>One record and whether Redshift rejects it.</summary>
    private static (string Line, bool Rejected) Record(Random random, int id, bool csv)
    {
        var d = csv ? "," : "|";
        var nul = csv ? "" : "\\N";
        string[] names = ["ok", "", " ", nul, "six ch", "seven c"];
        string[] codes = ["abc", "", nul, "ab", "abcd"];
        string[] ns = ["1", "-7", "", nul, "12x", "9223372036854775808"];
        string[] amounts = ["1.50", "", nul, "12.5.1", "x"];
        string[] days = ["2008-01-05", "01/05/2008", "January 12, 1992", "", nul, "2008-02-30", "someday"];
        string[] tss = ["2008-01-05 10:00:00", "2008-01-05T10:00:00Z", "J2451187", "", nul, "25:00", "later"];
        var name = names[random.Next(names.Length)];
        var code = codes[random.Next(codes.Length)];
        var n = ns[random.Next(ns.Length)];
        var amount = amounts[random.Next(amounts.Length)];
        var day = days[random.Next(days.Length)];
        var ts = tss[random.Next(tss.Length)];
        // NOT NULL: a NULL (text's \N) is rejected with 1213; CSV's tags are never NULL.
        string[] tags = csv ? ["t", "tag"] : ["t", "tag", nul];
        var tag = tags[random.Next(tags.Length)];
        var rejected = name == "seven c" || code == "abcd" || n is "12x" or "9223372036854775808" || amount is "12.5.1" or "x"
            || day is "2008-02-30" or "someday" || ts is "25:00" or "later" || tag == "\\N";
        var fields = new List<string> { id.ToString(System.Globalization.CultureInfo.InvariantCulture), name, code, n, amount, day, ts, tag };
        switch (random.Next(10))
        {
            case 0:
                fields.RemoveAt(fields.Count - 1);
                rejected = true;
                break;
            case 1:
                fields.Add("extra");
                rejected = true;
                break;
        }
        if (csv && fields.Any(v => v.Contains(','))) fields = fields.Select(v => v.Contains(',') ? $"\"{v}\"" : v).ToList();
        return (string.Join(d, fields), rejected);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<long>> Column(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync()) values.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return values;
    }
}
