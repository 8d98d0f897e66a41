using LocalShift.Services.Lambda;

namespace LocalShift.Services.Tests.Lambda;

/// <summary>The ways a request names a function: a name, a partial ARN or a full ARN, each with an optional qualifier.</summary>
public sealed class FunctionRefTests
{
    [Theory]
    [InlineData("my-function", null, null, "my-function", null)]
    [InlineData("my-function:$LATEST", null, null, "my-function", "$LATEST")]
    [InlineData("123456789012:function:my_function", "123456789012", null, "my_function", null)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:f1", "123456789012", "us-east-1", "f1", null)]
    [InlineData("arn:aws:lambda:eu-west-2:210987654321:function:f1:prod", "210987654321", "eu-west-2", "f1", "prod")]
    public void Names_partial_and_full_arns_are_read(string text, string? account, string? region, string name, string? qualifier)
    {
        var r = FunctionRef.Parse(text);
        Assert.NotNull(r);
        Assert.Equal(new FunctionRef(account, region, name, qualifier), r);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("a.b")]
    public void Anything_else_is_not_a_function(string text) => Assert.Null(FunctionRef.Parse(text));

    [Fact]
    public void Only_a_full_arn_names_a_resource_for_the_policy_source()
    {
        Assert.Null(FunctionRef.TryParseArn("my-function"));
        Assert.Null(FunctionRef.TryParseArn("123456789012:function:f"));
        Assert.Equal("f", FunctionRef.TryParseArn("arn:aws:lambda:us-east-1:123456789012:function:f")!.Name);
    }
}
