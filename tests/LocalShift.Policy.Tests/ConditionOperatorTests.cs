using LocalShift.Policy.Conditions;
using LocalShift.Policy.Evaluation;
using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Tests;

/// <summary>Each condition operator alone: one policy value, one request value (or none), the outcome.</summary>
public sealed class ConditionOperatorTests
{
    private static bool Holds(string op, string policyValue, string? requestValue, string key = "k:key")
    {
        var json = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"," +
                   "\"Condition\":{\"" + op + "\":{\"" + key + "\":\"" + policyValue + "\"}}}}";
        var context = new RequestContext();
        if (requestValue is not null) context.Set(key, requestValue);
        var decision = PolicyEvaluator.Evaluate(new EvaluationRequest
        {
            PrincipalArn = "arn:aws:iam::111111111111:user/u",
            PrincipalAccount = "111111111111",
            Action = "s3:GetObject",
            Resource = "arn:aws:s3:::b/k",
            Context = context,
            IdentityPolicies = [AttachedPolicy.From("p", json)],
        });
        return decision.IsAllowed;
    }

    [Theory]
    [InlineData("StringEquals", "abc", "abc", true)]
    [InlineData("StringEquals", "abc", "ABC", false)]
    [InlineData("StringEquals", "a*", "abc", false)]
    [InlineData("StringNotEquals", "abc", "abd", true)]
    [InlineData("StringNotEquals", "abc", "abc", false)]
    [InlineData("StringEqualsIgnoreCase", "abc", "ABC", true)]
    [InlineData("StringNotEqualsIgnoreCase", "abc", "ABC", false)]
    [InlineData("StringLike", "a*c", "abbbc", true)]
    [InlineData("StringLike", "a?c", "abc", true)]
    [InlineData("StringLike", "a?c", "ac", false)]
    [InlineData("StringLike", "*", "", true)]
    [InlineData("StringNotLike", "a*", "bcd", true)]
    [InlineData("StringNotLike", "a*", "abc", false)]
    [InlineData("NumericEquals", "5", "5.00", true)]
    [InlineData("NumericNotEquals", "5", "6", true)]
    [InlineData("NumericLessThan", "5", "4.9", true)]
    [InlineData("NumericLessThanEquals", "5", "5", true)]
    [InlineData("NumericGreaterThan", "5", "5", false)]
    [InlineData("NumericGreaterThanEquals", "-1", "0", true)]
    [InlineData("NumericLessThan", "5", "x", false)]
    [InlineData("DateEquals", "2025-01-01T00:00:00Z", "2025-01-01T01:00:00+01:00", true)]
    [InlineData("DateNotEquals", "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z", true)]
    [InlineData("DateLessThan", "2025-01-01T00:00:00Z", "1735689599", true)]
    [InlineData("DateLessThanEquals", "1735689600", "2025-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThan", "2025-01-01", "2024-12-31T23:00:00Z", false)]
    [InlineData("DateGreaterThanEquals", "2025-01-01T00:00:00Z", "garbage", false)]
    [InlineData("Bool", "true", "True", true)]
    [InlineData("Bool", "false", "true", false)]
    [InlineData("Bool", "false", "no", false)]
    [InlineData("BinaryEquals", "AQID", "AQID", true)]
    [InlineData("BinaryEquals", "AQID", "AQIE", false)]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.113.77", true)]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.114.1", false)]
    [InlineData("IpAddress", "0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("IpAddress", "2001:db8::/64", "2001:db8::1", true)]
    [InlineData("IpAddress", "2001:db8::/64", "2001:db8:0:1::1", false)]
    [InlineData("IpAddress", "203.0.113.0/24", "::ffff:203.0.113.5", true)]
    [InlineData("NotIpAddress", "203.0.113.0/24", "198.51.100.1", true)]
    [InlineData("NotIpAddress", "203.0.113.0/24", "203.0.113.1", false)]
    [InlineData("ArnEquals", "arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/a", true)]
    [InlineData("ArnLike", "arn:aws:iam::*:role/a*", "arn:aws:iam::222222222222:role/abc", true)]
    [InlineData("ArnLike", "arn:aws:iam::1*:role/x", "arn:aws:iam::222222222222:role/x", false)]
    [InlineData("ArnLike", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons", true)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b", true)]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/a*", "arn:aws:iam::1:role/ab", false)]
    [InlineData("Null", "true", null, true)]
    [InlineData("Null", "true", "x", false)]
    [InlineData("Null", "false", "x", true)]
    public void Operator_compares_as_IAM_documents(string op, string policyValue, string? requestValue, bool expected) =>
        Assert.Equal(expected, Holds(op, policyValue, requestValue));

    [Theory]
    [InlineData("StringEquals", false)]
    [InlineData("StringNotEquals", true)]
    [InlineData("StringLike", false)]
    [InlineData("StringNotLike", true)]
    [InlineData("NumericLessThan", false)]
    [InlineData("NumericNotEquals", true)]
    [InlineData("DateGreaterThan", false)]
    [InlineData("DateNotEquals", true)]
    [InlineData("Bool", false)]
    [InlineData("BinaryEquals", false)]
    [InlineData("IpAddress", false)]
    [InlineData("NotIpAddress", true)]
    [InlineData("ArnLike", false)]
    [InlineData("ArnNotLike", true)]
    [InlineData("StringEqualsIfExists", true)]
    [InlineData("NumericGreaterThanIfExists", true)]
    [InlineData("ForAllValues:StringEquals", true)]
    [InlineData("ForAnyValue:StringEquals", false)]
    [InlineData("ForAnyValue:StringNotEquals", false)]
    [InlineData("ForAnyValue:StringEqualsIfExists", true)]
    public void Missing_key_outcome(string op, bool expected) => Assert.Equal(expected, Holds(op, "1", null));

    [Fact]
    public void Operator_names_parse_with_qualifier_and_IfExists()
    {
        var parsed = ConditionOperator.TryParse("ForAnyValue:StringNotLikeIfExists", out var error);
        Assert.Null(error);
        Assert.Equal(SetQualifier.ForAnyValue, parsed!.Value.Qualifier);
        Assert.True(parsed.Value.IfExists);
        Assert.True(parsed.Value.Operator.Negated);
        Assert.Equal("StringNotLike", parsed.Value.Operator.BaseName);
    }

    [Fact]
    public void Null_takes_no_qualifier()
    {
        Assert.Null(ConditionOperator.TryParse("NullIfExists", out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("s3:Get*", "S3:GETOBJECT", true)]
    [InlineData("*", "anything", true)]
    [InlineData("s3:*Object", "s3:PutObject", true)]
    [InlineData("s3:G?t*", "s3:GetObject", true)]
    [InlineData("s3:*Obj*ct*", "s3:GetObjectAcl", true)]
    [InlineData("s3:Get", "s3:GetObject", false)]
    public void Wildcards_in_actions_ignore_case(string pattern, string value, bool expected) =>
        Assert.Equal(expected, WildcardPattern.CaseInsensitive(pattern).IsMatch(value));

    [Theory]
    [InlineData("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b:c", true)]
    [InlineData("arn:aws:s3:::B/*", "arn:aws:s3:::b/a", false)]
    [InlineData("arn:aws:sqs:*:111111111111:q", "arn:aws:sqs:us-east-1:111111111111:q", true)]
    [InlineData("arn:aws:sqs:*:111111111111:q", "arn:aws:sqs:us-east-1:222222222222:q", false)]
    [InlineData("arn:aws:iam::*", "arn:aws:iam::111111111111:role/r", true)]
    [InlineData("*", "not-even-an-arn", true)]
    public void Resource_patterns_match_per_arn_part(string pattern, string resource, bool expected) =>
        Assert.Equal(expected, new ArnPattern(pattern).IsMatch(resource));

    [Fact]
    public void Escaped_wildcards_are_literal() =>
        Assert.False(WildcardPattern.Compile($"a{WildcardPattern.Escape}*", ignoreCase: false).IsMatch("abc"));
}
