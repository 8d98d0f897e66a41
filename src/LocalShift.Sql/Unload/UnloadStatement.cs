using LocalShift.Engine;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.Unload;

public enum UnloadFormat { Text, Csv, Parquet, Json }

/// <summary>A parsed <c>UNLOAD ('select ...') TO 's3://...' authorization [options]</c>.</summary>
public sealed record UnloadStatement
{
    public const long MinFileSize = 5L * 1024 * 1024;
    public const long MaxFileSizeLimit = 6_200L * 1024 * 1024;

    public required string Query { get; init; }
    public required S3Location Destination { get; init; }
    public required Authorization Authorization { get; init; }
    public UnloadFormat Format { get; init; } = UnloadFormat.Text;
    public IReadOnlyList<string> PartitionBy { get; init; } = [];
    public bool PartitionInclude { get; init; }
    public bool Manifest { get; init; }
    public bool ManifestVerbose { get; init; }
    public bool Header { get; init; }
    public string? Delimiter { get; init; }
    public bool AddQuotes { get; init; }
    public string? NullAs { get; init; }
    public bool Escape { get; init; }
    public Compression Compression { get; init; }
    public bool AllowOverwrite { get; init; }
    public bool CleanPath { get; init; }
    public bool Parallel { get; init; } = true;
    public long? MaxFileSize { get; init; }
    public string? Extension { get; init; }
    /// <summary>REGION 'r': the region of the target bucket; null means the cluster's.</summary>
    public string? Region { get; init; }
    /// <summary>FIXEDWIDTH 'label:width,...': each row written as its columns padded to these widths.</summary>
    public IReadOnlyList<(string Label, int Width)> FixedWidths { get; init; } = [];

    public static UnloadStatement Parse(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("UNLOAD");
        r.Expect(SqlTokenKind.LeftParen);
        var queryToken = r.Next();
        if (queryToken.Kind != SqlTokenKind.String) throw new PgException(SqlState.SyntaxError, $"UNLOAD takes its query as a quoted string, at or near \"{queryToken.Text}\"");
        r.Expect(SqlTokenKind.RightParen);
        r.Expect("TO");
        var destination = r.Next();
        if (destination.Kind != SqlTokenKind.String) throw StatementReader.SyntaxError(destination);

        var auth = new AuthorizationClause();
        var s = new UnloadStatement { Query = queryToken.StringValue, Destination = S3Location.Parse(destination.StringValue), Authorization = null! };
        var seen = new HashSet<string>();
        while (!r.AtEnd)
        {
            if (auth.TryRead(r)) continue;
            var word = r.Next();
            var name = word.Text.ToUpperInvariant();
            if (name is not "FORMAT" && !seen.Add(name))
                throw new PgException(SqlState.SyntaxError, "conflicting or redundant options", detail: $"{name} is given twice.");
            switch (name)
            {
                case "FORMAT": r.Accept("AS"); continue;
                case "CSV": s = s with { Format = UnloadFormat.Csv }; break;
                case "PARQUET": s = s with { Format = UnloadFormat.Parquet }; break;
                case "JSON": s = s with { Format = UnloadFormat.Json }; break;
                case "PARTITION":
                    r.Expect("BY");
                    r.Expect(SqlTokenKind.LeftParen);
                    var columns = new List<string>();
                    do columns.Add(r.Next().Identifier); while (r.Accept(SqlTokenKind.Comma));
                    r.Expect(SqlTokenKind.RightParen);
                    s = s with { PartitionBy = columns, PartitionInclude = r.Accept("INCLUDE") };
                    break;
                case "MANIFEST": s = s with { Manifest = true, ManifestVerbose = r.Accept("VERBOSE") }; break;
                case "HEADER": s = s with { Header = true }; break;
                case "DELIMITER": s = s with { Delimiter = Copy.CharacterOption.Decode(r.String("DELIMITER")) }; break;
                case "FIXEDWIDTH": s = s with { FixedWidths = FixedWidthSpec.Parse(r.String("FIXEDWIDTH")) }; break;
                case "ENCRYPTED": r.Accept("AUTO"); break;
                case "KMS_KEY_ID": r.String("KMS_KEY_ID"); break;
                case "GZIP": s = s with { Compression = Compression.Gzip }; break;
                case "BZIP2": s = s with { Compression = Compression.Bzip2 }; break;
                case "ZSTD": s = s with { Compression = Compression.Zstd }; break;
                case "ADDQUOTES": s = s with { AddQuotes = true }; break;
                case "NULL": s = s with { NullAs = r.String("NULL AS") }; break;
                case "ESCAPE": s = s with { Escape = true }; break;
                case "ALLOWOVERWRITE": s = s with { AllowOverwrite = true }; break;
                case "CLEANPATH": s = s with { CleanPath = true }; break;
                case "PARALLEL":
                    if (r.Peek().IsAny("OFF", "FALSE")) { r.Next(); s = s with { Parallel = false }; }
                    else if (r.Peek().IsAny("ON", "TRUE")) r.Next();
                    break;
                case "MAXFILESIZE": s = s with { MaxFileSize = Size(r, "MAXFILESIZE") }; break;
                case "ROWGROUPSIZE": Size(r, "ROWGROUPSIZE"); break;
                case "REGION": s = s with { Region = r.String("REGION") }; break;
                case "EXTENSION": s = s with { Extension = r.String("EXTENSION").TrimStart('.') }; break;
                default: throw StatementReader.SyntaxError(word);
            }
        }
        s = s with { Authorization = auth.Result("UNLOAD") };
        Validate(s, seen);
        return s;
    }

    private static void Validate(UnloadStatement s, HashSet<string> given)
    {
        string[] excluded = s.Format switch
        {
            UnloadFormat.Parquet => ["DELIMITER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL", "HEADER", "GZIP", "BZIP2", "ZSTD"],
            UnloadFormat.Json => ["DELIMITER", "HEADER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL"],
            _ => [],
        };
        foreach (var option in excluded)
            if (given.Contains(option))
                throw new PgException(SqlState.InvalidParameterValue, $"{(option == "NULL" ? "NULL AS" : option)} is not supported with {s.Format.ToString().ToUpperInvariant()} format");
        if (given.Contains("CSV") && given.Contains("FIXEDWIDTH") || given.Count(g => g is "CSV" or "PARQUET" or "JSON") > 1)
            throw new PgException(SqlState.InvalidParameterValue, "conflicting or redundant options: only one of CSV, PARQUET, JSON may be given");
        if (given.Count(g => g is "GZIP" or "BZIP2" or "ZSTD") > 1)
            throw new PgException(SqlState.InvalidParameterValue, "conflicting or redundant options: only one compression may be given");
        if (given.Contains("FIXEDWIDTH") && given.FirstOrDefault(g => g is "DELIMITER" or "HEADER" or "ADDQUOTES") is { } clash)
            throw new PgException(SqlState.InvalidParameterValue, $"{clash} is not supported with FIXEDWIDTH");
        if (s.CleanPath && s.AllowOverwrite)
            throw new PgException(SqlState.InvalidParameterValue, "Cannot use both CLEANPATH and ALLOWOVERWRITE options");
        if (s.Delimiter is { Length: not 1 })
            throw new PgException(SqlState.InvalidParameterValue, "DELIMITER must be a single character");
        if (s.MaxFileSize is { } size && size is < MinFileSize or > MaxFileSizeLimit)
            throw new PgException(SqlState.InvalidParameterValue, "MAXFILESIZE must be between 5 MB and 6.2 GB");
    }

    /// <summary>A size in MB by default, or with an MB/GB unit.</summary>
    private static long Size(StatementReader r, string option)
    {
        r.Accept("AS");
        var token = r.Next();
        if (token.Kind != SqlTokenKind.Number || !decimal.TryParse(token.Text, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw new PgException(SqlState.SyntaxError, $"{option} requires a number, at or near \"{token.Text}\"");
        var unit = r.Accept("GB") ? 1024m * 1024 * 1024 : r.Accept("MB") || true ? 1024m * 1024 : 0;
        return (long)(n * unit);
    }
}
