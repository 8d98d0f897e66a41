namespace LocalShift.Services.RedshiftData.Shapes;

// The Redshift Data API model's shapes that LocalShift reads and writes, named as the model names them
// (src/LocalShift.Aws/Model/models/redshift-data.json); the json protocol reads and writes them from the model.

public sealed record SqlParameter(string name, string value);

public sealed record ExecuteStatementInput(
    string Sql,
    string Database,
    string? ClusterIdentifier = null,
    string? DbUser = null,
    string? SecretArn = null,
    string? WorkgroupName = null,
    List<SqlParameter>? Parameters = null,
    string? StatementName = null,
    bool? WithEvent = null,
    string? ClientToken = null);

public sealed record ExecuteStatementOutput(
    string Id,
    DateTimeOffset CreatedAt,
    string? ClusterIdentifier = null,
    string? Database = null,
    string? DbUser = null,
    string? SecretArn = null,
    string? WorkgroupName = null);

public sealed record BatchExecuteStatementInput(
    List<string> Sqls,
    string Database,
    string? ClusterIdentifier = null,
    string? DbUser = null,
    string? SecretArn = null,
    string? WorkgroupName = null,
    string? StatementName = null,
    bool? WithEvent = null,
    string? ClientToken = null);

public sealed record BatchExecuteStatementOutput(
    string Id,
    DateTimeOffset CreatedAt,
    string? ClusterIdentifier = null,
    string? Database = null,
    string? DbUser = null,
    string? SecretArn = null,
    string? WorkgroupName = null);

public sealed record DescribeStatementRequest(string Id);

public sealed record SubStatementData
{
    public required string Id { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public long? Duration { get; init; }
    public string? Error { get; init; }
    public bool? HasResultSet { get; init; }
    public string? QueryString { get; init; }
    public long? RedshiftQueryId { get; init; }
    public long? ResultRows { get; init; }
    public long? ResultSize { get; init; }
    public string? Status { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

public sealed record DescribeStatementResponse
{
    public required string Id { get; init; }
    public string? ClusterIdentifier { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Database { get; init; }
    public string? DbUser { get; init; }
    public long? Duration { get; init; }
    public string? Error { get; init; }
    public bool? HasResultSet { get; init; }
    public List<SqlParameter>? QueryParameters { get; init; }
    public string? QueryString { get; init; }
    public long? RedshiftPid { get; init; }
    public long? RedshiftQueryId { get; init; }
    public long? ResultRows { get; init; }
    public long? ResultSize { get; init; }
    public string? SecretArn { get; init; }
    public string? Status { get; init; }
    public List<SubStatementData>? SubStatements { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

public sealed record GetStatementResultRequest(string Id, string? NextToken = null);

public sealed record Field
{
    public byte[]? blobValue { get; init; }
    public bool? booleanValue { get; init; }
    public double? doubleValue { get; init; }
    public bool? isNull { get; init; }
    public long? longValue { get; init; }
    public string? stringValue { get; init; }
}

public sealed record ColumnMetadata
{
    public string? columnDefault { get; init; }
    public bool isCaseSensitive { get; init; }
    public bool isCurrency { get; init; }
    public bool isSigned { get; init; }
    public string? label { get; init; }
    public int? length { get; init; }
    public string? name { get; init; }
    public int? nullable { get; init; }
    public int? precision { get; init; }
    public int? scale { get; init; }
    public string? schemaName { get; init; }
    public string? tableName { get; init; }
    public string? typeName { get; init; }
}

public sealed record GetStatementResultResponse(
    List<List<Field>> Records,
    List<ColumnMetadata>? ColumnMetadata = null,
    string? NextToken = null,
    long? TotalNumRows = null);

public sealed record ListStatementsRequest(
    int? MaxResults = null,
    string? NextToken = null,
    bool? RoleLevel = null,
    string? StatementName = null,
    string? Status = null);

public sealed record StatementData
{
    public required string Id { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public bool? IsBatchStatement { get; init; }
    public List<SqlParameter>? QueryParameters { get; init; }
    public string? QueryString { get; init; }
    public List<string>? QueryStrings { get; init; }
    public string? SecretArn { get; init; }
    public string? StatementName { get; init; }
    public string? Status { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

public sealed record ListStatementsResponse(List<StatementData> Statements, string? NextToken = null);

public sealed record CancelStatementRequest(string Id);
public sealed record CancelStatementResponse(bool Status);

public sealed record ListDatabasesRequest(
    string Database,
    string? ClusterIdentifier = null,
    string? DbUser = null,
    int? MaxResults = null,
    string? NextToken = null,
    string? SecretArn = null,
    string? WorkgroupName = null);

public sealed record ListDatabasesResponse(List<string> Databases, string? NextToken = null);

public sealed record ListSchemasRequest(
    string Database,
    string? ClusterIdentifier = null,
    string? ConnectedDatabase = null,
    string? DbUser = null,
    int? MaxResults = null,
    string? NextToken = null,
    string? SchemaPattern = null,
    string? SecretArn = null,
    string? WorkgroupName = null);

public sealed record ListSchemasResponse(List<string> Schemas, string? NextToken = null);

public sealed record ListTablesRequest(
    string Database,
    string? ClusterIdentifier = null,
    string? ConnectedDatabase = null,
    string? DbUser = null,
    int? MaxResults = null,
    string? NextToken = null,
    string? SchemaPattern = null,
    string? SecretArn = null,
    string? TablePattern = null,
    string? WorkgroupName = null);

public sealed record TableMember(string name, string schema, string type);

public sealed record ListTablesResponse(List<TableMember> Tables, string? NextToken = null);

public sealed record DescribeTableRequest(
    string Database,
    string? ClusterIdentifier = null,
    string? ConnectedDatabase = null,
    string? DbUser = null,
    int? MaxResults = null,
    string? NextToken = null,
    string? Schema = null,
    string? SecretArn = null,
    string? Table = null,
    string? WorkgroupName = null);

public sealed record DescribeTableResponse(List<ColumnMetadata> ColumnList, string? TableName = null, string? NextToken = null);
