namespace LocalShift.Policy.Tests;

public sealed class ValidationTests
{
    private const string Allow = """{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}""";

    private static string Doc(string statements, string version = "2012-10-17") =>
        $$"""{"Version":"{{version}}","Statement":[{{statements}}]}""";

    [Fact]
    public void Valid_identity_policy_has_no_error() => Assert.Null(PolicyValidator.Validate(Doc(Allow), PolicyKind.Identity));

    [Fact]
    public void Single_statement_object_is_valid() =>
        Assert.Null(PolicyValidator.Validate("""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}""", PolicyKind.Identity));

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},]}""")]
    public void Malformed_json_is_a_syntax_error(string json) =>
        Assert.Equal("Syntax errors in policy.", PolicyValidator.Validate(json, PolicyKind.Identity)?[..24]);

    [Theory]
    [InlineData("""{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\ud800"}""")]
    [InlineData("""{"Sid":"a\udc00b","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}""")]
    [InlineData("""{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:\ud800":"x"}}}""")]
    public void A_lone_surrogate_anywhere_is_a_syntax_error(string statement) =>
        Assert.Equal("Syntax errors in policy. A string in the document is not valid Unicode text (an unpaired surrogate such as \\ud800).",
            PolicyValidator.Validate(Doc(statement), PolicyKind.Identity));

    [Fact]
    public void A_surrogate_pair_is_text() =>
        Assert.Null(PolicyValidator.Validate(Doc("""{"Sid":"x","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\ud83d\ude00"}"""), PolicyKind.Identity));

    [Fact]
    public void Bad_effect_points_at_the_statement() =>
        Assert.Equal("Syntax errors in policy. Statement[1].Effect must be Allow or Deny.",
            PolicyValidator.Validate(Doc(Allow + """,{"Effect":"allow","Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Missing_effect() =>
        Assert.Equal("Missing required field Effect", PolicyValidator.Validate(Doc("""{"Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Unknown_field_points_at_the_statement() =>
        Assert.Equal("Syntax errors in policy. Unknown field \"Actions\" in Statement[0].",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Actions":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Unknown_top_level_field() =>
        Assert.Equal("Syntax errors in policy. Unknown field \"Statements\" in the policy.",
            PolicyValidator.Validate("""{"Version":"2012-10-17","Statements":[]}""", PolicyKind.Identity));

    [Fact]
    public void Duplicate_field_is_rejected() =>
        Assert.Contains("Duplicate field \"Effect\"",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Bad_version() =>
        Assert.Equal("Syntax errors in policy. Version must be \"2012-10-17\" or \"2008-10-17\".",
            PolicyValidator.Validate(Doc(Allow, "2012-10-18"), PolicyKind.Identity));

    [Fact]
    public void Missing_statement() =>
        Assert.Equal("Missing required field Statement", PolicyValidator.Validate("""{"Version":"2012-10-17"}""", PolicyKind.Identity));

    [Fact]
    public void Identity_policy_with_principal_uses_the_IAM_text() =>
        Assert.Equal("Policy document should not specify a principal.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Identity_policy_without_resource_uses_the_IAM_text() =>
        Assert.Equal("Policy statement must contain resources.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*"}"""), PolicyKind.Identity));

    [Fact]
    public void Policy_without_action_uses_the_IAM_text() =>
        Assert.Equal("Policy statement must contain actions.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Action_and_NotAction_together_point_at_the_statement() =>
        Assert.Equal("Syntax errors in policy. Statement[0] must not have both Action and NotAction.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Action_without_vendor_uses_the_IAM_text() =>
        Assert.Equal("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"GetObject","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Action_with_two_colons_uses_the_IAM_text() =>
        Assert.Equal("Actions/Condition can contain only one colon.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Resource_that_is_not_an_arn_uses_the_IAM_text() =>
        Assert.Equal("Resource mybucket must be in ARN format or \"*\".",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"mybucket"}"""), PolicyKind.Identity));

    [Fact]
    public void Action_must_be_strings() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Action must hold strings.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":["s3:*",3],"Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Sid_must_be_alphanumeric_in_IAM_policies() =>
        Assert.StartsWith("Statement IDs (SID) must be alpha-numeric.",
            PolicyValidator.Validate(Doc("""{"Sid":"read-only","Effect":"Allow","Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Sid_may_have_any_characters_in_resource_policies() =>
        Assert.Null(PolicyValidator.Validate(Doc("""{"Sid":"read only-1","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"""), PolicyKind.Resource));

    [Fact]
    public void Duplicate_sids_are_rejected() =>
        Assert.Equal("Statement IDs (SID) in a single policy must be unique.",
            PolicyValidator.Validate(Doc("""{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}"""), PolicyKind.Identity));

    [Fact]
    public void Unknown_condition_operator_points_at_the_condition() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Condition: unknown condition operator \"StringEqual\".",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}"""), PolicyKind.Identity));

    [Fact]
    public void Condition_values_must_be_scalars() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Condition.StringEquals.aws:username must be a string, number, boolean or an array of them.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}"""), PolicyKind.Identity));

    [Fact]
    public void Null_operator_takes_booleans() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Condition.Null.aws:TokenIssueTime: Null takes \"true\" or \"false\".",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"yes"}}}"""), PolicyKind.Identity));

    [Theory]
    [InlineData("ForAnyValue:StringLike")]
    [InlineData("ForAllValues:StringNotEqualsIgnoreCaseIfExists")]
    [InlineData("NumericGreaterThanEqualsIfExists")]
    [InlineData("DateNotEquals")]
    [InlineData("BinaryEquals")]
    [InlineData("NotIpAddressIfExists")]
    [InlineData("ArnNotLike")]
    [InlineData("Null")]
    public void Every_operator_form_is_accepted(string op) =>
        Assert.Null(PolicyValidator.Validate(Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"" + op + "\":{\"aws:k\":\"true\"}}}"), PolicyKind.Identity));

    [Fact]
    public void Unclosed_policy_variable_points_at_the_resource() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Resource: the policy variable starting at position 18 is not closed with '}'.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username"}"""), PolicyKind.Identity));

    [Fact]
    public void Unclosed_variable_is_literal_text_in_2008_documents() =>
        Assert.Null(PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username"}""", "2008-10-17"), PolicyKind.Identity));

    [Fact]
    public void Trust_policy_with_resource_uses_the_IAM_text() =>
        Assert.Equal("Has prohibited field Resource",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}"""), PolicyKind.Trust));

    [Fact]
    public void Trust_policy_without_principal() =>
        Assert.Equal("Missing required field Principal",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Action":"sts:AssumeRole"}"""), PolicyKind.Trust));

    [Fact]
    public void Trust_policy_with_non_sts_action() =>
        Assert.Equal("AssumeRole policy may only specify STS AssumeRole actions.",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject"}"""), PolicyKind.Trust));

    [Fact]
    public void Resource_policy_without_principal() =>
        Assert.Equal("Missing required field Principal",
            PolicyValidator.Validate(Doc(Allow), PolicyKind.Resource));

    [Fact]
    public void Malformed_principal_value_uses_the_IAM_text() =>
        Assert.Equal("Invalid principal in policy: \"AWS\":\"bob\"",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}"""), PolicyKind.Trust));

    [Fact]
    public void Unknown_principal_type_points_at_the_principal() =>
        Assert.Equal("Syntax errors in policy. Statement[0].Principal: unknown principal type \"Role\".",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":{"Role":"x"},"Action":"sts:AssumeRole"}"""), PolicyKind.Trust));

    [Fact]
    public void Principal_string_other_than_star_is_rejected() =>
        Assert.StartsWith("Syntax errors in policy. Statement[0].Principal must be \"*\"",
            PolicyValidator.Validate(Doc("""{"Effect":"Allow","Principal":"arn:aws:iam::111111111111:root","Action":"sts:AssumeRole"}"""), PolicyKind.Trust));

    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["glue.amazonaws.com","redshift.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:*"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"glue.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:TagSession"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:*"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"glue.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:SourceAccount":"123456789012"}}}]}""", true)]
    [InlineData("not json", false)]
    public void TrustsService_reads_service_principals(string trust, bool expected) =>
        Assert.Equal(expected, PolicyValidator.TrustsService(trust, "redshift.amazonaws.com"));

    [Fact]
    public void Parse_throws_with_the_validation_message()
    {
        var e = Assert.Throws<Documents.PolicyFormatException>(() => Documents.PolicyDocument.Parse(Doc("""{"Effect":"Allow","Resource":"*"}"""), PolicyKind.Identity));
        Assert.Equal("Policy statement must contain actions.", e.Message);
    }

    [Fact]
    public void Cache_returns_the_same_compiled_document()
    {
        var json = Doc(Allow);
        Assert.Same(PolicyCache.Get(json), PolicyCache.Get(json));
    }
}
