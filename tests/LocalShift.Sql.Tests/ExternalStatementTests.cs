using LocalShift.Engine;
using LocalShift.Sql.External;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>CREATE EXTERNAL SCHEMA / TABLE and ALTER TABLE … PARTITION as the Redshift pages write them.</summary>
public class ExternalStatementTests
{
    private static IReadOnlyList<SqlToken> T(string sql) => SqlLexer.Significant(SqlLexer.Tokenize(sql));

    [Fact]
    public void The_seed_pages_external_schema_reads_its_database_role_and_create_clause()
    {
        var s = ExternalStatements.ParseCreateSchema(T(
            "create external schema spectrum_schema from data catalog database 'Spectrum_DB' " +
            "iam_role 'arn:aws:iam::123456789012:role/MySpectrumRole' create external database if not exists"));
        Assert.Equal("spectrum_schema", s.Schema);
        Assert.Equal("spectrum_db", s.Database);
        Assert.Equal(["arn:aws:iam::123456789012:role/MySpectrumRole"], s.Role.Chain);
        Assert.True(s.CreateDatabase);
        Assert.False(s.IfNotExists);

        var d = ExternalStatements.ParseCreateSchema(T("create external schema if not exists s database 'db' region 'us-east-1' iam_role default"));
        Assert.True(d.Role.Default);
        Assert.True(d.IfNotExists);
        Assert.Equal("us-east-1", d.Region);
    }

    [Fact]
    public void Catalog_role_names_the_role_or_chain_the_catalog_is_called_as_and_session_is_refused()
    {
        // The documentation's example: a chain reaches S3, another role the catalog.
        var s = ExternalStatements.ParseCreateSchema(T(
            "create external schema spectrum_schema from data catalog database 'spectrum_db' " +
            "iam_role 'arn:aws:iam::123456789012:role/myRedshiftRole,arn:aws:iam::123456789012:role/myS3Role' " +
            "catalog_role 'arn:aws:iam::123456789012:role/myAthenaRole' create external database if not exists"));
        Assert.Equal(2, s.Role.Chain.Count);
        Assert.Equal(["arn:aws:iam::123456789012:role/myAthenaRole"], s.CatalogRole!.Chain);
        Assert.Null(ExternalStatements.ParseCreateSchema(T("create external schema s database 'db' iam_role default")).CatalogRole);
        var chained = ExternalStatements.ParseCreateSchema(T(
            "create external schema s database 'db' iam_role default catalog_role 'arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:role/b'"));
        Assert.Equal("arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:role/b", chained.CatalogRole!.Text);
        var session = Assert.Throws<PgException>(() => ExternalStatements.ParseCreateSchema(T("create external schema s database 'db' iam_role default catalog_role session")));
        Assert.Contains("CATALOG_ROLE SESSION is not supported", session.Message);
    }

    [Fact]
    public void Create_external_table_as_takes_partition_names_without_types_and_marks_where_the_query_starts()
    {
        var tokens = T("create external table s.t partitioned by (day, region) stored as parquet location 's3://b/t/' " +
                       "table properties ('write.maxfilesize.mb'='64') as select * from local");
        var t = ExternalStatements.ParseCreateTable(tokens);
        Assert.Empty(t.Table.Columns);
        Assert.Equal(["day", "region"], t.Table.PartitionKeys.Select(k => k.Name));
        Assert.All(t.Table.PartitionKeys, k => Assert.Equal("", k.Type));
        Assert.Equal("64", t.Table.Parameters["write.maxfilesize.mb"]);
        Assert.True(tokens[t.QueryAt!.Value].Is("SELECT"));
        Assert.Null(ExternalStatements.ParseCreateTable(T("create external table s.t(id int) stored as parquet location 's3://b/t/'")).QueryAt);
        // A plain CREATE EXTERNAL TABLE still needs its columns and typed partition columns.
        Assert.Throws<PgException>(() => ExternalStatements.ParseCreateTable(T("create external table s.t stored as parquet location 's3://b/t/'")));
        Assert.Throws<PgException>(() => ExternalStatements.ParseCreateTable(T("create external table s.t(id int) partitioned by (day) stored as parquet location 's3://b/t/'")));
        Assert.Throws<PgException>(() => ExternalStatements.ParseCreateTable(T("create external table s.t(id int) stored as parquet location 's3://b/t/' as select 1")));
    }

    private static AlterExternalTableStatement Alter(string sql) => Assert.IsType<AlterExternalTableStatement>(SqlParser.Parse(sql));

    [Fact]
    public void Alter_table_set_location_properties_file_format_and_a_partitions_location()
    {
        var l = Alter("alter table s.t set location 's3://b/new/'");
        Assert.Equal((ExternalTableAction.SetLocation, "s", "t", "s3://b/new/"), (l.Action, l.Table.Schema, l.Table.Name, l.Location));
        Assert.Empty(l.Partitions);
        var p = Alter("alter table s.t set table properties ('numRows'='10', 'a'='b')");
        Assert.Equal(ExternalTableAction.SetTableProperties, p.Action);
        Assert.Equal([("numRows", "10"), ("a", "b")], p.Properties);
        var q = Alter("alter table s.t partition (day='2024-01-01', hour=3) set location 's3://b/x/'");
        Assert.Equal(ExternalTableAction.SetPartitionLocation, q.Action);
        Assert.Equal([("day", "2024-01-01"), ("hour", "3")], q.Partitions[0].Spec);
        Assert.Equal("s3://b/x/", q.Partitions[0].Location);
        var f = Alter("alter table spectrum.sales set file format parquet");
        Assert.Equal((ExternalTableAction.SetFileFormat, "parquet"), (f.Action, f.FileFormat));
    }

    [Theory]
    [InlineData("alter table s.t set table properties (numRows='10')", "syntax error at or near \"numRows\"", 39)]
    [InlineData("alter table s.t add partition (day='1')", "syntax error at end of input", 40)]
    [InlineData("alter table s.t add partition (day='1') locaton 's3://b/'", "syntax error at or near \"locaton\"", 41)]
    [InlineData("alter table s.t drop partition day='1'", "syntax error at or near \"day\"", 32)]
    [InlineData("alter table s.t partition (day='1') set 's3://b/'", "syntax error at or near \"'s3://b/'\"", 41)]
    [InlineData("alter table s.t set file parquet", "syntax error at or near \"parquet\"", 26)]
    [InlineData("alter table s.t add if exists partition (day='1') location 's3://b/'", "syntax error at or near \"exists\"", 24)]
    [InlineData("alter table s.t drop partition (day='1') location 's3://b/'", "syntax error at or near \"location\"", 42)]
    public void A_malformed_external_clause_is_a_syntax_error_at_its_position(string sql, string message, int position)
    {
        var e = Assert.Throws<PgException>(() => SqlParser.Parse(sql));
        Assert.Equal((SqlState.SyntaxError, message, position), (e.SqlState, e.Message, e.Position));
    }

    [Fact]
    public void Drop_schema_reads_drop_external_database()
    {
        var d = Assert.IsType<DropStatement>(SqlParser.Parse("drop schema if exists ro drop external database cascade"));
        Assert.Equal(("SCHEMA", "ro", true, true, true), (d.ObjectKind, d.Names[0].Name, d.IfExists, d.DropExternalDatabase, d.Cascade));
        Assert.False(Assert.IsType<DropStatement>(SqlParser.Parse("drop schema ro")).DropExternalDatabase);
        Assert.Throws<PgException>(() => SqlParser.Parse("drop table t drop external database"));
    }

    [Theory]
    [InlineData("create external schema s from hive metastore database 'db' uri 'h' iam_role 'arn:aws:iam::1:role/r'", "HIVE")]
    [InlineData("create external schema s from postgres database 'db' iam_role 'arn:aws:iam::1:role/r'", "POSTGRES")]
    public void Other_sources_are_refused_plainly(string sql, string source)
    {
        var e = Assert.Throws<PgException>(() => ExternalStatements.ParseCreateSchema(T(sql)));
        Assert.Equal(SqlState.FeatureNotSupported, e.SqlState);
        Assert.Contains($"FROM {source} is not supported by LocalShift", e.Message);
    }

    [Fact]
    public void The_tutorials_sales_table_goes_into_the_catalog_with_hive_types_and_the_tab_delimiter()
    {
        var t = ExternalStatements.ParseCreateTable(T("""
            create external table spectrum.sales(
            salesid integer, listid integer, sellerid integer, buyerid integer, eventid integer, dateid smallint,
            qtysold smallint, pricepaid decimal(8,2), commission decimal(8,2), saletime timestamp)
            row format delimited fields terminated by '\t'
            stored as textfile
            location 's3://redshift-downloads/tickit/spectrum/sales/'
            table properties ('numRows'='172000')
            """));
        Assert.Equal("spectrum", t.Schema);
        Assert.Equal("sales", t.Name);
        Assert.Equal(["int", "int", "int", "int", "int", "smallint", "smallint", "decimal(8,2)", "decimal(8,2)", "timestamp"],
            t.Table.Columns.Select(c => c.Type));
        Assert.Equal("\t", t.Table.SerdeParameters["field.delim"]);
        Assert.Equal(ExternalStatements.LazySimpleSerDe, t.Table.SerializationLibrary);
        Assert.Equal(ExternalStatements.TextInput, t.Table.InputFormat);
        Assert.Equal("172000", t.Table.Parameters["numRows"]);
        Assert.Equal("s3://redshift-downloads/tickit/spectrum/sales/", t.Table.Location);
    }

    [Fact]
    public void A_partitioned_parquet_table_and_a_serde_with_properties()
    {
        var p = ExternalStatements.ParseCreateTable(T(
            "create external table s.lineitem (l_orderkey bigint, l_comment varchar(44)) partitioned by (l_shipdate date) " +
            "stored as parquet location 's3://b/lineitem/'"));
        Assert.Equal(ExternalStatements.ParquetSerDe, p.Table.SerializationLibrary);
        Assert.Equal("parquet", p.Table.Parameters["classification"]);
        Assert.Equal([new CatalogColumn("l_shipdate", "date")], p.Table.PartitionKeys);

        var csv = ExternalStatements.ParseCreateTable(T(
            "create external table s.c (a int, b varchar(10)) row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' " +
            "with serdeproperties ('separatorChar' = ',', 'quoteChar' = '\"') stored as textfile location 's3://b/c/' table properties ('skip.header.line.count'='1')"));
        Assert.Equal(ExternalStatements.OpenCsvSerDe, csv.Table.SerializationLibrary);
        Assert.Equal(",", csv.Table.SerdeParameters["separatorChar"]);
        Assert.Equal("1", csv.Table.Parameters["skip.header.line.count"]);
    }

    [Theory]
    [InlineData("location '/etc/'")]
    [InlineData("location 'file:///etc/'")]
    public void A_location_outside_the_object_store_is_refused(string location)
    {
        var e = Assert.Throws<PgException>(() => ExternalStatements.ParseCreateTable(T($"create external table s.t (a int) stored as textfile {location}")));
        Assert.Contains("LOCATION must be an s3:// URL", e.Message);
    }

    [Theory]
    [InlineData("|", "|")]
    [InlineData("\\t", "\t")]
    [InlineData("\\001", "\u0001")]
    [InlineData("\\u0001", "\u0001")]
    public void Delimiters_are_decoded_as_redshift_reads_them(string written, string meant) =>
        Assert.Equal(meant, ExternalStatements.Delimiter(written));

    [Fact]
    public void Partitions_are_added_with_their_locations_and_dropped_by_their_values()
    {
        var add = Alter(
            "alter table spectrum.sales_part add if not exists partition (saledate='2008-01') location 's3://b/sales_partition/saledate=2008-01/' " +
            "partition (saledate='2008-02') location 's3://b/sales_partition/saledate=2008-02/'");
        Assert.Equal(ExternalTableAction.AddPartitions, add.Action);
        Assert.True(add.IfNotExists);
        Assert.Equal(2, add.Partitions.Count);
        Assert.Equal("s3://b/sales_partition/saledate=2008-02/", add.Partitions[1].Location);
        var comma = Alter("alter table s.t add partition (d=1) location 's3://b/1/', partition (d=2) location 's3://b/2/'");
        Assert.Equal([[("d", "1")], [("d", "2")]], comma.Partitions.Select(p => p.Spec));
        var drop = Alter("alter table spectrum.sales_part drop partition (saledate='2008-01')");
        Assert.Equal(ExternalTableAction.DropPartitions, drop.Action);
        Assert.Equal([("saledate", "2008-01")], drop.Partitions[0].Spec);
        Assert.Null(drop.Partitions[0].Location);
        // A local table's own clauses still read as before.
        Assert.IsType<AlterTableStatement>(SqlParser.Parse("alter table t add column c int"));
        Assert.IsType<AlterTableStatement>(SqlParser.Parse("alter table t drop column c"));
    }

    [Theory]
    [InlineData("int", "INTEGER")]
    [InlineData("string", "VARCHAR")]
    [InlineData("varchar(10)", "VARCHAR")]
    [InlineData("decimal(8,2)", "DECIMAL(8,2)")]
    [InlineData("double", "DOUBLE")]
    [InlineData("timestamp", "TIMESTAMP")]
    public void Catalog_types_map_to_the_engines(string catalog, string engine) =>
        Assert.Equal(engine, ExternalTables.EngineType(catalog));
}

/// <summary>Partition pruning read from the statement's tree.</summary>
public class PartitionFilterTests
{
    private static readonly IReadOnlyList<CatalogColumn> Keys = [new("day", "date"), new("hour", "int"), new("region", "string")];

    private static PartitionPredicate? Filter(string sql)
    {
        var tree = LocalShift.Sql.Syntax.SqlParser.Parse(sql);
        var access = LocalShift.Sql.Syntax.StatementAccess.Of(tree);
        var name = access.Relations.First(r => r.Name.Schema == "spectrum").Name;
        return PartitionFilter.For(tree, name);
    }

    /// <summary>The partitions (day, hour, region) of a grid the filter keeps.</summary>
    private static List<string> Kept(string sql)
    {
        var f = Filter(sql);
        var kept = new List<string>();
        foreach (var day in new[] { "2024-01-01", "2024-01-02", "2024-01-03" })
            foreach (var hour in new[] { "1", "2", "10" })
                foreach (var region in new[] { "eu", "us" })
                    if (PartitionFilter.Matches(f, Keys, [day, hour, region])) kept.Add($"{day}/{hour}/{region}");
        return kept;
    }

    [Fact]
    public void Equalities_and_in_lists_on_the_tables_partition_columns_restrict_it()
    {
        Assert.Equal(["2024-01-02/1/eu", "2024-01-02/2/eu"],
            Kept("select count(*) from spectrum.events e where e.day = '2024-01-02' and e.hour in (1, 2) and e.region = 'eu' and e.name like 'a%'"));
        Assert.True(PartitionFilter.Matches(Filter("select * from spectrum.events where hour = 1"), Keys, ["2024-01-02", "01", "eu"]));
    }

    [Fact]
    public void Ranges_and_between_compare_as_the_keys_type()
    {
        // hour is an int: 10 > 2, not "10" < "2".
        Assert.Equal(["2024-01-01/10/eu", "2024-01-01/10/us"], Kept("select * from spectrum.events where hour > 2 and day < '2024-01-02'"));
        Assert.Equal(6, Kept("select * from spectrum.events where day between '2024-01-02' and date '2024-01-02'").Count);
        Assert.Equal(12, Kept("select * from spectrum.events where '2024-01-02' <= day").Count);
        Assert.Equal(12, Kept("select * from spectrum.events where hour >= 2 and hour <= 10").Count);
        Assert.Equal(9, Kept("select * from spectrum.events where region >= 'f'").Count);
        Assert.Equal(12, Kept("select * from spectrum.events where day <> '2024-01-02'").Count);
    }

    [Fact]
    public void A_disjunction_prunes_when_every_branch_is_about_partition_values()
    {
        Assert.Equal(["2024-01-01/1/eu", "2024-01-01/1/us", "2024-01-03/1/eu", "2024-01-03/1/us"],
            Kept("select * from spectrum.events where hour = 1 and (day = '2024-01-01' or day > '2024-01-02')"));
        // A branch on a column that is not a partition key (or on no column) keeps every partition.
        Assert.Null(Filter("select * from spectrum.events where day = '2024-01-02' or name like 'x%'"));
        Assert.Equal(18, Kept("select * from spectrum.events where day = '2024-01-02' or id = 1").Count);
    }

    [Fact]
    public void Unqualified_columns_count_only_when_the_table_is_alone_in_from()
    {
        Assert.NotNull(Filter("select * from spectrum.events where day = date '2024-01-02'"));
        Assert.Null(Filter("select * from spectrum.events, local_days d where day = '2024-01-02'"));
        Assert.NotNull(Filter("select * from spectrum.events join local_days d on d.id = events.hour where events.day = '2024-01-02'"));
    }

    [Fact]
    public void Join_on_conditions_prune_where_the_join_drops_the_rows_they_reject()
    {
        // An inner join's ON, alone or with the WHERE.
        Assert.Equal(["2024-01-02/1/eu", "2024-01-02/1/us"],
            Kept("select * from local_days d join spectrum.events e on e.day = '2024-01-02' and e.id = d.id where e.hour = 1"));
        Assert.Equal(6, Kept("select * from local_days d inner join spectrum.events e on d.id = e.id and e.day = '2024-01-03'").Count);
        // The table on a LEFT join's right (or a RIGHT join's left): unmatched rows of it are dropped.
        Assert.Equal(6, Kept("select * from local_days d left join spectrum.events e on e.day = '2024-01-01' and d.id = e.id").Count);
        Assert.Equal(6, Kept("select * from spectrum.events e right join local_days d on e.day = '2024-01-01'").Count);
        // Nested: an inner join inside the right side of a LEFT join.
        Assert.Equal(2, Kept("select * from a left join (b join spectrum.events e on e.day = '2024-01-01' and e.hour = 10) on a.id = b.id").Count);
        // The preserved side of an outer join, or either side of a FULL join, keeps every row whatever ON says.
        Assert.Null(Filter("select * from spectrum.events e left join local_days d on e.day = '2024-01-02'"));
        Assert.Null(Filter("select * from local_days d right join spectrum.events e on e.day = '2024-01-02'"));
        Assert.Null(Filter("select * from local_days d full join spectrum.events e on e.day = '2024-01-02'"));
    }

    [Fact]
    public void A_condition_on_another_tables_column_prunes_through_an_equality_with_a_partition_column()
    {
        // e.day = d.day in every kept row, so d.day = '2024-01-02' restricts e.day alike.
        Assert.Equal(6, Kept("select * from spectrum.events e join local_days d on e.day = d.day where d.day = '2024-01-02'").Count);
        Assert.Equal(["2024-01-01/2/eu", "2024-01-01/2/us", "2024-01-03/2/eu", "2024-01-03/2/us"],
            Kept("select * from spectrum.events e, local_days d, hours h where d.day = e.day and h.hour = e.hour and d.day in ('2024-01-01', '2024-01-03') and h.hour = 2"));
        // Either side, in the WHERE of an inner join, or through a disjunction on the other column.
        Assert.Equal(12, Kept("select * from local_days d join spectrum.events e on d.day = e.day where d.day >= '2024-01-02' or d.day < '2023-01-01'").Count);
        // Not when the equality only holds where a LEFT join kept the table's rows anyway, or is not AND-ed.
        Assert.Null(Filter("select * from spectrum.events e left join local_days d on e.day = d.day where d.day = '2024-01-02' or d.day is null"));
        Assert.Equal(18, Kept("select * from spectrum.events e join local_days d on e.id = d.id where (e.day = d.day or e.hour = 1) and d.day = '2024-01-02'").Count);
    }

    [Fact]
    public void A_huge_predicate_is_read_without_deep_recursion_and_a_deeply_nested_one_tells_nothing()
    {
        // 20,000 OR-ed equalities: one chain, read flat.
        var wide = "select * from spectrum.events where " + string.Join(" or ", Enumerable.Range(0, 20_000).Select(i => $"hour = {i + 100}")) + " or hour = 2";
        Assert.Equal(6, Kept(wide).Count);
        // AND and OR alternating deeper than the guard: what lies deeper tells nothing (here the innermost hour = 2),
        // so every partition is read rather than the stack exhausted; shallower, the same predicate prunes.
        string Nested(int depth)
        {
            var deep = "hour = 2";
            for (var i = 0; i < depth; i++) deep = i % 2 == 0 ? $"(day > '2000-01-01' and {deep})" : $"(region = 'zz' or {deep})";
            return "select * from spectrum.events where " + deep;
        }
        Assert.Equal(18, Kept(Nested(PartitionFilter.MaxDepth + 10)).Count);
        Assert.Equal(6, Kept(Nested(PartitionFilter.MaxDepth - 10)).Count);
    }

    /// <summary>Glue's GetPartitions Expression made of a statement's predicate, and the grid's partitions Glue selects with it.</summary>
    private static (string? Expression, List<string> Selected) Glue(string sql)
    {
        var expression = PartitionFilter.GlueExpression(Filter(sql), Keys);
        var parsed = expression is null ? null
            : LocalShift.Services.Glue.PartitionExpression.Parse(expression, Keys.Select(k => new LocalShift.Services.Glue.Shapes.Column(k.Name, k.Type)).ToList());
        var selected = new List<string>();
        foreach (var day in new[] { "2024-01-01", "2024-01-02", "2024-01-03" })
            foreach (var hour in new[] { "1", "2", "10" })
                foreach (var region in new[] { "eu", "us" })
                    if (parsed is null || parsed.Matches([day, hour, region])) selected.Add($"{day}/{hour}/{region}");
        return (expression, selected);
    }

    [Theory]
    [InlineData("select * from spectrum.events where hour = 2", "hour = 2", 6)]
    [InlineData("select * from spectrum.events where hour > 2 and region = 'eu'", "(hour > 2) AND (region = 'eu')", 3)]
    [InlineData("select * from spectrum.events where hour in (1, 10) or region <> 'us'", "((hour = 1) OR (hour = 10)) OR (region <> 'us')", 15)]
    [InlineData("select * from spectrum.events where hour between 2 and 10", "(hour >= 2) AND (hour <= 10)", 12)]
    [InlineData("select * from spectrum.events where region = 'it''s'", "region = 'it''s'", 0)]
    // Dates compare as dates in the scan and as text in Glue: left to the scan (under AND the rest still goes to Glue).
    [InlineData("select * from spectrum.events where day = '2024-01-02' and hour = 1", "hour = 1", 6)]
    [InlineData("select * from spectrum.events where day = '2024-01-02'", null, 18)]
    // A number against a text key compares as numbers in the scan: not passed; an OR with a term not passed is not either.
    [InlineData("select * from spectrum.events where region = 1", null, 18)]
    [InlineData("select * from spectrum.events where hour = 1 or day = '2024-01-01'", null, 18)]
    public void The_partition_predicate_goes_to_Glue_as_an_expression_that_selects_every_partition_it_matches(string sql, string? expression, int selected)
    {
        var (text, glue) = Glue(sql);
        Assert.Equal(expression, text);
        Assert.Equal(selected, glue.Count);
        // Never fewer than the scan's own predicate keeps.
        Assert.Empty(Kept(sql).Except(glue));
    }

    [Fact]
    public void No_where_or_a_where_outside_the_select_that_reads_it_reads_every_partition()
    {
        Assert.Null(Filter("select * from spectrum.events"));
        Assert.Null(Filter("select * from spectrum.events where not (day = '2024-01-02')"));
        Assert.Null(Filter("select * from (select * from spectrum.events) x where x.day = '2024-01-02'"));
    }

    [Fact]
    public void Pseudo_columns_are_noticed_wherever_the_statement_names_them()
    {
        Assert.True(PartitionFilter.NamesPseudoColumns(LocalShift.Sql.Syntax.SqlParser.Parse("select \"$path\", count(*) from spectrum.events group by 1")));
        Assert.True(PartitionFilter.NamesPseudoColumns(LocalShift.Sql.Syntax.SqlParser.Parse("select e.id from spectrum.events e where e.\"$size\" > 10")));
        Assert.False(PartitionFilter.NamesPseudoColumns(LocalShift.Sql.Syntax.SqlParser.Parse("select * from spectrum.events")));
    }
}
