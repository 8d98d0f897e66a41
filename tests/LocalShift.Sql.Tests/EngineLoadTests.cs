using LocalShift.Engine;
using LocalShift.Engine.DuckDb;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The engine's load expressions (<see cref="ILoadExpressions"/>, what COPY converts each field with) and the write
/// options external tables use, run on the DuckDB engine: the values and failures a statement gets, never the SQL text.
/// </summary>
public sealed class EngineLoadTests() : EngineTestBase("load")
{
    private ILoadExpressions X => _session.Expressions;

    /// <summary>Each expression over a one-column relation of the given text fields (NULL for null), one row per field.</summary>
    private List<string?> Over(IReadOnlyList<string?> fields, string expression, string column = "c0")
    {
        // SQL text cannot hold a NUL character: a field of it alone is chr(0).
        var values = string.Join(", ", fields.Select(f => f is null ? "(CAST(NULL AS VARCHAR))" : f == "\0" ? "(chr(0))" : $"('{f.Replace("'", "''")}')"));
        var rows = new List<string?>();
        using var result = _session.Query($"SELECT CAST({expression} AS VARCHAR) FROM (VALUES {values}) AS s({column})");
        while (result.Read()) rows.Add(result.GetValue(0) as string);
        return rows;
    }

    [Fact]
    public void A_decimal_text_field_is_cut_at_its_scale_blank_is_null_and_a_bad_one_fails_unless_tried()
    {
        var column = new LoadColumn(new TextField("c0"), "DECIMAL(8,2)", Text: false) { CutScale = 2 };
        var options = new LoadOptions();
        Assert.Equal(["20.25", "7.50", null, null], Over([" 20.259 ", "7.5", "   ", null], X.Value(column, options, tryConvert: false, check: true)));
        Assert.Equal(["20.26"], Over(["20.259"], X.Value(column with { CutScale = null }, options, false, true)));
        Assert.Equal([null], Over(["x"], X.Value(column, options, tryConvert: true, check: true)));
        Assert.Throws<PgException>(() => Over(["x"], X.Value(column, options, tryConvert: false, check: true)));
    }

    [Fact]
    public void A_text_value_wider_than_its_bytes_fails_with_the_given_message_or_is_cut_at_a_whole_character()
    {
        var column = new LoadColumn(new TextField("c0"), "VARCHAR", Text: true) { Width = 4 };
        var options = new LoadOptions { WidthFailure = "too long for the column" };
        Assert.Equal(["abcd"], Over(["abcd"], X.Value(column, options, false, check: true)));
        var e = Assert.Throws<PgException>(() => Over(["né€"], X.Value(column, options, false, check: true)));
        Assert.Contains("too long for the column", e.Message, StringComparison.Ordinal);
        // Unchecked: as it is (for the rejects' staging table); cut: "né" is 3 bytes, the euro sign would make 6.
        Assert.Equal(["né€"], Over(["né€"], X.Value(column, options, false, check: false)));
        Assert.Equal(["né"], Over(["né€"], X.Value(column, options with { TruncateToWidth = true }, false, check: true)));
    }

    [Fact]
    public void An_ascii_only_column_refuses_a_multibyte_character_even_when_values_are_cut()
    {
        var column = new LoadColumn(new TextField("c0"), "VARCHAR", Text: true) { Width = 10, AsciiOnly = true };
        var options = new LoadOptions { TruncateToWidth = true, AsciiFailure = "no multibyte here" };
        Assert.Equal(["plain"], Over(["plain"], X.Value(column, options, false, true)));
        var e = Assert.Throws<PgException>(() => Over(["café"], X.Value(column, options, false, true)));
        Assert.Contains("no multibyte here", e.Message, StringComparison.Ordinal);
        Assert.Equal(["true", "false", null], Over(["café", "cafe", null], X.HasMultibyte("c0")));
    }

    [Fact]
    public void Blank_and_empty_text_follow_trim_blanks_as_null_and_empty_as_null()
    {
        var column = new LoadColumn(new TextField("c0"), "VARCHAR", Text: true);
        Assert.Equal(["", "  ", " a "], Over(["", "  ", " a "], X.Value(column, new LoadOptions(), false, true)));
        Assert.Equal(["", "", " a"], Over(["", "  ", " a "], X.Value(column, new LoadOptions { TrimTrailingBlanks = true }, false, true)));
        Assert.Equal(["x", null, null], Over(["x", "", "   "], X.Value(column, new LoadOptions { BlanksAsNull = true }, false, true)));
        Assert.Equal(["x", null, "  "], Over(["x", "", "  "], X.Value(column, new LoadOptions { EmptyAsNull = true }, false, true)));
    }

    [Fact]
    public void A_null_string_matched_by_the_expression_is_null_and_a_missing_text_field_is_empty()
    {
        var text = new LoadColumn(new TextField("c0"), "VARCHAR", Text: true);
        var number = new LoadColumn(new TextField("c0"), "INTEGER", Text: false);
        var options = new LoadOptions { FieldNullString = "\0" };
        Assert.Equal([null, "", "a"], Over(["\0", null, "a"], X.Value(text, options, false, true)));
        Assert.Equal([null, null, "5"], Over(["\0", null, "5"], X.Value(number, options, false, true)));
    }

    [Fact]
    public void A_fault_is_a_non_empty_field_that_did_not_convert_or_a_value_too_wide_and_never_null()
    {
        var number = new LoadColumn(new TextField("c0"), "INTEGER", Text: false);
        var options = new LoadOptions();
        var tried = X.Value(number, options, tryConvert: true, check: false);
        Assert.Equal(["true", "false", "false", "false"], Over(["x", "5", " ", null], X.Fault(number, options, "c0", tried)!));
        var text = new LoadColumn(new TextField("c0"), "VARCHAR", Text: true) { Width = 2 };
        Assert.Equal(["true", "false", "false"], Over(["abc", "ab", null], X.Fault(text, options, "c0", "c0")!));
        Assert.Null(X.Fault(text, options with { TruncateToWidth = true }, "c0", "c0"));
    }

    [Fact]
    public void A_date_converted_by_a_host_function_fails_with_its_reason_unless_invalid_dates_are_null()
    {
        _engine.DefineHostFunction("ls_test_day", (text, spec) => text == "day two" && spec == "s" ? 86_400_000_000L : null);
        var column = new LoadColumn(new TextField("c0"), "DATE", Text: false) { Time = new HostTimeConversion("ls_test_day", "s", false, "not a day I know") };
        var options = new LoadOptions();
        Assert.Equal(["1970-01-02", null], Over(["day two", null], X.Value(column, options, false, true)));
        var e = Assert.Throws<PgException>(() => Over(["day nine"], X.Value(column, options, false, true)));
        Assert.Contains("not a day I know", e.Message, StringComparison.Ordinal);
        var lenient = column with { Time = column.Time! with { NullWhenInvalid = true } };
        Assert.Equal([null], Over(["day nine"], X.Value(lenient, options, false, true)));
        Assert.Null(X.Fault(lenient, options, "c0", "c0"));
    }

    [Fact]
    public void Json_fields_come_from_a_path_a_typed_key_or_the_whole_document()
    {
        const string doc = "{\"a\": {\"b\": [1, \"two\"]}, \"n\": 7}";
        Assert.Equal(["two"], Over([doc], X.Value(new LoadColumn(new JsonPathField("json", "$.\"a\".\"b\"[1]"), "VARCHAR", Text: true), new LoadOptions(), false, true), "json"));
        Assert.Equal(["two"], Over([doc], X.RawField(new LoadColumn(new JsonPathField("json", "$.\"a\".\"b\"[1]"), "INTEGER", Text: false)), "json"));
        Assert.Equal(["{\"a\":{\"b\":[1,\"two\"]},\"n\":7}"], Over([doc], X.Value(new LoadColumn(new DocumentField("json"), "JSON", Text: false), new LoadOptions(), false, true), "json"));
        Assert.Equal([null], Over([doc], X.Value(new LoadColumn(new MissingField(), "INTEGER", Text: false), new LoadOptions(), false, true), "json"));
    }

    [Fact]
    public void Escaped_puts_a_backslash_before_each_named_character_and_fail_fails_with_the_message()
    {
        Assert.Equal(["a\\|b\\\\c\\\nd"], Over(["a|b\\c\nd"], X.Escaped("c0", "|\\\n")));
        var e = Assert.Throws<PgException>(() => Over(["boom"], X.Fail("'failed on ' || c0")));
        Assert.Contains("failed on boom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delimited_write_quotes_every_field_with_its_own_quote_and_escape_and_writes_null_empty()
    {
        var path = Path.Combine(_session.StagingDirectory, "quoted");
        var write = new FileWrite(FileFormat.Delimited) { Delimiter = ";", Quote = "'", QuoteEscape = "\\", QuoteAll = true, NullString = "" };
        Assert.Equal(2, _session.WriteFiles("SELECT * FROM (VALUES ('it''s', 1), (NULL, 2)) v(s, n) ORDER BY n", path, write));
        Assert.Equal("'it\\'s';'1'\n;'2'\n", File.ReadAllText(path));
        var raw = Path.Combine(_session.StagingDirectory, "raw");
        _session.WriteFiles("SELECT 'a\"b' AS s, NULL AS n", raw, new FileWrite(FileFormat.Delimited) { Delimiter = "\u0001", Unquoted = true, NullString = "\\N" });
        Assert.Equal("a\"b\u0001\\N\n", File.ReadAllText(raw));
    }

    /// <summary>A CSV file of two columns (<c>c0</c>, <c>c1</c>), read as text with its file names, and a table t (i INTEGER, s VARCHAR(3)).</summary>
    private LoadPlan CsvPlan(string text, bool notNull = false)
    {
        _session.Execute("CREATE TABLE IF NOT EXISTS t (i INTEGER, s VARCHAR(3))");
        var path = Staged($"load-{Guid.NewGuid():N}.csv", text);
        var scan = new DelimitedScan([path], [new ScanColumn("c0", "VARCHAR"), new ScanColumn("c1", "VARCHAR")])
        {
            Delimiter = ",", NullStrings = ["\\N"], FileNames = true,
        };
        return new LoadPlan(new FileRecords(scan),
            [new LoadColumn(new TextField("c0"), "INTEGER", Text: false) { NotNull = notNull }, new LoadColumn(new TextField("c1"), "VARCHAR(3)", Text: true) { Width = 3 }],
            new LoadTarget("main", "t", ["i", "s"])) { Options = new LoadOptions { WidthFailure = "too wide" } };
    }

    [Fact]
    public void A_load_converts_each_field_into_the_table_and_says_how_many_rows_it_loaded()
    {
        var plan = CsvPlan("1,a\n 2 ,bc\n3,\\N\n");
        Assert.Equal(3, _session.Load(plan).Loaded);
        Assert.Equal([["1", "a"], ["2", "bc"], ["3", null]], Rows("SELECT i, s FROM t ORDER BY i"));
        // Read and converted only: nothing is written.
        Assert.Equal(0, _session.Load(plan with { CheckOnly = true }).Loaded);
        Assert.Equal([["3"]], Rows("SELECT count(*) FROM t"));
    }

    [Fact]
    public void A_failed_load_leaves_the_table_as_it_was()
    {
        _session.Execute("CREATE TABLE t (i INTEGER, s VARCHAR(3)); INSERT INTO t VALUES (9, 'old')");
        var e = Assert.Throws<PgException>(() => _session.Load(CsvPlan("1,a\n2,wide\n")));
        Assert.Contains("too wide", e.Message, StringComparison.Ordinal);
        Assert.Throws<PgException>(() => _session.Load(CsvPlan("1,a\nx,b\n")));
        Assert.Equal([["9", "old"]], Rows("SELECT i, s FROM t"));
        // The first value too wide, found after the failure: its record among those read and the value.
        var fault = _session.FirstWidthFault(CsvPlan("1,a\n2,b\n3,wide\n"), 1);
        Assert.Equal((3L, "wide", false), (fault!.Record, fault.Value, fault.Multibyte));
        Assert.Null(_session.FirstWidthFault(CsvPlan("1,a\n"), 1));
    }

    [Fact]
    public void A_sorted_load_rejects_each_bad_record_with_its_column_and_field_and_loads_the_rest()
    {
        var plan = CsvPlan("1,a\nx,b\n3,wide\n4,c,extra\n\\N,d\n6,e\n", notNull: true);
        var result = _session.Load(plan with { Rejects = new RejectSorting(MaxErrors: 10) });
        Assert.False(result.Refused);
        Assert.Equal((2L, 4L), (result.Loaded, result.Rejected));
        Assert.Equal([["1", "a"], ["6", "e"]], Rows("SELECT i, s FROM t ORDER BY i"));
        var path = plan.Source.Scan.Paths[0];
        // Records are numbered among the reader's records of the file: the line it set aside (line 4) is not one.
        Assert.Equal(
            [new RejectedRecord(path, 2, null, null, 0, "x", null), new RejectedRecord(path, 3, null, null, 1, "wide", "wide"), new RejectedRecord(path, 4, null, null, 0, null, null)],
            result.Records);
        Assert.Equal([new MalformedLine(path, 4, "4,c,extra", MalformedKind.TooManyFields)], result.Malformed);
    }

    [Fact]
    public void A_sorted_load_with_more_rejects_than_allowed_loads_nothing_and_still_describes_them()
    {
        _session.Execute("CREATE TABLE t (i INTEGER, s VARCHAR(3)); INSERT INTO t VALUES (9, 'old')");
        var result = _session.Load(CsvPlan("1,a\nx,b\ny,c\n") with { Rejects = new RejectSorting(MaxErrors: 1) });
        Assert.True(result.Refused);
        Assert.Equal((0L, 2L, 2), (result.Loaded, result.Rejected, result.Records.Count));
        Assert.Equal([["9", "old"]], Rows("SELECT i, s FROM t"));
        // The staging the sorting used is gone: a second sorted load in the same session works.
        Assert.Equal(1, _session.Load(CsvPlan("5,e\n") with { Rejects = new RejectSorting(MaxErrors: 0) }).Loaded);
    }

    [Fact]
    public void Fixed_width_lines_are_cut_into_fields_and_a_line_too_long_is_a_record_at_fault()
    {
        _session.Execute("CREATE TABLE f (a VARCHAR, b INTEGER)");
        var path = Staged("fixed.txt", "ab 12\nNUL 7\ncd 345\n");
        var lines = new DelimitedScan([path], [new ScanColumn("line", "VARCHAR")]) { Delimiter = "\u001e", FileNames = true, PadMissingFields = true };
        var plan = new LoadPlan(new FixedWidthRecords(lines, [3, 2], "NUL", TooLongFault: 1202),
            [new LoadColumn(new TextField("c0"), "VARCHAR", Text: true), new LoadColumn(new TextField("c1"), "INTEGER", Text: false)],
            new LoadTarget("main", "f", ["a", "b"])) { FaultReasons = new Dictionary<int, string> { [1202] = "line too long" } };
        var e = Assert.Throws<PgException>(() => _session.Load(plan));
        Assert.Contains("line too long", e.Message, StringComparison.Ordinal);
        Assert.Equal([["0"]], Rows("SELECT count(*) FROM f"));
        var sorted = _session.Load(plan with { Rejects = new RejectSorting(MaxErrors: 1) });
        Assert.Equal((2L, 1L), (sorted.Loaded, sorted.Rejected));
        Assert.Equal(1202, Assert.Single(sorted.Records).Fault);
        Assert.Equal([["ab ", "12"], [null, "7"]], Rows("SELECT a, b FROM f ORDER BY b DESC"));
    }

    private static List<string> Lines(string path) => File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void A_delimited_write_projects_booleans_as_letters_escapes_text_and_pads_fixed_widths()
    {
        const string query = "SELECT * FROM (VALUES (true, 'a|b', 1), (false, NULL, 22), (NULL, 'c', 3)) v(b, s, n) ORDER BY n";
        var letters = Path.Combine(_session.StagingDirectory, "letters");
        _session.WriteFiles(query, letters, new FileWrite(FileFormat.Delimited) { Delimiter = "|", Unquoted = true, BooleansAsLetters = true, EscapeCharacters = "|\\" });
        // Lines compared as a set: DuckDB did not keep the inner ORDER BY through the projection for these three rows.
        Assert.Equal(["f||22", "t|a\\|b|1", "|c|3"], Lines(letters));
        var fixedWidth = Path.Combine(_session.StagingDirectory, "fixed");
        _session.WriteFiles(query, fixedWidth, new FileWrite(FileFormat.Delimited) { Unquoted = true, BooleansAsLetters = true, FixedWidths = [2, 4, 3], NullString = "-" });
        Assert.Equal(["- c   3  ", "f -   22 ", "t a|b 1  "], Lines(fixedWidth));
        var e = Assert.Throws<PgException>(() => _session.WriteFiles(query, Path.Combine(_session.StagingDirectory, "narrow"),
            new FileWrite(FileFormat.Delimited) { Unquoted = true, FixedWidths = [5, 5, 1], FixedWidthFailure = "column {0} wider than {1}: " }));
        Assert.Contains("column n wider than 1: 22", e.Message, StringComparison.Ordinal);
    }
}
