using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Glue;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Sql.External;

/// <summary>
/// The data catalog of external schemas: LocalShift's Glue, called in-process through the same typed operations and
/// the same authorization as a signed <c>aws glue</c> request, as the schema role's session.
/// </summary>
public sealed class GlueDataCatalog(GlueService glue, IAuthorizer authorizer, TimeProvider clock) : IDataCatalog
{
    private AwsCall Call(Principal caller, string region, string operation) => new()
    {
        Service = "glue",
        Operation = operation,
        Region = region,
        RequestId = Guid.NewGuid().ToString(),
        Caller = caller,
        Time = clock.GetUtcNow(),
        Authorizer = authorizer,
    };

    public bool DatabaseExists(Principal caller, string region, string database)
    {
        try
        {
            glue.GetDatabase(Call(caller, region, "GetDatabase"), new GetDatabaseRequest(database));
            return true;
        }
        catch (AwsException e) when (e.Code == "EntityNotFoundException")
        {
            return false;
        }
    }

    public void CreateDatabase(Principal caller, string region, string database) =>
        glue.CreateDatabase(Call(caller, region, "CreateDatabase"), new CreateDatabaseRequest(new DatabaseInput(database)));

    public void DeleteDatabase(Principal caller, string region, string database) =>
        glue.DeleteDatabase(Call(caller, region, "DeleteDatabase"), new DeleteDatabaseRequest(database));

    public CatalogTable? GetTable(Principal caller, string region, string database, string table)
    {
        try
        {
            return ToCatalog(glue.GetTable(Call(caller, region, "GetTable"), new GetTableRequest(database, table)).Table, database);
        }
        catch (AwsException e) when (e.Code == "EntityNotFoundException")
        {
            return null;
        }
    }

    public IReadOnlyList<CatalogTable> GetTables(Principal caller, string region, string database)
    {
        var tables = new List<CatalogTable>();
        string? next = null;
        do
        {
            var page = glue.GetTables(Call(caller, region, "GetTables"), new GetTablesRequest(database, NextToken: next));
            tables.AddRange(page.TableList.Select(t => ToCatalog(t, database)));
            next = page.NextToken;
        } while (next is not null);
        return tables;
    }

    public void CreateTable(Principal caller, string region, CatalogTable table) =>
        glue.CreateTable(Call(caller, region, "CreateTable"), new CreateTableRequest(table.Database, new TableInput(
            table.Name,
            StorageDescriptor: new StorageDescriptor(
                Columns: table.Columns.Select(c => new Column(c.Name, c.Type)).ToList(),
                Location: table.Location,
                InputFormat: table.InputFormat,
                OutputFormat: table.OutputFormat,
                Compressed: false,
                NumberOfBuckets: -1,
                SerdeInfo: new SerDeInfo(SerializationLibrary: table.SerializationLibrary, Parameters: new Dictionary<string, string>(table.SerdeParameters)),
                Parameters: new Dictionary<string, string>()),
            PartitionKeys: table.PartitionKeys.Select(c => new Column(c.Name, c.Type)).ToList(),
            TableType: table.TableType,
            Parameters: new Dictionary<string, string>(table.Parameters))));

    public void DeleteTable(Principal caller, string region, string database, string table) =>
        glue.DeleteTable(Call(caller, region, "DeleteTable"), new DeleteTableRequest(database, table));

    public IReadOnlyList<CatalogPartition> GetPartitions(Principal caller, string region, string database, string table, string? expression = null)
    {
        var partitions = new List<CatalogPartition>();
        string? next = null;
        do
        {
            var page = glue.GetPartitions(Call(caller, region, "GetPartitions"), new GetPartitionsRequest(database, table, Expression: expression, NextToken: next));
            partitions.AddRange(page.Partitions.Select(p => new CatalogPartition(p.Values ?? [], p.StorageDescriptor?.Location ?? "")));
            next = page.NextToken;
        } while (next is not null);
        return partitions;
    }

    public void CreatePartition(Principal caller, string region, string database, string table, CatalogPartition partition) =>
        glue.CreatePartition(Call(caller, region, "CreatePartition"), new CreatePartitionRequest(database, table,
            new PartitionInput(Values: partition.Values.ToList(), StorageDescriptor: new StorageDescriptor(Location: partition.Location))));

    public void DeletePartition(Principal caller, string region, string database, string table, IReadOnlyList<string> values) =>
        glue.DeletePartition(Call(caller, region, "DeletePartition"), new DeletePartitionRequest(database, table, values.ToList()));

    public void AlterTable(Principal caller, string region, string database, string table, string? location, IReadOnlyDictionary<string, string>? parameters)
    {
        var t = glue.GetTable(Call(caller, region, "GetTable"), new GetTableRequest(database, table)).Table;
        var merged = new Dictionary<string, string>(t.Parameters ?? []);
        foreach (var (k, v) in parameters ?? new Dictionary<string, string>()) merged[k] = v;
        var descriptor = t.StorageDescriptor ?? new StorageDescriptor();
        glue.UpdateTable(Call(caller, region, "UpdateTable"), new UpdateTableRequest(database, new TableInput(
            t.Name, t.Description, t.Owner, t.LastAccessTime, t.LastAnalyzedTime, t.Retention,
            location is null ? descriptor : descriptor with { Location = location },
            t.PartitionKeys, t.ViewOriginalText, t.ViewExpandedText, t.TableType, merged, t.TargetTable)));
    }

    public void SetPartitionLocation(Principal caller, string region, string database, string table, IReadOnlyList<string> values, string location)
    {
        var p = glue.GetPartition(Call(caller, region, "GetPartition"), new GetPartitionRequest(database, table, values.ToList())).Partition;
        glue.UpdatePartition(Call(caller, region, "UpdatePartition"), new UpdatePartitionRequest(database, table, values.ToList(),
            new PartitionInput(p.Values, p.LastAccessTime, (p.StorageDescriptor ?? new StorageDescriptor()) with { Location = location }, p.Parameters, p.LastAnalyzedTime)));
    }

    private static CatalogTable ToCatalog(Table t, string database) => new()
    {
        Database = t.DatabaseName ?? database,
        Name = t.Name,
        Columns = (t.StorageDescriptor?.Columns ?? []).Select(c => new CatalogColumn(c.Name.ToLowerInvariant(), c.Type ?? "string")).ToList(),
        PartitionKeys = (t.PartitionKeys ?? []).Select(c => new CatalogColumn(c.Name.ToLowerInvariant(), c.Type ?? "string")).ToList(),
        Location = t.StorageDescriptor?.Location ?? "",
        InputFormat = t.StorageDescriptor?.InputFormat,
        OutputFormat = t.StorageDescriptor?.OutputFormat,
        SerializationLibrary = t.StorageDescriptor?.SerdeInfo?.SerializationLibrary,
        SerdeParameters = t.StorageDescriptor?.SerdeInfo?.Parameters ?? new Dictionary<string, string>(),
        Parameters = t.Parameters ?? new Dictionary<string, string>(),
        TableType = t.TableType ?? "EXTERNAL_TABLE",
    };
}
