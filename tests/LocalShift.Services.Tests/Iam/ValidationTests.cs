using LocalShift.Core;

namespace LocalShift.Services.Tests.Iam;

public sealed class ValidationTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void Bad_role_name_is_a_ValidationError_worded_as_IAM_words_it()
    {
        var e = _iam.Fails("CreateRole", ("RoleName", "bad name!"), ("AssumeRolePolicyDocument", IamHarness.TrustRedshift));
        Assert.Equal(("ValidationError", 400), (e.Code, e.HttpStatus));
        Assert.Equal(@"1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+", e.Message);
    }

    [Fact]
    public void Role_name_longer_than_64_is_rejected_with_the_length_constraint()
    {
        var name = new string('r', 65);
        var e = _iam.Fails("CreateRole", ("RoleName", name), ("AssumeRolePolicyDocument", IamHarness.TrustRedshift));
        Assert.Equal($"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64", e.Message);
    }

    [Fact]
    public void Several_violations_are_reported_together()
    {
        var e = _iam.Fails("CreateRole", ("RoleName", "a b"), ("Path", "nopath"), ("AssumeRolePolicyDocument", IamHarness.TrustRedshift), ("MaxSessionDuration", "60"));
        Assert.StartsWith("3 validation errors detected: ", e.Message);
        Assert.Contains(@"Value 'nopath' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007F]+\u002F)", e.Message);
        Assert.Contains("Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", e.Message);
    }

    [Fact]
    public void Missing_required_member_is_reported_as_null()
    {
        var e = _iam.Fails("CreateRole", ("RoleName", "R"));
        Assert.Equal("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null", e.Message);
    }

    [Fact]
    public void Max_items_above_1000_is_rejected()
    {
        var e = _iam.Fails("ListRoles", ("MaxItems", "1001"));
        Assert.Equal("1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", e.Message);
    }

    [Fact]
    public void Names_accept_every_character_IAM_allows()
    {
        Assert.Equal("a+=,.@-_Z9", _iam.CreateRole("a+=,.@-_Z9").Text("Role", "RoleName"));
        Assert.Equal("ValidationError", Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("é")).Code);
    }

    [Fact]
    public void Group_and_policy_names_may_be_128_characters_but_user_names_only_64()
    {
        var n128 = new string('g', 128);
        _iam.Call("CreateGroup", ("GroupName", n128));
        _iam.Call("CreatePolicy", ("PolicyName", n128), ("PolicyDocument", IamHarness.ReadS3));
        Assert.Equal("ValidationError", _iam.Fails("CreateUser", ("UserName", new string('u', 65))).Code);
    }

    [Fact]
    public void Document_with_characters_outside_latin1_is_rejected_by_pattern()
    {
        _iam.CreateRole("R");
        var e = _iam.Fails("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "p"), ("PolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[]}\u4e2d"));
        Assert.Contains(@"at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+", e.Message);
    }

    [Theory]
    [InlineData("PutRolePolicy")]
    [InlineData("CreatePolicy")]
    [InlineData("CreateRole")]
    public void Document_with_a_lone_surrogate_is_MalformedPolicyDocument(string action)
    {
        // Well-formed JSON whose string is no text: "\ud800" escapes half of a surrogate pair.
        const string document = """{"Version":"2012-10-17","Statement":[{"Sid":"\ud800","Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        const string identity = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\ud800"}]}""";
        var e = action switch
        {
            "PutRolePolicy" => Fails(() => _iam.CreateRole("R"), "PutRolePolicy", ("RoleName", "R"), ("PolicyName", "p"), ("PolicyDocument", identity)),
            "CreatePolicy" => _iam.Fails("CreatePolicy", ("PolicyName", "p"), ("PolicyDocument", identity)),
            _ => _iam.Fails("CreateRole", ("RoleName", "S"), ("AssumeRolePolicyDocument", document)),
        };
        Assert.Equal(("MalformedPolicyDocument", 400), (e.Code, e.HttpStatus));
        Assert.Contains("not valid Unicode text", e.Message);
    }

    private AwsException Fails(Action setup, string action, params (string, string)[] parameters)
    {
        setup();
        return _iam.Fails(action, parameters);
    }

    [Fact]
    public void Document_that_is_not_json_is_MalformedPolicyDocument()
    {
        _iam.CreateRole("R");
        var e = _iam.Fails("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "p"), ("PolicyDocument", "{not json"));
        Assert.Equal(("MalformedPolicyDocument", 400), (e.Code, e.HttpStatus));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Trust_policy_with_a_malformed_principal_arn_is_invalid_principal()
    {
        const string bad = "arn:aws::iam::123456789012:root";
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{bad}}"},"Action":"sts:AssumeRole"}]}""";
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("R", trust));
        Assert.Equal(("MalformedPolicyDocument", $"Invalid principal in policy: \"AWS\":\"{bad}\""), (e.Code, e.Message));
    }

    [Fact]
    public void Policy_arn_that_is_not_an_arn_is_InvalidInput()
    {
        var e = _iam.Fails("GetPolicy", ("PolicyArn", "not-an-arn-but-long-enough"));
        Assert.Equal(("InvalidInput", 400, "ARN not-an-arn-but-long-enough is not valid."), (e.Code, e.HttpStatus, e.Message));
    }

    [Fact]
    public void Managed_policy_over_6144_characters_is_LimitExceeded()
    {
        var doc = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{new string('b', 6100)}}/*"}]}""";
        var e = _iam.Fails("CreatePolicy", ("PolicyName", "P"), ("PolicyDocument", doc));
        Assert.Equal(("LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144"), (e.Code, e.HttpStatus, e.Message));
    }

    [Fact]
    public void White_space_does_not_count_toward_policy_size()
    {
        var doc = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{new string('b', 5900)}}/*"}]}""";
        var spaced = doc.Replace(",", ",\n          ").Replace("{", "{\n\t  ") + new string(' ', 2000);
        Assert.Equal("P", _iam.Call("CreatePolicy", ("PolicyName", "P"), ("PolicyDocument", spaced)).Text("Policy", "PolicyName"));
    }
}
