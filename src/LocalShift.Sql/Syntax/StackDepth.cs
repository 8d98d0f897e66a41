using System.Runtime.CompilerServices;
using LocalShift.Engine;

namespace LocalShift.Sql.Syntax;

/// <summary>
/// The guard of every recursive walk over a statement's tree. A tree deeper than the thread's stack can walk (a chain
/// of 20,000 casts, say) would otherwise overflow the stack, which ends the whole process; here it fails the
/// statement alone with PostgreSQL's answer to the same case.
/// </summary>
public static class StackDepth
{
    public static void Ensure()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack()) throw Exceeded();
    }

    /// <summary>PostgreSQL's text (SQLSTATE 54001); its hint names a setting Redshift does not let users change, so none is given.</summary>
    public static PgException Exceeded() => new(SqlState.StatementTooComplex, "stack depth limit exceeded");
}
