using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.External;

/// <summary>
/// An external function as the cluster keeps it: its name and signature, what it returns, the Lambda function it
/// calls, the role it calls it as, and how rows are batched.
/// </summary>
public sealed record ExternalFunction(
    string Schema,
    string Name,
    IReadOnlyList<LambdaType> Arguments,
    LambdaType Returns,
    string Volatility,
    string Lambda,
    string IamRole,
    long RetryTimeoutMs,
    long MaxBatchRows,
    long MaxBatchSizeBytes,
    string Owner)
{
    /// <summary>Redshift's RETRY_TIMEOUT default (20 seconds).</summary>
    public const long DefaultRetryTimeoutMs = 20_000;

    /// <summary>unverified: Redshift's largest RETRY_TIMEOUT (180 seconds, as we read the CREATE EXTERNAL FUNCTION page).</summary>
    public const long MaxRetryTimeoutMs = 180_000;

    /// <summary>
    /// unverified: the batch size Redshift uses when MAX_BATCH_SIZE is not given, and its largest: 5 MB, below
    /// Lambda's 6 MB synchronous payload limit.
    /// </summary>
    public const long MaxBatchSizeLimit = 5L << 20;

    /// <summary>The signature grants and overloading go by: <c>f(integer, character varying)</c>.</summary>
    public string Signature => SignatureOf(Name, Arguments);

    public static string SignatureOf(string name, IEnumerable<LambdaType> arguments) =>
        $"{name}({string.Join(", ", arguments.Select(a => a.SignatureName))})";

    /// <summary>How the payload's <c>external_function</c> names it.</summary>
    public string QualifiedName => $"{Schema}.{Name}";
}

/// <summary><c>CREATE [OR REPLACE] EXTERNAL FUNCTION …</c>, parsed.</summary>
public sealed record CreateExternalFunction(bool OrReplace, string? Schema, string Name, IReadOnlyList<LambdaType> Arguments, LambdaType Returns,
    string Volatility, string Lambda, RoleChainAuthorization Role, long RetryTimeoutMs, long MaxBatchRows, long MaxBatchSizeBytes);

/// <summary><c>DROP FUNCTION [IF EXISTS] f(types) [CASCADE | RESTRICT]</c>, parsed.</summary>
public sealed record DropFunction(bool IfExists, string? Schema, string Name, IReadOnlyList<LambdaType> Arguments);

/// <summary>Parses the external-function statements from their significant tokens.</summary>
public static class ExternalFunctionStatements
{
    public static CreateExternalFunction ParseCreate(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("CREATE");
        var orReplace = false;
        if (r.Accept("OR"))
        {
            r.Expect("REPLACE");
            orReplace = true;
        }
        r.Expect("EXTERNAL");
        r.Expect("FUNCTION");
        var (schema, name) = r.QualifiedName();
        var arguments = ArgumentList(r, allowNames: true);
        r.Expect("RETURNS");
        var returns = LambdaType.Read(r);
        if (!r.Peek().IsAny("VOLATILE", "STABLE", "IMMUTABLE")) throw r.SyntaxError();
        var volatility = r.Next().Text.ToUpperInvariant();
        string? lambda = null;
        RoleChainAuthorization? role = null;
        long retry = ExternalFunction.DefaultRetryTimeoutMs, rows = 0, size = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!r.AtEnd)
        {
            var option = r.Peek().Text.ToUpperInvariant();
            if (!seen.Add(option)) throw new PgException(SqlState.SyntaxError, "conflicting or redundant options", detail: $"{option} is given twice.");
            if (r.Accept("LAMBDA")) lambda = r.String("LAMBDA");
            else if (r.Accept("SAGEMAKER"))
                throw new PgException(SqlState.FeatureNotSupported, "CREATE EXTERNAL FUNCTION ... SAGEMAKER is not supported by LocalShift: only LAMBDA is");
            else if (r.Peek().Is("IAM_ROLE"))
            {
                var clause = new AuthorizationClause();
                clause.TryRead(r);
                role = clause.Result("CREATE EXTERNAL FUNCTION") as RoleChainAuthorization;
            }
            else if (r.Accept("RETRY_TIMEOUT"))
            {
                retry = r.Integer("RETRY_TIMEOUT");
                if (retry < 0 || retry > ExternalFunction.MaxRetryTimeoutMs)
                    // unverified: Redshift's text.
                    throw new PgException(SqlState.InvalidParameterValue, $"RETRY_TIMEOUT must be between 0 and {ExternalFunction.MaxRetryTimeoutMs} milliseconds");
            }
            else if (r.Accept("MAX_BATCH_ROWS"))
            {
                rows = r.Integer("MAX_BATCH_ROWS");
                // unverified: Redshift's text.
                if (rows < 1) throw new PgException(SqlState.InvalidParameterValue, "MAX_BATCH_ROWS must be a positive integer");
            }
            else if (r.Accept("MAX_BATCH_SIZE"))
            {
                size = r.Integer("MAX_BATCH_SIZE");
                if (r.Accept("KB")) size *= 1024;
                else if (r.Accept("MB")) size *= 1024 * 1024;
                if (size < 1 || size > ExternalFunction.MaxBatchSizeLimit)
                    // unverified: Redshift's text and limits.
                    throw new PgException(SqlState.InvalidParameterValue, $"MAX_BATCH_SIZE must be between 1 byte and {ExternalFunction.MaxBatchSizeLimit >> 20} MB");
            }
            else throw r.SyntaxError();
        }
        // unverified: Redshift's texts for a missing LAMBDA or IAM_ROLE.
        if (lambda is null) throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL FUNCTION requires LAMBDA 'function-name-or-arn'");
        if (lambda.Length == 0) throw new PgException(SqlState.InvalidParameterValue, "LAMBDA must name a Lambda function");
        if (role is null) throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL FUNCTION requires IAM_ROLE { default | 'arn' }");
        return new CreateExternalFunction(orReplace, schema, name, arguments, returns, volatility, lambda, role, retry, rows, size);
    }

    public static DropFunction ParseDrop(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("DROP");
        r.Expect("FUNCTION");
        var ifExists = false;
        if (r.Accept("IF"))
        {
            r.Expect("EXISTS");
            ifExists = true;
        }
        var (schema, name) = r.QualifiedName();
        var arguments = ArgumentList(r, allowNames: true);
        if (!r.Accept("CASCADE")) r.Accept("RESTRICT");
        if (!r.AtEnd) throw r.SyntaxError();
        return new DropFunction(ifExists, schema, name, arguments);
    }

    /// <summary><c>f(types)</c> as GRANT/REVOKE … ON FUNCTION names a function: (schema or null, name, argument types).</summary>
    public static (string? Schema, string Name, IReadOnlyList<LambdaType> Arguments) ReadSignature(StatementReader r)
    {
        var (schema, name) = r.QualifiedName();
        return (schema, name, ArgumentList(r, allowNames: true));
    }

    /// <summary><c>( [ [name] type [, …] ] )</c>.</summary>
    private static List<LambdaType> ArgumentList(StatementReader r, bool allowNames)
    {
        r.Expect(SqlTokenKind.LeftParen);
        var list = new List<LambdaType>();
        if (r.Accept(SqlTokenKind.RightParen)) return list;
        do
        {
            // An argument may be named (f(quantity int, price int)); the name is not part of the signature.
            if (allowNames && r.Peek().Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier
                && r.Peek(1).Kind == SqlTokenKind.Word && (!LambdaType.TypeWords.Contains(r.Peek().Text) || r.Peek().Kind == SqlTokenKind.QuotedIdentifier))
                r.Next();
            list.Add(LambdaType.Read(r));
        } while (r.Accept(SqlTokenKind.Comma));
        r.Expect(SqlTokenKind.RightParen);
        return list;
    }
}
