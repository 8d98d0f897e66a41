using LocalShift.Core;

namespace LocalShift.Aws;

/// <summary>One authenticated AWS request as an operation sees it: who calls, from where, and a way to authorize.</summary>
public sealed class AwsCall
{
    public required string Service { get; init; }
    public required string Operation { get; init; }
    public required string Region { get; init; }
    public required string RequestId { get; init; }
    public required Principal Caller { get; init; }
    public required DateTimeOffset Time { get; init; }
    public string SourceIp { get; init; } = "127.0.0.1";
    public bool SecureTransport { get; init; }
    public string? AccessKeyId { get; init; }
    public required IAuthorizer Authorizer { get; init; }

    /// <summary>Authorizes <paramref name="action"/> on <paramref name="resource"/> for the caller; throws the service's AccessDenied when denied.</summary>
    public void Authorize(string action, string resource, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null, string? resourceAccount = null) =>
        Authorizer.Authorize(new AuthorizationCheck(this, action, resource, keys, resourceAccount));
}

public sealed record AuthorizationCheck(
    AwsCall Call,
    string Action,
    string Resource,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Keys,
    string? ResourceAccount);

/// <summary>Decides whether a call may do an action on a resource. Implemented over the policy engine.</summary>
public interface IAuthorizer
{
    /// <summary>Throws an <see cref="AwsException"/> (AccessDenied or the service's code) when the request is denied.</summary>
    void Authorize(AuthorizationCheck check);
}

/// <summary>Lets everything through; for tests of a service alone.</summary>
public sealed class AllowAllAuthorizer : IAuthorizer
{
    public static readonly AllowAllAuthorizer Instance = new();
    public void Authorize(AuthorizationCheck check) { }
}
