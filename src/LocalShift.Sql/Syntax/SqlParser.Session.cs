using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Syntax;

/// <summary>The statements the session answers itself (<see cref="SessionStatements"/>): transactions, settings, cursors, no-ops.</summary>
public sealed partial class SqlParser
{
    private static readonly HashSet<string> Utilities = new(StringComparer.OrdinalIgnoreCase)
    {
        "ANALYZE", "ANALYSE", "VACUUM", "DISCARD", "DEALLOCATE", "LISTEN", "UNLISTEN", "CANCEL", "LOCK",
    };

    /// <summary>A session statement at the current token, or null when the statement is none of them.</summary>
    private Statement? ParseSessionStatement()
    {
        var t = Peek;
        if (t.Kind != SqlTokenKind.Word) return null;
        if (Utilities.Contains(t.Text))
        {
            _i++;
            // Whatever follows is accepted and ignored, as these statements have no effect here.
            while (!AtEnd && Peek.Kind != SqlTokenKind.Semicolon) _i++;
            return new UtilityStatement(t.Is("ANALYSE") ? "ANALYZE" : t.Text.ToUpperInvariant());
        }
        if (Accept("BEGIN"))
        {
            if (!Accept("WORK")) Accept("TRANSACTION");
            TransactionModes();
            return new TransactionStatement(TransactionVerb.Begin);
        }
        if (Accept("START"))
        {
            Expect("TRANSACTION");
            TransactionModes();
            return new TransactionStatement(TransactionVerb.StartTransaction);
        }
        if (Accept("COMMIT") || Accept("END"))
        {
            if (!Accept("WORK")) Accept("TRANSACTION");
            return new TransactionStatement(TransactionVerb.Commit);
        }
        if (Accept("ROLLBACK") || Accept("ABORT"))
        {
            if (!Accept("WORK")) Accept("TRANSACTION");
            return new TransactionStatement(TransactionVerb.Rollback);
        }
        if (Accept("SET"))
        {
            if (!Accept("SESSION")) Accept("LOCAL");
            var name = SettingName();
            if (!Accept("TO") && IsOperator("=")) _i++;
            var values = new List<string>();
            while (!AtEnd && Peek.Kind != SqlTokenKind.Semicolon)
            {
                var v = Next();
                if (v.Kind == SqlTokenKind.Comma) continue;
                if (v.Kind == SqlTokenKind.Operator && v.Text is "-" or "+" && Peek.Kind == SqlTokenKind.Number && !AtEnd) { values.Add(v.Text + Next().Text); continue; }
                values.Add(v.Kind == SqlTokenKind.String ? v.StringValue : v.Kind == SqlTokenKind.QuotedIdentifier ? v.Identifier : v.Text);
            }
            return new SettingStatement(SettingVerb.Set, name, values);
        }
        if (Accept("SHOW")) return new SettingStatement(SettingVerb.Show, AtEnd || Peek.Kind == SqlTokenKind.Semicolon ? "all" : SettingName(), []);
        if (Accept("RESET")) return new SettingStatement(SettingVerb.Reset, SettingName(), []);
        if (Accept("DECLARE")) return ParseDeclare();
        if (Accept("FETCH")) return ParseFetch();
        if (Accept("CLOSE")) return new CloseStatement(Accept("ALL") ? null : Identifier());
        return null;
    }

    /// <summary>A parameter's name (any word: SET ROLE, SET SESSION AUTHORIZATION); TIME ZONE is timezone.</summary>
    private string SettingName()
    {
        if (AcceptAll("TIME", "ZONE")) return "timezone";
        return Identifier();
    }

    /// <summary>BEGIN's and START TRANSACTION's modes: ISOLATION LEVEL …, READ WRITE | ONLY, [NOT] DEFERRABLE.</summary>
    private void TransactionModes()
    {
        var first = true;
        while (!AtEnd && Peek.Kind != SqlTokenKind.Semicolon)
        {
            if (!first) Accept(SqlTokenKind.Comma);
            first = false;
            if (AcceptAll("ISOLATION", "LEVEL"))
            {
                if (Accept("SERIALIZABLE")) continue;
                if (AcceptAll("REPEATABLE", "READ")) continue;
                Expect("READ");
                if (!Accept("COMMITTED")) Expect("UNCOMMITTED");
                continue;
            }
            if (Accept("READ")) { if (!Accept("WRITE")) Expect("ONLY"); continue; }
            if (Accept("DEFERRABLE") || AcceptAll("NOT", "DEFERRABLE")) continue;
            throw Error();
        }
    }

    private DeclareCursorStatement ParseDeclare()
    {
        if (Peek.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw Error();
        var name = Identifier();
        // PostgreSQL's options, accepted as PostgreSQL clients write them (psycopg2: "NO SCROLL", "WITHOUT HOLD").
        while (Accept("BINARY") || Accept("INSENSITIVE") || Accept("NO") || Accept("SCROLL")) { }
        Expect("CURSOR");
        AcceptAll("WITHOUT", "HOLD");
        Expect("FOR");
        var start = _i;
        if (AtEnd) throw Error();
        var query = ParseQueryExpression();
        // SELECT … INTO makes a table: no cursor's query (PostgreSQL: "SELECT ... INTO is not allowed here").
        if (query.Body is SelectCore { Into: not null } into)
        {
            _i = IndexAt(into.IntoClause.Start);
            throw Error();
        }
        return new DeclareCursorStatement(name, query, new TextSpan(_t[start].Offset, EndOf(_i - 1)));
    }

    private FetchStatement ParseFetch()
    {
        var count = 1;
        if (Accept("NEXT")) { }
        else if (Accept("ALL")) count = int.MaxValue;
        else if (Accept("FORWARD"))
        {
            if (Accept("ALL")) count = int.MaxValue;
            else if (Peek.Kind == SqlTokenKind.Number) count = FetchCount();
        }
        else if (Peek.Kind == SqlTokenKind.Number) count = FetchCount();
        if (!Accept("FROM")) Accept("IN");
        return new FetchStatement(Identifier(), count);
    }

    private int FetchCount()
    {
        if (!int.TryParse(Peek.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) throw Error();
        _i++;
        return n;
    }
}
