namespace LocalShift.WebConsole;

/// <summary>What the console needs to know about the server it is part of.</summary>
public sealed class ConsoleOptions
{
    /// <summary>The region a new console session starts in (the server's default region); the region selector changes the session's.</summary>
    public required string Region { get; init; }

    /// <summary>The default account, whose root the sign-in page offers with one click.</summary>
    public required string AccountId { get; init; }

    /// <summary>The default account's root access key id; its secret is checked through the credential resolver.</summary>
    public required string RootAccessKeyId { get; init; }

    /// <summary>How many IAM roles a cluster may have (Redshift's quota).</summary>
    public int RoleQuota { get; init; } = 50;

    /// <summary>How long a console session lasts without signing in again.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Whether one-click root sign-in is offered to callers off this machine (only with --admin-from-anywhere).</summary>
    public bool RootSignInFromAnywhere { get; init; }
}
