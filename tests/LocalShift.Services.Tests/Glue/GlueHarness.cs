using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Glue;
using LocalShift.Services.Glue.Shapes;
using LocalShift.Services.Tests.Redshift;
using LocalShift.Storage.State;

namespace LocalShift.Services.Tests.Glue;

/// <summary>A Glue catalog over a temporary state file, called the way the edge (or the SQL side) calls it.</summary>
public sealed class GlueHarness : IDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    private readonly string _dir;
    private readonly bool _ownsDir;

    public GlueHarness(string? dir = null)
    {
        _ownsDir = dir is null;
        _dir = dir ?? Directory.CreateTempSubdirectory("ls-glue-").FullName;
        State = new StateStore(Path.Combine(_dir, "state.db"));
        Service = new GlueService(new GlueStore(State));
    }

    public StateStore State { get; }
    public GlueService Service { get; }
    public RecordingAuthorizer Authorizer { get; } = new();
    public Principal Caller { get; set; } = Principal.Root(Account);
    public DateTimeOffset Now { get; set; } = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);

    /// <summary>A second catalog over the same state file, as after a restart.</summary>
    public GlueHarness Reopen() => new(_dir);

    public AwsCall Call(string operation = "Test") => new()
    {
        Service = "glue",
        Operation = operation,
        Region = Region,
        RequestId = Guid.NewGuid().ToString(),
        Caller = Caller,
        Time = Now,
        Authorizer = Authorizer,
    };

    public void Database(string name, string? location = null) =>
        Service.CreateDatabase(Call(), new CreateDatabaseRequest(new DatabaseInput(name, LocationUri: location)));

    /// <summary>A Parquet table partitioned by year and month, as Athena's and Spectrum's examples create one.</summary>
    public static TableInput ParquetTable(string name, string yearType = "string") => new(
        name,
        TableType: "EXTERNAL_TABLE",
        Parameters: new() { ["classification"] = "parquet", ["EXTERNAL"] = "TRUE" },
        PartitionKeys: [new Column("year", yearType), new Column("month", "string")],
        StorageDescriptor: new StorageDescriptor(
            Columns: [new Column("id", "bigint"), new Column("amount", "decimal(10,2)", "in dollars")],
            Location: "s3://bucket/sales/",
            InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            Compressed: false,
            SerdeInfo: new SerDeInfo(SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                Parameters: new() { ["serialization.format"] = "1" })));

    public void Table(string database, TableInput input) => Service.CreateTable(Call(), new CreateTableRequest(database, input));

    public void Partition(string database, string table, params string[] values) =>
        Service.CreatePartition(Call(), new CreatePartitionRequest(database, table,
            new PartitionInput(values.ToList(), StorageDescriptor: new StorageDescriptor(Location: $"s3://bucket/sales/{string.Join("/", values)}/"))));

    public static AwsException Fails(Action act) => Assert.Throws<AwsException>(act);

    public void Dispose()
    {
        State.Dispose();
        if (!_ownsDir) return;
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
