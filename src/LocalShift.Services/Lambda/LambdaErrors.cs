using LocalShift.Core;

namespace LocalShift.Services.Lambda;

/// <summary>
/// Lambda's errors: its rest-json codes, HTTP statuses and the texts AWS answers. Texts not confirmed against AWS are
/// marked <c>unverified</c> (docs/lambda.md lists them).
/// </summary>
public static class LambdaErrors
{
    public static AwsException FunctionNotFound(string arn) => new("ResourceNotFoundException", $"Function not found: {arn}", 404);

    /// <summary>AWS's text, grammar included.</summary>
    public static AwsException FunctionExists(string name) => new("ResourceConflictException", $"Function already exist: {name}", 409);

    public static AwsException InvalidParameter(string message) => new("InvalidParameterValueException", message, 400);

    public static AwsException RoleCannotBeAssumed() => InvalidParameter("The role defined for the function cannot be assumed by Lambda.");

    public static AwsException UnzipFailed() =>
        InvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");

    public static AwsException RequestTooLarge(int limit) =>
        new("RequestEntityTooLargeException", $"Request must be smaller than {limit} bytes for the InvokeFunction operation", 413);

    public static AwsException EventTooLarge(int size, int limit) =>
        new("RequestEntityTooLargeException", $"{size} byte payload is too large for the Event invocation type (limit {limit} bytes)", 413);

    public static AwsException DeprecatedRuntime(string runtime) =>
        InvalidParameter($"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
                         + "We recommend you use the new runtime (nodejs22.x) while creating or updating functions.");

    public static AwsException WrongRegion(string functionRegion, string callRegion) =>
        InvalidParameter($"Functions from '{functionRegion}' are not reachable in this region ('{callRegion}')");

    // unverified: AWS's text when a zip package comes without a runtime or a handler.
    public static AwsException RuntimeAndHandlerRequired() =>
        InvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");

    // unverified: AWS's text for a package given both ways or neither.
    public static AwsException CodeSource() =>
        InvalidParameter("Please provide a source for function code: either ZipFile, or S3Bucket and S3Key.");

    // unverified: AWS's text for container-image functions, which LocalShift does not run.
    public static AwsException ImagesNotSupported() =>
        InvalidParameter("LocalShift does not run container image functions (PackageType Image, ImageUri); give the code as a zip package.");

    public static AwsException S3Code(string bucket, string key, string s3Code, string s3Message) => s3Code == "AccessDenied"
        ? InvalidParameter($"Your access has been denied by S3, please make sure your request credentials have permission to GetObject for {bucket}/{key}. S3 Error Code: AccessDenied. S3 Error Message: {s3Message}")
        : InvalidParameter($"Error occurred while GetObject. S3 Error Code: {s3Code}. S3 Error Message: {s3Message}");

    public static AwsException StatementExists() =>
        new("ResourceConflictException", "The statement id (sid) provided already exists. Please choose another statement id.", 409);

    // unverified: AWS's text.
    public static AwsException StatementNotFound(string sid) =>
        new("ResourceNotFoundException", $"Statement {sid} is not found in resource policy.", 404);

    public static AwsException NoPolicy() => new("ResourceNotFoundException", "The resource you requested does not exist.", 404);

    // unverified: AWS's text.
    public static AwsException RevisionMismatch() =>
        new("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412);

    // unverified: AWS's text for a reserved environment variable name.
    public static AwsException ReservedVariables(IEnumerable<string> keys) =>
        InvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: "
                         + string.Join(", ", keys));

    // ---- Versions and aliases ----

    public static AwsException CodeShaMismatch(string given, string current) =>
        InvalidParameter($"CodeSHA256 ({given}) is different from current CodeSHA256 in $LATEST ({current}). Please try again with the CodeSHA256 in $LATEST.");

    public static AwsException AliasExists(string aliasArn) => new("ResourceConflictException", $"Alias already exists: {aliasArn}", 409);

    public static AwsException AliasNotFound(string aliasArn) => new("ResourceNotFoundException", $"Cannot find alias arn: {aliasArn}", 404);

    public static AwsException LatestCannotBeDeleted() => InvalidParameter("$LATEST version cannot be deleted without deleting the function.");

    /// <summary>AWS's text (the alias names as a bracketed list).</summary>
    public static AwsException VersionReferenced(IEnumerable<string> aliases) =>
        new("ResourceConflictException", $"Unable to delete version because the following aliases reference it: [{string.Join(", ", aliases)}]", 409);

    // unverified: AWS's text for DeleteFunction with an alias as its qualifier (as other emulators record it).
    public static AwsException AliasDeletionByQualifier() => InvalidParameter("Deletion of aliases is not currently supported.");

    public static AwsException LatestPolicy() => InvalidParameter("We currently do not support adding policies for $LATEST.");

    // unverified: AWS's text for more than one additional version (as other emulators record it).
    public static AwsException TooManyWeights() => InvalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");

    // unverified: AWS's text for an additional version that is the alias's own (as other emulators record it).
    public static AwsException WeightOnOwnVersion(string version) =>
        InvalidParameter($"Invalid function version {version}. Function version {version} is already included in routing configuration.");

    // unverified: AWS's text for weights on an alias of $LATEST (as other emulators record it).
    public static AwsException WeightsOnLatest() => InvalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");

    /// <summary>
    /// The policy engine denies with the generic <c>AccessDenied</c>; Lambda's rest-json protocol names it
    /// <c>AccessDeniedException</c>, 403, with the same text.
    /// </summary>
    public static AwsException AccessDenied(AwsException denial) => new("AccessDeniedException", denial.Message, 403);
}
