using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>A parsed statement: its analysis and parameter types; binding writes the parameters in as literals.</summary>
internal sealed class SqlStatement : IPgStatement
{
    private readonly SqlSession _session;
    private readonly StatementAnalysis _analysis;

    public SqlStatement(SqlSession session, StatementAnalysis analysis, IReadOnlyList<int> declaredTypes)
    {
        _session = session;
        _analysis = analysis;
        var count = Math.Max(ParameterLiterals.Count(analysis.Tokens), declaredTypes.Count);
        // A parameter the client left unspecified is sent as text; the engine casts it where it is used.
        var types = new int[count];
        for (var i = 0; i < count; i++)
            types[i] = i < declaredTypes.Count && declaredTypes[i] != PgTypeOid.Unspecified ? declaredTypes[i] : PgTypeOid.Text;
        ParameterTypeOids = types;
    }

    public IReadOnlyList<int> ParameterTypeOids { get; }

    /// <summary>Where the semicolon that ended this statement in its Query message stood (null: none, or a Parse message).</summary>
    public int? Semicolon { get; init; }

    public bool Changes => _analysis.Kind switch
    {
        StatementKind.EngineCommand => true,
        // The user directory's statements run outside the engine's transaction.
        StatementKind.Redshift => _analysis.Command!.Kind is not (Syntax.CommandKind.UserDdl or Syntax.CommandKind.Grant),
        StatementKind.EngineQuery => _analysis.Significant.Any(t => t.Is("RETURNING")), // INSERT/UPDATE/DELETE ... RETURNING
        _ => false,
    };

    public void Validate() => _session.Validate(_analysis, ParameterTypeOids);

    public IReadOnlyList<PgColumn>? DescribeColumns() =>
        _session.Describe(ParameterTypeOids.Count == 0 ? _analysis.Sql : ParameterLiterals.SubstituteNulls(_analysis.Tokens, ParameterTypeOids));

    public IPgResult Execute(IReadOnlyList<PgParameter> parameters) =>
        // A text with bound values rarely comes again: it is analyzed without a place in the session's cache.
        _session.Execute(parameters.Count == 0 ? _analysis : _session.AnalyzeOnce(ParameterLiterals.Substitute(_analysis.Tokens, parameters)), Semicolon);
}
