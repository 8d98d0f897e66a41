using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Glue;

/// <summary>The Glue Data Catalog through Debian's AWS CLI, with the tables Athena's and Spectrum's guides create.</summary>
public sealed class GlueCliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;
    private const string Account = "123456789012";

    // A partitioned Parquet table as in Redshift Spectrum's and Athena's guides.
    private const string ParquetTable = """
        {"Name": "Sales", "TableType": "EXTERNAL_TABLE",
         "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
         "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}],
         "StorageDescriptor": {
           "Columns": [{"Name": "salesid", "Type": "int"}, {"Name": "pricepaid", "Type": "decimal(8,2)", "Comment": "in dollars"},
                       {"Name": "saletime", "Type": "timestamp"}],
           "Location": "s3://spectrum-bucket/sales_partitioned/",
           "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
           "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
           "Compressed": false,
           "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                         "Parameters": {"serialization.format": "1"}}}}
        """;

    // A CSV table with a header line, as Athena's "CREATE TABLE … ROW FORMAT DELIMITED" writes it into the catalog.
    private const string CsvTable = """
        {"Name": "events_csv", "TableType": "EXTERNAL_TABLE",
         "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
         "StorageDescriptor": {
           "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
           "Location": "s3://spectrum-bucket/events/",
           "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
           "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
           "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                         "Parameters": {"field.delim": ",", "serialization.format": ","}}}}
        """;

    [Fact]
    public async Task Parquet_table_round_trips_field_by_field_through_get_table()
    {
        (await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"Spectrum_DB","Description":"spectrum","LocationUri":"s3://spectrum-bucket/"}""")).EnsureSuccess();
        (await Server.AwsAsync("glue", "create-table", "--database-name", "spectrum_db", "--table-input", ParquetTable)).EnsureSuccess();

        var db = (await Server.AwsAsync("glue", "get-database", "--name", "SPECTRUM_DB")).Json().GetProperty("Database");
        Assert.Equal("spectrum_db", db.GetProperty("Name").GetString());
        Assert.Equal("s3://spectrum-bucket/", db.GetProperty("LocationUri").GetString());
        Assert.Equal(Account, db.GetProperty("CatalogId").GetString());
        Assert.True(db.TryGetProperty("CreateTime", out _));

        var t = (await Server.AwsAsync("glue", "get-table", "--database-name", "spectrum_db", "--name", "sales")).Json().GetProperty("Table");
        Assert.Equal("sales", t.GetProperty("Name").GetString());
        Assert.Equal("spectrum_db", t.GetProperty("DatabaseName").GetString());
        Assert.Equal("EXTERNAL_TABLE", t.GetProperty("TableType").GetString());
        Assert.Equal("parquet", t.GetProperty("Parameters").GetProperty("classification").GetString());
        Assert.Equal("TRUE", t.GetProperty("Parameters").GetProperty("EXTERNAL").GetString());
        Assert.Equal(["year:string", "month:string"], Columns(t.GetProperty("PartitionKeys")));
        var sd = t.GetProperty("StorageDescriptor");
        Assert.Equal(["salesid:int", "pricepaid:decimal(8,2)", "saletime:timestamp"], Columns(sd.GetProperty("Columns")));
        Assert.Equal("in dollars", sd.GetProperty("Columns")[1].GetProperty("Comment").GetString());
        Assert.Equal("s3://spectrum-bucket/sales_partitioned/", sd.GetProperty("Location").GetString());
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", sd.GetProperty("InputFormat").GetString());
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", sd.GetProperty("OutputFormat").GetString());
        Assert.False(sd.GetProperty("Compressed").GetBoolean());
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", sd.GetProperty("SerdeInfo").GetProperty("SerializationLibrary").GetString());
        Assert.Equal("1", sd.GetProperty("SerdeInfo").GetProperty("Parameters").GetProperty("serialization.format").GetString());
        Assert.Equal($"arn:aws:iam::{Account}:root", t.GetProperty("CreatedBy").GetString());
        Assert.False(t.GetProperty("IsRegisteredWithLakeFormation").GetBoolean());
        Assert.Equal(Account, t.GetProperty("CatalogId").GetString());
        Assert.Equal("0", t.GetProperty("VersionId").GetString());
        // The CLI prints timestamps it read as epoch seconds in ISO 8601.
        Assert.True(DateTimeOffset.TryParse(t.GetProperty("CreateTime").GetString(), out var created));
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - created).TotalMinutes) < 10);
        Assert.Equal(t.GetProperty("CreateTime").GetString(), t.GetProperty("UpdateTime").GetString());
    }

    [Fact]
    public async Task Csv_table_keeps_its_serde_parameters_and_get_tables_filters_by_expression()
    {
        (await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"csvdb"}""")).EnsureSuccess();
        (await Server.AwsAsync("glue", "create-table", "--database-name", "csvdb", "--table-input", CsvTable)).EnsureSuccess();
        (await Server.AwsAsync("glue", "create-table", "--database-name", "csvdb", "--table-input", """{"Name":"events_json"}""")).EnsureSuccess();
        (await Server.AwsAsync("glue", "create-table", "--database-name", "csvdb", "--table-input", """{"Name":"users"}""")).EnsureSuccess();

        var t = (await Server.AwsAsync("glue", "get-table", "--database-name", "csvdb", "--name", "events_csv")).Json().GetProperty("Table");
        var serde = t.GetProperty("StorageDescriptor").GetProperty("SerdeInfo");
        Assert.Equal("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", serde.GetProperty("SerializationLibrary").GetString());
        Assert.Equal(",", serde.GetProperty("Parameters").GetProperty("field.delim").GetString());
        Assert.Equal("1", t.GetProperty("Parameters").GetProperty("skip.header.line.count").GetString());
        Assert.Equal("csv", t.GetProperty("Parameters").GetProperty("classification").GetString());

        var events = (await Server.AwsAsync("glue", "get-tables", "--database-name", "csvdb", "--expression", "events*")).Json().GetProperty("TableList");
        Assert.Equal(["events_csv", "events_json"], events.EnumerateArray().Select(x => x.GetProperty("Name").GetString()));
        // The CLI follows NextToken itself: one table a page still lists all three.
        var all = (await Server.AwsAsync("glue", "get-tables", "--database-name", "csvdb", "--page-size", "1")).Json().GetProperty("TableList");
        Assert.Equal(["events_csv", "events_json", "users"], all.EnumerateArray().Select(x => x.GetProperty("Name").GetString()));
    }

    [Fact]
    public async Task Get_partitions_with_an_expression_answers_the_matching_partitions()
    {
        (await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"partdb"}""")).EnsureSuccess();
        (await Server.AwsAsync("glue", "create-table", "--database-name", "partdb", "--table-input", ParquetTable)).EnsureSuccess();
        var inputs = from y in new[] { "2023", "2024" } from m in new[] { "01", "02", "03" }
            select new { Values = new[] { y, m }, StorageDescriptor = new { Location = $"s3://spectrum-bucket/sales_partitioned/year={y}/month={m}/" } };
        var created = (await Server.AwsAsync("glue", "batch-create-partition", "--database-name", "partdb", "--table-name", "sales",
            "--partition-input-list", JsonSerializer.Serialize(inputs))).Json();
        Assert.False(created.TryGetProperty("Errors", out var errs) && errs.GetArrayLength() > 0, created.ToString());

        var r = (await Server.AwsAsync("glue", "get-partitions", "--database-name", "partdb", "--table-name", "sales",
            "--expression", "year = '2024' AND month IN ('01', '03')", "--page-size", "1")).Json().GetProperty("Partitions");
        Assert.Equal(["2024/01", "2024/03"], r.EnumerateArray().Select(p => string.Join("/", p.GetProperty("Values").EnumerateArray().Select(v => v.GetString()))));
        Assert.Equal("s3://spectrum-bucket/sales_partitioned/year=2024/month=03/", r[1].GetProperty("StorageDescriptor").GetProperty("Location").GetString());

        var one = (await Server.AwsAsync("glue", "get-partition", "--database-name", "partdb", "--table-name", "sales", "--partition-values", "2023", "02")).Json();
        Assert.Equal("sales", one.GetProperty("Partition").GetProperty("TableName").GetString());

        var missing = await Server.AwsAsync("glue", "get-partition", "--database-name", "partdb", "--table-name", "sales", "--partition-values", "1999", "01");
        Assert.Equal(254, missing.ExitCode);
        Assert.Contains("An error occurred (EntityNotFoundException) when calling the GetPartition operation: Cannot find partition.", missing.Stderr);

        var bad = await Server.AwsAsync("glue", "get-partitions", "--database-name", "partdb", "--table-name", "sales", "--expression", "region = 'eu'");
        Assert.Equal(254, bad.ExitCode);
        Assert.Contains("An error occurred (InvalidInputException) when calling the GetPartitions operation:", bad.Stderr);

        (await Server.AwsAsync("glue", "delete-database", "--name", "partdb")).EnsureSuccess();
        var gone = await Server.AwsAsync("glue", "get-table", "--database-name", "partdb", "--name", "sales");
        Assert.Contains("An error occurred (EntityNotFoundException) when calling the GetTable operation: Database partdb not found.", gone.Stderr);
    }

    [Fact]
    public async Task Errors_carry_glues_codes_and_texts()
    {
        (await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"errdb"}""")).EnsureSuccess();
        var again = await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"errdb"}""");
        Assert.Contains("An error occurred (AlreadyExistsException) when calling the CreateDatabase operation: Database already exists.", again.Stderr);
        var noDb = await Server.AwsAsync("glue", "get-database", "--name", "nodb");
        Assert.Contains("An error occurred (EntityNotFoundException) when calling the GetDatabase operation: Database nodb not found.", noDb.Stderr);
        var noTable = await Server.AwsAsync("glue", "get-table", "--database-name", "errdb", "--name", "nope");
        Assert.Contains("An error occurred (EntityNotFoundException) when calling the GetTable operation: Table nope not found.", noTable.Stderr);
        // The model's constraints (here a name's pattern, which the CLI does not check itself), checked at the edge.
        var invalid = await Server.AwsAsync("glue", "get-table", "--database-name", "errdb", "--name", "bad\nname");
        Assert.Contains("(ValidationException) when calling the GetTable operation", invalid.Stderr);
    }

    [Fact]
    public async Task A_user_allowed_only_get_table_on_one_table_is_denied_everything_else_with_access_denied_exception()
    {
        (await Server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"authdb"}""")).EnsureSuccess();
        foreach (var name in new[] { "open", "closed" })
            (await Server.AwsAsync("glue", "create-table", "--database-name", "authdb", "--table-input", $$"""{"Name":"{{name}}"}""")).EnsureSuccess();
        const string prefix = $"arn:aws:glue:us-east-1:{Account}:";
        var (alice, aliceSecret) = await UserAsync("glue-alice", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetTable",
              "Resource":["{{prefix}}catalog","{{prefix}}database/authdb","{{prefix}}table/authdb/open"]}]}
            """);
        Task<CommandResult> Alice(params string[] args) => Server.AwsAsAsync(alice, aliceSecret, null, args);

        (await Alice("glue", "get-table", "--database-name", "authdb", "--name", "open")).EnsureSuccess();
        var closed = await Alice("glue", "get-table", "--database-name", "authdb", "--name", "closed");
        Assert.Equal(254, closed.ExitCode);
        Assert.Contains($"An error occurred (AccessDeniedException) when calling the GetTable operation: User: arn:aws:iam::{Account}:user/glue-alice is not authorized to perform: glue:GetTable on resource: {prefix}table/authdb/closed because no identity-based policy allows the glue:GetTable action", closed.Stderr);
        var delete = await Alice("glue", "delete-table", "--database-name", "authdb", "--name", "open");
        Assert.Contains($"An error occurred (AccessDeniedException) when calling the DeleteTable operation: User: arn:aws:iam::{Account}:user/glue-alice is not authorized to perform: glue:DeleteTable on resource: {prefix}catalog because no identity-based policy allows the glue:DeleteTable action", delete.Stderr);
        var list = await Alice("glue", "get-tables", "--database-name", "authdb");
        Assert.Contains("(AccessDeniedException) when calling the GetTables operation", list.Stderr);
        // The denied delete changed nothing.
        (await Server.AwsAsync("glue", "get-table", "--database-name", "authdb", "--name", "open")).EnsureSuccess();

        // The table's ARN alone is not enough: AWS authorizes a table operation on the catalog and the database too.
        var (bob, bobSecret) = await UserAsync("glue-bob", $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetTable","Resource":"{{prefix}}table/authdb/open"}]}
            """);
        var bobs = await Server.AwsAsAsync(bob, bobSecret, null, "glue", "get-table", "--database-name", "authdb", "--name", "open");
        Assert.Contains($"An error occurred (AccessDeniedException) when calling the GetTable operation: User: arn:aws:iam::{Account}:user/glue-bob is not authorized to perform: glue:GetTable on resource: {prefix}catalog because no identity-based policy allows the glue:GetTable action", bobs.Stderr);
    }

    [Fact]
    public async Task The_catalog_survives_a_restart()
    {
        await using var server = await LocalShiftServer.StartAsync();
        (await server.AwsAsync("glue", "create-database", "--database-input", """{"Name":"keep"}""")).EnsureSuccess();
        (await server.AwsAsync("glue", "create-table", "--database-name", "keep", "--table-input", CsvTable)).EnsureSuccess();
        var before = (await server.AwsAsync("glue", "get-table", "--database-name", "keep", "--name", "events_csv")).Stdout;

        await server.RestartAsync();

        var after = (await server.AwsAsync("glue", "get-table", "--database-name", "keep", "--name", "events_csv")).Stdout;
        Assert.Equal(before, after);
    }

    private async Task<(string Id, string Secret)> UserAsync(string name, string policy)
    {
        (await Server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "glue", "--policy-document", policy)).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    private static string[] Columns(JsonElement list) =>
        list.EnumerateArray().Select(c => $"{c.GetProperty("Name").GetString()}:{c.GetProperty("Type").GetString()}").ToArray();
}
