using System.Text.Json.Nodes;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Tests.Glue;

public sealed class GlueCatalogTests : IDisposable
{
    private readonly GlueHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Create_database_lower_cases_the_name_and_get_database_answers_it_with_the_catalog_and_time()
    {
        _h.Service.CreateDatabase(_h.Call(), new CreateDatabaseRequest(new DatabaseInput("Sales_DB", "the sales", "s3://bucket/sales/",
            new() { ["owner"] = "finance" })));

        var db = _h.Service.GetDatabase(_h.Call(), new GetDatabaseRequest("SALES_db")).Database;
        Assert.Equal("sales_db", db.Name);
        Assert.Equal("the sales", db.Description);
        Assert.Equal("s3://bucket/sales/", db.LocationUri);
        Assert.Equal("finance", db.Parameters!["owner"]);
        Assert.Equal(_h.Now, db.CreateTime);
        Assert.Equal(GlueHarness.Account, db.CatalogId);
        var permission = Assert.Single(db.CreateTableDefaultPermissions!);
        Assert.Equal("IAM_ALLOWED_PRINCIPALS", permission.Principal!.DataLakePrincipalIdentifier);
        Assert.Equal(["ALL"], permission.Permissions!);
    }

    [Fact]
    public void Create_database_twice_is_already_exists()
    {
        _h.Database("db1");
        var e = GlueHarness.Fails(() => _h.Database("DB1"));
        Assert.Equal("AlreadyExistsException", e.Code);
        Assert.Equal("Database already exists.", e.Message);
    }

    [Fact]
    public void Get_database_that_does_not_exist_is_entity_not_found_naming_it()
    {
        var e = GlueHarness.Fails(() => _h.Service.GetDatabase(_h.Call(), new GetDatabaseRequest("nope")));
        Assert.Equal("EntityNotFoundException", e.Code);
        Assert.Equal("Database nope not found.", e.Message);
    }

    [Fact]
    public void Get_databases_pages_in_name_order_with_a_next_token()
    {
        foreach (var n in new[] { "c", "a", "e", "b", "d" }) _h.Database(n);

        var first = _h.Service.GetDatabases(_h.Call(), new GetDatabasesRequest(MaxResults: 2));
        Assert.Equal(["a", "b"], first.DatabaseList.Select(d => d.Name));
        Assert.NotNull(first.NextToken);
        var second = _h.Service.GetDatabases(_h.Call(), new GetDatabasesRequest(NextToken: first.NextToken, MaxResults: 2));
        Assert.Equal(["c", "d"], second.DatabaseList.Select(d => d.Name));
        var last = _h.Service.GetDatabases(_h.Call(), new GetDatabasesRequest(NextToken: second.NextToken, MaxResults: 2));
        Assert.Equal(["e"], last.DatabaseList.Select(d => d.Name));
        Assert.Null(last.NextToken);

        var bad = GlueHarness.Fails(() => _h.Service.GetDatabases(_h.Call(), new GetDatabasesRequest(NextToken: "not-a-token")));
        Assert.Equal("InvalidInputException", bad.Code);
    }

    [Fact]
    public void Update_database_replaces_its_description_and_parameters()
    {
        _h.Database("db1", "s3://old/");
        _h.Service.UpdateDatabase(_h.Call(), new UpdateDatabaseRequest("db1", new DatabaseInput("db1", "new", "s3://new/", new() { ["k"] = "v" })));
        var db = _h.Service.GetDatabase(_h.Call(), new GetDatabaseRequest("db1")).Database;
        Assert.Equal(("new", "s3://new/", "v"), (db.Description, db.LocationUri, db.Parameters!["k"]));

        var e = GlueHarness.Fails(() => _h.Service.UpdateDatabase(_h.Call(), new UpdateDatabaseRequest("nope", new DatabaseInput("nope"))));
        Assert.Equal(("EntityNotFoundException", "Database nope not found."), (e.Code, e.Message));
    }

    [Fact]
    public void Delete_database_deletes_its_tables_and_partitions()
    {
        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("sales"));
        _h.Partition("db1", "sales", "2024", "01");
        _h.Service.DeleteDatabase(_h.Call(), new DeleteDatabaseRequest("db1"));

        Assert.Equal("Database db1 not found.", GlueHarness.Fails(() => _h.Service.GetDatabase(_h.Call(), new GetDatabaseRequest("db1"))).Message);
        // A database of the same name created afterwards is empty.
        _h.Database("db1");
        Assert.Empty(_h.Service.GetTables(_h.Call(), new GetTablesRequest("db1")).TableList);
        _h.Table("db1", GlueHarness.ParquetTable("sales"));
        Assert.Empty(_h.Service.GetPartitions(_h.Call(), new GetPartitionsRequest("db1", "sales")).Partitions);

        var e = GlueHarness.Fails(() => _h.Service.DeleteDatabase(_h.Call(), new DeleteDatabaseRequest("nope")));
        Assert.Equal(("EntityNotFoundException", "Database nope not found."), (e.Code, e.Message));
    }

    [Fact]
    public void Create_table_keeps_the_whole_table_input_and_get_table_answers_it_with_catalog_fields()
    {
        _h.Database("db1");
        _h.Caller = LocalShift.Core.Principal.Root(GlueHarness.Account);
        _h.Table("db1", GlueHarness.ParquetTable("Sales"));

        var t = _h.Service.GetTable(_h.Call(), new GetTableRequest("DB1", "SALES")).Table;
        Assert.Equal("sales", t.Name);
        Assert.Equal("db1", t.DatabaseName);
        Assert.Equal("EXTERNAL_TABLE", t.TableType);
        Assert.Equal("parquet", t.Parameters!["classification"]);
        Assert.Equal(["year", "month"], t.PartitionKeys!.Select(k => k.Name));
        var sd = t.StorageDescriptor!;
        Assert.Equal("s3://bucket/sales/", sd.Location);
        Assert.Equal(["id", "amount"], sd.Columns!.Select(c => c.Name));
        Assert.Equal("decimal(10,2)", sd.Columns![1].Type);
        Assert.Equal("in dollars", sd.Columns![1].Comment);
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", sd.InputFormat);
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", sd.SerdeInfo!.SerializationLibrary);
        Assert.Equal("1", sd.SerdeInfo.Parameters!["serialization.format"]);
        Assert.False(sd.Compressed);
        Assert.Equal(_h.Now, t.CreateTime);
        Assert.Equal(_h.Now, t.UpdateTime);
        Assert.Equal("arn:aws:iam::123456789012:root", t.CreatedBy);
        Assert.False(t.IsRegisteredWithLakeFormation);
        Assert.Equal(GlueHarness.Account, t.CatalogId);
        Assert.Equal("0", t.VersionId);
    }

    [Fact]
    public void Create_table_errors_name_the_missing_database_or_the_existing_table()
    {
        var missing = GlueHarness.Fails(() => _h.Table("nodb", GlueHarness.ParquetTable("t")));
        Assert.Equal(("EntityNotFoundException", "Database nodb not found."), (missing.Code, missing.Message));

        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("t"));
        var twice = GlueHarness.Fails(() => _h.Table("db1", GlueHarness.ParquetTable("T")));
        Assert.Equal(("AlreadyExistsException", "Table already exists."), (twice.Code, twice.Message));

        var noTable = GlueHarness.Fails(() => _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "nope")));
        Assert.Equal(("EntityNotFoundException", "Table nope not found."), (noTable.Code, noTable.Message));
        var noDb = GlueHarness.Fails(() => _h.Service.GetTable(_h.Call(), new GetTableRequest("nodb", "t")));
        Assert.Equal("Database nodb not found.", noDb.Message);
    }

    [Theory]
    [InlineData("sales*", "sales,sales_2024")]
    [InlineData("sales.*", "sales,sales_2024")]
    [InlineData("*2024", "orders_2024,sales_2024")]
    [InlineData("orders_2024|sales", "orders_2024,sales")]
    [InlineData("SALES", "sales")]
    [InlineData("sale", "")]
    public void Get_tables_filters_names_with_the_expression(string expression, string expected)
    {
        _h.Database("db1");
        foreach (var n in new[] { "sales", "sales_2024", "orders_2024", "customers" }) _h.Table("db1", new TableInput(n));
        var names = _h.Service.GetTables(_h.Call(), new GetTablesRequest("db1", Expression: expression)).TableList.Select(t => t.Name);
        Assert.Equal(expected, string.Join(",", names));
    }

    [Fact]
    public void Get_tables_pages_and_answers_a_missing_database_with_entity_not_found()
    {
        _h.Database("db1");
        for (var i = 0; i < 5; i++) _h.Table("db1", new TableInput($"t{i}"));
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = _h.Service.GetTables(_h.Call(), new GetTablesRequest("db1", NextToken: token, MaxResults: 2));
            seen.AddRange(page.TableList.Select(t => t.Name));
            token = page.NextToken;
            pages++;
        } while (token is not null);
        Assert.Equal(["t0", "t1", "t2", "t3", "t4"], seen);
        Assert.Equal(3, pages);

        var e = GlueHarness.Fails(() => _h.Service.GetTables(_h.Call(), new GetTablesRequest("nodb")));
        Assert.Equal("Database nodb not found.", e.Message);
        var bad = GlueHarness.Fails(() => _h.Service.GetTables(_h.Call(), new GetTablesRequest("db1", Expression: "(")));
        Assert.Equal("InvalidInputException", bad.Code);
    }

    [Fact]
    public void Update_table_replaces_the_input_keeps_the_creation_and_archives_the_old_version()
    {
        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("t"));
        var created = _h.Now;
        _h.Now = created.AddMinutes(5);
        var changed = GlueHarness.ParquetTable("t") with { Parameters = new() { ["classification"] = "csv" } };
        _h.Service.UpdateTable(_h.Call(), new UpdateTableRequest("db1", changed));

        var t = _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "t")).Table;
        Assert.Equal("csv", t.Parameters!["classification"]);
        Assert.Equal(created, t.CreateTime);
        Assert.Equal(_h.Now, t.UpdateTime);
        Assert.Equal("1", t.VersionId);

        var versions = _h.Service.GetTableVersions(_h.Call(), new GetTableVersionsRequest("db1", "t")).TableVersions;
        Assert.Equal(["1", "0"], versions.Select(v => v.VersionId));
        Assert.Equal("parquet", versions[1].Table!.Parameters!["classification"]);

        var stale = GlueHarness.Fails(() => _h.Service.UpdateTable(_h.Call(), new UpdateTableRequest("db1", changed, VersionId: "0")));
        Assert.Equal("ConcurrentModificationException", stale.Code);
        var missing = GlueHarness.Fails(() => _h.Service.UpdateTable(_h.Call(), new UpdateTableRequest("db1", new TableInput("nope"))));
        Assert.Equal("Table nope not found.", missing.Message);
    }

    [Fact]
    public void Delete_table_and_batch_delete_table_report_missing_tables()
    {
        _h.Database("db1");
        foreach (var n in new[] { "a", "b", "c" }) _h.Table("db1", new TableInput(n));
        _h.Service.DeleteTable(_h.Call(), new DeleteTableRequest("db1", "a"));
        var e = GlueHarness.Fails(() => _h.Service.DeleteTable(_h.Call(), new DeleteTableRequest("db1", "a")));
        Assert.Equal(("EntityNotFoundException", "Table a not found."), (e.Code, e.Message));

        var batch = _h.Service.BatchDeleteTable(_h.Call(), new BatchDeleteTableRequest("db1", ["b", "zz", "c"]));
        var error = Assert.Single(batch.Errors);
        Assert.Equal("zz", error.TableName);
        Assert.Equal(("EntityNotFoundException", "Table zz not found."), (error.ErrorDetail!.ErrorCode, error.ErrorDetail.ErrorMessage));
        Assert.Empty(_h.Service.GetTables(_h.Call(), new GetTablesRequest("db1")).TableList);
    }

    [Fact]
    public void Tags_are_added_listed_and_removed_on_a_database_and_go_with_it()
    {
        _h.Service.CreateDatabase(_h.Call(), new CreateDatabaseRequest(new DatabaseInput("db1"), Tags: new() { ["team"] = "data" }));
        const string arn = "arn:aws:glue:us-east-1:123456789012:database/db1";
        _h.Service.TagResource(_h.Call(), new TagResourceRequest(arn, new() { ["env"] = "dev" }));
        Assert.Equal(new Dictionary<string, string> { ["env"] = "dev", ["team"] = "data" }, _h.Service.GetTags(_h.Call(), new GetTagsRequest(arn)).Tags);
        _h.Service.UntagResource(_h.Call(), new UntagResourceRequest(arn, ["team"]));
        Assert.Equal(["env"], _h.Service.GetTags(_h.Call(), new GetTagsRequest(arn)).Tags.Keys);

        _h.Service.DeleteDatabase(_h.Call(), new DeleteDatabaseRequest("db1"));
        _h.Database("db1");
        Assert.Empty(_h.Service.GetTags(_h.Call(), new GetTagsRequest(arn)).Tags);

        var e = GlueHarness.Fails(() => _h.Service.GetTags(_h.Call(), new GetTagsRequest("arn:aws:glue:us-east-1:123456789012:table/db1/nope")));
        Assert.Equal("EntityNotFoundException", e.Code);
    }

    [Fact]
    public void The_catalog_survives_a_reopened_state_store()
    {
        _h.Database("db1");
        _h.Table("db1", GlueHarness.ParquetTable("sales"));
        _h.Partition("db1", "sales", "2024", "01");
        _h.Service.TagResource(_h.Call(), new TagResourceRequest("arn:aws:glue:us-east-1:123456789012:table/db1/sales", new() { ["k"] = "v" }));
        var before = _h.Service.GetTable(_h.Call(), new GetTableRequest("db1", "sales")).Table;

        using var reopened = _h.Reopen();
        var after = reopened.Service.GetTable(reopened.Call(), new GetTableRequest("db1", "sales")).Table;
        Assert.Equal(Json(before), Json(after));
        var partition = Assert.Single(reopened.Service.GetPartitions(reopened.Call(), new GetPartitionsRequest("db1", "sales")).Partitions);
        Assert.Equal(["2024", "01"], partition.Values!);
        Assert.Equal("v", reopened.Service.GetTags(reopened.Call(), new GetTagsRequest("arn:aws:glue:us-east-1:123456789012:table/db1/sales")).Tags["k"]);
    }

    [Fact]
    public async Task Through_the_model_binding_a_table_round_trips_its_json_document()
    {
        _h.Database("db1");
        var binding = _h.Service.Operations["CreateTable"];
        var input = JsonNode.Parse("""
            {"DatabaseName":"db1","TableInput":{"Name":"csv_t","TableType":"EXTERNAL_TABLE","Parameters":{"classification":"csv","skip.header.line.count":"1"},
             "StorageDescriptor":{"Columns":[{"Name":"a","Type":"int"}],"Location":"s3://b/p/","Compressed":false,
               "SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe","Parameters":{"field.delim":","}}}}}
            """)!.AsObject();
        Assert.Null(await binding.InvokeAsync(_h.Call(), input, CancellationToken.None));

        var output = (await _h.Service.Operations["GetTable"].InvokeAsync(_h.Call(), JsonNode.Parse("""{"DatabaseName":"db1","Name":"csv_t"}""")!.AsObject(), CancellationToken.None))!;
        var table = output["Table"]!;
        Assert.Equal(",", (string?)table["StorageDescriptor"]!["SerdeInfo"]!["Parameters"]!["field.delim"]);
        Assert.Equal("1", (string?)table["Parameters"]!["skip.header.line.count"]);
        Assert.Equal("db1", (string?)table["DatabaseName"]);
        Assert.False((bool)table["IsRegisteredWithLakeFormation"]!);
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, LocalShift.Aws.Operations.OperationBinding.Options);
}
