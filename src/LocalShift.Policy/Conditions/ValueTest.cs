namespace LocalShift.Policy.Conditions;

/// <summary>
/// One policy value of a condition, compiled for its operator family; answers whether one request value matches.
/// Negation, IfExists and set qualifiers are applied by <see cref="ConditionClause"/>, not here.
/// </summary>
public abstract class ValueTest
{
    public abstract bool Matches(string contextValue);
}

/// <summary>Compiles a policy value; null when the value can never match (e.g. "abc" for a numeric operator).</summary>
/// <remarks>For wildcard families (StringLike, Arn*) the value may carry <see cref="Matching.WildcardPattern.Escape"/> marks.</remarks>
public delegate ValueTest? ValueTestFactory(string policyValue);
