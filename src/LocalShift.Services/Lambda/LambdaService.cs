using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Policy;
using LocalShift.Services.Iam;
using LocalShift.Services.Lambda.Shapes;
using LocalShift.Services.S3;
using LocalShift.Services.Sts;

namespace LocalShift.Services.Lambda;

/// <summary>
/// AWS Lambda as typed operations of the Lambda model (rest-json): functions with zip packages, their resource
/// policies and tags, and Invoke, which runs the function as a real process of its runtime (<see cref="IFunctionRunner"/>).
/// Every operation authorizes <c>lambda:&lt;Action&gt;</c> on the function's ARN before acting; creating or updating a
/// function passes its role (<c>iam:PassRole</c> with <c>iam:PassedToService</c>) and the role must trust Lambda.
/// Published versions and aliases (weighted too) are named by qualifiers (<c>f:3</c>, <c>f:live</c>, <c>Qualifier</c>);
/// a qualified ARN is its own resource for authorization, as in Lambda.
/// </summary>
public sealed partial class LambdaService : AwsService
{
    public const string ServicePrincipal = "lambda.amazonaws.com";
    private const int DefaultPageSize = 50;

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> PassRoleKeys =
        new Dictionary<string, IReadOnlyList<string>> { ["iam:PassedToService"] = [ServicePrincipal] };

    /// <summary>Runtimes AWS no longer lets a function be created or updated with (the long-deprecated ones).</summary>
    private static readonly HashSet<string> BlockedRuntimes = new(StringComparer.Ordinal)
    {
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
        "python2.7", "python3.6", "python3.7", "python3.8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
        "dotnet6", "go1.x", "ruby2.5", "ruby2.7", "provided", "java8",
    };

    /// <summary>Environment variables Lambda sets itself, which a function's configuration may not.</summary>
    private static readonly HashSet<string> ReservedVariables = new(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    private readonly LambdaStore _store;
    private readonly FunctionCodeStore _code;
    private readonly IRoleDirectory _roles;
    private readonly RoleAssumer _assumer;
    private readonly S3Objects _s3;
    private readonly IFunctionRunner _runner;
    private readonly IAuthorizer _authorizer;
    private readonly TimeProvider _clock;

    public LambdaService(LambdaStore store, FunctionCodeStore code, IRoleDirectory roles, RoleAssumer assumer, S3Objects s3,
        IFunctionRunner runner, IAuthorizer authorizer, TimeProvider clock) : base("lambda")
    {
        _store = store;
        _code = code;
        _roles = roles;
        _assumer = assumer;
        _s3 = s3;
        _runner = runner;
        _authorizer = authorizer;
        _clock = clock;

        Operation<CreateFunctionRequest, FunctionConfiguration>("CreateFunction", CreateFunction);
        Operation<GetFunctionRequest, GetFunctionResponse>("GetFunction", GetFunction);
        Operation<GetFunctionConfigurationRequest, FunctionConfiguration>("GetFunctionConfiguration", GetFunctionConfiguration);
        Operation<ListFunctionsRequest, ListFunctionsResponse>("ListFunctions", ListFunctions);
        Operation<UpdateFunctionCodeRequest, FunctionConfiguration>("UpdateFunctionCode", UpdateFunctionCode);
        Operation<UpdateFunctionConfigurationRequest, FunctionConfiguration>("UpdateFunctionConfiguration", UpdateFunctionConfiguration);
        Operation<DeleteFunctionRequest>("DeleteFunction", DeleteFunction);
        Operation<InvocationRequest, InvocationResponse>("Invoke", Invoke);
        Operation<AddPermissionRequest, AddPermissionResponse>("AddPermission", AddPermission);
        Operation<RemovePermissionRequest>("RemovePermission", RemovePermission);
        Operation<GetPolicyRequest, GetPolicyResponse>("GetPolicy", GetPolicy);
        Operation<TagResourceRequest>("TagResource", TagResource);
        Operation<UntagResourceRequest>("UntagResource", UntagResource);
        Operation<ListTagsRequest, ListTagsResponse>("ListTags", ListTags);
        Operation<PublishVersionRequest, FunctionConfiguration>("PublishVersion", PublishVersion);
        Operation<ListVersionsByFunctionRequest, ListVersionsByFunctionResponse>("ListVersionsByFunction", ListVersionsByFunction);
        Operation<CreateAliasRequest, AliasConfiguration>("CreateAlias", CreateAlias);
        Operation<GetAliasRequest, AliasConfiguration>("GetAlias", GetAlias);
        Operation<ListAliasesRequest, ListAliasesResponse>("ListAliases", ListAliases);
        Operation<UpdateAliasRequest, AliasConfiguration>("UpdateAlias", UpdateAlias);
        Operation<DeleteAliasRequest>("DeleteAlias", DeleteAlias);
    }

    /// <summary>
    /// Lambda takes a CreateFunction request of up to 69905067 bytes (a 50 MB zip, base64 in JSON) and Invoke payloads
    /// of 6 MB, which Invoke checks itself to answer Lambda's own error.
    /// </summary>
    public override int MaxRequestBytes => 69_905_067;

    public static string FunctionArn(string account, string region, string name) => $"arn:aws:lambda:{region}:{account}:function:{name}";

    // ---- Functions ----

    public async Task<FunctionConfiguration> CreateFunction(AwsCall call, CreateFunctionRequest p, CancellationToken ct)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:CreateFunction", target);
        if (p.PackageType == "Image" || p.Code.ImageUri is not null) throw LambdaErrors.ImagesNotSupported();
        if (p.Runtime is null || p.Handler is null) throw LambdaErrors.RuntimeAndHandlerRequired();
        CheckRuntime(p.Runtime);
        CheckVariables(p.Environment?.Variables);
        VetRole(call, target.Account, p.Role);
        var code = _code.Save(await ReadCodeAsync(call, p.Code.ZipFile, p.Code.S3Bucket, p.Code.S3Key, ct));

        var function = new StoredFunction(
            target.Account, target.Region, target.Name, p.Runtime, p.Handler, p.Role, p.Description ?? "",
            p.Timeout ?? 3, p.MemorySize ?? 128, p.Environment?.Variables, code.Sha256Base64, code.Size, call.Time,
            Guid.NewGuid().ToString(), null, p.Tags ?? [], p.Architectures ?? ["x86_64"], p.EphemeralStorage?.Size ?? 512,
            p.TracingConfig?.Mode ?? "PassThrough");
        _store.Create(function);
        // Publish: true answers version 1 (its qualified ARN and number), still Pending as a new function is.
        var answer = p.Publish == true && PublishCore(call, target, null, null, null) is { } v ? View(v.Config, v.Name, VersionArn(target.Arn, v.Name)) : View(function);
        // Lambda answers a new function as Pending while it prepares it; here it is ready when the call returns.
        return answer with
        {
            State = "Pending",
            StateReason = "The function is being created.",
            StateReasonCode = "Creating",
            LastUpdateStatus = null,
        };
    }

    public GetFunctionResponse GetFunction(AwsCall call, GetFunctionRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:GetFunction", target);
        var r = LoadQualified(target);
        return new GetFunctionResponse(View(r.Config, r.Version, target.QualifiedArn), new FunctionCodeLocation("S3"),
            r.Function.Tags.Count > 0 ? r.Function.Tags : null);
    }

    public FunctionConfiguration GetFunctionConfiguration(AwsCall call, GetFunctionConfigurationRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:GetFunctionConfiguration", target);
        var r = LoadQualified(target);
        return View(r.Config, r.Version, target.QualifiedArn);
    }

    public ListFunctionsResponse ListFunctions(AwsCall call, ListFunctionsRequest p)
    {
        Authorize(call, "lambda:ListFunctions", "*", null);
        // FunctionVersion=ALL lists every published version after its function's $LATEST.
        var all = p.FunctionVersion == "ALL";
        var items = _store.List(call.Caller.AccountId, call.Region).SelectMany(f => all
            ? (f.Versions ?? []).Select(v => (f.Name + "\u0001" + VersionKey(v.Number), View(v.Config, v.Name, VersionArn(f.Arn, v.Name)))).Prepend((f.Name, View(f)))
            : [(f.Name, View(f))]).ToList();
        var page = Page(items, p.Marker, p.MaxItems, out var next);
        return new ListFunctionsResponse(next, page);
    }

    public async Task<FunctionConfiguration> UpdateFunctionCode(AwsCall call, UpdateFunctionCodeRequest p, CancellationToken ct)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:UpdateFunctionCode", target);
        if (p.ImageUri is not null) throw LambdaErrors.ImagesNotSupported();
        var current = Load(target);
        CheckRevision(current, p.RevisionId);
        var zip = await ReadCodeAsync(call, p.ZipFile, p.S3Bucket, p.S3Key, ct);
        if (p.DryRun == true)
        {
            _ = _code.Save(zip);
            return View(current);
        }
        var code = _code.Save(zip);
        var updated = _store.Update(target.Account, target.Region, target.Name, f =>
        {
            CheckRevision(f, p.RevisionId);
            return f with
            {
                CodeSha256 = code.Sha256Base64, CodeSize = code.Size, LastModified = call.Time, RevisionId = Guid.NewGuid().ToString(),
                Architectures = p.Architectures ?? f.Architectures,
            };
        });
        Retired(current, updated);
        // Publish: true publishes the new code at once and answers that version.
        if (p.Publish == true && PublishCore(call, target, null, null, null) is { } v)
            return Updating(View(v.Config, v.Name, VersionArn(target.Arn, v.Name)));
        return Updating(View(updated));
    }

    public FunctionConfiguration UpdateFunctionConfiguration(AwsCall call, UpdateFunctionConfigurationRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:UpdateFunctionConfiguration", target);
        var current = Load(target);
        CheckRevision(current, p.RevisionId);
        if (p.Runtime is not null) CheckRuntime(p.Runtime);
        CheckVariables(p.Environment?.Variables);
        if (p.Role is not null) VetRole(call, target.Account, p.Role);
        var updated = _store.Update(target.Account, target.Region, target.Name, f =>
        {
            CheckRevision(f, p.RevisionId);
            return f with
            {
                Role = p.Role ?? f.Role,
                Handler = p.Handler ?? f.Handler,
                Description = p.Description ?? f.Description,
                Timeout = p.Timeout ?? f.Timeout,
                MemorySize = p.MemorySize ?? f.MemorySize,
                Variables = p.Environment is { } e ? e.Variables : f.Variables,
                Runtime = p.Runtime ?? f.Runtime,
                TracingMode = p.TracingConfig?.Mode ?? f.TracingMode,
                EphemeralStorageSize = p.EphemeralStorage?.Size ?? f.EphemeralStorageSize,
                LastModified = call.Time,
                RevisionId = Guid.NewGuid().ToString(),
            };
        });
        Retired(current, updated);
        return Updating(View(updated));
    }

    public void DeleteFunction(AwsCall call, DeleteFunctionRequest p)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        Authorize(call, "lambda:DeleteFunction", target);
        if (target.Qualifier is not null)
        {
            DeleteVersion(target);
            return;
        }
        var f = Load(target);
        if (!_store.Delete(target.Account, target.Region, target.Name)) throw LambdaErrors.FunctionNotFound(target.Arn);
        _runner.Retire(f.Arn);
        foreach (var v in f.Versions ?? []) _runner.Retire(VersionArn(f.Arn, v.Name));
        foreach (var sha in f.Packages().Distinct())
            if (!_store.CodeInUse(sha)) _code.Remove(Hex(sha));
    }

    // ---- Tags ----

    public void TagResource(AwsCall call, TagResourceRequest p)
    {
        var target = TagTarget(call, p.Resource);
        Authorize(call, "lambda:TagResource", target);
        _ = Load(target);
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            var tags = new Dictionary<string, string>(f.Tags);
            foreach (var (k, v) in p.Tags) tags[k] = v;
            return f with { Tags = tags, RevisionId = Guid.NewGuid().ToString() };
        });
    }

    public void UntagResource(AwsCall call, UntagResourceRequest p)
    {
        var target = TagTarget(call, p.Resource);
        Authorize(call, "lambda:UntagResource", target);
        _ = Load(target);
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            var tags = new Dictionary<string, string>(f.Tags);
            foreach (var k in p.TagKeys) tags.Remove(k);
            return f with { Tags = tags, RevisionId = Guid.NewGuid().ToString() };
        });
    }

    public ListTagsResponse ListTags(AwsCall call, ListTagsRequest p)
    {
        var target = TagTarget(call, p.Resource);
        Authorize(call, "lambda:ListTags", target);
        return new ListTagsResponse(Load(target).Tags);
    }

    // ---- Shared ----

    /// <summary>The function a request names, in the call's region and the caller's account unless its ARN says otherwise.</summary>
    internal readonly record struct FunctionTarget(string Account, string Region, string Name, string? Qualifier)
    {
        public string Arn => FunctionArn(Account, Region, Name);
        public string QualifiedArn => Qualifier is null ? Arn : Arn + ":" + Qualifier;
    }

    private static FunctionTarget Resolve(AwsCall call, string functionName, bool allowQualifier) =>
        Resolve(call.Caller.AccountId, call.Region, functionName, allowQualifier);

    /// <summary>A function named with an optional qualifier in its name, a <c>Qualifier</c> parameter, or both (which must agree).</summary>
    private static FunctionTarget Resolve(AwsCall call, string functionName, string? qualifier)
    {
        var target = Resolve(call, functionName, allowQualifier: true);
        if (string.IsNullOrEmpty(qualifier)) return target;
        if (target.Qualifier is not null && target.Qualifier != qualifier)
            throw LambdaErrors.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
        return target with { Qualifier = qualifier };
    }

    private static FunctionTarget Resolve(string callerAccount, string region, string functionName, bool allowQualifier)
    {
        var r = FunctionRef.Parse(functionName)
                // The model's pattern lets through some names this does not (a dot in a name, 65+ characters).
                ?? throw LambdaErrors.InvalidParameter($"1 validation error detected: Value '{functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
        if (r.Region is { } fr && fr != region) throw LambdaErrors.WrongRegion(fr, region);
        if (r.Qualifier is not null && !allowQualifier)
            // unverified: AWS's text for a qualified name where the operation takes none.
            throw LambdaErrors.InvalidParameter("Unsupported function name: a qualifier is not accepted by this operation.");
        return new FunctionTarget(r.Account ?? callerAccount, region, r.Name, r.Qualifier);
    }

    private static FunctionTarget TagTarget(AwsCall call, string resource)
    {
        if (FunctionRef.TryParseArn(resource) is not { Qualifier: null } r)
            // unverified: AWS's text for a resource that is not a function ARN.
            throw LambdaErrors.InvalidParameter($"Unsupported resource ARN: {resource}");
        if (r.Region != call.Region) throw LambdaErrors.WrongRegion(r.Region!, call.Region);
        return new FunctionTarget(r.Account!, r.Region!, r.Name, null);
    }

    /// <summary>The stored function, or Lambda's not-found naming the ARN as the request qualified it.</summary>
    private StoredFunction Load(FunctionTarget target)
    {
        var f = _store.Find(target.Account, target.Region, target.Name);
        if (f is null || target.Qualifier is not null && target.Qualifier != "$LATEST") throw LambdaErrors.FunctionNotFound(target.QualifiedArn);
        return f;
    }

    private static void Authorize(AwsCall call, string action, FunctionTarget target) =>
        Authorize(call, action, target.QualifiedArn, target.Account != call.Caller.AccountId ? target.Account : null);

    private static void Authorize(AwsCall call, string action, string resource, string? foreignAccount)
    {
        try
        {
            call.Authorize(action, resource, resourceAccount: foreignAccount);
        }
        catch (AwsException e) when (e.Code == "AccessDenied")
        {
            throw LambdaErrors.AccessDenied(e);
        }
    }

    /// <summary>
    /// The checks a role passes before Lambda takes it: the caller may pass it to Lambda, and it is a role of the
    /// function's account that trusts lambda.amazonaws.com (a missing role gets the same answer, as in AWS).
    /// </summary>
    private void VetRole(AwsCall call, string account, string roleArn)
    {
        if (!Arn.TryParse(roleArn, out var arn) || arn.Service != "iam" || !arn.Resource.StartsWith("role/", StringComparison.Ordinal))
            throw LambdaErrors.RoleCannotBeAssumed();
        try
        {
            call.Authorize("iam:PassRole", roleArn, PassRoleKeys, arn.Account != call.Caller.AccountId ? arn.Account : null);
        }
        catch (AwsException e) when (e.Code == "AccessDenied")
        {
            throw LambdaErrors.AccessDenied(e);
        }
        var role = _roles.FindByArn(roleArn);
        if (role is null || role.AccountId != account || !PolicyValidator.TrustsService(role.AssumeRolePolicyDocument, ServicePrincipal))
            throw LambdaErrors.RoleCannotBeAssumed();
    }

    private static void CheckRuntime(string runtime)
    {
        if (BlockedRuntimes.Contains(runtime)) throw LambdaErrors.DeprecatedRuntime(runtime);
    }

    private static void CheckVariables(Dictionary<string, string>? variables)
    {
        if (variables is null) return;
        var reserved = variables.Keys.Where(ReservedVariables.Contains).Order(StringComparer.Ordinal).ToList();
        if (reserved.Count > 0) throw LambdaErrors.ReservedVariables(reserved);
    }

    private static void CheckRevision(StoredFunction f, string? revisionId)
    {
        if (revisionId is not null && revisionId != f.RevisionId) throw LambdaErrors.RevisionMismatch();
    }

    /// <summary>The package given inline or as an S3 object, which is read as the caller (its permissions decide).</summary>
    private async Task<byte[]> ReadCodeAsync(AwsCall call, byte[]? zip, string? bucket, string? key, CancellationToken ct)
    {
        if (zip is not null)
        {
            if (bucket is not null || key is not null) throw LambdaErrors.CodeSource();
            return zip;
        }
        if (bucket is null || key is null) throw LambdaErrors.CodeSource();
        try
        {
            await using var body = await _s3.OpenReadAsync(call, bucket, key, ct);
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (S3Exception e)
        {
            throw LambdaErrors.S3Code(bucket, key, e.Code, e.Message);
        }
        catch (AwsException e) when (e.Code == "AccessDenied")
        {
            throw LambdaErrors.S3Code(bucket, key, "AccessDenied", "Access Denied");
        }
    }

    /// <summary>Instances of the old configuration stop; the next invocation starts the new one.</summary>
    private void Retired(StoredFunction before, StoredFunction after)
    {
        _runner.Retire(before.Arn);
        if (before.CodeSha256 != after.CodeSha256 && !_store.CodeInUse(before.CodeSha256)) _code.Remove(Hex(before.CodeSha256));
    }

    /// <summary>An update's own answer: in progress, as Lambda answers it (a later read finds it done).</summary>
    private static FunctionConfiguration Updating(FunctionConfiguration c) => c with
    {
        LastUpdateStatus = "InProgress",
        LastUpdateStatusReason = "The function is being created.",
        LastUpdateStatusReasonCode = "Creating",
    };

    private static FunctionConfiguration View(StoredFunction f) => View(f, "$LATEST", f.Arn);

    /// <summary>A configuration as Lambda shows it: <paramref name="version"/> is its number (or <c>$LATEST</c>), <paramref name="arn"/> the ARN the caller named it by.</summary>
    private static FunctionConfiguration View(StoredFunction f, string version, string arn) => new(
        FunctionName: f.Name,
        FunctionArn: arn,
        Runtime: f.Runtime,
        Role: f.Role,
        Handler: f.Handler,
        CodeSize: f.CodeSize,
        Description: f.Description,
        Timeout: f.Timeout,
        MemorySize: f.MemorySize,
        LastModified: f.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) + "+0000",
        CodeSha256: f.CodeSha256,
        Version: version,
        Environment: f.Variables is null ? null : new EnvironmentResponse(f.Variables),
        TracingConfig: new TracingConfigResponse(f.TracingMode),
        RevisionId: f.RevisionId,
        State: "Active",
        LastUpdateStatus: "Successful",
        PackageType: "Zip",
        Architectures: f.Architectures,
        EphemeralStorage: new EphemeralStorage(f.EphemeralStorageSize),
        SnapStart: new SnapStartResponse("None", "Off"));

    private static string Hex(string base64) => Convert.ToHexStringLower(Convert.FromBase64String(base64));

    private static string EncodeMarker(string name) => Convert.ToBase64String(Encoding.UTF8.GetBytes("ls1:" + name));

    /// <summary>
    /// One page of a listing ordered by key: the items after the marker's key, at most <paramref name="maxItems"/>
    /// (default 50); <paramref name="next"/> is the marker of the page after it, or null.
    /// </summary>
    private static List<T> Page<T>(IReadOnlyList<(string Key, T Item)> items, string? marker, int? maxItems, out string? next)
    {
        var after = marker is null ? null : DecodeMarker(marker);
        var rest = items.Where(i => after is null || string.CompareOrdinal(i.Key, after) > 0).OrderBy(i => i.Key, StringComparer.Ordinal).ToList();
        var page = rest.Take(maxItems ?? DefaultPageSize).ToList();
        next = rest.Count > page.Count && page.Count > 0 ? EncodeMarker(page[^1].Key) : null;
        return page.Select(i => i.Item).ToList();
    }

    /// <summary>A version number as a key that sorts as numbers do.</summary>
    private static string VersionKey(int number) => number.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    internal static string VersionArn(string functionArn, string qualifier) => functionArn + ":" + qualifier;

    private static string DecodeMarker(string marker)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(marker));
            if (text.StartsWith("ls1:", StringComparison.Ordinal)) return text[4..];
        }
        catch (FormatException) { }
        // unverified: AWS's text for a marker it did not give.
        throw LambdaErrors.InvalidParameter("Invalid marker: give the NextMarker of a previous answer of the same listing.");
    }
}
