using LocalShift.Policy.Evaluation;
using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Conditions;

/// <summary>
/// One "operator: { key: values }" entry of a Condition block. Values of one key OR together; a negated operator
/// is the negation of its positive form (so its values AND). A missing key fails a positive operator and passes a
/// negated one, passes with IfExists and ForAllValues, and fails ForAnyValue.
/// </summary>
public sealed class ConditionClause
{
    private readonly ValueTest?[]? constantTests;

    internal ConditionClause(string operatorText, ConditionOperator op, SetQualifier qualifier, bool ifExists, string key, PolicyString[] values)
    {
        OperatorText = operatorText;
        Operator = op;
        Qualifier = qualifier;
        IfExists = ifExists;
        Key = key;
        Values = values;
        if (!op.IsNull && values.All(v => v.IsConstant))
            constantTests = values.Select(v => op.Factory!(v.Raw)).ToArray();
    }

    public string OperatorText { get; }
    public ConditionOperator Operator { get; }
    public SetQualifier Qualifier { get; }
    public bool IfExists { get; }
    public string Key { get; }
    public IReadOnlyList<PolicyString> Values { get; }

    /// <summary>Evaluates the clause; <paramref name="keyMissing"/> tells whether the request lacked the key.</summary>
    public bool Evaluate(RequestContext context, out bool keyMissing)
    {
        var present = context.TryGet(Key, out var actual);
        keyMissing = !present;
        if (Operator.IsNull) return EvaluateNull(present);
        if (!present)
        {
            if (IfExists || Qualifier == SetQualifier.ForAllValues) return true;
            if (Qualifier == SetQualifier.ForAnyValue) return false;
            return Operator.Negated;
        }
        var tests = constantTests;
        if (tests is null)
        {
            tests = Resolve(context, out var unresolved);
            // A value whose policy variable has no value matches nothing; a negated operator cannot claim the
            // request differs from an unknown value, so the clause fails (the statement does not apply).
            if (unresolved && Operator.Negated) return false;
        }
        switch (Qualifier)
        {
            case SetQualifier.ForAllValues:
                for (var i = 0; i < actual.Count; i++)
                    if (AnyTestMatches(tests, actual[i]) == Operator.Negated) return false;
                return true;
            case SetQualifier.ForAnyValue:
                for (var i = 0; i < actual.Count; i++)
                    if (AnyTestMatches(tests, actual[i]) != Operator.Negated) return true;
                return false;
            default:
                var any = false;
                for (var i = 0; i < actual.Count && !any; i++) any = AnyTestMatches(tests, actual[i]);
                return any != Operator.Negated;
        }
    }

    private bool EvaluateNull(bool present)
    {
        // "Null": "true" asks for the key to be absent, "false" for it to be present; several values OR.
        foreach (var v in Values)
        {
            if (!bool.TryParse(v.Raw, out var wantAbsent)) continue;
            if (wantAbsent != present) return true;
        }
        return false;
    }

    // Compiled tests per resolved text: variables take few distinct values (user names, tags).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ValueTest?> resolvedTests = new(StringComparer.Ordinal);
    private const int ResolvedLimit = 1024;

    private ValueTest?[] Resolve(RequestContext context, out bool unresolved)
    {
        unresolved = false;
        var tests = new ValueTest?[Values.Count];
        var lookup = resolvedTests.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < tests.Length; i++)
        {
            if (!Values[i].TryResolve(context, Operator.UsesWildcards, out ReadOnlySpan<char> text))
            {
                unresolved = true;
                continue;
            }
            if (!lookup.TryGetValue(text, out var test))
            {
                var key = text.ToString();
                test = Operator.Factory!(key);
                if (resolvedTests.Count < ResolvedLimit) resolvedTests.TryAdd(key, test);
            }
            tests[i] = test;
        }
        return tests;
    }

    private static bool AnyTestMatches(ValueTest?[] tests, string value)
    {
        foreach (var t in tests)
            if (t is not null && t.Matches(value)) return true;
        return false;
    }

    public override string ToString() => $"{OperatorText} {Key}";
}
