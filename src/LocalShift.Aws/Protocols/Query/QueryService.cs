using System.Xml;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>One operation of a query-protocol service. It writes the children of <c>&lt;{Op}Result&gt;</c>.</summary>
public delegate void QueryOperation(AwsCall call, QueryParameters parameters, XmlWriter result);

/// <summary>A service spoken over the AWS query protocol (IAM, STS, Redshift): a table of operations.</summary>
public abstract class QueryService
{
    private readonly Dictionary<string, (QueryOperation Handler, bool HasResult)> _operations = new(StringComparer.Ordinal);

    /// <summary>The SigV4 signing name: "iam", "sts", "redshift".</summary>
    public abstract string SigningName { get; }
    public abstract string Version { get; }
    public abstract string XmlNamespace { get; }

    /// <summary>Registers an operation. <paramref name="hasResult"/> false for operations whose response has no Result element.</summary>
    protected void Operation(string name, QueryOperation handler, bool hasResult = true) =>
        _operations[name] = (handler, hasResult);

    public bool TryGetOperation(string name, out QueryOperation handler, out bool hasResult)
    {
        if (_operations.TryGetValue(name, out var op))
        {
            handler = op.Handler;
            hasResult = op.HasResult;
            return true;
        }
        handler = null!;
        hasResult = false;
        return false;
    }

    public IEnumerable<string> OperationNames => _operations.Keys;
}
