using LocalShift.Policy.Conditions;
using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Documents;

public enum Effect : byte { Allow, Deny }

/// <summary>One compiled statement. Matching order is Action, Resource, Principal, Condition.</summary>
public sealed class PolicyStatement
{
    internal PolicyStatement(int index, string? sid, Effect effect, WildcardPattern[] actions, bool notAction,
        ResourcePattern[]? resources, bool notResource, PrincipalSet? principal, bool notPrincipal, ConditionClause[] conditions)
    {
        Index = index;
        Sid = sid;
        Effect = effect;
        Actions = actions;
        NotAction = notAction;
        Resources = resources;
        NotResource = notResource;
        Principal = principal;
        NotPrincipal = notPrincipal;
        Conditions = conditions;
    }

    public int Index { get; }
    public string? Sid { get; }
    public Effect Effect { get; }
    public IReadOnlyList<WildcardPattern> Actions { get; }
    public bool NotAction { get; }
    /// <summary>Null when the statement has neither Resource nor NotResource (trust policies): applies to any resource.</summary>
    public IReadOnlyList<ResourcePattern>? Resources { get; }
    public bool NotResource { get; }
    /// <summary>Null for identity-style statements (no Principal element).</summary>
    public PrincipalSet? Principal { get; }
    public bool NotPrincipal { get; }
    public IReadOnlyList<ConditionClause> Conditions { get; }

    /// <summary>"Sid" when present, else "Statement[index]".</summary>
    public string Label => Sid is { Length: > 0 } ? Sid : $"Statement[{Index}]";

    public bool MatchesAction(string action)
    {
        var any = false;
        for (var i = 0; i < Actions.Count && !any; i++) any = Actions[i].IsMatch(action);
        return any != NotAction;
    }
}

/// <summary>A Resource entry: compiled once when constant, or resolved per request when it holds policy variables.</summary>
public sealed class ResourcePattern
{
    private readonly ArnPattern? constant;

    internal ResourcePattern(PolicyString text)
    {
        Text = text;
        if (text.IsConstant) constant = new ArnPattern(text.Raw);
        else resolved = new(StringComparer.Ordinal);
    }

    public PolicyString Text { get; }

    // Variables resolve to few distinct values (user names, tags), so compiled patterns are kept per resolved text.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ArnPattern>? resolved;
    private const int ResolvedLimit = 1024;

    /// <summary>True or false, or null when a policy variable has no value in the request.</summary>
    public bool? Match(in ArnSplit resource, Evaluation.RequestContext context)
    {
        if (constant is not null) return constant.IsMatch(resource);
        if (!Text.TryResolve(context, escapeWildcards: true, out ReadOnlySpan<char> text)) return null;
        if (!resolved!.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var pattern))
        {
            var key = text.ToString();
            pattern = new ArnPattern(key);
            if (resolved.Count < ResolvedLimit) resolved.TryAdd(key, pattern);
        }
        return pattern.IsMatch(resource);
    }
}
