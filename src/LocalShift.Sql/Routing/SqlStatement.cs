using LocalShift.Sql.Lexing;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Sql.Routing;

/// <summary>A parsed statement: its tokens and parameter types; binding writes the parameters in as literals.</summary>
internal sealed class SqlStatement : IPgStatement
{
    private readonly SqlSession _session;
    private readonly List<SqlToken> _tokens;

    public SqlStatement(SqlSession session, string sql, IReadOnlyList<int> declaredTypes)
    {
        _session = session;
        _tokens = SqlLexer.Tokenize(sql);
        var count = Math.Max(ParameterLiterals.Count(_tokens), declaredTypes.Count);
        // A parameter the client left unspecified is sent as text; the engine casts it where it is used.
        ParameterTypeOids = Enumerable.Range(0, count)
            .Select(i => i < declaredTypes.Count && declaredTypes[i] != PgTypeOid.Unspecified ? declaredTypes[i] : PgTypeOid.Text)
            .ToList();
    }

    public IReadOnlyList<int> ParameterTypeOids { get; }

    public IReadOnlyList<PgColumn>? DescribeColumns() =>
        _session.Describe(ParameterTypeOids.Count == 0 ? SqlLexer.Join(_tokens) : ParameterLiterals.SubstituteNulls(_tokens, ParameterTypeOids));

    public IPgResult Execute(IReadOnlyList<PgParameter> parameters) =>
        _session.Execute(parameters.Count == 0 ? SqlLexer.Join(_tokens) : ParameterLiterals.Substitute(_tokens, parameters));
}
