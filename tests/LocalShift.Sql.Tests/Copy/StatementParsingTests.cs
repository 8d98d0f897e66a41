using LocalShift.Engine;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Unload;

namespace LocalShift.Sql.Tests.Copy;

public class StatementParsingTests
{
    private const string Role = "arn:aws:iam::123456789012:role/R";

    private static IReadOnlyList<SqlToken> Tokens(string sql) => SqlLexer.Significant(SqlLexer.Tokenize(sql));
    private static CopyStatement Copy(string sql) => CopyStatement.Parse(Tokens(sql));
    private static UnloadStatement Unload(string sql) => UnloadStatement.Parse(Tokens(sql));
    private static PgException CopyError(string sql) => Assert.Throws<PgException>(() => Copy(sql));
    private static PgException UnloadError(string sql) => Assert.Throws<PgException>(() => Unload(sql));

    [Fact]
    public void Iam_role_chain_is_read_in_order()
    {
        var c = Copy($"COPY s.t (a, b) FROM 's3://bkt/p/x' IAM_ROLE '{Role},{Role}2' CSV QUOTE AS '''' IGNOREHEADER 1 GZIP");
        Assert.Equal(("s", "t"), (c.Schema, c.Table));
        Assert.Equal(["a", "b"], c.Columns!);
        Assert.Equal(new S3Location("bkt", "p/x"), c.Source);
        Assert.Equal([Role, Role + "2"], ((RoleChainAuthorization)c.Authorization).Chain);
        Assert.Equal((CopyFormat.Csv, "'", 1L, Compression.Gzip), (c.Format, c.Quote, c.IgnoreHeader, c.Compression));
    }

    [Fact]
    public void Single_character_options_written_as_escapes_are_decoded()
    {
        // The Getting Started SALES load's DELIMITER '\t', octal escapes, and QUOTE given the same way.
        Assert.Equal("\t", Copy("COPY t FROM 's3://b/p' IAM_ROLE default DELIMITER '\\t'").Delimiter);
        Assert.Equal("\t", Copy("COPY t FROM 's3://b/p' IAM_ROLE default DELIMITER AS '\\011'").Delimiter);
        Assert.Equal("\u001e", Copy("COPY t FROM 's3://b/p' IAM_ROLE default DELIMITER '\\036'").Delimiter);
        Assert.Equal("'", Copy("COPY t FROM 's3://b/p' IAM_ROLE default CSV QUOTE AS '\\047'").Quote);
        Assert.Equal("\t", Unload("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default DELIMITER AS '\\t'").Delimiter);
        Assert.Contains("single character", CopyError("COPY t FROM 's3://b/p' IAM_ROLE default DELIMITER '\\x'").Message);
    }

    [Fact]
    public void Default_role_and_every_credentials_form_parse()
    {
        Assert.True(((RoleChainAuthorization)Copy("COPY t FROM 's3://b/p' IAM_ROLE default").Authorization).Default);
        Assert.Equal([Role], ((RoleChainAuthorization)Copy($"COPY t FROM 's3://b/p' WITH CREDENTIALS AS 'aws_iam_role={Role}'").Authorization).Chain);
        Assert.Equal(new AccessKeyAuthorization("AK", "SK", "TK"),
            Copy("COPY t FROM 's3://b/p' CREDENTIALS 'aws_access_key_id=AK;aws_secret_access_key=SK;token=TK'").Authorization);
        Assert.Equal(new AccessKeyAuthorization("AK", "SK", null),
            Copy("COPY t FROM 's3://b/p' ACCESS_KEY_ID 'AK' SECRET_ACCESS_KEY 'SK' DELIMITER ','").Authorization);
    }

    [Theory]
    [InlineData("COPY t FROM 's3://b/p' IAM_ROLE default CREDENTIALS 'aws_iam_role=arn:aws:iam::1:role/x'", "conflicting or redundant options")]
    [InlineData("COPY t FROM 's3://b/p' ACCESS_KEY_ID 'a'", "ACCESS_KEY_ID and SECRET_ACCESS_KEY must be specified together")]
    [InlineData("COPY t FROM 's3://b/p' CREDENTIALS 'aws_iam_role=a;aws_access_key_id=b'", "Invalid credentials. Must be of the format")]
    [InlineData("COPY t FROM 's3://b/p' IAM_ROLE 'arn:a, arn:b'", "without spaces")]
    [InlineData("COPY t FROM 's3://b/p' CSV", "requires an authorization clause")]
    [InlineData("COPY t FROM 's3://b/p' IAM_ROLE default CSV JSON 'auto'", "conflicting or redundant options")]
    [InlineData("COPY t FROM 's3://b/p' IAM_ROLE default FROBNICATE", "syntax error at or near \"FROBNICATE\"")]
    [InlineData("COPY t FROM '/tmp/x' IAM_ROLE default", "only Amazon S3 sources")]
    public void Malformed_copy_statements_are_refused(string sql, string message) =>
        Assert.Contains(message, CopyError(sql).Message);

    [Fact]
    public void Eleven_roles_are_one_too_many()
    {
        var chain = string.Join(',', Enumerable.Range(0, 11).Select(i => Role + i));
        Assert.Contains("at most 10 roles", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{chain}'").Message);
    }

    [Fact]
    public void Unload_reads_its_quoted_query_and_options()
    {
        var u = Unload($"UNLOAD ('select * from t where n = ''x''') TO 's3://b/out/' IAM_ROLE '{Role}' PARQUET PARTITION BY (year, month) INCLUDE " +
            "MANIFEST VERBOSE PARALLEL OFF MAXFILESIZE 100 MB CLEANPATH");
        Assert.Equal("select * from t where n = 'x'", u.Query);
        Assert.Equal((UnloadFormat.Parquet, true, true, false, true), (u.Format, u.PartitionInclude, u.ManifestVerbose, u.Parallel, u.CleanPath));
        Assert.Equal(["year", "month"], u.PartitionBy);
        Assert.Equal(100L * 1024 * 1024, u.MaxFileSize);
    }

    [Theory]
    [InlineData("PARQUET DELIMITER ','", "DELIMITER is not supported with PARQUET format")]
    [InlineData("PARQUET GZIP", "GZIP is not supported with PARQUET format")]
    [InlineData("PARQUET HEADER", "HEADER is not supported with PARQUET format")]
    [InlineData("JSON ADDQUOTES", "ADDQUOTES is not supported with JSON format")]
    [InlineData("JSON NULL AS 'x'", "NULL AS is not supported with JSON format")]
    [InlineData("CLEANPATH ALLOWOVERWRITE", "Cannot use both CLEANPATH and ALLOWOVERWRITE options")]
    [InlineData("MAXFILESIZE 1 MB", "MAXFILESIZE must be between 5 MB and 6.2 GB")]
    [InlineData("CSV PARQUET", "only one of CSV, PARQUET, JSON")]
    public void Incompatible_unload_options_are_refused(string options, string message) =>
        Assert.Contains(message, UnloadError($"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default {options}").Message);

    [Fact]
    public void Fixedwidth_spec_is_read_with_labels_and_widths()
    {
        var c = Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH 'venueid:3,venue name:25,2:2'");
        Assert.Equal(CopyFormat.FixedWidth, c.Format);
        Assert.Equal([("venueid", 3), ("venue name", 25), ("2", 2)], c.FixedWidths);
        Assert.Contains("Invalid FIXEDWIDTH specification", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH 'a:3,b'").Message);
        Assert.Contains("Invalid FIXEDWIDTH specification", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH 'a:0'").Message);
        Assert.Equal("FIXEDWIDTH cannot be used with DELIMITER", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH 'a:3' DELIMITER ','").Message);
        Assert.Equal("conflicting or redundant options", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH 'a:3' CSV").Message);
        var u = Unload($"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH '0:3' BZIP2");
        Assert.Equal([("0", 3)], u.FixedWidths);
        Assert.Equal(Compression.Bzip2, u.Compression);
        Assert.Equal("HEADER is not supported with FIXEDWIDTH", UnloadError($"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE '{Role}' FIXEDWIDTH '0:3' HEADER").Message);
        Assert.Equal("DELIMITER is not supported with FIXEDWIDTH", UnloadError($"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE '{Role}' DELIMITER ',' FIXEDWIDTH '0:3'").Message);
    }

    [Fact]
    public void Acceptinvchars_truncatecolumns_and_jsonpaths_parse()
    {
        Assert.Equal('?', Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' ACCEPTINVCHARS").AcceptInvChars);
        Assert.Equal('^', Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' ACCEPTINVCHARS AS '^' TRUNCATECOLUMNS").AcceptInvChars);
        Assert.Null(Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}'").AcceptInvChars);
        Assert.True(Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' TRUNCATECOLUMNS").TruncateColumns);
        Assert.Contains("single ASCII character", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' ACCEPTINVCHARS 'ab'").Message);
        Assert.Equal(new S3Location("b", "paths.json"), Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' JSON 's3://b/paths.json'").JsonPaths);
        Assert.Null(Copy($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' JSON 'AUTO'").JsonPaths);
        Assert.Contains("Invalid JSON option", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' JSON 'paths.json'").Message);
        Assert.Contains("does not support ACCEPTINVCHARS", CopyError($"COPY t FROM 's3://b/p' IAM_ROLE '{Role}' PARQUET TRUNCATECOLUMNS").Message);
    }

    [Theory]
    [InlineData("$.a", "$.\"a\"")]
    [InlineData("$['a']", "$.\"a\"")]
    [InlineData("$[\"a b\"]['c']", "$.\"a b\".\"c\"")]
    [InlineData("$.a.b", "$.\"a\".\"b\"")]
    [InlineData("$.arr[0]", "$.\"arr\"[0]")]
    [InlineData("$['arr'][12].x", "$.\"arr\"[12].\"x\"")]
    public void Jsonpath_expressions_become_duckdb_paths(string redshift, string duckdb) =>
        Assert.Equal(duckdb, JsonPathExpression.ToSqlJsonPath(redshift));

    [Theory]
    [InlineData("a.b")]
    [InlineData("$.*")]
    [InlineData("$..a")]
    [InlineData("$.a[*]")]
    [InlineData("$[?(@.a)]")]
    [InlineData("$['a'")]
    public void Jsonpath_wildcards_filters_and_malformed_paths_are_refused(string path) =>
        Assert.StartsWith("Invalid JSONPath format", Assert.Throws<PgException>(() => JsonPathExpression.ToSqlJsonPath(path)).Message);

    [Fact]
    public void Utf8_check_replaces_each_invalid_byte_or_reports_its_line()
    {
        // "é" split across the two reads of a tiny inner buffer must survive; 0xA4 and 0xFF are invalid.
        byte[] data = [.. "ok\nh"u8, 0xC3, 0xA9, (byte)'\n', (byte)'x', 0xA4, (byte)'y', 0xFF, (byte)'\n'];
        using (var replaced = new Utf8CheckingStream(new OneByteStream(data), '^', "s3://b/k"))
        {
            using var copy = new MemoryStream();
            replaced.CopyTo(copy);
            Assert.Equal("ok\nhé\nx^y^\n", System.Text.Encoding.UTF8.GetString(copy.ToArray()));
        }
        using var strict = new Utf8CheckingStream(new MemoryStream(data), null, "s3://b/k");
        var e = Assert.Throws<InvalidUtf8Exception>(() => strict.CopyTo(Stream.Null));
        Assert.Equal((3L, "String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence: a4"), (e.Line, e.Reason));
    }

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer.Length > 1 ? buffer[..1] : buffer);
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
    }

    [Theory]
    [InlineData("CREATE TABLE t (a VARCHAR(10), b CHAR(3), c INT, d TEXT, e VARCHAR, f CHARACTER VARYING(7), g VARCHAR(MAX), h CHAR, i BPCHAR, j NCHAR(4) NOT NULL, k VARCHAR(70000))")]
    public void Create_table_widths_follow_redshift_defaults(string sql)
    {
        var create = Assert.IsType<LocalShift.Sql.Syntax.CreateTableStatement>(LocalShift.Sql.Syntax.SqlParser.Parse(sql));
        var widths = create.Columns.Select(c => ColumnWidths.FromTypeName(TableAttributes.RedshiftTypeName(c.DeclaredType))?.TypeName ?? "-").ToList();
        Assert.Equal(["varchar(10)", "char(3)", "-", "varchar(256)", "varchar(256)", "varchar(7)", "varchar(65535)", "char(1)", "char(256)", "char(4)", "varchar(65535)"], widths);
    }
}
