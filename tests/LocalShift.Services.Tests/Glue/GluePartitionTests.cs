using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Tests.Glue;

public sealed class GluePartitionTests : IDisposable
{
    private readonly GlueHarness _h = new();

    public GluePartitionTests()
    {
        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("sales", yearType: "int"));
    }

    public void Dispose() => _h.Dispose();

    private List<string> Get(string? expression, int? max = null)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = _h.Service.GetPartitions(_h.Call(), new GetPartitionsRequest("db1", "sales", Expression: expression, NextToken: token, MaxResults: max));
            names.AddRange(page.Partitions.Select(p => string.Join("/", p.Values!)));
            token = page.NextToken;
        } while (token is not null);
        return names;
    }

    private void Seed()
    {
        foreach (var y in new[] { "2023", "2024", "2025" })
        foreach (var m in new[] { "01", "02", "12" })
            _h.Partition("db1", "sales", y, m);
    }

    [Fact]
    public void Create_and_get_partition_answers_its_values_location_and_table()
    {
        _h.Partition("db1", "sales", "2024", "01");
        var p = _h.Service.GetPartition(_h.Call(), new GetPartitionRequest("db1", "SALES", ["2024", "01"])).Partition;
        Assert.Equal(["2024", "01"], p.Values!);
        Assert.Equal(("db1", "sales", GlueHarness.Account), (p.DatabaseName, p.TableName, p.CatalogId));
        Assert.Equal("s3://bucket/sales/2024/01/", p.StorageDescriptor!.Location);
        Assert.Equal(_h.Now, p.CreationTime);
    }

    [Fact]
    public void Partition_errors_use_glue_codes_and_texts()
    {
        _h.Partition("db1", "sales", "2024", "01");
        var twice = GlueHarness.Fails(() => _h.Partition("db1", "sales", "2024", "01"));
        Assert.Equal(("AlreadyExistsException", "Partition already exists."), (twice.Code, twice.Message));
        var missing = GlueHarness.Fails(() => _h.Service.GetPartition(_h.Call(), new GetPartitionRequest("db1", "sales", ["2024", "02"])));
        Assert.Equal(("EntityNotFoundException", "Cannot find partition."), (missing.Code, missing.Message));
        var wrongCount = GlueHarness.Fails(() => _h.Partition("db1", "sales", "2024"));
        Assert.Equal("InvalidInputException", wrongCount.Code);
        var noTable = GlueHarness.Fails(() => _h.Partition("db1", "nope", "2024", "01"));
        Assert.Equal(("EntityNotFoundException", "Table nope not found."), (noTable.Code, noTable.Message));
        var deleteMissing = GlueHarness.Fails(() => _h.Service.DeletePartition(_h.Call(), new DeletePartitionRequest("db1", "sales", ["1999", "01"])));
        Assert.Equal("Cannot find partition.", deleteMissing.Message);
    }

    [Fact]
    public void Batch_create_partition_creates_the_new_ones_and_reports_the_existing_ones()
    {
        _h.Partition("db1", "sales", "2024", "01");
        var r = _h.Service.BatchCreatePartition(_h.Call(), new BatchCreatePartitionRequest("db1", "sales",
        [
            new PartitionInput(["2024", "01"]),
            new PartitionInput(["2024", "02"]),
            new PartitionInput(["2024"]),
        ]));
        Assert.Equal(2, r.Errors.Count);
        Assert.Contains(r.Errors, e => e.PartitionValues!.SequenceEqual(["2024", "01"]) && e.ErrorDetail!.ErrorCode == "AlreadyExistsException");
        Assert.Contains(r.Errors, e => e.PartitionValues!.SequenceEqual(["2024"]) && e.ErrorDetail!.ErrorCode == "InvalidInputException");
        Assert.Equal(["2024/01", "2024/02"], Get(null));
    }

    [Theory]
    [InlineData("year = 2024", "2024/01,2024/02,2024/12")]
    [InlineData("year = 2024 AND month = '02'", "2024/02")]
    [InlineData("year > 2023 and month >= '02'", "2024/02,2024/12,2025/02,2025/12")]
    [InlineData("year <> 2024 AND month < '02'", "2023/01,2025/01")]
    [InlineData("year != 2024 AND month <= '01'", "2023/01,2025/01")]
    [InlineData("month = '12' OR (year = 2023 AND month = '01')", "2023/01,2023/12,2024/12,2025/12")]
    [InlineData("year IN (2023, 2025) AND month = '01'", "2023/01,2025/01")]
    [InlineData("month NOT IN ('01', '02')", "2023/12,2024/12,2025/12")]
    [InlineData("year BETWEEN 2024 AND 2025 AND month = '01'", "2024/01,2025/01")]
    [InlineData("month LIKE '0%' AND year = 2025", "2025/01,2025/02")]
    [InlineData("month LIKE '1_' AND NOT year = 2024", "2023/12,2025/12")]
    [InlineData("YEAR = 2025 and MONTH = '12'", "2025/12")]
    public void Get_partitions_filters_with_the_expression(string expression, string expected)
    {
        Seed();
        Assert.Equal(expected, string.Join(",", Get(expression)));
    }

    [Fact]
    public void A_numeric_key_compares_as_a_number_and_a_string_key_as_text()
    {
        _h.Table("db1", GlueHarness.ParquetTable("bytext", yearType: "string"));
        foreach (var y in new[] { "9", "10" })
        {
            _h.Partition("db1", "sales", y, "01");
            _h.Partition("db1", "bytext", y, "01");
        }
        Assert.Equal(["10/01"], Get("year > 9"));
        var text = _h.Service.GetPartitions(_h.Call(), new GetPartitionsRequest("db1", "bytext", Expression: "year > '9'")).Partitions;
        Assert.Empty(text);
    }

    [Fact]
    public void Get_partitions_pages_through_all_matching_partitions()
    {
        Seed();
        Assert.Equal(9, Get(null, max: 2).Count);
        Assert.Equal(["2024/01", "2024/02", "2024/12"], Get("year = 2024", max: 1));
    }

    [Fact]
    public void Segments_split_every_partition_and_the_expression_filters_each_segment()
    {
        Seed();
        var segments = Enumerable.Range(0, 2).Select(n => _h.Service.GetPartitions(_h.Call(),
                new GetPartitionsRequest("db1", "sales", Expression: "month = '01'", Segment: new Segment(n, 2))).Partitions
            .Select(p => string.Join("/", p.Values!)).ToList()).ToList();
        // The nine partitions in order, split alternately, then filtered: 2023/01, 2025/01 in segment 0, 2024/01 in 1.
        Assert.Equal(["2023/01", "2025/01"], segments[0]);
        Assert.Equal(["2024/01"], segments[1]);
    }

    [Theory]
    [InlineData("region = 'eu'")]
    [InlineData("year = ")]
    [InlineData("year = 2024 AND")]
    [InlineData("year === 2024")]
    [InlineData("month = 'unterminated")]
    public void An_expression_that_does_not_parse_or_names_no_partition_key_is_invalid_input(string expression)
    {
        var e = GlueHarness.Fails(() => Get(expression));
        Assert.Equal("InvalidInputException", e.Code);
    }

    [Fact]
    public void Batch_get_partition_returns_the_existing_ones()
    {
        Seed();
        var r = _h.Service.BatchGetPartition(_h.Call(), new BatchGetPartitionRequest("db1", "sales",
            [new PartitionValueList(["2024", "01"]), new PartitionValueList(["1999", "01"]), new PartitionValueList(["2025", "12"])]));
        Assert.Equal(["2024/01", "2025/12"], r.Partitions.Select(p => string.Join("/", p.Values!)));
        Assert.Empty(r.UnprocessedKeys);
    }

    [Fact]
    public void Update_partition_replaces_its_storage_and_can_move_its_values()
    {
        _h.Partition("db1", "sales", "2024", "01");
        _h.Service.UpdatePartition(_h.Call(), new UpdatePartitionRequest("db1", "sales", ["2024", "01"],
            new PartitionInput(["2024", "03"], StorageDescriptor: new StorageDescriptor(Location: "s3://bucket/moved/"), Parameters: new() { ["k"] = "v" })));
        Assert.Equal(["2024/03"], Get(null));
        var p = _h.Service.GetPartition(_h.Call(), new GetPartitionRequest("db1", "sales", ["2024", "03"])).Partition;
        Assert.Equal("s3://bucket/moved/", p.StorageDescriptor!.Location);
        Assert.Equal("v", p.Parameters!["k"]);

        var missing = GlueHarness.Fails(() => _h.Service.UpdatePartition(_h.Call(), new UpdatePartitionRequest("db1", "sales", ["2024", "01"], new PartitionInput(["2024", "01"]))));
        Assert.Equal("Cannot find partition.", missing.Message);
    }

    [Fact]
    public void Delete_and_batch_delete_partition_report_the_missing_ones()
    {
        Seed();
        _h.Service.DeletePartition(_h.Call(), new DeletePartitionRequest("db1", "sales", ["2023", "01"]));
        var r = _h.Service.BatchDeletePartition(_h.Call(), new BatchDeletePartitionRequest("db1", "sales",
            [new PartitionValueList(["2023", "02"]), new PartitionValueList(["2023", "01"])]));
        var error = Assert.Single(r.Errors);
        Assert.Equal(["2023", "01"], error.PartitionValues!);
        Assert.Equal(("EntityNotFoundException", "Cannot find partition."), (error.ErrorDetail!.ErrorCode, error.ErrorDetail.ErrorMessage));
        Assert.Equal(["2023/12"], Get("year = 2023"));
    }

    [Fact]
    public void Deleting_the_table_deletes_its_partitions()
    {
        Seed();
        _h.Service.DeleteTable(_h.Call(), new DeleteTableRequest("db1", "sales"));
        _h.Table("db1", GlueHarness.ParquetTable("sales", yearType: "int"));
        Assert.Empty(Get(null));
    }

    [Fact]
    public void Exclude_column_schema_leaves_out_the_partition_columns()
    {
        _h.Service.CreatePartition(_h.Call(), new CreatePartitionRequest("db1", "sales",
            new PartitionInput(["2024", "01"], StorageDescriptor: new StorageDescriptor([new Column("id", "bigint")], "s3://b/p/"))));
        var p = Assert.Single(_h.Service.GetPartitions(_h.Call(), new GetPartitionsRequest("db1", "sales", ExcludeColumnSchema: true)).Partitions);
        Assert.Null(p.StorageDescriptor!.Columns);
        Assert.Equal("s3://b/p/", p.StorageDescriptor.Location);
    }
    [Fact]
    public void Partitions_and_tables_read_again_follow_every_write_and_every_read_is_still_authorized()
    {
        Seed();
        var table = () => _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "sales")).Table;
        Assert.Equal(["2024/01", "2024/02", "2024/12"], Get("year = 2024"));
        Assert.Equal(2, table().StorageDescriptor!.Columns!.Count);
        // Read again with nothing changed: the same answers, and each call decided again (catalog, database, table).
        var before = _h.Authorizer.Checks.Count;
        Assert.Equal(["2024/01", "2024/02", "2024/12"], Get("year = 2024"));
        Assert.Equal(2, table().StorageDescriptor!.Columns!.Count);
        Assert.Equal(6, _h.Authorizer.Checks.Count - before);
        Assert.Equal(["glue:GetPartitions", "glue:GetPartitions", "glue:GetPartitions", "glue:GetTable", "glue:GetTable", "glue:GetTable"],
            _h.Authorizer.Checks.Skip(before).Select(c => c.Action));

        _h.Partition("db1", "sales", "2024", "06");
        Assert.Equal(["2024/01", "2024/02", "2024/06", "2024/12"], Get("year = 2024"));
        _h.Service.DeletePartition(_h.Call(), new DeletePartitionRequest("db1", "sales", ["2024", "01"]));
        Assert.Equal(["2024/02", "2024/06", "2024/12"], Get("year = 2024"));
        _h.Service.UpdatePartition(_h.Call(), new UpdatePartitionRequest("db1", "sales", ["2024", "02"],
            new PartitionInput(["2024", "02"], StorageDescriptor: new StorageDescriptor(Location: "s3://bucket/moved/"))));
        var moved = _h.Service.GetPartitions(_h.Call(), new GetPartitionsRequest("db1", "sales", Expression: "year = 2024 AND month = '02'")).Partitions;
        Assert.Equal("s3://bucket/moved/", Assert.Single(moved).StorageDescriptor!.Location);

        var changed = GlueHarness.ParquetTable("sales", yearType: "int");
        changed = changed with { StorageDescriptor = changed.StorageDescriptor! with { Columns = [.. changed.StorageDescriptor!.Columns!, new Column("note", "string")] } };
        _h.Service.UpdateTable(_h.Call(), new UpdateTableRequest("db1", changed));
        Assert.Equal(3, table().StorageDescriptor!.Columns!.Count);

        _h.Service.DeleteTable(_h.Call(), new DeleteTableRequest("db1", "sales"));
        Assert.Equal("EntityNotFoundException", GlueHarness.Fails(() => table()).Code);
        Assert.Equal("EntityNotFoundException", GlueHarness.Fails(() => Get(null)).Code);
        _h.Table("db1", GlueHarness.ParquetTable("sales", yearType: "int"));
        Assert.Empty(Get(null));
    }
}
