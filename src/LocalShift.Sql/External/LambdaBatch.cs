using System.Globalization;
using System.Text;
using System.Text.Json;
using LocalShift.Engine;

namespace LocalShift.Sql.External;

/// <summary>Who and what a batch is for: the fields of Redshift's request besides the rows.</summary>
public sealed record BatchHeader(string ClusterArn, string User, string Database, string ExternalFunction, long QueryId);

/// <summary>
/// Redshift's JSON interface to a Lambda UDF. The request:
/// <c>{"request_id","cluster","user","database","external_function","query_id","num_records","arguments":[[…],…]}</c>,
/// one array of arguments per row. The answer: <c>{"success","error_msg","num_records","results":[…]}</c>, one result
/// per row in the same order; the object may also come as a JSON string holding it (a handler that returns
/// <c>json.dumps(…)</c>), and a missing <c>success</c> counts as true.
/// </summary>
public static class LambdaBatch
{
    /// <summary>The request's bytes around the rows, for sizing batches before building them.</summary>
    public static int EnvelopeSize(BatchHeader header) => new RequestWriter(header).EnvelopeSize;

    /// <summary>The request for rows whose arguments are already JSON arrays (<c>[1,"a",null]</c>).</summary>
    public static string Request(BatchHeader header, string requestId, IReadOnlyList<string> rows) =>
        Encoding.UTF8.GetString(new RequestWriter(header).Write(requestId, rows.ToArray(), default));

    /// <summary>
    /// Writes requests for one header straight to UTF-8: the header's fields are encoded once, each row's JSON array is
    /// copied in as it is, and the request is one array of exactly its size (what Invoke takes without a copy).
    /// </summary>
    public sealed class RequestWriter
    {
        // ,"cluster":…,"user":…,"database":…,"external_function":…,"query_id":N — the same in every batch of a call.
        private readonly byte[] _middle;

        public RequestWriter(BatchHeader header)
        {
            var middle = new StringBuilder(256);
            middle.Append(",\"cluster\":").Append(JsonSerializer.Serialize(header.ClusterArn))
                .Append(",\"user\":").Append(JsonSerializer.Serialize(header.User))
                .Append(",\"database\":").Append(JsonSerializer.Serialize(header.Database))
                .Append(",\"external_function\":").Append(JsonSerializer.Serialize(header.ExternalFunction))
                .Append(",\"query_id\":").Append(header.QueryId.ToString(CultureInfo.InvariantCulture));
            _middle = Encoding.UTF8.GetBytes(middle.ToString());
            EnvelopeSize = Write("00000000-0000-0000-0000-000000000000", [], default).Length + 12;
        }

        /// <summary>The request's bytes around the rows, for sizing batches before building them.</summary>
        public int EnvelopeSize { get; }

        /// <summary>The request's bytes. <paramref name="rowBytes"/>: each row's UTF-8 length when the caller knows it (else empty).</summary>
        public byte[] Write(string requestId, ReadOnlySpan<string> rows, ReadOnlySpan<int> rowBytes)
        {
            var id = JsonSerializer.SerializeToUtf8Bytes(requestId);
            Span<byte> count = stackalloc byte[16];
            rows.Length.TryFormat(count, out var countLength, provider: CultureInfo.InvariantCulture);
            var size = RequestId.Length + id.Length + _middle.Length + NumRecords.Length + countLength + Arguments.Length + 2 + Math.Max(rows.Length - 1, 0);
            for (var i = 0; i < rows.Length; i++) size += rowBytes.IsEmpty ? Encoding.UTF8.GetByteCount(rows[i]) : rowBytes[i];
            var bytes = new byte[size];
            var at = 0;
            Put(RequestId, bytes, ref at);
            Put(id, bytes, ref at);
            Put(_middle, bytes, ref at);
            Put(NumRecords, bytes, ref at);
            Put(count[..countLength], bytes, ref at);
            Put(Arguments, bytes, ref at);
            for (var i = 0; i < rows.Length; i++)
            {
                if (i > 0) bytes[at++] = (byte)',';
                at += Encoding.UTF8.GetBytes(rows[i], bytes.AsSpan(at));
            }
            bytes[at++] = (byte)']';
            bytes[at++] = (byte)'}';
            return at == size ? bytes : throw new InvalidOperationException("the rows' byte counts do not match the rows");
        }

        private static ReadOnlySpan<byte> RequestId => "{\"request_id\":"u8;
        private static ReadOnlySpan<byte> NumRecords => ",\"num_records\":"u8;
        private static ReadOnlySpan<byte> Arguments => ",\"arguments\":["u8;

        private static void Put(ReadOnlySpan<byte> part, byte[] into, ref int at)
        {
            part.CopyTo(into.AsSpan(at));
            at += part.Length;
        }
    }

    /// <summary>
    /// The results of a successful answer, each as text the engine casts to the return type (null for NULL); an answer
    /// that is not one is thrown as Redshift's error for it (<see cref="ExternalFunctionErrors"/>).
    /// </summary>
    public static string?[] Results(ReadOnlySpan<byte> payload, int expected, LambdaType returns, string function)
    {
        // The usual answer is read in one pass; anything else (an error, a string holding the object, a duplicate
        // member) is read again below, which words what is wrong with it.
        if (ReadPlainAnswer(payload, expected, returns) is { } plain) return plain;
        JsonDocument document;
        try { document = JsonDocument.Parse(payload.ToArray()); }
        catch (JsonException e) { throw ExternalFunctionErrors.InvalidResponse(function, $"the function's answer is not JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            JsonDocument? inner = null;
            try
            {
                if (root.ValueKind == JsonValueKind.String)
                {
                    try { inner = JsonDocument.Parse(root.GetString()!); }
                    catch (JsonException e) { throw ExternalFunctionErrors.InvalidResponse(function, $"the function answered a string that is not JSON: {e.Message}"); }
                    root = inner.RootElement;
                }
                if (root.ValueKind != JsonValueKind.Object)
                    throw ExternalFunctionErrors.InvalidResponse(function, $"the function's answer is a JSON {Kind(root)}, not an object with \"success\" and \"results\"");
                if (root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
                {
                    var message = root.TryGetProperty("error_msg", out var m) ? m.ValueKind == JsonValueKind.String ? m.GetString() : m.GetRawText() : null;
                    throw ExternalFunctionErrors.FunctionFailed(function, message ?? "");
                }
                if (root.TryGetProperty("success", out success) && success.ValueKind != JsonValueKind.True)
                    throw ExternalFunctionErrors.InvalidResponse(function, $"\"success\" is a JSON {Kind(success)}, not true or false");
                if (root.TryGetProperty("num_records", out var count)
                    && (count.ValueKind != JsonValueKind.Number || !count.TryGetInt64(out var n) || n != expected))
                    throw ExternalFunctionErrors.InvalidResponse(function, $"\"num_records\" is {count.GetRawText()}, the request sent {expected} records");
                if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                    throw ExternalFunctionErrors.InvalidResponse(function, "the answer has no \"results\" array");
                var length = results.GetArrayLength();
                if (length != expected)
                    throw ExternalFunctionErrors.InvalidResponse(function, $"\"results\" holds {length} values, the request sent {expected} records");
                var values = new string?[expected];
                var i = 0;
                foreach (var result in results.EnumerateArray())
                {
                    values[i] = Convert(result, returns) ?? (result.ValueKind == JsonValueKind.Null ? null
                        : throw ExternalFunctionErrors.InvalidResponse(function, $"result {i + 1} ({Shorten(result.GetRawText())}) is not a value of the return type {returns.Text}"));
                    i++;
                }
                return values;
            }
            finally
            {
                inner?.Dispose();
            }
        }
    }

    /// <summary>The message a function error carried (<c>{"errorMessage","errorType"}</c>), as Lambda's runtimes write it.</summary>
    public static string FunctionErrorText(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var type = root.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var message = root.TryGetProperty("errorMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (type is not null || message is not null) return type is null ? message! : message is null ? type : $"{type}: {message}";
            }
            return Shorten(root.GetRawText());
        }
        catch (JsonException)
        {
            return Shorten(Encoding.UTF8.GetString(payload));
        }
    }

    /// <summary>
    /// A successful answer that is a plain object (<c>success</c> true or absent, <c>num_records</c> right or absent,
    /// each member once, every result a value of the return type or null), read with one forward reader and no document;
    /// null for anything else, which <see cref="Results"/> then reads in full to say what is wrong.
    /// </summary>
    private static string?[]? ReadPlainAnswer(ReadOnlySpan<byte> payload, int expected, LambdaType returns)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string?[]? values = null;
            bool success = false, count = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("results"u8))
                {
                    if (values is not null || !reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
                    values = new string?[expected];
                    var i = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (i == expected) return null;
                        switch (reader.TokenType)
                        {
                            case JsonTokenType.Null:
                                i++;
                                break;
                            case JsonTokenType.Number:
                                var number = IsWhole(returns) && reader.TryGetInt64(out var whole)
                                    ? WholeText(whole, returns)
                                    : ConvertText(JsonValueKind.Number, Encoding.UTF8.GetString(reader.ValueSpan), returns);
                                if (number is null) return null;
                                values[i++] = number;
                                break;
                            case JsonTokenType.String:
                                if (ConvertText(JsonValueKind.String, reader.GetString()!, returns) is not { } text) return null;
                                values[i++] = text;
                                break;
                            case JsonTokenType.True or JsonTokenType.False:
                                var truth = reader.TokenType == JsonTokenType.True;
                                if (ConvertText(truth ? JsonValueKind.True : JsonValueKind.False, truth ? "true" : "false", returns) is not { } b) return null;
                                values[i++] = b;
                                break;
                            default:
                                return null;
                        }
                    }
                    if (i != expected) return null;
                }
                else if (reader.ValueTextEquals("success"u8))
                {
                    if (success || !reader.Read() || reader.TokenType != JsonTokenType.True) return null;
                    success = true;
                }
                else if (reader.ValueTextEquals("num_records"u8))
                {
                    if (count || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var n) || n != expected) return null;
                    count = true;
                }
                else reader.Skip();
            }
            // The object must have ended, with nothing after it.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null;
            return values;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsWhole(LambdaType type) => type.Kind is LambdaTypeKind.SmallInt or LambdaTypeKind.Integer or LambdaTypeKind.BigInt;

    /// <summary>A whole JSON number as text for an integer type; null when it is out of the type's range.</summary>
    private static string? WholeText(long whole, LambdaType type) => type.Kind switch
    {
        LambdaTypeKind.SmallInt => whole is >= short.MinValue and <= short.MaxValue,
        LambdaTypeKind.Integer => whole is >= int.MinValue and <= int.MaxValue,
        _ => true,
    } ? whole.ToString(CultureInfo.InvariantCulture) : null;

    /// <summary>One result as text for the return type; null when it is JSON null or not a value of that type.</summary>
    private static string? Convert(JsonElement value, LambdaType type)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Number && IsWhole(type) && value.TryGetInt64(out var whole))
            // The common case, without a decimal's parse.
            return WholeText(whole, type);
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
        return text is null ? null : ConvertText(value.ValueKind, text, type);
    }

    /// <summary>A result given as a JSON string, number or boolean (its text) as text for the return type; null when it is not one.</summary>
    private static string? ConvertText(JsonValueKind kind, string text, LambdaType type)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (type.Kind)
        {
            case LambdaTypeKind.SmallInt or LambdaTypeKind.Integer or LambdaTypeKind.BigInt:
            {
                if (kind is JsonValueKind.True or JsonValueKind.False) return null;
                if (!decimal.TryParse(text.Trim(), NumberStyles.Float, invariant, out var d) || d != decimal.Truncate(d)) return null;
                var (min, max) = type.Kind switch
                {
                    LambdaTypeKind.SmallInt => ((decimal)short.MinValue, (decimal)short.MaxValue),
                    LambdaTypeKind.Integer => (int.MinValue, int.MaxValue),
                    _ => ((decimal)long.MinValue, (decimal)long.MaxValue),
                };
                return d < min || d > max ? null : decimal.Truncate(d).ToString(invariant);
            }
            case LambdaTypeKind.Decimal:
            {
                if (kind is JsonValueKind.True or JsonValueKind.False) return null;
                if (!decimal.TryParse(text.Trim(), NumberStyles.Float, invariant, out var d)) return null;
                var rounded = Math.Round(d, type.Scale, MidpointRounding.AwayFromZero);
                var digits = type.Precision - type.Scale;
                return Math.Abs(decimal.Truncate(rounded)).ToString(invariant).TrimStart('0').Length > digits ? null : rounded.ToString(invariant);
            }
            case LambdaTypeKind.Real or LambdaTypeKind.Double:
                if (kind is JsonValueKind.True or JsonValueKind.False) return null;
                return double.TryParse(text.Trim(), NumberStyles.Float, invariant, out var f)
                    ? (type.Kind == LambdaTypeKind.Real ? ((float)f).ToString("R", invariant) : f.ToString("R", invariant)) : null;
            case LambdaTypeKind.Boolean:
                return text.Trim().ToLowerInvariant() switch
                {
                    "true" or "t" or "1" => "true",
                    "false" or "f" or "0" => "false",
                    _ => null,
                };
            case LambdaTypeKind.Date:
                return kind == JsonValueKind.String && DateTime.TryParse(text, invariant, DateTimeStyles.AllowWhiteSpaces, out var date)
                    && date.TimeOfDay == TimeSpan.Zero ? date.ToString("yyyy-MM-dd", invariant) : null;
            case LambdaTypeKind.Timestamp:
                return kind == JsonValueKind.String && DateTime.TryParse(text, invariant, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out var ts)
                    ? ts.ToString("yyyy-MM-dd HH:mm:ss.ffffff", invariant) : null;
            default:
                // CHAR and VARCHAR: the text, which must fit the declared length.
                return text.Length > type.Length ? null : text;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

/// <summary>
/// The errors a statement calling an external function fails with, as Redshift words them where we could confirm it
/// (listed in docs/external-functions.md), with LocalShift's explanation in the DETAIL block as on the role path.
/// </summary>
public static class ExternalFunctionErrors
{
    /// <summary>unverified: Redshift's wording beyond "Invalid External Function Response".</summary>
    public static PgException InvalidResponse(string function, string why) =>
        Error("Invalid External Function Response", $"external function {function}", why);

    /// <summary>unverified: the answer was success:false; Redshift shows the function's error_msg.</summary>
    public static PgException FunctionFailed(string function, string message) =>
        Error($"External function {function} returned an error: {message}", $"external function {function}", "the function answered \"success\": false with this \"error_msg\"");

    /// <summary>unverified: the Lambda function itself failed (Lambda's X-Amz-Function-Error: Unhandled).</summary>
    public static PgException Unhandled(string function, string lambda, string message) =>
        Error($"Lambda function {lambda} failed: {message}", $"external function {function}", "the Lambda function raised an error (FunctionError Unhandled); see its log");

    /// <summary>unverified: Lambda refused the invocation (not found, access denied, too large, throttled past RETRY_TIMEOUT).</summary>
    public static PgException Lambda(string function, string lambda, string code, string message, string why) =>
        Error($"Invoke Lambda function {lambda} failed: {code}: {message}", $"external function {function}", why);

    /// <summary>LocalShift was started without Lambda: nothing can run an external function.</summary>
    public static PgException NotAvailable(string function) =>
        new(SqlState.FeatureNotSupported, $"external function {function} cannot run: Lambda is not available in this LocalShift server",
            hint: "External functions call LocalShift's Lambda service, which this server was started without.");

    private static PgException Error(string message, string context, string explanation) =>
        new(SqlState.InternalError, message, detail: $"""

              -----------------------------------------------
              error:  {message}
              code:      8001
              context:   {context}
              localshift: {explanation}
              -----------------------------------------------
            """);
}
