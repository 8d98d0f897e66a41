using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>One server and cluster (default role with s3:* on bucket "cases") for the COPY/UNLOAD case files.</summary>
public sealed class CopyCaseFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;
    public int Port { get; private set; }
    public AmazonS3Client S3 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync();
        var story = new RoleStory(Server);
        // Every bucket whose name starts with "cases" (cases-eu is made in another region by a case file).
        var role = await story.CreateRoleAsync("Cases", policy: RoleStory.S3Policy("cases*", "s3:*"));
        Port = await story.CreateClusterAsync("cases", [role], defaultRole: role);
        await story.MakeBucketAsync("cases");
        S3 = new AmazonS3Client(new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret),
            new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
    }

    public async Task DisposeAsync()
    {
        S3.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// sqllogictest-style case files for COPY and UNLOAD (<c>Copy/Cases/*.test</c>), run through Npgsql against the
/// cluster's endpoint, with the objects put and read through the AWS SDK for .NET. Blocks, separated by blank lines
/// ('#' lines are comments):
/// <list type="bullet">
/// <item><c>statement ok</c> / <c>statement error &lt;part of the message or its detail&gt;</c>, then SQL (after an
/// XX000 error, which makes Npgsql close the connection, the file goes on in a new connection);</item>
/// <item><c>query</c>, SQL, <c>----</c>, then rows: columns joined by '|', NULL as <c>NULL</c>, '' as <c>(empty)</c>;</item>
/// <item><c>put s3://cases/key</c>, then the object's lines (each ends with a newline; <c>&lt;TAB&gt;</c>, <c>&lt;CR&gt;</c>
/// and <c>&lt;NONL&gt;</c> at the very end stand for a tab, a carriage return and no final newline; <c>&lt;x1e&gt;</c> for the
/// character of that code, 00 to 7f, and <c>&lt;xff&gt;</c> for the byte of that value, 80 to ff, as it is (invalid UTF-8));</item>
/// <item><c>put gzip|bzip2|zstd s3://cases/key</c>: the same, the object's bytes compressed so (by /usr/bin/gzip, bzip2, zstd);</item>
/// <item><c>put utf16le|utf16be|utf16le-bom|utf16be-bom s3://cases/key</c>: the same, the object's text encoded so
/// (with a byte order mark for <c>-bom</c>);</item>
/// <item><c>bucket s3://name region</c>: makes the bucket in that region (through a client of that region);</item>
/// <item><c>object s3://cases/key</c>, then the object's expected lines, the same way;</item>
/// <item><c>keys s3://cases/prefix</c>, then the keys expected under the prefix, in order.</item>
/// </list>
/// </summary>
public sealed class CopyCaseTests(CopyCaseFixture f) : IClassFixture<CopyCaseFixture>
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Copy", "Cases"), "*.test").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Case_file(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Copy", "Cases", name);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = f.Port, Username = "admin", Password = RoleStory.Password, Database = "dev",
            SslMode = SslMode.Disable, Pooling = false, IncludeErrorDetail = true,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var blocks = (await File.ReadAllTextAsync(path)).Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var raw in blocks)
        {
            var lines = raw.Split('\n').Where(l => !l.StartsWith('#')).ToList();
            while (lines.Count > 0 && lines[0].Trim().Length == 0) lines.RemoveAt(0);
            if (lines.Count == 0) continue;
            while (lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            var header = lines[0].Trim();
            var body = lines.Skip(1).ToList();
            var at = $"{name}: {header}\n{string.Join('\n', body)}";
            Assert.True(connection.State == System.Data.ConnectionState.Open, $"{at}\nthe connection was closed by an earlier block");
            if (header == "statement ok")
            {
                var error = await ExecuteAsync(connection, string.Join('\n', body));
                Assert.True(error is null, $"{at}\nfailed: {error?.SqlState} {error?.MessageText}\n{error?.Detail}");
            }
            else if (header.StartsWith("statement error", StringComparison.Ordinal))
            {
                var expected = header["statement error".Length..].Trim();
                var error = await ExecuteAsync(connection, string.Join('\n', body));
                Assert.True(error is not null, $"{at}\nsucceeded but an error was expected");
                Assert.True(error.MessageText.Contains(expected, StringComparison.Ordinal) || (error.Detail ?? "").Contains(expected, StringComparison.Ordinal),
                    $"{at}\nexpected an error containing '{expected}', got {error.SqlState} '{error.MessageText}'\n{error.Detail}");
                // Redshift answers a failed load with SQLSTATE XX000, which Npgsql takes for a critical failure and
                // closes the connection (as it would against Redshift); the file goes on in a new one.
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    Assert.StartsWith("XX", error.SqlState);
                    await connection.CloseAsync();
                    await connection.OpenAsync();
                }
            }
            else if (header == "query")
            {
                var separator = body.IndexOf("----");
                Assert.True(separator > 0, $"{at}\na query needs SQL, then ----, then the rows");
                var rows = await QueryAsync(connection, string.Join('\n', body.Take(separator)), at);
                var expected = body.Skip(separator + 1).ToList();
                Assert.True(expected.SequenceEqual(rows), $"{at}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', rows)}");
            }
            else if (header.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["put", var tool, var url] && tool is "gzip" or "bzip2" or "zstd")
            {
                var (bucket, key) = Location(url);
                using var bytes = new MemoryStream(await CompressAsync(tool, Bytes(body)));
                await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = bytes });
            }
            else if (header.StartsWith("put ", StringComparison.Ordinal) && !header.StartsWith("put utf16", StringComparison.Ordinal))
            {
                var (bucket, key) = Location(header["put ".Length..]);
                using var bytes = new MemoryStream(Bytes(body));
                await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = bytes });
            }
            else if (header.StartsWith("put utf16", StringComparison.Ordinal))
            {
                var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var (bucket, key) = Location(parts[2]);
                var text = Content(body);
                var bigEndian = parts[1].StartsWith("utf16be", StringComparison.Ordinal);
                var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: false);
                byte[] bom = parts[1].EndsWith("-bom", StringComparison.Ordinal) ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : [];
                using var bytes = new MemoryStream([.. bom, .. encoding.GetBytes(text)]);
                await f.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = bytes });
            }
            else if (header.StartsWith("bucket ", StringComparison.Ordinal))
            {
                var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var (bucket, _) = Location(parts[1] + "/");
                using var regional = new AmazonS3Client(new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret),
                    new AmazonS3Config { ServiceURL = f.Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = parts[2], MaxErrorRetry = 0 });
                await regional.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = parts[2] });
            }
            else if (header.StartsWith("object ", StringComparison.Ordinal))
            {
                var (bucket, key) = Location(header["object ".Length..]);
                using var got = await f.S3.GetObjectAsync(bucket, key);
                using var reader = new StreamReader(got.ResponseStream, Encoding.UTF8);
                var actual = await reader.ReadToEndAsync();
                Assert.True(Content(body) == actual, $"{at}\nactual:\n{actual}");
            }
            else if (header.StartsWith("keys ", StringComparison.Ordinal))
            {
                var (bucket, prefix) = Location(header["keys ".Length..]);
                var listed = await f.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
                var keys = (listed.S3Objects ?? []).Select(o => o.Key).ToList();
                Assert.True(body.SequenceEqual(keys), $"{at}\nactual:\n{string.Join('\n', keys)}");
            }
            else Assert.Fail($"{at}\nunknown block");
        }
    }

    private static (string Bucket, string Key) Location(string url)
    {
        var rest = url.Trim()["s3://".Length..];
        var slash = rest.IndexOf('/');
        return (rest[..slash], rest[(slash + 1)..]);
    }

    private static string Content(List<string> lines)
    {
        var text = string.Concat(lines.Select(l => l + "\n")).Replace("<TAB>", "\t").Replace("<CR>", "\r");
        text = System.Text.RegularExpressions.Regex.Replace(text, "<x([0-9a-f]{2})>", m => ((char)Convert.ToByte(m.Groups[1].Value, 16)).ToString());
        return text.EndsWith("<NONL>\n", StringComparison.Ordinal) ? text[..^"<NONL>\n".Length] : text;
    }

    /// <summary>The object's bytes: <see cref="Content"/> in UTF-8, with <c>&lt;x80&gt;</c> to <c>&lt;xff&gt;</c> as raw bytes.</summary>
    private static byte[] Bytes(List<string> lines)
    {
        var text = Content(lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, "<x([89a-f][0-9a-f])>", "\uE000$1")).ToList());
        var bytes = new List<byte>();
        var parts = System.Text.RegularExpressions.Regex.Split(text, "\uE000([89a-f][0-9a-f])");
        for (var i = 0; i < parts.Length; i++)
            if (i % 2 == 0) bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
            else bytes.Add(Convert.ToByte(parts[i], 16));
        return [.. bytes];
    }

    /// <summary>Bytes compressed by /usr/bin/gzip, bzip2 or zstd.</summary>
    private static async Task<byte[]> CompressAsync(string tool, byte[] input)
    {
        var file = Path.Combine(Path.GetTempPath(), "localshift-case-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, input);
        var output = file + (tool switch { "gzip" => ".gz", "bzip2" => ".bz2", _ => ".zst" });
        try
        {
            (await ProcessRunner.RunAsync($"/usr/bin/{tool}", tool == "zstd" ? ["-q", "-k", "-f", file] : ["-k", "-f", file])).EnsureSuccess();
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            File.Delete(file);
            File.Delete(output);
        }
    }

    private static async Task<PostgresException?> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e) { return e; }
    }

    private static async Task<List<string>> QueryAsync(NpgsqlConnection connection, string sql, string at)
    {
        var rows = new List<string>();
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new string[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = await reader.IsDBNullAsync(i) ? null : reader.GetValue(i);
                    values[i] = value switch
                    {
                        null => "NULL",
                        string { Length: 0 } => "(empty)",
                        bool b => b ? "t" : "f",
                        DateTime d => d.TimeOfDay == TimeSpan.Zero && reader.GetDataTypeName(i) == "date"
                            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
                        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
                        _ => value.ToString()!,
                    };
                }
                rows.Add(string.Join('|', values));
            }
        }
        catch (PostgresException e) { Assert.Fail($"{at}\nfailed: {e.SqlState} {e.MessageText}\n{e.Detail}"); }
        return rows;
    }
}
