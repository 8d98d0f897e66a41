using System.Collections.Concurrent;
using LocalShift.Aws;
using LocalShift.Services.Lambda.Shapes;

namespace LocalShift.Services.Lambda;

// Versions and aliases. A published version is a frozen copy of $LATEST's configuration and code, numbered from 1
// (numbers are never reused); an alias points to a version (or $LATEST) and may send a share of its invocations to one
// more version. Qualified names (f:3, f:live, arn…:function:f:live) and Qualifier parameters reach them; each qualified
// ARN is its own resource for authorization and has its own resource policy, as in Lambda.
public sealed partial class LambdaService
{
    /// <summary>Invocations counted per alias revision, for the weighted routing (in memory: a restart starts over).</summary>
    private readonly ConcurrentDictionary<string, long> _aliasInvocations = new(StringComparer.Ordinal);

    /// <summary>
    /// What a possibly qualified name resolves to: the function, the configuration that runs (a version's, or $LATEST's),
    /// that version's name, and the alias when the qualifier named one.
    /// </summary>
    private sealed record Resolved(StoredFunction Function, StoredFunction Config, string Version, StoredAlias? Alias);

    /// <summary>The function and the version or alias the target names; Lambda's not-found naming the qualified ARN.</summary>
    private Resolved LoadQualified(FunctionTarget target)
    {
        var f = _store.Find(target.Account, target.Region, target.Name) ?? throw LambdaErrors.FunctionNotFound(target.QualifiedArn);
        switch (target.Qualifier)
        {
            case null or "$LATEST":
                return new Resolved(f, f, "$LATEST", null);
            case var q when IsVersionNumber(q):
                return f.Version(q) is { } v ? new Resolved(f, v.Config, v.Name, null) : throw LambdaErrors.FunctionNotFound(target.QualifiedArn);
            case var q:
                return f.Alias(q) is { } a ? new Resolved(f, ConfigOf(f, a.FunctionVersion), a.FunctionVersion, a) : throw LambdaErrors.FunctionNotFound(target.QualifiedArn);
        }
    }

    private static bool IsVersionNumber(string qualifier) => qualifier.Length > 0 && qualifier.All(char.IsAsciiDigit);

    /// <summary>The configuration of a version an alias points to (aliases keep their versions from being deleted).</summary>
    private static StoredFunction ConfigOf(StoredFunction f, string version) =>
        version == "$LATEST" ? f : f.Version(version)?.Config ?? throw LambdaErrors.FunctionNotFound(VersionArn(f.Arn, version));

    /// <summary>
    /// The version an alias sends this invocation to. With an additional version of weight w, invocation n (counted from 0
    /// for each revision of the alias) goes to it when ⌊(n+1)·w⌋ &gt; ⌊n·w⌋: over any N invocations ⌊N·w⌋ go to it, spread
    /// evenly, so the split is exact and testable where Lambda's is random.
    /// </summary>
    private (StoredFunction Config, string Version) Route(StoredFunction f, StoredAlias alias)
    {
        if (alias.Weights is { Count: > 0 } weights)
        {
            var (extra, weight) = weights.First();
            var n = _aliasInvocations.AddOrUpdate($"{f.Arn}:{alias.Name}:{alias.RevisionId}", 0, (_, c) => c + 1);
            if (Math.Floor((n + 1) * weight) > Math.Floor(n * weight)) return (ConfigOf(f, extra), extra);
        }
        return (ConfigOf(f, alias.FunctionVersion), alias.FunctionVersion);
    }

    // ---- Versions ----

    public FunctionConfiguration PublishVersion(AwsCall call, PublishVersionRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:PublishVersion", target);
        _ = Load(target);
        var v = PublishCore(call, target, p.CodeSha256, p.Description, p.RevisionId);
        return View(v.Config, v.Name, VersionArn(target.Arn, v.Name));
    }

    /// <summary>
    /// Publishes $LATEST as the next version, unless nothing changed since the last version (Lambda then answers that
    /// one). <paramref name="codeSha256"/> and <paramref name="revisionId"/>, when given, must be $LATEST's.
    /// </summary>
    private StoredVersion PublishCore(AwsCall call, FunctionTarget target, string? codeSha256, string? description, string? revisionId)
    {
        StoredVersion? published = null;
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            if (codeSha256 is not null && codeSha256 != f.CodeSha256) throw LambdaErrors.CodeShaMismatch(codeSha256, f.CodeSha256);
            CheckRevision(f, revisionId);
            var last = f.Versions is { Count: > 0 } versions ? versions.MaxBy(v => v.Number) : null;
            if (last is not null && SameConfiguration(last.Config, f))
            {
                published = last;
                return f;
            }
            var number = f.LastVersion + 1;
            var config = f with
            {
                Description = description ?? f.Description, Policy = null, Tags = [], RevisionId = Guid.NewGuid().ToString(),
                LastModified = call.Time, Versions = null, Aliases = null, LastVersion = 0,
            };
            published = new StoredVersion(number, config);
            return f with { Versions = [.. f.Versions ?? [], published], LastVersion = number };
        });
        return published!;
    }

    /// <summary>Whether a version has $LATEST's code and configuration (its description aside: PublishVersion may set its own).</summary>
    private static bool SameConfiguration(StoredFunction version, StoredFunction latest) =>
        version.CodeSha256 == latest.CodeSha256 && version.Runtime == latest.Runtime && version.Handler == latest.Handler
        && version.Role == latest.Role && version.Timeout == latest.Timeout && version.MemorySize == latest.MemorySize
        && SameVariables(version.Variables, latest.Variables) && version.Architectures.SequenceEqual(latest.Architectures)
        && version.EphemeralStorageSize == latest.EphemeralStorageSize && version.TracingMode == latest.TracingMode;

    private static bool SameVariables(Dictionary<string, string>? a, Dictionary<string, string>? b) =>
        (a ?? []).Count == (b ?? []).Count && (a ?? []).All(kv => b is not null && b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public ListVersionsByFunctionResponse ListVersionsByFunction(AwsCall call, ListVersionsByFunctionRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:ListVersionsByFunction", target);
        var f = Load(target);
        // $LATEST first, then the versions by number, each under its qualified ARN.
        var items = (f.Versions ?? []).Select(v => (VersionKey(v.Number), View(v.Config, v.Name, VersionArn(f.Arn, v.Name))))
            .Prepend(("", View(f, "$LATEST", VersionArn(f.Arn, "$LATEST")))).ToList();
        var page = Page(items, p.Marker, p.MaxItems, out var next);
        return new ListVersionsByFunctionResponse(next, page);
    }

    /// <summary>
    /// DeleteFunction with a qualifier: deletes that version only. $LATEST cannot go alone, an alias is not deleted this
    /// way, a version an alias points to (or routes to) is kept, and a version that does not exist is no error.
    /// </summary>
    private void DeleteVersion(FunctionTarget target)
    {
        if (target.Qualifier == "$LATEST") throw LambdaErrors.LatestCannotBeDeleted();
        _ = Load(target with { Qualifier = null });
        if (!IsVersionNumber(target.Qualifier!)) throw LambdaErrors.AliasDeletionByQualifier();
        StoredVersion? removed = null;
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            if (f.Version(target.Qualifier!) is not { } v) return f;
            var referencing = (f.Aliases ?? []).Values
                .Where(a => a.FunctionVersion == v.Name || a.Weights?.ContainsKey(v.Name) == true)
                .Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
            if (referencing.Count > 0) throw LambdaErrors.VersionReferenced(referencing);
            removed = v;
            return f with { Versions = f.Versions!.Where(x => x.Number != v.Number).ToList() };
        });
        if (removed is null) return;
        _runner.Retire(VersionArn(target.Arn, removed.Name));
        if (!_store.CodeInUse(removed.Config.CodeSha256)) _code.Remove(Hex(removed.Config.CodeSha256));
    }

    // ---- Aliases ----

    public AliasConfiguration CreateAlias(AwsCall call, CreateAliasRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:CreateAlias", target);
        _ = Load(target);
        StoredAlias? created = null;
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            if (f.Alias(p.Name) is not null) throw LambdaErrors.AliasExists(VersionArn(f.Arn, p.Name));
            var weights = Weights(p.RoutingConfig);
            CheckAliasTarget(f, p.FunctionVersion, weights);
            created = new StoredAlias(p.Name, p.FunctionVersion, p.Description ?? "", weights, Guid.NewGuid().ToString());
            return f with { Aliases = WithAlias(f, created) };
        });
        return AliasView(target.Arn, created!);
    }

    public AliasConfiguration GetAlias(AwsCall call, GetAliasRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:GetAlias", target);
        var f = Load(target);
        return AliasView(f.Arn, f.Alias(p.Name) ?? throw LambdaErrors.AliasNotFound(VersionArn(f.Arn, p.Name)));
    }

    public ListAliasesResponse ListAliases(AwsCall call, ListAliasesRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:ListAliases", target);
        var f = Load(target);
        // FunctionVersion lists the aliases that invoke that version: the one they point to or the one they route a share to.
        var items = (f.Aliases ?? []).Values
            .Where(a => p.FunctionVersion is null || a.FunctionVersion == p.FunctionVersion || a.Weights?.ContainsKey(p.FunctionVersion) == true)
            .Select(a => (a.Name, AliasView(f.Arn, a))).ToList();
        var page = Page(items, p.Marker, p.MaxItems, out var next);
        return new ListAliasesResponse(next, page);
    }

    public AliasConfiguration UpdateAlias(AwsCall call, UpdateAliasRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:UpdateAlias", target);
        _ = Load(target);
        StoredAlias? updated = null;
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            var alias = f.Alias(p.Name) ?? throw LambdaErrors.AliasNotFound(VersionArn(f.Arn, p.Name));
            if (p.RevisionId is not null && p.RevisionId != alias.RevisionId) throw LambdaErrors.RevisionMismatch();
            var version = p.FunctionVersion ?? alias.FunctionVersion;
            // A RoutingConfig replaces the routing (an empty one removes it); without one the routing stays.
            var weights = p.RoutingConfig is null ? alias.Weights : Weights(p.RoutingConfig);
            CheckAliasTarget(f, version, weights);
            updated = alias with
            {
                FunctionVersion = version, Weights = weights, Description = p.Description ?? alias.Description, RevisionId = Guid.NewGuid().ToString(),
            };
            return f with { Aliases = WithAlias(f, updated) };
        });
        return AliasView(target.Arn, updated!);
    }

    /// <summary>Deletes an alias; one that does not exist is no error (the model gives DeleteAlias no not-found).</summary>
    public void DeleteAlias(AwsCall call, DeleteAliasRequest p)
    {
        var target = Resolve(call, p.FunctionName, allowQualifier: false);
        Authorize(call, "lambda:DeleteAlias", target);
        _ = Load(target);
        _store.Update(target.Account, target.Region, target.Name, f =>
        {
            if (f.Alias(p.Name) is null) return f;
            var aliases = new Dictionary<string, StoredAlias>(f.Aliases!, StringComparer.Ordinal);
            aliases.Remove(p.Name);
            return f with { Aliases = aliases };
        });
    }

    private static Dictionary<string, StoredAlias> WithAlias(StoredFunction f, StoredAlias alias) =>
        new(f.Aliases ?? [], StringComparer.Ordinal) { [alias.Name] = alias };

    private static Dictionary<string, double>? Weights(AliasRoutingConfiguration? routing) =>
        routing?.AdditionalVersionWeights is { Count: > 0 } w ? new Dictionary<string, double>(w, StringComparer.Ordinal) : null;

    /// <summary>
    /// An alias points to $LATEST or a published version, and may route a share of its invocations to one other
    /// published version ($LATEST cannot take part in routing).
    /// </summary>
    private static void CheckAliasTarget(StoredFunction f, string version, Dictionary<string, double>? weights)
    {
        if (version != "$LATEST" && f.Version(version) is null) throw LambdaErrors.FunctionNotFound(VersionArn(f.Arn, version));
        if (weights is null) return;
        if (weights.Count > 1) throw LambdaErrors.TooManyWeights();
        var extra = weights.Keys.Single();
        if (extra == version) throw LambdaErrors.WeightOnOwnVersion(version);
        if (version == "$LATEST") throw LambdaErrors.WeightsOnLatest();
        if (f.Version(extra) is null) throw LambdaErrors.FunctionNotFound(VersionArn(f.Arn, extra));
    }

    private static AliasConfiguration AliasView(string functionArn, StoredAlias a) => new(
        AliasArn: VersionArn(functionArn, a.Name),
        Name: a.Name,
        FunctionVersion: a.FunctionVersion,
        Description: a.Description,
        RoutingConfig: a.Weights is { Count: > 0 } w ? new AliasRoutingConfiguration(w) : null,
        RevisionId: a.RevisionId);
}
