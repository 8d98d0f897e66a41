using LocalShift.Engine;
using LocalShift.Engine.DuckDb;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The engine's file capabilities (the seam COPY and UNLOAD use), run on the DuckDB engine: what a scan reads and what
/// a write leaves on disk, never the SQL text that does it.
/// </summary>
public sealed class EngineFileTests() : EngineTestBase("files")
{
    [Fact]
    public void A_delimited_scan_reads_a_NUL_null_string_a_kept_empty_field_and_a_line_set_aside()
    {
        var path = Staged("a.data", "skip me\n1\t\0\t\n2\tx\ty\n3\tonly two\n");
        var scan = new DelimitedScan([path], [new ScanColumn("c0", "INTEGER"), new ScanColumn("c1", "VARCHAR"), new ScanColumn("c2", "VARCHAR")])
        {
            Delimiter = "\t", SkipLines = 1, NullStrings = ["\0", ""], NeverNull = ["c2"], FileNames = true,
            Rejects = new RejectedLines("rejects", "scans"),
        };
        var rows = Rows($"SELECT c0, c1 IS NULL, c2, filename = '{path}' FROM {_session.FileRelation(scan)} ORDER BY c0");
        Assert.Equal(new List<string?[]> { new[] { "1", "True", "", "True" }, new[] { "2", "False", "y", "True" } }, rows);
        Assert.Equal(new List<string?[]> { new[] { "MISSING COLUMNS" } }, Rows("SELECT error_type FROM rejects"));
    }

    [Fact]
    public void A_write_per_thread_leaves_the_files_ThreadFile_names_and_they_scan_back()
    {
        _session.Execute("CREATE TABLE t AS SELECT i, 'v' || i AS s FROM range(50000) r(i)");
        var write = new FileWrite(FileFormat.Delimited) { Delimiter = "|", Unquoted = true, Compression = FileCompression.Gzip, FilePerThread = true };
        var folder = Path.Combine(_session.StagingDirectory, "out");
        Assert.Equal(50000, _session.WriteFiles("SELECT * FROM t", folder, write));
        var files = Enumerable.Range(0, _session.Threads()).Select(i => Path.Combine(folder, _session.ThreadFile(i, write))).Where(File.Exists).ToList();
        Assert.Equal(Directory.GetFiles(folder).Order(), files.Order());
        var back = new DelimitedScan(files, [new ScanColumn("i", "BIGINT"), new ScanColumn("s", "VARCHAR")]) { Delimiter = "|", Compression = FileCompression.Gzip };
        Assert.Equal(new List<string?[]> { new[] { "50000", "1249975000" } }, Rows($"SELECT count(*), sum(i) FROM {_session.FileRelation(back)}"));
    }

    [Fact]
    public void A_parquet_write_partitioned_by_a_column_scans_back_with_its_file_names()
    {
        _session.Execute("CREATE TABLE p AS SELECT i, i % 3 AS k FROM range(30) r(i)");
        var folder = Path.Combine(_session.StagingDirectory, "parts");
        _session.WriteFiles("SELECT * FROM p", folder, new FileWrite(FileFormat.Parquet) { PartitionBy = ["k"] });
        var files = Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories);
        Assert.Equal(["k=0", "k=1", "k=2"], files.Select(f => Path.GetFileName(Path.GetDirectoryName(f))!).Distinct().Order());
        var rows = Rows($"SELECT count(*), count(DISTINCT filename) FROM {_session.FileRelation(new ParquetScan(files) { FileNames = true })}");
        Assert.Equal(new List<string?[]> { new[] { "30", files.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, rows);
    }

    [Fact]
    public void A_parquet_scan_by_name_lines_up_files_whose_columns_differ()
    {
        var first = Path.Combine(_session.StagingDirectory, "one.parquet");
        var second = Path.Combine(_session.StagingDirectory, "two.parquet");
        _session.WriteFiles("SELECT 1 AS a, 'x' AS b", first, new FileWrite(FileFormat.Parquet));
        _session.WriteFiles("SELECT 'y' AS b, 2 AS a, true AS c", second, new FileWrite(FileFormat.Parquet));
        var scan = new ParquetScan([first, second]) { UnionByName = true };
        Assert.Equal(new List<string?[]> { new[] { "1", "x", null }, new[] { "2", "y", "True" } },
            Rows($"SELECT a, b, c FROM {_session.FileRelation(scan)} ORDER BY a"));
    }

    [Fact]
    public void A_json_scan_of_named_keys_reads_one_document_a_line_compressed_as_its_name_says()
    {
        var path = Path.Combine(_session.StagingDirectory, "docs.json.gz");
        using (var file = File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write("{\"id\": 1, \"name\": \"a\", \"extra\": true}\n{\"id\": 2}\n"u8);
        var scan = new JsonScan([path], Whole: false, FileCompression.ByExtension)
        {
            OneDocumentPerLine = true, Columns = [new ScanColumn("id", "VARCHAR"), new ScanColumn("name", "VARCHAR")],
        };
        Assert.Equal(new List<string?[]> { new[] { "1", "a" }, new[] { "2", null } }, Rows($"SELECT * FROM {_session.FileRelation(scan)} ORDER BY id"));
    }

    [Fact]
    public void Defined_functions_choose_overloads_by_type_and_a_session_function_stays_in_its_session()
    {
        _session.DefineFunctions(
        [
            new EngineFunction("kind", [FunctionOverload.Of("x DATE", "'date'"), FunctionOverload.Of("x", "'other'")]) { MemoryCatalog = "fn_test" },
            EngineFunction.Of("twice", "x", "x * 2"),
            EngineFunction.Of("upto", "n", "SELECT i FROM range(n) r(i)") with { ReturnsRows = true },
            EngineFunction.Of("mine", "", "42") with { Session = true },
        ]);
        Assert.Equal(new List<string?[]> { new[] { "date", "other", "14", "3", "42" } },
            Rows("SELECT fn_test.main.kind(DATE '2026-01-01'), fn_test.main.kind(1), twice(7), (SELECT count(*) FROM upto(3)), mine()"));
        using var other = _engine.OpenSession();
        using (var result = other.Query("SELECT twice(1)")) Assert.True(result.Read());
        Assert.Throws<PgException>(() => { using var result = other.Query("SELECT mine()"); result.Read(); });
        _session.Checkpoint();
    }
}
