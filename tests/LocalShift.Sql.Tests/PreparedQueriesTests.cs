using LocalShift.Engine;
using LocalShift.Sql.Routing;

namespace LocalShift.Sql.Tests;

/// <summary>The rules of a session's prepared engine queries: prepared once per text, dropped when the schema moves or the session clears them.</summary>
public sealed class PreparedQueriesTests
{
    /// <summary>Counts what the cache asks of the engine; queries return no rows.</summary>
    private sealed class CountingEngine : IEngineSession
    {
        public int Prepares;
        public int Texts;
        public int Runs;
        public int Disposed;
        public bool Refuse;

        public string StagingDirectory => "";
        public IEngineResult Query(string sql) { Texts++; return new Empty(); }
        public long Execute(string sql) => 0;
        public void Check(string sql, bool bind) { }
        public IReadOnlyList<PgColumn> Describe(string sql) => [];
        public void Interrupt() { }
        public void Dispose() { }
        public string FileRelation(FileScan scan) => throw new NotSupportedException();
        public IEngineCatalog Catalog => throw new NotSupportedException();
        public ILoadExpressions Expressions => throw new NotSupportedException();
        public long WriteFiles(string query, string path, FileWrite write) => throw new NotSupportedException();
        public IReadOnlyList<PgColumn> Describe(FileScan scan) => throw new NotSupportedException();
        public long CountRows(FileScan scan) => throw new NotSupportedException();
        public LoadResult Load(LoadPlan plan) => throw new NotSupportedException();
        public WidthFault? FirstWidthFault(LoadPlan plan, int column) => throw new NotSupportedException();
        public string ThreadFile(int thread, FileWrite write) => throw new NotSupportedException();
        public int Threads() => 1;
        public void DefineFunctions(IReadOnlyList<EngineFunction> functions) => throw new NotSupportedException();
        public void Checkpoint() { }

        public IEnginePreparedQuery? Prepare(string sql)
        {
            if (Refuse) return null;
            Prepares++;
            return new Prepared(this);
        }

        private sealed class Prepared(CountingEngine engine) : IEnginePreparedQuery
        {
            public IEngineResult Query() { engine.Runs++; return new Empty(); }
            public void Dispose() => engine.Disposed++;
        }

        private sealed class Empty : IEngineResult
        {
            public IReadOnlyList<PgColumn> Columns => [];
            public bool Read() => false;
            public object? GetValue(int ordinal) => null;
            public void Dispose() { }
        }
    }

    [Fact]
    public void A_repeated_text_is_prepared_once_and_run_each_time()
    {
        var engine = new CountingEngine();
        using var cache = new PreparedQueries(engine, () => 1);
        for (var i = 0; i < 3; i++) cache.Query("SELECT i FROM t").Dispose();
        cache.Query("SELECT j FROM t").Dispose();
        Assert.Equal(2, engine.Prepares);
        Assert.Equal(4, engine.Runs);
        Assert.Equal(0, engine.Texts);
    }

    [Fact]
    public void A_moved_schema_version_drops_every_kept_query()
    {
        var engine = new CountingEngine();
        var version = 1;
        using var cache = new PreparedQueries(engine, () => version);
        cache.Query("SELECT i FROM t").Dispose();
        cache.Query("SELECT j FROM t").Dispose();
        version = 2;
        cache.Query("SELECT i FROM t").Dispose();
        Assert.Equal(3, engine.Prepares);
        Assert.Equal(2, engine.Disposed);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Clear_drops_every_kept_query_and_the_next_run_prepares_again()
    {
        var engine = new CountingEngine();
        using var cache = new PreparedQueries(engine, () => 1);
        cache.Query("SELECT i FROM t").Dispose();
        cache.Clear();
        Assert.Equal(1, engine.Disposed);
        cache.Query("SELECT i FROM t").Dispose();
        Assert.Equal(2, engine.Prepares);
    }

    [Fact]
    public void A_text_the_engine_will_not_prepare_runs_as_a_text_every_time()
    {
        var engine = new CountingEngine { Refuse = true };
        using var cache = new PreparedQueries(engine, () => 1);
        cache.Query("SELECT 1; SELECT 2").Dispose();
        cache.Query("SELECT 1; SELECT 2").Dispose();
        Assert.Equal(2, engine.Texts);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Disposing_the_cache_disposes_what_it_kept()
    {
        var engine = new CountingEngine();
        var cache = new PreparedQueries(engine, () => 1);
        cache.Query("SELECT i FROM t").Dispose();
        cache.Query("SELECT j FROM t").Dispose();
        cache.Dispose();
        Assert.Equal(2, engine.Disposed);
    }

    [Theory]
    [InlineData("SELECT i FROM t", true)]
    [InlineData("SELECT pg_last_query_id()", false)]
    [InlineData("SELECT query FROM stl_query", false)]
    [InlineData("SELECT has_assumerole_privilege('u', 'arn:aws:iam::123456789012:role/r', 'copy')", false)]
    [InlineData("SELECT * FROM svv_external_tables", false)]
    public void Only_a_text_whose_engine_objects_stay_the_same_between_runs_is_kept(string sql, bool kept)
    {
        var analysis = new StatementAnalyses(LocalShift.Sql.Syntax.PlanningBudget.Unlimited).Get(sql);
        Assert.Equal(kept, PreparedQueries.Keeps(analysis, new LocalShift.Sql.Dialect.TranslatedStatement(sql, [])));
    }

    [Fact]
    public void A_text_with_bound_values_or_statements_of_its_own_is_not_kept()
    {
        Assert.False(PreparedQueries.Keeps(StatementAnalysis.Of("SELECT i FROM t WHERE i = 42", LocalShift.Sql.Syntax.PlanningBudget.Unlimited), new LocalShift.Sql.Dialect.TranslatedStatement("SELECT i FROM t WHERE i = 42", [])));
        var shared = new StatementAnalyses(LocalShift.Sql.Syntax.PlanningBudget.Unlimited).Get("SELECT i FROM t");
        Assert.False(PreparedQueries.Keeps(shared, new LocalShift.Sql.Dialect.TranslatedStatement("SELECT i FROM t", ["CREATE SEQUENCE s"])));
    }
}
