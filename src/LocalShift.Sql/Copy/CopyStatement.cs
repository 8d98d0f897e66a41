using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.Copy;

public enum CopyFormat { Text, Csv, Json, Parquet, Avro, Orc, FixedWidth }

public enum Compression { None, Gzip, Bzip2, Zstd, Lzop }

/// <summary>COPY's ENCODING: the source files are converted to UTF-8 while they are staged.</summary>
public enum SourceEncoding { Utf8, Utf16, Utf16Le, Utf16Be }

/// <summary>A parsed <c>COPY table [(columns)] FROM 's3://...' authorization [options]</c>.</summary>
public sealed record CopyStatement
{
    public string? Schema { get; init; }
    public required string Table { get; init; }
    public IReadOnlyList<string>? Columns { get; init; }
    public required S3Location Source { get; init; }
    public required Authorization Authorization { get; init; }
    public CopyFormat Format { get; init; } = CopyFormat.Text;
    public string? Delimiter { get; init; }
    public string Quote { get; init; } = "\"";
    public string Json { get; init; } = "auto";
    public Compression Compression { get; init; }
    public long IgnoreHeader { get; init; }
    public string? NullAs { get; init; }
    public bool EmptyAsNull { get; init; }
    public bool BlanksAsNull { get; init; }
    public string DateFormat { get; init; } = "auto";
    public string TimeFormat { get; init; } = "auto";
    public long MaxError { get; init; }
    public bool NoLoad { get; init; }
    public bool Manifest { get; init; }
    public bool RemoveQuotes { get; init; }
    public bool Escape { get; init; }
    public bool TrimBlanks { get; init; }
    public bool FillRecord { get; init; }
    public bool TruncateColumns { get; init; }
    /// <summary>ACCEPTANYDATE: a DATE or TIMESTAMP field that does not convert loads as NULL.</summary>
    public bool AcceptAnyDate { get; init; }
    /// <summary>ACCEPTINVCHARS: the character each invalid UTF-8 byte becomes; null without the option.</summary>
    public char? AcceptInvChars { get; init; }
    /// <summary>ROUNDEC: a DECIMAL field with more digits after the point than the column's scale is rounded, not truncated.</summary>
    public bool RoundDecimals { get; init; }
    /// <summary>EXPLICIT_IDS: IDENTITY columns take the file's values instead of generated ones.</summary>
    public bool ExplicitIds { get; init; }
    /// <summary>REGION 'r': the region of the source bucket; null means the cluster's.</summary>
    public string? Region { get; init; }
    /// <summary>ENCODING: the source files' encoding (UTF8 by default; UTF16 with a byte order mark, UTF16LE, UTF16BE).</summary>
    public SourceEncoding Encoding { get; init; } = SourceEncoding.Utf8;
    /// <summary>JSON 'noshred': each JSON document is loaded whole into the table's one SUPER column.</summary>
    public bool NoShred => Format == CopyFormat.Json && Json == "noshred";
    /// <summary>FIXEDWIDTH 'label:width,...': the widths in order.</summary>
    public IReadOnlyList<(string Label, int Width)> FixedWidths { get; init; } = [];

    /// <summary>JSON 's3://...': the JSONPaths file; null for 'auto' and 'auto ignorecase'.</summary>
    public S3Location? JsonPaths => Format == CopyFormat.Json && Json.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? S3Location.Parse(Json) : null;

    public static CopyStatement Parse(IReadOnlyList<SqlToken> tokens)
    {
        var r = new StatementReader(tokens);
        r.Expect("COPY");
        var (schema, table) = r.QualifiedName();
        List<string>? columns = null;
        if (r.Accept(SqlTokenKind.LeftParen))
        {
            columns = [];
            do
            {
                var c = r.Next();
                if (c.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw StatementReader.SyntaxError(c);
                columns.Add(c.Identifier);
            } while (r.Accept(SqlTokenKind.Comma));
            r.Expect(SqlTokenKind.RightParen);
        }
        if (!r.Accept("FROM"))
        {
            if (r.Peek().Is("TO")) throw new PgException(SqlState.FeatureNotSupported, "COPY TO is not supported by Redshift; use UNLOAD");
            throw r.SyntaxError();
        }
        var sourceToken = r.Next();
        if (sourceToken.Kind != SqlTokenKind.String) throw StatementReader.SyntaxError(sourceToken);
        var source = sourceToken.StringValue;
        if (!source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            throw new PgException(SqlState.FeatureNotSupported,
                $"COPY from '{source}' is not supported by LocalShift: only Amazon S3 sources (s3://bucket/prefix)");

        var auth = new AuthorizationClause();
        var s = new CopyStatement { Schema = schema, Table = table, Columns = columns, Source = S3Location.Parse(source), Authorization = null! };
        var formats = 0;
        while (!r.AtEnd)
        {
            if (auth.TryRead(r)) continue;
            var word = r.Next();
            switch (word.Text.ToUpperInvariant())
            {
                case "FORMAT":
                    r.Accept("AS");
                    continue;
                case "CSV":
                    s = s with { Format = CopyFormat.Csv };
                    formats++;
                    if (r.Peek().Is("QUOTE")) { r.Next(); s = s with { Quote = Char(r, "QUOTE") }; }
                    break;
                case "QUOTE": s = s with { Quote = Char(r, "QUOTE") }; break;
                case "DELIMITER": s = s with { Delimiter = Char(r, "DELIMITER") }; break;
                case "JSON":
                    s = s with { Format = CopyFormat.Json, Json = JsonOption(OptionalString(r)) };
                    formats++;
                    break;
                case "AVRO": OptionalString(r); s = s with { Format = CopyFormat.Avro }; formats++; break;
                case "PARQUET": s = s with { Format = CopyFormat.Parquet }; formats++; break;
                case "ORC": s = s with { Format = CopyFormat.Orc }; formats++; break;
                case "FIXEDWIDTH": s = s with { Format = CopyFormat.FixedWidth, FixedWidths = FixedWidthSpec.Parse(r.String("FIXEDWIDTH")) }; formats++; break;
                case "GZIP": s = s with { Compression = Compression.Gzip }; break;
                case "BZIP2": s = s with { Compression = Compression.Bzip2 }; break;
                case "ZSTD": s = s with { Compression = Compression.Zstd }; break;
                case "LZOP": s = s with { Compression = Compression.Lzop }; break;
                case "IGNOREHEADER": s = s with { IgnoreHeader = r.Integer("IGNOREHEADER") }; break;
                case "NULL": s = s with { NullAs = NullString(r.String("NULL AS")) }; break;
                case "EMPTYASNULL": s = s with { EmptyAsNull = true }; break;
                case "BLANKSASNULL": s = s with { BlanksAsNull = true }; break;
                case "DATEFORMAT": s = s with { DateFormat = r.String("DATEFORMAT") }; break;
                case "TIMEFORMAT": s = s with { TimeFormat = r.String("TIMEFORMAT") }; break;
                case "MAXERROR": s = s with { MaxError = r.Integer("MAXERROR") }; break;
                case "NOLOAD": s = s with { NoLoad = true }; break;
                case "MANIFEST": s = s with { Manifest = true }; break;
                case "REMOVEQUOTES": s = s with { RemoveQuotes = true }; break;
                case "ESCAPE": s = s with { Escape = true }; break;
                case "TRIMBLANKS": s = s with { TrimBlanks = true }; break;
                case "FILLRECORD": s = s with { FillRecord = true }; break;
                case "TRUNCATECOLUMNS": s = s with { TruncateColumns = true }; break;
                case "ACCEPTINVCHARS": s = s with { AcceptInvChars = ReplacementChar(OptionalString(r)) }; break;
                case "REGION": s = s with { Region = r.String("REGION") }; break;
                case "ENCODING": s = s with { Encoding = EncodingOption(r) }; break;
                case "COMPROWS": r.Integer("COMPROWS"); break;
                case "ROUNDEC": s = s with { RoundDecimals = true }; break;
                case "EXPLICIT_IDS": s = s with { ExplicitIds = true }; break;
                case "COMPUPDATE" or "STATUPDATE":
                    if (r.Peek().IsAny("ON", "OFF", "TRUE", "FALSE", "PRESET")) r.Next();
                    break;
                case "ACCEPTANYDATE": s = s with { AcceptAnyDate = true }; break;
                case "IGNOREBLANKLINES" or "ENCRYPTED" or "SSH" or "IGNOREALLERRORS":
                    break;
                default:
                    throw StatementReader.SyntaxError(word);
            }
        }
        if (formats > 1) throw new PgException(SqlState.SyntaxError, "conflicting or redundant options", detail: "Only one data format may be specified.");
        if (s.Format is CopyFormat.Parquet or CopyFormat.Orc && (s.Delimiter is not null || s.IgnoreHeader > 0 || s.NullAs is not null || s.Compression != Compression.None))
            throw new PgException(SqlState.InvalidParameterValue, $"{s.Format.ToString().ToUpperInvariant()} format does not support DELIMITER, IGNOREHEADER, NULL AS or compression options");
        if (s.Format == CopyFormat.Csv && (s.RemoveQuotes || s.Escape))
            throw new PgException(SqlState.InvalidParameterValue, "CSV is not compatible with REMOVEQUOTES or ESCAPE");
        if (s.Format == CopyFormat.FixedWidth && (s.Delimiter is not null || s.RemoveQuotes || s.Escape))
            throw new PgException(SqlState.InvalidParameterValue, $"FIXEDWIDTH cannot be used with {(s.Delimiter is not null ? "DELIMITER" : s.RemoveQuotes ? "REMOVEQUOTES" : "ESCAPE")}");
        if (s.Format is CopyFormat.Parquet or CopyFormat.Orc && (s.AcceptInvChars is not null || s.TruncateColumns))
            throw new PgException(SqlState.InvalidParameterValue, $"{s.Format.ToString().ToUpperInvariant()} format does not support ACCEPTINVCHARS or TRUNCATECOLUMNS");
        if (s.Format == CopyFormat.Json && s.Json is not ("auto" or "auto ignorecase" or "noshred") && !s.Json.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            throw new PgException(SqlState.InvalidParameterValue,
                $"Invalid JSON option '{s.Json}': expected 'auto', 'auto ignorecase', 'noshred' or the s3:// path of a JSONPaths file");
        if (s.Encoding != SourceEncoding.Utf8 && s.Format is CopyFormat.Parquet or CopyFormat.Orc or CopyFormat.Avro or CopyFormat.FixedWidth)
            throw new PgException(SqlState.InvalidParameterValue, $"ENCODING {s.Encoding.ToString().ToUpperInvariant()} is only for text, CSV and JSON data; " +
                $"{(s.Format == CopyFormat.FixedWidth ? "fixed-width data files must use UTF-8" : $"{s.Format.ToString().ToUpperInvariant()} files carry their own encoding")}");
        if (s.MaxError < 0) throw new PgException(SqlState.InvalidParameterValue, "MAXERROR must be zero or greater");
        return s with { Authorization = auth.Result("COPY") };
    }

    private static string Char(StatementReader r, string option)
    {
        var value = CharacterOption.Decode(r.String(option));
        if (value.Length != 1) throw new PgException(SqlState.InvalidParameterValue, $"{option} must be a single character");
        return value;
    }

    /// <summary>'auto' and 'auto ignorecase' are matched without regard to case; a JSONPaths path is kept as written.</summary>
    private static string JsonOption(string? value) =>
        value is null ? "auto"
        : value.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? "auto"
        : value.Trim().Equals("auto ignorecase", StringComparison.OrdinalIgnoreCase) ? "auto ignorecase"
        : value.Trim().Equals("noshred", StringComparison.OrdinalIgnoreCase) ? "noshred"
        : value;

    /// <summary>NULL AS: the string as written, except <c>'\0'</c> and <c>'\000'</c>, which name the NUL character (a field of NUL alone is NULL).</summary>
    private static string NullString(string value) => value is "\\0" or "\\000" ? "\0" : value;

    /// <summary>ENCODING [AS] UTF8 | UTF16 | UTF16LE | UTF16BE.</summary>
    private static SourceEncoding EncodingOption(StatementReader r)
    {
        r.Accept("AS");
        var word = r.Next();
        return word.Text.ToUpperInvariant() switch
        {
            "UTF8" => SourceEncoding.Utf8,
            "UTF16" => SourceEncoding.Utf16,
            "UTF16LE" => SourceEncoding.Utf16Le,
            "UTF16BE" => SourceEncoding.Utf16Be,
            // unverified: Redshift's text for an encoding it does not know.
            _ => throw new PgException(SqlState.InvalidParameterValue, $"Invalid value for ENCODING: {word.Text}. Valid values are UTF8, UTF16, UTF16LE and UTF16BE"),
        };
    }

    /// <summary>ACCEPTINVCHARS [AS] ['c']: any ASCII character but NUL; '?' by default.</summary>
    private static char ReplacementChar(string? value)
    {
        if (value is null) return '?';
        if (value.Length != 1 || value[0] is '\0' or > (char)127)
            throw new PgException(SqlState.InvalidParameterValue, "ACCEPTINVCHARS replacement character must be a single ASCII character other than NULL");
        return value[0];
    }

    private static string? OptionalString(StatementReader r)
    {
        r.Accept("AS");
        return r.Peek().Kind == SqlTokenKind.String ? r.Next().StringValue : null;
    }
}

/// <summary>The FIXEDWIDTH spec of COPY and UNLOAD: <c>'label:width,label:width,...'</c>; labels are free text.</summary>
public static class FixedWidthSpec
{
    public static IReadOnlyList<(string Label, int Width)> Parse(string spec)
    {
        var result = new List<(string, int)>();
        foreach (var part in spec.Split(','))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var width) || width <= 0)
                throw new PgException(SqlState.InvalidParameterValue,
                    $"Invalid FIXEDWIDTH specification '{spec}': expected 'label:width,label:width,...' with positive integer widths");
            result.Add((part[..colon].Trim(), width));
        }
        return result;
    }
}
