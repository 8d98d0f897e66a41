using LocalShift.Core;

namespace LocalShift.Sql.External;

/// <summary>A column as the data catalog describes it: a name and a Hive/Glue type (<c>int</c>, <c>string</c>, <c>decimal(10,2)</c>).</summary>
public sealed record CatalogColumn(string Name, string Type);

/// <summary>An external table as the catalog holds it (Glue's <c>Table</c> with its <c>StorageDescriptor</c>).</summary>
public sealed record CatalogTable
{
    public required string Database { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<CatalogColumn> Columns { get; init; }
    public IReadOnlyList<CatalogColumn> PartitionKeys { get; init; } = [];
    public required string Location { get; init; }
    public string? InputFormat { get; init; }
    public string? OutputFormat { get; init; }
    public string? SerializationLibrary { get; init; }
    public IReadOnlyDictionary<string, string> SerdeParameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public string TableType { get; init; } = "EXTERNAL_TABLE";
}

/// <summary>One partition: its values, in the order of the table's partition keys, and where its files are.</summary>
public sealed record CatalogPartition(IReadOnlyList<string> Values, string Location);

/// <summary>
/// The data catalog external schemas name (AWS Glue's, on the same endpoint), called as a principal — the role
/// session of the schema's IAM_ROLE — so the catalog's own authorization decides. Failures are the catalog's
/// <see cref="AwsException"/>s (AccessDeniedException, EntityNotFoundException, AlreadyExistsException); a missing
/// database or table may also be answered with null.
/// </summary>
public interface IDataCatalog
{
    bool DatabaseExists(Principal caller, string region, string database);
    void CreateDatabase(Principal caller, string region, string database);
    void DeleteDatabase(Principal caller, string region, string database);
    CatalogTable? GetTable(Principal caller, string region, string database, string table);
    void CreateTable(Principal caller, string region, CatalogTable table);
    void DeleteTable(Principal caller, string region, string database, string table);
    IReadOnlyList<CatalogTable> GetTables(Principal caller, string region, string database);
    /// <param name="expression">Glue's <c>Expression</c> on the partition keys (null: every partition).</param>
    IReadOnlyList<CatalogPartition> GetPartitions(Principal caller, string region, string database, string table, string? expression = null);
    void CreatePartition(Principal caller, string region, string database, string table, CatalogPartition partition);
    void DeletePartition(Principal caller, string region, string database, string table, IReadOnlyList<string> values);

    /// <summary>
    /// Changes a table's location and/or sets table parameters (<c>glue:GetTable</c>, then <c>glue:UpdateTable</c>),
    /// keeping everything else the catalog holds of it.
    /// </summary>
    void AlterTable(Principal caller, string region, string database, string table, string? location, IReadOnlyDictionary<string, string>? parameters);

    /// <summary>Moves a partition to another location (<c>glue:GetPartition</c>, then <c>glue:UpdatePartition</c>).</summary>
    void SetPartitionLocation(Principal caller, string region, string database, string table, IReadOnlyList<string> values, string location);
}
