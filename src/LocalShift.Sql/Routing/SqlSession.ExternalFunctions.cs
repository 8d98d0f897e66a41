using LocalShift.Engine;
using LocalShift.Sql.External;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Routing;

// External functions (Lambda UDFs): a statement's calls found on its tree, checked (EXECUTE), their roles assumed, and
// each call rewritten to the engine's host function, which sends the rows to Lambda in batches.
internal sealed partial class SqlSession
{
    /// <summary>The external-function calls of the statement running now, released when the next one starts.</summary>
    private StatementCalls? _calls;
    private CancellationTokenSource? _callsCancel;

    private void ReleaseCalls()
    {
        if (_calls is { } calls) ExternalFunctionCalls.Release(calls);
        _calls = null;
        var cancel = _callsCancel;
        _callsCancel = null;
        cancel?.Dispose();
    }

    /// <summary>The external functions a statement calls, each resolved to one function the user may execute.</summary>
    private List<(FunctionAccess Call, ExternalFunction Function)> ExternalCalls(StatementAnalysis analysis)
    {
        if (analysis.Tree is null || _database.RedshiftStatements.Functions is null) return [];
        var names = _database.ExternalFunctionNames(_engine);
        if (names.Count == 0) return [];
        var access = analysis.Access ??= StatementAccess.Of(analysis.Tree);
        var found = new List<(FunctionAccess, ExternalFunction)>();
        foreach (var call in access.Functions)
        {
            var parts = call.Name.Parts;
            if (call.Table || parts.Count > 2) continue;
            var schema = parts.Count == 2 ? parts[0] : (_searchPath ?? ["public"]).FirstOrDefault(s => names.Contains((s, call.Name.Name)));
            if (schema is null || !names.Contains((schema, call.Name.Name))) continue;
            var function = Choose(call, ExternalFunctionCatalog.Find(_engine, schema, call.Name.Name));
            if (!User.Superuser && function.Owner != User.Name && !_database.Users.Holds(User.Name, "function", schema, function.Signature, "execute"))
                throw new PgException(SqlState.InsufficientPrivilege, $"permission denied for function {function.Name}") { Position = call.Name.Position + 1 };
            found.Add((call, function));
        }
        return found;
    }

    /// <summary>
    /// The overload a call means: by its number of arguments, then by the types of arguments whose type the tree shows
    /// (literals, casts, typed literals). PostgreSQL's texts when none or more than one fits.
    /// </summary>
    private static ExternalFunction Choose(FunctionAccess call, List<ExternalFunction> overloads)
    {
        var candidates = overloads.Where(f => f.Arguments.Count == call.Arguments.Count).ToList();
        if (candidates.Count > 1)
            candidates = candidates.Where(f => f.Arguments.Select((type, i) => Fits(call.Arguments[i], type)).All(fit => fit)).ToList();
        if (candidates.Count == 1) return candidates[0];
        var shown = $"{call.Name}({string.Join(", ", call.Arguments.Select(ShownType))})";
        if (candidates.Count == 0)
            throw new PgException(SqlState.UndefinedFunction, $"function {shown} does not exist",
                hint: "No function matches the given name and argument types. You may need to add explicit type casts.") { Position = call.Name.Position + 1 };
        throw new PgException(SqlState.AmbiguousFunction, $"function {shown} is not unique",
            hint: "Could not choose a best candidate function. You may need to add explicit type casts.") { Position = call.Name.Position + 1 };
    }

    private static LambdaTypeKind? KnownKind(Expr e)
    {
        try
        {
            return e switch
            {
                LiteralExpr { Kind: LiteralKind.Integer } => LambdaTypeKind.Integer,
                LiteralExpr { Kind: LiteralKind.Decimal } => LambdaTypeKind.Decimal,
                LiteralExpr { Kind: LiteralKind.Boolean } => LambdaTypeKind.Boolean,
                LiteralExpr { Kind: LiteralKind.String } => LambdaTypeKind.Varchar,
                CastExpr c => LambdaType.Parse(c.Type.Name).Kind,
                TypedLiteralExpr t => LambdaType.Parse(t.Type.Name).Kind,
                _ => null,
            };
        }
        catch (PgException)
        {
            return null;
        }
    }

    private static bool Fits(Expr argument, LambdaType type)
    {
        var kind = KnownKind(argument);
        if (kind is null) return true;
        bool Numeric(LambdaTypeKind k) => k is >= LambdaTypeKind.SmallInt and <= LambdaTypeKind.Double;
        return argument switch
        {
            // An untyped string literal may become any type, as in PostgreSQL.
            LiteralExpr { Kind: LiteralKind.String } => true,
            LiteralExpr { Kind: LiteralKind.Integer } => Numeric(type.Kind),
            LiteralExpr { Kind: LiteralKind.Decimal } => type.Kind is LambdaTypeKind.Decimal or LambdaTypeKind.Real or LambdaTypeKind.Double,
            _ => kind == type.Kind || kind is LambdaTypeKind.Char or LambdaTypeKind.Varchar && type.Kind is LambdaTypeKind.Char or LambdaTypeKind.Varchar,
        };
    }

    private static string ShownType(Expr e) => KnownKind(e) is { } kind && e is not LiteralExpr { Kind: LiteralKind.String }
        ? new LambdaType(kind, 18, 0, 256).SignatureName : "\"unknown\"";

    /// <summary>
    /// Where the engine runs the statement: the role path of each called function's IAM_ROLE, once per statement
    /// (skipped for a Parse/Describe, which runs nothing), and the calls registered for the host function.
    /// </summary>
    private StatementCalls PrepareCalls(List<(FunctionAccess Call, ExternalFunction Function)> calls, bool describeOnly)
    {
        ReleaseCalls();
        var cancel = new CancellationTokenSource();
        var prepared = _database.RedshiftStatements.Functions!.Prepare(RedshiftContext() with { Cancellation = cancel.Token },
            calls.Select(c => c.Function).ToList(), describeOnly);
        if (describeOnly)
        {
            cancel.Dispose();
            return prepared;
        }
        _callsCancel = cancel;
        _calls = prepared;
        ExternalFunctionCalls.Register(prepared);
        return prepared;
    }

    /// <summary>
    /// The text edits that turn each call <c>f(a, b)</c> into
    /// <c>CAST(ls_external_function('token', 'i', json_array(CAST((a) AS T1), CAST((b) AS T2))) AS R)</c>: the host
    /// function gets each row's arguments as one JSON array in Redshift's formats and answers text the cast reads.
    /// The call's parentheses and top-level commas are found from the position the tree recorded.
    /// </summary>
    private static List<(int Start, int End, string Text)> CallEdits(StatementAnalysis analysis, List<(FunctionAccess Call, ExternalFunction Function)> calls,
        StatementCalls prepared)
    {
        var tokens = analysis.Tokens;
        var offsets = new List<int>(tokens.Count);
        var offset = 0;
        foreach (var token in tokens)
        {
            offsets.Add(offset);
            offset += token.Text.Length;
        }
        // A call that is a whole, unaliased select-list item keeps the function's name as its column's name: the
        // translator names it from the tree (Dialect.ResultColumnNames), at the end of the text that replaces it here.
        var edits = new List<(int, int, string)>();
        for (var index = 0; index < calls.Count; index++)
        {
            var (call, function) = calls[index];
            var i = offsets.BinarySearch(call.Name.Position);
            if (i < 0) throw new PgException(SqlState.InternalError, $"external function call {call.Name} not found in the statement text");
            while (i < tokens.Count && tokens[i].Kind != SqlTokenKind.LeftParen) i++;
            var open = i;
            var commas = new List<int>();
            var depth = 0;
            for (; i < tokens.Count; i++)
            {
                var kind = tokens[i].Kind;
                if (kind == SqlTokenKind.LeftParen) depth++;
                else if (kind == SqlTokenKind.RightParen && --depth == 0) break;
                else if (kind == SqlTokenKind.Comma && depth == 1) commas.Add(i);
            }
            if (open >= tokens.Count || i >= tokens.Count || commas.Count != Math.Max(function.Arguments.Count - 1, 0))
                throw new PgException(SqlState.InternalError, $"external function call {call.Name} could not be rewritten");
            var args = function.Arguments;
            string Open(int k) => args[k].ArgumentCast.Open;
            string Close(int k) => args[k].ArgumentCast.Close;
            edits.Add((call.Name.Position, offsets[open] + 1,
                $"{function.Returns.ResultCast.Open}{ExternalFunctionCalls.HostFunction}('{prepared.Token}', '{index}', json_array(" + (args.Count > 0 ? Open(0) : "")));
            for (var k = 0; k < commas.Count; k++)
                edits.Add((offsets[commas[k]], offsets[commas[k]] + 1, Close(k) + ", " + Open(k + 1)));
            edits.Add((offsets[i], offsets[i] + 1, (args.Count > 0 ? Close(args.Count - 1) : "") + "))" + function.Returns.ResultCast.Close));
        }
        return edits;
    }
}
