using LocalShift.Aws;
using LocalShift.Core;

namespace LocalShift.Services.Accounts;

/// <summary>An emulated AWS account and the access key of its root user.</summary>
public sealed record AccountSpec(string AccountId, string RootAccessKeyId, string RootSecretAccessKey);

/// <summary>The accounts this LocalShift serves (from the command line); resolves their root keys.</summary>
public sealed class AccountDirectory : ICredentialResolver
{
    private readonly Dictionary<string, AccountSpec> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountSpec> _byId = new(StringComparer.Ordinal);

    public AccountDirectory(IEnumerable<AccountSpec> accounts)
    {
        foreach (var a in accounts)
        {
            if (!AccountId.IsValid(a.AccountId))
                throw new ArgumentException($"Account id '{a.AccountId}' must be exactly 12 digits.");
            if (!_byId.TryAdd(a.AccountId, a))
                throw new ArgumentException($"Account {a.AccountId} is configured twice.");
            if (string.IsNullOrEmpty(a.RootAccessKeyId) || string.IsNullOrEmpty(a.RootSecretAccessKey))
                throw new ArgumentException($"Account {a.AccountId} needs a root access key and secret.");
            if (!_byKey.TryAdd(a.RootAccessKeyId, a))
                throw new ArgumentException($"Access key '{a.RootAccessKeyId}' is given to two accounts.");
        }
        if (_byId.Count == 0) throw new ArgumentException("At least one account is needed.");
    }

    public IEnumerable<AccountSpec> Accounts => _byId.Values;

    public bool Exists(string accountId) => _byId.ContainsKey(accountId);

    public ResolvedCredential? Find(string accessKeyId) =>
        _byKey.TryGetValue(accessKeyId, out var a)
            ? new ResolvedCredential(a.RootAccessKeyId, a.RootSecretAccessKey, Principal.Root(a.AccountId))
            : null;
}

/// <summary>Asks each credential source in turn: account roots, IAM users' keys, STS sessions.</summary>
public sealed class CompositeCredentialResolver(params ICredentialResolver[] sources) : ICredentialResolver
{
    public ResolvedCredential? Find(string accessKeyId)
    {
        foreach (var s in sources)
            if (s.Find(accessKeyId) is { } found) return found;
        return null;
    }
}
