using System.Globalization;
using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.External;

/// <summary><c>CREATE EXTERNAL SCHEMA</c> as Redshift's page gives it, for the data catalog source.</summary>
public sealed record CreateExternalSchema(
    string Schema,
    bool IfNotExists,
    string Database,
    string? Region,
    RoleChainAuthorization Role,
    bool CreateDatabase,
    RoleChainAuthorization? CatalogRole = null);

/// <summary>
/// <c>CREATE EXTERNAL TABLE</c>: the table as it goes into the catalog. For <c>CREATE EXTERNAL TABLE … AS query</c>,
/// <paramref name="QueryAt"/> is the index of the query's first significant token; the table's columns are then the
/// query's, and its partition keys (named without types) have an empty <see cref="CatalogColumn.Type"/> until the
/// query's columns give them one.
/// </summary>
public sealed record CreateExternalTable(string Schema, string Name, bool IfNotExists, CatalogTable Table, int? QueryAt = null);

/// <summary>Parses the external-schema and external-table statements from their significant tokens.</summary>
public static class ExternalStatements
{
    public static CreateExternalSchema ParseCreateSchema(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("CREATE");
        r.Expect("EXTERNAL");
        r.Expect("SCHEMA");
        var ifNotExists = IfNotExists(r);
        var schema = Identifier(r);
        if (r.Accept("FROM"))
        {
            if (r.Accept("DATA")) r.Expect("CATALOG");
            else if (r.Peek().IsAny("HIVE", "POSTGRES", "MYSQL", "KINESIS", "MSK", "KAFKA", "REDSHIFT"))
                throw new PgException(SqlState.FeatureNotSupported,
                    $"CREATE EXTERNAL SCHEMA FROM {r.Peek().Text.ToUpperInvariant()} is not supported by LocalShift: only the data catalog (AWS Glue on the LocalShift endpoint) is");
        }
        string? database = null, region = null;
        RoleChainAuthorization? role = null, catalogRole = null;
        var create = false;
        while (!r.AtEnd)
        {
            if (r.Accept("DATABASE")) database = r.String("DATABASE");
            else if (r.Accept("REGION")) region = r.String("REGION");
            else if (r.Peek().Is("IAM_ROLE"))
            {
                var clause = new AuthorizationClause();
                clause.TryRead(r);
                role = clause.Result("CREATE EXTERNAL SCHEMA") as RoleChainAuthorization
                       ?? throw new PgException(SqlState.SyntaxError, "IAM_ROLE must name a role ARN or default");
            }
            else if (r.Accept("CATALOG_ROLE"))
            {
                if (r.Peek().Is("SESSION"))
                    // unverified: Redshift's text; CATALOG_ROLE SESSION passes the user's federated identity to Lake Formation.
                    throw new PgException(SqlState.FeatureNotSupported, "CATALOG_ROLE SESSION is not supported by LocalShift: name a role ARN (or a chain of them)");
                catalogRole = AuthorizationClause.ParseChain(r.String("CATALOG_ROLE"));
            }
            else if (r.Accept("SCHEMA")) r.String("SCHEMA");
            else if (r.Accept("CREATE"))
            {
                r.Expect("EXTERNAL");
                r.Expect("DATABASE");
                r.Expect("IF");
                r.Expect("NOT");
                r.Expect("EXISTS");
                create = true;
            }
            else throw r.SyntaxError();
        }
        // unverified: Redshift's exact texts for a missing DATABASE or IAM_ROLE.
        if (database is null) throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL SCHEMA requires DATABASE 'name'");
        if (role is null) throw new PgException(SqlState.InvalidParameterValue, "IAM_ROLE must be specified for an external schema that uses the data catalog");
        return new CreateExternalSchema(schema, ifNotExists, database.ToLowerInvariant(), region, role, create, catalogRole);
    }

    public static CreateExternalTable ParseCreateTable(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("CREATE");
        r.Expect("EXTERNAL");
        r.Expect("TABLE");
        var ifNotExists = IfNotExists(r);
        var (schema, name) = r.QualifiedName();
        if (schema is null)
            // unverified: Redshift's text; an external table is always named with its external schema.
            throw new PgException(SqlState.InvalidSchemaName, "an external table must be qualified with its external schema");
        // CREATE EXTERNAL TABLE … AS takes its columns from the query: no column list.
        var columns = r.Peek().Kind == SqlTokenKind.LeftParen ? ColumnList(r, allowEmpty: false) : [];
        IReadOnlyList<CatalogColumn> partitions = [];
        int? queryAt = null;
        string? serde = null, inputFormat = null, outputFormat = null;
        var serdeParameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string? location = null;
        string? storedAs = null;
        while (!r.AtEnd)
        {
            if (r.Accept("PARTITIONED"))
            {
                r.Expect("BY");
                partitions = ColumnList(r, allowEmpty: false, typesOptional: true);
            }
            else if (r.Accept("ROW"))
            {
                r.Expect("FORMAT");
                if (r.Accept("DELIMITED"))
                {
                    serde = LazySimpleSerDe;
                    while (r.Peek().IsAny("FIELDS", "LINES", "COLLECTION", "MAP"))
                    {
                        var what = r.Next();
                        if (what.IsAny("COLLECTION", "MAP")) { r.Accept("ITEMS"); r.Accept("KEYS"); }
                        r.Expect("TERMINATED");
                        r.Expect("BY");
                        var delimiter = Delimiter(r.String("TERMINATED BY"));
                        if (what.Is("FIELDS")) serdeParameters["field.delim"] = serdeParameters["serialization.format"] = delimiter;
                        else if (what.Is("LINES")) serdeParameters["line.delim"] = delimiter;
                    }
                }
                else
                {
                    r.Expect("SERDE");
                    serde = r.String("SERDE");
                    if (r.Accept("WITH"))
                    {
                        r.Expect("SERDEPROPERTIES");
                        foreach (var (k, v) in Properties(r)) serdeParameters[k] = v;
                    }
                }
            }
            else if (r.Accept("STORED"))
            {
                r.Expect("AS");
                if (r.Accept("INPUTFORMAT"))
                {
                    inputFormat = r.String("INPUTFORMAT");
                    r.Expect("OUTPUTFORMAT");
                    outputFormat = r.String("OUTPUTFORMAT");
                    storedAs = inputFormat.Contains("Parquet", StringComparison.OrdinalIgnoreCase) ? "PARQUET" : "TEXTFILE";
                }
                else
                {
                    storedAs = r.Next().Text.ToUpperInvariant();
                    (inputFormat, outputFormat) = storedAs switch
                    {
                        "PARQUET" => (ParquetInput, ParquetOutput),
                        "TEXTFILE" => (TextInput, TextOutput),
                        _ => throw new PgException(SqlState.FeatureNotSupported,
                            $"STORED AS {storedAs} is not supported by LocalShift: use PARQUET or TEXTFILE (with a delimited, OpenCSV or JSON SerDe)"),
                    };
                }
            }
            else if (r.Accept("LOCATION")) location = r.String("LOCATION");
            else if (r.Accept("TABLE"))
            {
                r.Expect("PROPERTIES");
                foreach (var (k, v) in Properties(r)) parameters[k] = v;
            }
            else if (r.Peek().Is("AS") && (r.Peek(1).IsAny("SELECT", "WITH", "VALUES") || r.Peek(1).Kind == SqlTokenKind.LeftParen))
            {
                r.Next();
                queryAt = r.Position;
                break;
            }
            else throw r.SyntaxError();
        }
        if (queryAt is null && columns.Count == 0)
            throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL TABLE requires a column list, or AS followed by a query");
        if (queryAt is null && partitions.Any(p => p.Type.Length == 0))
            // unverified: Redshift's text; only CREATE EXTERNAL TABLE … AS may name partition columns without types.
            throw new PgException(SqlState.SyntaxError, "PARTITIONED BY columns must have types unless the table is created AS a query");
        if (queryAt is not null && columns.Count > 0)
            // unverified: Redshift's text; its CREATE EXTERNAL TABLE AS syntax has no column list.
            throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL TABLE AS takes its columns from the query: remove the column list");

        if (location is null) throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL TABLE requires LOCATION 's3://bucket/prefix/'");
        if (!location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            // LOCATION can only name the object store: nothing reaches a local path.
            throw new PgException(SqlState.InvalidParameterValue, $"Invalid S3 location '{location}': LOCATION must be an s3:// URL");
        // A ROW FORMAT without STORED AS is text, as in Redshift's own JsonSerDe example (Hive's default file format).
        if (storedAs is null && serde is not null && queryAt is null) (storedAs, inputFormat, outputFormat) = ("TEXTFILE", TextInput, TextOutput);
        if (storedAs is null) throw new PgException(SqlState.SyntaxError, "CREATE EXTERNAL TABLE requires STORED AS");
        if (storedAs == "PARQUET") serde ??= ParquetSerDe;
        serde ??= LazySimpleSerDe;
        parameters.TryAdd("classification", storedAs == "PARQUET" ? "parquet" : serde.Contains("Json", StringComparison.OrdinalIgnoreCase) ? "json" : "csv");
        return new CreateExternalTable(schema, name, ifNotExists, new CatalogTable
        {
            Database = "",
            Name = name,
            Columns = columns,
            PartitionKeys = partitions,
            Location = location,
            InputFormat = inputFormat,
            OutputFormat = outputFormat,
            SerializationLibrary = serde,
            SerdeParameters = serdeParameters,
            Parameters = parameters,
        }, queryAt);
    }

    public const string LazySimpleSerDe = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
    public const string OpenCsvSerDe = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
    public const string ParquetSerDe = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    public const string ParquetInput = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    public const string ParquetOutput = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    public const string TextInput = "org.apache.hadoop.mapred.TextInputFormat";
    public const string TextOutput = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

    private static bool IfNotExists(StatementReader r)
    {
        if (!r.Peek().Is("IF")) return false;
        r.Next();
        r.Expect("NOT");
        r.Expect("EXISTS");
        return true;
    }

    private static string Identifier(StatementReader r)
    {
        var t = r.Next();
        return t.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier ? t.Identifier : throw StatementReader.SyntaxError(t);
    }

    /// <summary>
    /// <c>(name type, …)</c>, with the Redshift types turned into the catalog's (Hive) types; with
    /// <paramref name="typesOptional"/> a name alone (CREATE EXTERNAL TABLE AS's partition columns) has an empty type.
    /// </summary>
    private static List<CatalogColumn> ColumnList(StatementReader r, bool allowEmpty, bool typesOptional = false)
    {
        r.Expect(SqlTokenKind.LeftParen);
        var columns = new List<CatalogColumn>();
        if (allowEmpty && r.Accept(SqlTokenKind.RightParen)) return columns;
        do
        {
            var name = Identifier(r);
            var type = new StringBuilder();
            var depth = 0;
            while (!r.AtEnd && !(depth == 0 && r.Peek().Kind is SqlTokenKind.Comma or SqlTokenKind.RightParen))
            {
                var t = r.Next();
                if (t.Kind == SqlTokenKind.LeftParen) depth++;
                if (t.Kind == SqlTokenKind.RightParen) depth--;
                if (type.Length > 0 && t.Kind is SqlTokenKind.Word && type[^1] != '(') type.Append(' ');
                type.Append(t.Kind == SqlTokenKind.Word ? t.Text.ToLowerInvariant() : t.Text);
            }
            if (type.Length == 0 && !typesOptional) throw r.SyntaxError();
            columns.Add(new CatalogColumn(name, type.Length == 0 ? "" : CatalogType(type.ToString())));
        } while (r.Accept(SqlTokenKind.Comma));
        r.Expect(SqlTokenKind.RightParen);
        return columns;
    }

    /// <summary>A Redshift column type as the data catalog writes it (Glue's Hive type names).</summary>
    public static string CatalogType(string redshift)
    {
        var t = redshift.Trim().ToLowerInvariant();
        var paren = t.IndexOf('(');
        var head = (paren < 0 ? t : t[..paren]).Trim();
        var args = paren < 0 ? "" : t[paren..].Replace(" ", "");
        return head switch
        {
            "int" or "integer" or "int4" => "int",
            "smallint" or "int2" => "smallint",
            "tinyint" => "tinyint",
            "bigint" or "int8" => "bigint",
            "decimal" or "numeric" => "decimal" + args,
            "real" or "float4" or "float" => "float",
            "double precision" or "float8" or "double" => "double",
            "boolean" or "bool" => "boolean",
            "date" => "date",
            "timestamp" or "timestamp without time zone" => "timestamp",
            "varchar" or "character varying" or "nvarchar" => "varchar" + args,
            "char" or "character" or "nchar" or "bpchar" => "char" + args,
            "text" or "string" => "string",
            "binary" or "varbyte" => "binary",
            _ => throw new PgException(SqlState.FeatureNotSupported, $"type {redshift} is not supported for external tables by LocalShift"),
        };
    }

    private static List<(string, string)> Properties(StatementReader r)
    {
        var list = new List<(string, string)>();
        r.Expect(SqlTokenKind.LeftParen);
        do
        {
            var k = r.String("property");
            r.Expect(SqlTokenKind.Operator);
            var v = r.String("property");
            list.Add((k, v));
        } while (r.Accept(SqlTokenKind.Comma));
        r.Expect(SqlTokenKind.RightParen);
        return list;
    }

    /// <summary>A delimiter as Redshift reads it: one character, or an escape of one (see <see cref="Copy.CharacterOption"/>).</summary>
    public static string Delimiter(string text) =>
        Copy.CharacterOption.Decode(text) is { Length: 1 } decoded
            ? decoded
            : throw new PgException(SqlState.InvalidParameterValue, $"invalid delimiter '{text}': it must be a single character or an escape such as '\\t' or '\\001'");
}
