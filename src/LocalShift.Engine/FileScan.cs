namespace LocalShift.Engine;

/// <summary>How the engine is to decompress a file it reads or writes itself.</summary>
public enum FileCompression
{
    None,
    Gzip,
    Zstd,

    /// <summary>Read: as the file's name says (<c>.gz</c>, <c>.zst</c>), none otherwise. Not for writing.</summary>
    ByExtension,
}

/// <summary>
/// Local files (in the engine's staging folder) read as one relation, whose rows a statement selects from: COPY's
/// sources (and, to come, an external table's scan). The engine turns it into its own reader
/// (<see cref="IEngineSession.FileRelation"/>); nothing outside the engine names the reader.
/// </summary>
public abstract record FileScan(IReadOnlyList<string> Paths)
{
    /// <summary>Each row also carries its file's path, in a column named <c>filename</c>.</summary>
    public bool FileNames { get; init; }
}

/// <summary>A field of a <see cref="DelimitedScan"/>: its column name and the engine type it is read as.</summary>
public sealed record ScanColumn(string Name, string Type);

/// <summary>
/// Lines of delimited fields (CSV, or text with any delimiter). With <see cref="Columns"/> the fields are read as
/// those columns in order, converted by the reader itself; without, the reader finds the fields and reads them all as
/// text (the columns named as it names them).
/// </summary>
public sealed record DelimitedScan(IReadOnlyList<string> Paths, IReadOnlyList<ScanColumn>? Columns) : FileScan(Paths)
{
    public string Delimiter { get; init; } = ",";

    /// <summary>The quote character; empty: fields are never quoted.</summary>
    public string Quote { get; init; } = "";

    /// <summary>The character that escapes a quote inside a quoted field; empty: none.</summary>
    public string Escape { get; init; } = "";

    /// <summary>The first line names the fields and is not a row.</summary>
    public bool Header { get; init; }

    /// <summary>Lines skipped at the start of each file (IGNOREHEADER).</summary>
    public long SkipLines { get; init; }

    /// <summary>Field values read as NULL (none: no field is NULL).</summary>
    public IReadOnlyList<string> NullStrings { get; init; } = [];

    /// <summary>Columns in which a field equal to one of <see cref="NullStrings"/> is read as '' rather than NULL.</summary>
    public IReadOnlyList<string> NeverNull { get; init; } = [];

    /// <summary>A quoted field equal to a NULL string is NULL too (false: only an unquoted one).</summary>
    public bool QuotedNulls { get; init; } = true;

    /// <summary>A line with fewer fields than <see cref="Columns"/> has NULLs for the missing ones instead of being malformed.</summary>
    public bool PadMissingFields { get; init; }

    public FileCompression Compression { get; init; }

    /// <summary>
    /// Malformed lines (too many or too few fields, invalid UTF-8) are set aside into these two tables of the session
    /// instead of failing the statement; null: the first one fails it.
    /// </summary>
    public RejectedLines? Rejects { get; init; }
}

/// <summary>
/// Where a <see cref="DelimitedScan"/> sets malformed lines aside: <paramref name="Table"/> holds one row per line
/// (<c>scan_id, file_id, line, csv_line, error_type, error_message</c>), <paramref name="Scans"/> one per file read
/// (<c>scan_id, file_id, file_path</c>).
/// </summary>
public sealed record RejectedLines(string Table, string Scans);

/// <summary>Parquet files: their columns as the files name and type them.</summary>
public sealed record ParquetScan(IReadOnlyList<string> Paths) : FileScan(Paths)
{
    /// <summary>Files whose columns differ are read by column name (a column a file lacks is NULL in its rows), not by position.</summary>
    public bool UnionByName { get; init; }
}

/// <summary>
/// JSON documents (one per line, or one array of them): with <paramref name="Whole"/> each document is one value in a
/// column named <c>json</c>; without, an object's keys are its columns.
/// </summary>
public sealed record JsonScan(IReadOnlyList<string> Paths, bool Whole, FileCompression Compression = FileCompression.None) : FileScan(Paths)
{
    /// <summary>Exactly one document per line (no arrays of documents, no document over several lines).</summary>
    public bool OneDocumentPerLine { get; init; }

    /// <summary>The keys read, as these columns (a key a document lacks is NULL); null: every key the documents have.</summary>
    public IReadOnlyList<ScanColumn>? Columns { get; init; }
}

/// <summary>The formats the engine writes a query's rows in (<see cref="IEngineSession.WriteFiles"/>).</summary>
public enum FileFormat { Delimited, Parquet, Json }

/// <summary>
/// How the engine writes a query's rows to files (UNLOAD): one file at the given path, or, with
/// <see cref="PartitionBy"/>, <see cref="MaxFileBytes"/> or <see cref="FilePerThread"/>, a folder of files there.
/// </summary>
public sealed record FileWrite(FileFormat Format)
{
    public string Delimiter { get; init; } = ",";

    /// <summary>The first line names the columns (delimited text).</summary>
    public bool Header { get; init; }

    /// <summary>How a NULL is written in delimited text.</summary>
    public string NullString { get; init; } = "";

    /// <summary>Every delimited field is quoted, whatever it holds.</summary>
    public bool QuoteAll { get; init; }

    /// <summary>Delimited fields are written as they are, never quoted or escaped (Redshift's text format, not CSV).</summary>
    public bool Unquoted { get; init; }

    /// <summary>The character a delimited field is quoted with (null: the double quote).</summary>
    public string? Quote { get; init; }

    /// <summary>The character written before a quote inside a quoted field (null: the quote itself, doubled).</summary>
    public string? QuoteEscape { get; init; }

    /// <summary>Delimited text and JSON only (Parquet compresses inside the file).</summary>
    public FileCompression Compression { get; init; }

    /// <summary>A folder per value of these columns (<c>col=value/</c>), the files of each inside it.</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    /// <summary>The partition columns are written in the files too, not only in the folder names.</summary>
    public bool PartitionColumnsWritten { get; init; }

    /// <summary>A file is closed and the next begun once it holds about this many bytes.</summary>
    public long? MaxFileBytes { get; init; }

    /// <summary>Delimited text: a BOOLEAN is written as <c>t</c> or <c>f</c> (Redshift's text and CSV).</summary>
    public bool BooleansAsLetters { get; init; }

    /// <summary>Delimited text: a backslash is written before each of these characters in a text column's values (UNLOAD's ESCAPE); null: none.</summary>
    public string? EscapeCharacters { get; init; }

    /// <summary>
    /// Fixed-width text: each row is one line, its column i left-aligned and padded with blanks to <c>FixedWidths[i]</c>
    /// characters, NULL as <see cref="NullString"/>; empty: not fixed-width. A value wider than its width fails the write
    /// with <see cref="FixedWidthFailure"/> (a composite format of the column's name and width) followed by the value.
    /// </summary>
    public IReadOnlyList<int> FixedWidths { get; init; } = [];

    public string FixedWidthFailure { get; init; } = "Value of column {0} is wider than its width {1}: ";

    /// <summary>
    /// Each of the engine's threads writes its own file into the folder, named by <see cref="IEngineSession.ThreadFile"/>
    /// (the files of the threads that got no rows may be missing).
    /// </summary>
    public bool FilePerThread { get; init; }
}
