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
    }

    public PolicyString Text { get; }

    public bool IsMatch(in ArnSplit resource, Evaluation.RequestContext context)
    {
        if (constant is not null) return constant.IsMatch(resource);
        return Text.TryResolve(context, out var resolved, out var mask) && new ArnPattern(resolved, mask).IsMatch(resource);
    }
}
