namespace LocalShift.Engine;

/// <summary>
/// Where a loaded column's value comes from in the rows of a <see cref="FileScan"/> (or of a relation selecting from
/// one): the engine turns a <see cref="LoadColumn"/> into its own expression (<see cref="ILoadExpressions"/>).
/// </summary>
public abstract record LoadField;

/// <summary>A field of delimited or fixed-width text, a column of the relation read as text (or typed by the reader itself).</summary>
public sealed record TextField(string Column) : LoadField;

/// <summary>A column the reader typed itself (a Parquet column, a JSON object's key), cast to the target type.</summary>
public sealed record TypedField(string Column) : LoadField;

/// <summary>The text at a SQL/JSON path (<c>$."a"[0]</c>) of a whole document held in column <paramref name="Document"/>.</summary>
public sealed record JsonPathField(string Document, string Path) : LoadField;

/// <summary>A whole JSON document held in column <paramref name="Column"/>, stored as the engine's JSON (minified).</summary>
public sealed record DocumentField(string Column) : LoadField;

/// <summary>No field feeds the column (a JSON key no document has): its value is NULL.</summary>
public sealed record MissingField : LoadField;

/// <summary>A field the reader has already converted to the column's type itself (COPY's typed first attempt): loaded as it is.</summary>
public sealed record ReaderField(string Column) : LoadField;

/// <summary>
/// A date or time field converted by a host function (<see cref="ISqlEngine.DefineHostFunction(string, Func{string, string, long?})"/>)
/// that answers microseconds since 1970-01-01 for the field and <paramref name="Spec"/>, null when the field does not
/// convert. Such a field is then NULL with <paramref name="NullWhenInvalid"/> (or when only tried), else it fails the
/// statement with <paramref name="Failure"/>.
/// </summary>
public sealed record HostTimeConversion(string Function, string Spec, bool NullWhenInvalid, string Failure);

/// <summary>
/// One column of a load (COPY): its field, the engine type it is loaded as, and how the field is checked and converted.
/// </summary>
/// <param name="Text">A CHAR/VARCHAR column: its value is the field's text, after <see cref="LoadOptions"/>' blank and empty handling.</param>
public sealed record LoadColumn(LoadField Field, string Type, bool Text)
{
    /// <summary>A CHAR/VARCHAR column's width in bytes of UTF-8 (null: unbounded).</summary>
    public int? Width { get; init; }

    /// <summary>Only single-byte (ASCII) characters are accepted (Redshift's CHAR).</summary>
    public bool AsciiOnly { get; init; }

    /// <summary>A DECIMAL column whose text field is cut after this many fractional digits instead of rounded (null: the cast's rounding).</summary>
    public int? CutScale { get; init; }

    /// <summary>A date or time column converted by LocalShift's own parser rather than the engine's cast.</summary>
    public HostTimeConversion? Time { get; init; }

    /// <summary>A NOT NULL column: a sorted load (<see cref="RejectSorting"/>) rejects a record whose value for it is NULL.</summary>
    public bool NotNull { get; init; }
}

/// <summary>What applies to every column of a load.</summary>
public sealed record LoadOptions
{
    /// <summary>Trailing blanks are removed from text values (TRIMBLANKS).</summary>
    public bool TrimTrailingBlanks { get; init; }

    /// <summary>A text value of blanks only is NULL (BLANKSASNULL).</summary>
    public bool BlanksAsNull { get; init; }

    /// <summary>An empty text value is NULL (EMPTYASNULL).</summary>
    public bool EmptyAsNull { get; init; }

    /// <summary>A text value wider than its column is cut at the last whole character that fits (TRUNCATECOLUMNS) instead of failing.</summary>
    public bool TruncateToWidth { get; init; }

    /// <summary>
    /// Text fields are matched against this NULL string by the expression rather than by the reader (which then reads
    /// no field as NULL except a missing one): a field equal to it is NULL, a missing text field is ''. Null: the
    /// reader's own NULL handling.
    /// </summary>
    public string? FieldNullString { get; init; }

    /// <summary>The message a value wider than its column fails the statement with.</summary>
    public string WidthFailure { get; init; } = "value too long";

    /// <summary>The message a multibyte character in an <see cref="LoadColumn.AsciiOnly"/> column fails the statement with.</summary>
    public string AsciiFailure { get; init; } = "multibyte character";
}

/// <summary>
/// The engine's expressions for loading and writing files (<see cref="IEngineSession.Expressions"/>): each is text of
/// the engine's SQL to stand in a SELECT list or WHERE clause of a statement the same session runs, over the columns
/// named. What they mean is the engine's contract; how they are spelled is the engine's own.
/// </summary>
public interface ILoadExpressions
{
    /// <summary>
    /// The column's value from its field: converted to its type, NULLs and blanks as <paramref name="options"/> say.
    /// With <paramref name="tryConvert"/> a field that does not convert is NULL; otherwise it fails the statement.
    /// With <paramref name="check"/> a text value wider than its width (or not ASCII where only ASCII is accepted)
    /// fails the statement (unless cut, <see cref="LoadOptions.TruncateToWidth"/>); without, it is left as it is.
    /// </summary>
    string Value(LoadColumn column, LoadOptions options, bool tryConvert, bool check);

    /// <summary>The column's field before conversion, as text (NULL where there is none).</summary>
    string RawField(LoadColumn column);

    /// <summary>
    /// A condition, never NULL, that the field <paramref name="raw"/> (as <see cref="RawField"/> gave it) with the value
    /// <paramref name="value"/> (as <see cref="Value"/> tried it, unchecked) is at fault: a text value wider than its
    /// width or not ASCII where it must be, a non-empty field that did not convert. Null when no field of the column can
    /// be at fault (text cut to its width without an ASCII rule, times whose bad fields load as NULL).
    /// </summary>
    string? Fault(LoadColumn column, LoadOptions options, string raw, string value);

    /// <summary>A text condition: <paramref name="value"/> holds a character beyond ASCII (NULL for NULL).</summary>
    string HasMultibyte(string value);

    /// <summary>A condition: <paramref name="value"/> is more than <paramref name="bytes"/> bytes of UTF-8 long (NULL for NULL).</summary>
    string LongerThan(string value, int bytes);

    /// <summary>An expression that fails the statement with the message <paramref name="message"/> (an expression of text) where it is evaluated.</summary>
    string Fail(string message);

    /// <summary>A text value with a backslash before each occurrence of any of <paramref name="characters"/> (UNLOAD's ESCAPE).</summary>
    string Escaped(string value, string characters);
}

/// <summary>
/// The records a load reads (<see cref="LoadPlan.Source"/>): rows of files as the engine reads them, each with the
/// fields its <see cref="LoadColumn"/>s name and, for text formats, its file's path.
/// </summary>
public abstract record LoadSource(FileScan Scan)
{
    /// <summary>The same records read from the files as <paramref name="scan"/> says (the engine sets lines aside or names files with it).</summary>
    public abstract LoadSource With(FileScan scan);
}

/// <summary>Each row of the files is a record whose fields are the scan's columns.</summary>
public sealed record FileRecords(FileScan Scan) : LoadSource(Scan)
{
    public override LoadSource With(FileScan scan) => new FileRecords(scan);
}

/// <summary>
/// FIXEDWIDTH lines (a scan of one text column, <c>line</c>, NULL read as ''): field i (named <c>c{i}</c>) is the next
/// <c>Widths[i]</c> characters, NULL when equal to <paramref name="NullString"/> after trimming blanks; a line longer
/// than all the widths together is a record at fault with code <paramref name="TooLongFault"/>.
/// </summary>
public sealed record FixedWidthRecords(DelimitedScan Lines, IReadOnlyList<int> Widths, string NullString, int TooLongFault) : LoadSource(Lines)
{
    public override LoadSource With(FileScan scan) => this with { Scan = scan, Lines = (DelimitedScan)scan };
}

/// <summary>
/// Records LocalShift has read and checked itself (ESCAPE text rewritten as CSV): the scan's columns
/// <paramref name="LineColumn"/> (the record's first line in its file) and <paramref name="FaultColumn"/> (its own load
/// error code, NULL when whole) stand beside its fields; each row's file is named as <paramref name="Originals"/> maps
/// the path it was read from.
/// </summary>
public sealed record CheckedRecords(DelimitedScan Records, IReadOnlyDictionary<string, string> Originals, string LineColumn, string FaultColumn) : LoadSource(Records)
{
    public override LoadSource With(FileScan scan) => this with { Scan = scan, Records = (DelimitedScan)scan };
}

/// <summary>The table a load writes: <paramref name="Schema"/>'s (or the session's temporary one), these columns in this order.</summary>
public sealed record LoadTarget(string Schema, string Table, IReadOnlyList<string> Columns)
{
    /// <summary>The session's temporary table of that name, whatever <see cref="Schema"/> says.</summary>
    public bool Temporary { get; init; }
}

/// <summary>
/// A load sorted record by record (COPY's MAXERROR): every record is loaded or rejected, a record being rejected when a
/// field does not convert, is wider than its column or not ASCII where it must be, is NULL in a
/// <see cref="LoadColumn.NotNull"/> column, holds its own fault, or when the reader set its line aside (malformed).
/// More than <paramref name="MaxErrors"/> rejects and nothing is loaded.
/// </summary>
/// <param name="Reported">How many rejected records the result describes (the first in reading order).</param>
public sealed record RejectSorting(long MaxErrors, int Reported = 1000);

/// <summary>
/// "Load these files with these format options into this table" (<see cref="IEngineSession.Load"/>): the records of
/// <paramref name="Source"/>, each column's value from its field as <paramref name="Columns"/> say, into
/// <paramref name="Target"/>'s columns, in one statement (a failed load leaves the table as it was).
/// </summary>
public sealed record LoadPlan(LoadSource Source, IReadOnlyList<LoadColumn> Columns, LoadTarget Target)
{
    public LoadOptions Options { get; init; } = new();

    /// <summary>The records are read and converted but nothing is written (NOLOAD); 0 rows are loaded.</summary>
    public bool CheckOnly { get; init; }

    /// <summary>Sort the records into loaded and rejected (null: the first bad record fails the load).</summary>
    public RejectSorting? Rejects { get; init; }

    /// <summary>The message a record's own fault (<see cref="FixedWidthRecords"/>, <see cref="CheckedRecords"/>) fails an unsorted load with, by code.</summary>
    public IReadOnlyDictionary<int, string> FaultReasons { get; init; } = new Dictionary<int, string>();
}

/// <summary>Why the reader set a line aside (<see cref="MalformedLine"/>).</summary>
public enum MalformedKind { TooManyFields, TooFewFields, InvalidUnicode, UnclosedQuote }

/// <summary>A line the reader of a sorted load set aside: its file, its line number, its text (as far as the reader kept it).</summary>
public sealed record MalformedLine(string File, long Line, string Text, MalformedKind Kind);

/// <summary>
/// A rejected record of a sorted load: its file; its number among the reader's records of that file (1-based; lines set
/// aside are not records); its first line where the source knows it; its own fault code, or else the first column at
/// fault (index into <see cref="LoadPlan.Columns"/>) with that field's raw text and its converted value as text (NULL:
/// null).
/// </summary>
public sealed record RejectedRecord(string File, long Record, long? Line, int? Fault, int Column, string? Raw, string? Value);

/// <summary>What a load did: rows loaded; for a sorted load the rejects (all the malformed lines, the first rejected records).</summary>
/// <param name="Refused">More rejects than <see cref="RejectSorting.MaxErrors"/>: nothing was loaded.</param>
public sealed record LoadResult(long Loaded, long Rejected = 0, bool Refused = false)
{
    public IReadOnlyList<RejectedRecord> Records { get; init; } = [];

    public IReadOnlyList<MalformedLine> Malformed { get; init; } = [];
}

/// <summary>A load's first value wider than its column (or not ASCII where it must be): its file (null: unknown), its record's number among all records read, the value.</summary>
public sealed record WidthFault(string? File, long Record, string Value, bool Multibyte);
