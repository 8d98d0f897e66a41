namespace LocalShift.Policy.Conditions;

/// <summary>A condition operator name resolved to its value test, and whether it is a negated form.</summary>
public sealed record ConditionOperator(string BaseName, ValueTestFactory? Factory, bool Negated)
{
    /// <summary>StringLike and Arn* treat <c>*</c>/<c>?</c> as wildcards, so resolved variables must escape them.</summary>
    public bool UsesWildcards => BaseName.Contains("Like", StringComparison.Ordinal) || BaseName.StartsWith("Arn", StringComparison.Ordinal);

    /// <summary>The Null operator has no value test: its values say whether the key must be absent.</summary>
    public bool IsNull => Factory is null;

    private static readonly Dictionary<string, ConditionOperator> Operators = Build();

    private static Dictionary<string, ConditionOperator> Build()
    {
        var d = new Dictionary<string, ConditionOperator>(StringComparer.OrdinalIgnoreCase);
        void Add(string name, ValueTestFactory? factory, bool negated = false) => d[name] = new(name, factory, negated);

        Add("StringEquals", StringEqualsTest.Exact);
        Add("StringNotEquals", StringEqualsTest.Exact, true);
        Add("StringEqualsIgnoreCase", StringEqualsTest.IgnoreCase);
        Add("StringNotEqualsIgnoreCase", StringEqualsTest.IgnoreCase, true);
        Add("StringLike", StringLikeTest.Create);
        Add("StringNotLike", StringLikeTest.Create, true);
        Add("NumericEquals", NumericTest.For(Comparison.Equal));
        Add("NumericNotEquals", NumericTest.For(Comparison.Equal), true);
        Add("NumericLessThan", NumericTest.For(Comparison.LessThan));
        Add("NumericLessThanEquals", NumericTest.For(Comparison.LessThanEquals));
        Add("NumericGreaterThan", NumericTest.For(Comparison.GreaterThan));
        Add("NumericGreaterThanEquals", NumericTest.For(Comparison.GreaterThanEquals));
        Add("DateEquals", DateTest.For(Comparison.Equal));
        Add("DateNotEquals", DateTest.For(Comparison.Equal), true);
        Add("DateLessThan", DateTest.For(Comparison.LessThan));
        Add("DateLessThanEquals", DateTest.For(Comparison.LessThanEquals));
        Add("DateGreaterThan", DateTest.For(Comparison.GreaterThan));
        Add("DateGreaterThanEquals", DateTest.For(Comparison.GreaterThanEquals));
        Add("Bool", BoolTest.Create);
        Add("BinaryEquals", BinaryTest.Create);
        Add("IpAddress", IpAddressTest.Create);
        Add("NotIpAddress", IpAddressTest.Create, true);
        Add("ArnEquals", ArnTest.Create);
        Add("ArnLike", ArnTest.Create);
        Add("ArnNotEquals", ArnTest.Create, true);
        Add("ArnNotLike", ArnTest.Create, true);
        Add("Null", null);
        return d;
    }

    /// <summary>
    /// Splits "ForAnyValue:StringLikeIfExists" into qualifier, operator and IfExists.
    /// Returns null with an error text for an unknown operator.
    /// </summary>
    public static (ConditionOperator Operator, SetQualifier Qualifier, bool IfExists)? TryParse(string text, out string? error)
    {
        error = null;
        var name = text;
        var qualifier = SetQualifier.None;
        if (name.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAllValues;
            name = name["ForAllValues:".Length..];
        }
        else if (name.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAnyValue;
            name = name["ForAnyValue:".Length..];
        }
        var ifExists = false;
        if (name.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase) && !Operators.ContainsKey(name))
        {
            ifExists = true;
            name = name[..^"IfExists".Length];
        }
        if (!Operators.TryGetValue(name, out var op))
        {
            error = $"unknown condition operator \"{text}\"";
            return null;
        }
        if (op.IsNull && (ifExists || qualifier != SetQualifier.None))
        {
            error = $"the Null operator takes no qualifier or IfExists (\"{text}\")";
            return null;
        }
        return (op, qualifier, ifExists);
    }
}

public enum SetQualifier : byte { None, ForAllValues, ForAnyValue }
