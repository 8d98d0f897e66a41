using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Unload;

namespace LocalShift.Sql.Tests.Copy;

/// <summary>The parsing rules behind COPY's data-conversion options (issue 18, item 7), each on its own.</summary>
public class ParsingOptionsTests
{
    private static CopyStatement Copy(string options) =>
        CopyStatement.Parse(SqlLexer.Significant(SqlLexer.Tokenize($"COPY t FROM 's3://b/p' IAM_ROLE default {options}")));

    private static string RewriteQuotes(QuotedFields.Mode mode, string text, char delimiter = '|', long skip = 0)
    {
        using var output = new MemoryStream();
        new QuotedFields(mode, (byte)delimiter, (byte)'"', skip).Rewrite(new MemoryStream(Encoding.UTF8.GetBytes(text)), output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void Options_of_the_data_conversion_page_parse()
    {
        var c = Copy("ROUNDEC EXPLICIT_IDS COMPROWS 1000 ENCODING AS UTF16LE REGION AS 'us-west-2' NULL AS '\\000'");
        Assert.Equal((true, true, SourceEncoding.Utf16Le, "us-west-2", "\0"), (c.RoundDecimals, c.ExplicitIds, c.Encoding, c.Region, c.NullAs));
        Assert.Equal("\0", Copy("NULL AS '\\0'").NullAs);
        Assert.Equal("\\N", Copy("NULL AS '\\N'").NullAs);
        Assert.Equal(SourceEncoding.Utf16, Copy("ENCODING UTF16").Encoding);
        Assert.Equal(SourceEncoding.Utf8, Copy("ENCODING UTF8").Encoding);
        Assert.Contains("Valid values are UTF8, UTF16, UTF16LE and UTF16BE", Assert.Throws<PgException>(() => Copy("ENCODING LATIN1")).Message);
        Assert.Contains("ENCODING UTF16 is only for text, CSV and JSON", Assert.Throws<PgException>(() => Copy("ENCODING UTF16 PARQUET")).Message);
        Assert.True(Copy("JSON 'NoShred'").NoShred);
        Assert.False(Copy("JSON 'auto'").NoShred);
    }

    [Fact]
    public void Unload_keeps_its_region()
    {
        var u = UnloadStatement.Parse(SqlLexer.Significant(SqlLexer.Tokenize("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default REGION AS 'eu-central-1' EXTENSION 'txt.gz' GZIP")));
        Assert.Equal(("eu-central-1", "txt.gz"), (u.Region, u.Extension));
    }

    [Fact]
    public void Csv_blanks_around_quoted_fields_are_dropped_and_other_blanks_kept()
    {
        Assert.Equal("1,\"a,b\",2\n2, z ,3\n", RewriteQuotes(QuotedFields.Mode.CsvBlanks, "1,  \"a,b\"  ,2\n2, z ,3\n", ','));
        // A quoted field may span lines and hold doubled quotes; blanks inside quotes are data.
        Assert.Equal("1,\" x\n \"\"y\"\" \",2\n", RewriteQuotes(QuotedFields.Mode.CsvBlanks, "1, \" x\n \"\"y\"\" \" ,2\n", ','));
        // A tab is a blank unless it is the delimiter.
        Assert.Equal("1\t\"a\"\t2\n", RewriteQuotes(QuotedFields.Mode.CsvBlanks, "1\t\"a\"\t2\n", '\t'));
        Assert.Equal("\"a\",\"b\"\r\n", RewriteQuotes(QuotedFields.Mode.CsvBlanks, "\"a\" ,\t\"b\" \r\n", ','));
    }

    [Fact]
    public void Removequotes_takes_off_the_outer_double_or_single_quotes_only()
    {
        Assert.Equal("1|\"The delimiter is a pipe (|) character\"\n", RewriteQuotes(QuotedFields.Mode.RemoveQuotes, "1|\"The delimiter is a pipe (|) character\"\n"));
        Assert.Equal("\"Black\"|\"White\"|Blue'|\"Blue\"\"\"\n", RewriteQuotes(QuotedFields.Mode.RemoveQuotes, "'Black'|\"White\"|Blue'|Blue\"\n"));
        Assert.Equal("\" ' 'Black' ' \"|\" \"\n", RewriteQuotes(QuotedFields.Mode.RemoveQuotes, "' ' 'Black' ' '|' '\n"));
        // Inner double quotes are doubled for the CSV reader; an unclosed quote is kept as written; header lines pass.
        Assert.Equal("h|'x\n\"say \"\"hi\"\"\"|'open|\r\n", RewriteQuotes(QuotedFields.Mode.RemoveQuotes, "h|'x\n'say \"hi\"'|'open|\r\n", skip: 1));
    }

    [Fact]
    public void Utf16_sources_become_utf8_without_their_byte_order_mark()
    {
        static string Read(byte[] bytes, SourceEncoding encoding)
        {
            using var utf8 = Utf16Source.Open(new MemoryStream(bytes), encoding, "s3://b/k");
            using var copy = new MemoryStream();
            utf8.CopyTo(copy);
            return Encoding.UTF8.GetString(copy.ToArray());
        }
        const string text = "1|grüße 😀\n";
        byte[] le = Encoding.Unicode.GetBytes(text), be = Encoding.BigEndianUnicode.GetBytes(text);
        Assert.Equal(text, Read(le, SourceEncoding.Utf16Le));
        Assert.Equal(text, Read(be, SourceEncoding.Utf16Be));
        Assert.Equal(text, Read([0xFF, 0xFE, .. le], SourceEncoding.Utf16));
        Assert.Equal(text, Read([0xFE, 0xFF, .. be], SourceEncoding.Utf16));
        Assert.Equal(text, Read([0xFE, 0xFF, .. be], SourceEncoding.Utf16Be));
        Assert.Contains("no byte order mark", Assert.Throws<PgException>(() => Read(le, SourceEncoding.Utf16)).Message);
        Assert.Equal("", Read([], SourceEncoding.Utf16));
    }

    [Fact]
    public void Escaped_default_null_is_null_too()
    {
        static string Rewrite(string text, string nullAs, bool defaultNull)
        {
            using var output = new MemoryStream();
            new EscapedText("|", nullAs, 2, 0, defaultNull).Rewrite(new MemoryStream(Encoding.UTF8.GetBytes(text)), output);
            return Encoding.UTF8.GetString(output.ToArray());
        }
        Assert.Equal(",\"a\"\n,\"b\"\n\"x\\y\",\"c\"\n", Rewrite("\\\\N|a\n\\N|b\nx\\\\y|c\n", "\\N", defaultNull: true));
        // With NULL AS given, \\N is the two characters \N.
        Assert.Equal("\"\\N\",\"a\"\n", Rewrite("\\\\N|a\n", "\\N", defaultNull: false));
    }

    [Fact]
    public void Escape_with_removequotes_keeps_escaped_quotes()
    {
        using var output = new MemoryStream();
        new EscapedText("|", "\\N", 2, 0, defaultNull: true, removeQuotes: true)
            .Rewrite(new MemoryStream(Encoding.UTF8.GetBytes("4| 'A Midsummer Night\\'s Dream'\n5|'it\\'\n6|\"a\\|b\"\n")), output);
        Assert.Equal("\"4\",\"A Midsummer Night's Dream\"\n\"5\",\"'it'\"\n\"6\",\"a|b\"\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Numbered_escaped_text_gives_each_record_its_first_line_and_fault()
    {
        static string Rewrite(byte[] text, bool fillRecord)
        {
            using var output = new MemoryStream();
            new EscapedText("|", "\\N", 2, 1, defaultNull: true, numbered: true, fillRecord: fillRecord).Rewrite(new MemoryStream(text), output);
            return Encoding.UTF8.GetString(output.ToArray());
        }
        // Header; a record two lines long (escaped newline); too many fields; too few; a blank line; invalid UTF-8.
        var text = Encoding.UTF8.GetBytes("h|h\n1|a\\\nb\n2|x|y\n3\n\n4|c").Concat(new byte[] { 0xff }).Concat(Encoding.UTF8.GetBytes("\n5|e\n")).ToArray();
        Assert.Equal("2,,\"1\",\"a\nb\"\n4,1202,\"2\",\"x\"\n5,1214,\"3\",\n7,1220,\"4\",\"c?\"\n8,,\"5\",\"e\"\n", Rewrite(text, fillRecord: false));
        // FILLRECORD: a short record is whole, its missing field a zero-length string.
        Assert.StartsWith("2,,\"1\",\"a\nb\"\n4,1202,\"2\",\"x\"\n5,,\"3\",\"\"\n", Rewrite(text, fillRecord: true));
    }

    [Fact]
    public void Escape_with_removequotes_keeps_quoted_delimiters_and_rejects_an_unclosed_quote()
    {
        using var output = new MemoryStream();
        new EscapedText("|", "\\N", 2, 0, defaultNull: true, removeQuotes: true, numbered: true)
            .Rewrite(new MemoryStream(Encoding.UTF8.GetBytes("1|'a|b' \n2|'Blue|x\n3|'it\\'\n4|\"x\\\"|y\"\n")), output);
        // A quoted field keeps its delimiters; a quote that never closes (an escaped one does not close it) is 1214.
        Assert.Equal("1,,\"1\",\"a|b\"\n2,1214,\"2\",\"'Blue\"\n3,1214,\"3\",\"'it'\"\n4,,\"4\",\"x\"\"|y\"\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Removequotes_lists_a_record_whose_quote_never_closes()
    {
        using var output = new MemoryStream();
        var rewrite = new QuotedFields(QuotedFields.Mode.RemoveQuotes, (byte)'|', (byte)'"', 0, fields: 3);
        rewrite.Rewrite(new MemoryStream(Encoding.UTF8.GetBytes("1|'a'|1\n2|'Blue|2\n")), output);
        Assert.Equal("1|\"a\"|1\n\"2|'Blue|2\"|-|-|-\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(new Dictionary<long, string> { [2] = "2|'Blue|2" }, rewrite.Unclosed);
    }

    [Fact]
    public void Identity_defaults_are_told_from_generated_by_default_ones()
    {
        Assert.True(CreateTableRewriter.IsIdentityDefault("nextval('\"t_id_seq\"')"));
        Assert.False(CreateTableRewriter.IsIdentityDefault("nextval('\"t_id_bydefault_seq\"')"));
        Assert.False(CreateTableRewriter.IsIdentityDefault("CAST('t' AS BOOLEAN)"));
    }
}
