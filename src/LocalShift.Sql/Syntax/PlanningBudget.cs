using System.Globalization;
using LocalShift.Engine;

namespace LocalShift.Sql.Syntax;

/// <summary>
/// How much memory the engine may spend planning one statement: the parser's and planner's trees, which the engine
/// allocates outside the buffer manager its memory limit governs. The parser adds up an estimate of that memory as it
/// reads the statement and refuses the statement as soon as the estimate passes the budget — before the engine sees
/// any of it. The rates were measured on the server's own growth (docs/reliability.md, "Planner memory").
/// </summary>
public readonly record struct PlanningBudget(long Bytes)
{
    /// <summary>Each operand of an expression (a literal, a column, a call, an IN list's item, a VALUES value).</summary>
    public const long PerExpression = 2 * 1024;

    /// <summary>Each item of a SELECT list, on top of its expression (a projection the planner carries through every step).</summary>
    public const long PerSelectItem = 12 * 1024;

    /// <summary>
    /// Set operations (UNION, INTERSECT, EXCEPT) cost the engine the square of their number of terms: the planner's
    /// memory for a UNION ALL of n SELECTs grew as about 24·n² bytes (4,000 terms: 340 MB; 20,000: past 9 GB).
    /// </summary>
    public const long PerSetTermSquared = 24;

    /// <summary>No limit (the parser's other callers: view definitions kept by LocalShift, tests).</summary>
    public static PlanningBudget Unlimited => new(long.MaxValue);

    /// <summary>A cluster's budget: its whole memory limit (the engine's buffer pool is a separate allowance of the same size).</summary>
    public static PlanningBudget For(long memoryLimitBytes) => new(memoryLimitBytes);

    /// <summary>
    /// SQLSTATE 54001 (statement_too_complex), as PostgreSQL classes a statement past a program limit.
    /// unverified: Redshift's own text for a statement too complex to plan is not documented.
    /// </summary>
    public PgException Exceeded() => new(SqlState.StatementTooComplex, "statement is too complex",
        $"Planning it would take more than the cluster's memory limit ({Size(Bytes)}) allows.",
        "Split it into smaller statements (a UNION ALL of many SELECTs into INSERTs into one table), or raise --sql-memory-limit.");

    private static string Size(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GB"
        : (bytes >> 20).ToString(CultureInfo.InvariantCulture) + " MB";
}
