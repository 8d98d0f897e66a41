namespace LocalShift.Services.Lambda.Shapes;

// The Lambda model's shapes that LocalShift reads and writes, named as the model names them; the rest-json protocol
// reads and writes them from the model (src/LocalShift.Aws/Model/models/lambda.json): URI labels, query strings,
// headers and the Invoke payload included. ShapeConformanceTests checks every property against its shape.

// ---- Function configuration ----

public sealed record FunctionCode(
    byte[]? ZipFile = null, string? S3Bucket = null, string? S3Key = null, string? S3ObjectVersion = null, string? ImageUri = null);

public sealed record Environment(Dictionary<string, string>? Variables = null);
public sealed record EnvironmentResponse(Dictionary<string, string>? Variables = null);
public sealed record TracingConfig(string? Mode = null);
public sealed record TracingConfigResponse(string? Mode = null);
public sealed record EphemeralStorage(int Size);
public sealed record SnapStartResponse(string? ApplyOn = null, string? OptimizationStatus = null);

public sealed record FunctionConfiguration(
    string? FunctionName = null,
    string? FunctionArn = null,
    string? Runtime = null,
    string? Role = null,
    string? Handler = null,
    long? CodeSize = null,
    string? Description = null,
    int? Timeout = null,
    int? MemorySize = null,
    string? LastModified = null,
    string? CodeSha256 = null,
    string? Version = null,
    EnvironmentResponse? Environment = null,
    TracingConfigResponse? TracingConfig = null,
    string? RevisionId = null,
    string? State = null,
    string? StateReason = null,
    string? StateReasonCode = null,
    string? LastUpdateStatus = null,
    string? LastUpdateStatusReason = null,
    string? LastUpdateStatusReasonCode = null,
    string? PackageType = null,
    List<string>? Architectures = null,
    EphemeralStorage? EphemeralStorage = null,
    SnapStartResponse? SnapStart = null);

public sealed record FunctionCodeLocation(string? RepositoryType = null, string? Location = null);

// ---- Functions ----

public sealed record CreateFunctionRequest(
    string FunctionName,
    string Role,
    FunctionCode Code,
    string? Runtime = null,
    string? Handler = null,
    string? Description = null,
    int? Timeout = null,
    int? MemorySize = null,
    bool? Publish = null,
    string? PackageType = null,
    Environment? Environment = null,
    TracingConfig? TracingConfig = null,
    Dictionary<string, string>? Tags = null,
    List<string>? Architectures = null,
    EphemeralStorage? EphemeralStorage = null);

public sealed record GetFunctionRequest(string FunctionName, string? Qualifier = null);
public sealed record GetFunctionResponse(
    FunctionConfiguration? Configuration = null, FunctionCodeLocation? Code = null, Dictionary<string, string>? Tags = null);

public sealed record GetFunctionConfigurationRequest(string FunctionName, string? Qualifier = null);

public sealed record ListFunctionsRequest(string? MasterRegion = null, string? FunctionVersion = null, string? Marker = null, int? MaxItems = null);
public sealed record ListFunctionsResponse(string? NextMarker = null, List<FunctionConfiguration>? Functions = null);

public sealed record UpdateFunctionCodeRequest(
    string FunctionName,
    byte[]? ZipFile = null,
    string? S3Bucket = null,
    string? S3Key = null,
    string? S3ObjectVersion = null,
    string? ImageUri = null,
    bool? Publish = null,
    bool? DryRun = null,
    string? RevisionId = null,
    List<string>? Architectures = null);

public sealed record UpdateFunctionConfigurationRequest(
    string FunctionName,
    string? Role = null,
    string? Handler = null,
    string? Description = null,
    int? Timeout = null,
    int? MemorySize = null,
    Environment? Environment = null,
    string? Runtime = null,
    TracingConfig? TracingConfig = null,
    string? RevisionId = null,
    EphemeralStorage? EphemeralStorage = null);

public sealed record DeleteFunctionRequest(string FunctionName, string? Qualifier = null);

// ---- Invoke ----

public sealed record InvocationRequest(
    string FunctionName,
    string? InvocationType = null,
    string? LogType = null,
    string? ClientContext = null,
    byte[]? Payload = null,
    string? Qualifier = null);

public sealed record InvocationResponse(
    int? StatusCode = null,
    string? FunctionError = null,
    string? LogResult = null,
    byte[]? Payload = null,
    string? ExecutedVersion = null);

// ---- Resource policy ----

public sealed record AddPermissionRequest(
    string FunctionName,
    string StatementId,
    string Action,
    string Principal,
    string? SourceArn = null,
    string? SourceAccount = null,
    string? EventSourceToken = null,
    string? Qualifier = null,
    string? RevisionId = null,
    string? PrincipalOrgID = null,
    string? FunctionUrlAuthType = null);

public sealed record AddPermissionResponse(string? Statement = null);

public sealed record RemovePermissionRequest(string FunctionName, string StatementId, string? Qualifier = null, string? RevisionId = null);

public sealed record GetPolicyRequest(string FunctionName, string? Qualifier = null);
public sealed record GetPolicyResponse(string? Policy = null, string? RevisionId = null);

// ---- Tags ----

public sealed record TagResourceRequest(string Resource, Dictionary<string, string> Tags);
public sealed record UntagResourceRequest(string Resource, List<string> TagKeys);
public sealed record ListTagsRequest(string Resource);
public sealed record ListTagsResponse(Dictionary<string, string>? Tags = null);

// ---- Versions ----

public sealed record PublishVersionRequest(string FunctionName, string? CodeSha256 = null, string? Description = null, string? RevisionId = null);

public sealed record ListVersionsByFunctionRequest(string FunctionName, string? Marker = null, int? MaxItems = null);
public sealed record ListVersionsByFunctionResponse(string? NextMarker = null, List<FunctionConfiguration>? Versions = null);

// ---- Aliases ----

public sealed record AliasRoutingConfiguration(Dictionary<string, double>? AdditionalVersionWeights = null);

public sealed record AliasConfiguration(
    string? AliasArn = null,
    string? Name = null,
    string? FunctionVersion = null,
    string? Description = null,
    AliasRoutingConfiguration? RoutingConfig = null,
    string? RevisionId = null);

public sealed record CreateAliasRequest(
    string FunctionName, string Name, string FunctionVersion, string? Description = null, AliasRoutingConfiguration? RoutingConfig = null);

public sealed record GetAliasRequest(string FunctionName, string Name);

public sealed record ListAliasesRequest(string FunctionName, string? FunctionVersion = null, string? Marker = null, int? MaxItems = null);
public sealed record ListAliasesResponse(string? NextMarker = null, List<AliasConfiguration>? Aliases = null);

public sealed record UpdateAliasRequest(
    string FunctionName, string Name, string? FunctionVersion = null, string? Description = null, AliasRoutingConfiguration? RoutingConfig = null,
    string? RevisionId = null);

public sealed record DeleteAliasRequest(string FunctionName, string Name);
