namespace LocalShift.Services.Glue.Shapes;

// The Glue model's shapes that LocalShift reads and writes, named as the model names them; the json protocol reads and
// writes them from the model (src/LocalShift.Aws/Model/models/glue.json). The input documents (DatabaseInput,
// TableInput, PartitionInput) carry every member of their shapes, so what a client gives is stored and answered whole.
// ShapeConformanceTests checks that every property here is a member of its shape with its type.

// ---- Catalog objects ----

public sealed record DataLakePrincipal(string? DataLakePrincipalIdentifier = null);
public sealed record PrincipalPermissions(DataLakePrincipal? Principal = null, List<string>? Permissions = null);
public sealed record DatabaseIdentifier(string? CatalogId = null, string? DatabaseName = null);
public sealed record TableIdentifier(string? CatalogId = null, string? DatabaseName = null, string? Name = null);

public sealed record DatabaseInput(
    string Name,
    string? Description = null,
    string? LocationUri = null,
    Dictionary<string, string>? Parameters = null,
    List<PrincipalPermissions>? CreateTableDefaultPermissions = null,
    DatabaseIdentifier? TargetDatabase = null);

public sealed record Database(
    string Name,
    string? Description = null,
    string? LocationUri = null,
    Dictionary<string, string>? Parameters = null,
    DateTimeOffset? CreateTime = null,
    List<PrincipalPermissions>? CreateTableDefaultPermissions = null,
    DatabaseIdentifier? TargetDatabase = null,
    string? CatalogId = null);

public sealed record Column(string Name, string? Type = null, string? Comment = null, Dictionary<string, string>? Parameters = null);
public sealed record SerDeInfo(string? Name = null, string? SerializationLibrary = null, Dictionary<string, string>? Parameters = null);
public sealed record Order(string Column, int SortOrder);
public sealed record SkewedInfo(
    List<string>? SkewedColumnNames = null,
    List<string>? SkewedColumnValues = null,
    Dictionary<string, string>? SkewedColumnValueLocationMaps = null);
public sealed record SchemaId(string? SchemaArn = null, string? SchemaName = null, string? RegistryName = null);
public sealed record SchemaReference(SchemaId? SchemaId = null, string? SchemaVersionId = null, long? SchemaVersionNumber = null);

public sealed record StorageDescriptor(
    List<Column>? Columns = null,
    string? Location = null,
    List<string>? AdditionalLocations = null,
    string? InputFormat = null,
    string? OutputFormat = null,
    bool? Compressed = null,
    int? NumberOfBuckets = null,
    SerDeInfo? SerdeInfo = null,
    List<string>? BucketColumns = null,
    List<Order>? SortColumns = null,
    Dictionary<string, string>? Parameters = null,
    SkewedInfo? SkewedInfo = null,
    bool? StoredAsSubDirectories = null,
    SchemaReference? SchemaReference = null);

public sealed record TableInput(
    string Name,
    string? Description = null,
    string? Owner = null,
    DateTimeOffset? LastAccessTime = null,
    DateTimeOffset? LastAnalyzedTime = null,
    int? Retention = null,
    StorageDescriptor? StorageDescriptor = null,
    List<Column>? PartitionKeys = null,
    string? ViewOriginalText = null,
    string? ViewExpandedText = null,
    string? TableType = null,
    Dictionary<string, string>? Parameters = null,
    TableIdentifier? TargetTable = null);

public sealed record Table(
    string Name,
    string? DatabaseName = null,
    string? Description = null,
    string? Owner = null,
    DateTimeOffset? CreateTime = null,
    DateTimeOffset? UpdateTime = null,
    DateTimeOffset? LastAccessTime = null,
    DateTimeOffset? LastAnalyzedTime = null,
    int? Retention = null,
    StorageDescriptor? StorageDescriptor = null,
    List<Column>? PartitionKeys = null,
    string? ViewOriginalText = null,
    string? ViewExpandedText = null,
    string? TableType = null,
    Dictionary<string, string>? Parameters = null,
    string? CreatedBy = null,
    bool? IsRegisteredWithLakeFormation = null,
    TableIdentifier? TargetTable = null,
    string? CatalogId = null,
    string? VersionId = null);

public sealed record TableVersion(Table? Table = null, string? VersionId = null);

public sealed record PartitionInput(
    List<string>? Values = null,
    DateTimeOffset? LastAccessTime = null,
    StorageDescriptor? StorageDescriptor = null,
    Dictionary<string, string>? Parameters = null,
    DateTimeOffset? LastAnalyzedTime = null);

public sealed record Partition(
    List<string>? Values = null,
    string? DatabaseName = null,
    string? TableName = null,
    DateTimeOffset? CreationTime = null,
    DateTimeOffset? LastAccessTime = null,
    StorageDescriptor? StorageDescriptor = null,
    Dictionary<string, string>? Parameters = null,
    DateTimeOffset? LastAnalyzedTime = null,
    string? CatalogId = null);

public sealed record PartitionValueList(List<string> Values);
public sealed record ErrorDetail(string? ErrorCode = null, string? ErrorMessage = null);
public sealed record TableError(string? TableName = null, ErrorDetail? ErrorDetail = null);
public sealed record PartitionError(List<string>? PartitionValues = null, ErrorDetail? ErrorDetail = null);
public sealed record PartitionIndex(List<string> Keys, string IndexName);
public sealed record Segment(int SegmentNumber, int TotalSegments);

// ---- Databases ----

public sealed record CreateDatabaseRequest(DatabaseInput DatabaseInput, string? CatalogId = null, Dictionary<string, string>? Tags = null);
public sealed record GetDatabaseRequest(string Name, string? CatalogId = null);
public sealed record GetDatabaseResponse(Database Database);
public sealed record GetDatabasesRequest(string? CatalogId = null, string? NextToken = null, int? MaxResults = null, string? ResourceShareType = null);
public sealed record GetDatabasesResponse(List<Database> DatabaseList, string? NextToken = null);
public sealed record UpdateDatabaseRequest(string Name, DatabaseInput DatabaseInput, string? CatalogId = null);
public sealed record DeleteDatabaseRequest(string Name, string? CatalogId = null);

// ---- Tables ----

public sealed record CreateTableRequest(
    string DatabaseName,
    TableInput TableInput,
    string? CatalogId = null,
    List<PartitionIndex>? PartitionIndexes = null,
    string? TransactionId = null);
public sealed record GetTableRequest(string DatabaseName, string Name, string? CatalogId = null, string? TransactionId = null, DateTimeOffset? QueryAsOfTime = null);
public sealed record GetTableResponse(Table Table);
public sealed record GetTablesRequest(
    string DatabaseName,
    string? CatalogId = null,
    string? Expression = null,
    string? NextToken = null,
    int? MaxResults = null,
    string? TransactionId = null,
    DateTimeOffset? QueryAsOfTime = null);
public sealed record GetTablesResponse(List<Table> TableList, string? NextToken = null);
public sealed record UpdateTableRequest(
    string DatabaseName,
    TableInput TableInput,
    string? CatalogId = null,
    bool? SkipArchive = null,
    string? TransactionId = null,
    string? VersionId = null);
public sealed record DeleteTableRequest(string DatabaseName, string Name, string? CatalogId = null, string? TransactionId = null);
public sealed record BatchDeleteTableRequest(string DatabaseName, List<string> TablesToDelete, string? CatalogId = null, string? TransactionId = null);
public sealed record BatchDeleteTableResponse(List<TableError> Errors);
public sealed record GetTableVersionsRequest(string DatabaseName, string TableName, string? CatalogId = null, string? NextToken = null, int? MaxResults = null);
public sealed record GetTableVersionsResponse(List<TableVersion> TableVersions, string? NextToken = null);

// ---- Partitions ----

public sealed record CreatePartitionRequest(string DatabaseName, string TableName, PartitionInput PartitionInput, string? CatalogId = null);
public sealed record BatchCreatePartitionRequest(string DatabaseName, string TableName, List<PartitionInput> PartitionInputList, string? CatalogId = null);
public sealed record BatchCreatePartitionResponse(List<PartitionError> Errors);
public sealed record GetPartitionRequest(string DatabaseName, string TableName, List<string> PartitionValues, string? CatalogId = null);
public sealed record GetPartitionResponse(Partition Partition);
public sealed record GetPartitionsRequest(
    string DatabaseName,
    string TableName,
    string? CatalogId = null,
    string? Expression = null,
    string? NextToken = null,
    Segment? Segment = null,
    int? MaxResults = null,
    bool? ExcludeColumnSchema = null,
    string? TransactionId = null,
    DateTimeOffset? QueryAsOfTime = null);
public sealed record GetPartitionsResponse(List<Partition> Partitions, string? NextToken = null);
public sealed record BatchGetPartitionRequest(string DatabaseName, string TableName, List<PartitionValueList> PartitionsToGet, string? CatalogId = null);
public sealed record BatchGetPartitionResponse(List<Partition> Partitions, List<PartitionValueList> UnprocessedKeys);
public sealed record UpdatePartitionRequest(
    string DatabaseName,
    string TableName,
    List<string> PartitionValueList,
    PartitionInput PartitionInput,
    string? CatalogId = null);
public sealed record DeletePartitionRequest(string DatabaseName, string TableName, List<string> PartitionValues, string? CatalogId = null);
public sealed record BatchDeletePartitionRequest(string DatabaseName, string TableName, List<PartitionValueList> PartitionsToDelete, string? CatalogId = null);
public sealed record BatchDeletePartitionResponse(List<PartitionError> Errors);

// ---- Tags ----

public sealed record TagResourceRequest(string ResourceArn, Dictionary<string, string> TagsToAdd);
public sealed record UntagResourceRequest(string ResourceArn, List<string> TagsToRemove);
public sealed record GetTagsRequest(string ResourceArn);
public sealed record GetTagsResponse(Dictionary<string, string> Tags);
