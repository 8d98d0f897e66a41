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
