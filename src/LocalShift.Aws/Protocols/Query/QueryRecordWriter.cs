using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using LocalShift.Aws.Model;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>
/// Writes a response record as the query protocol's result XML straight from its properties, with a plan built once per
/// (record type, shape). It writes what <see cref="QueryCodec.WriteMembers"/> writes for the record's JSON document
/// (properties named as the model's members, nulls left out, enums as their names), without building that document.
/// A record holding a type the plan does not know (or a JSON attribute that could change the document) gets no plan,
/// and the caller takes the document path.
/// </summary>
public static class QueryRecordWriter
{
    private static readonly ConcurrentDictionary<(Type, Shape), Plan?> Plans = new();

    /// <summary>The plan for <paramref name="type"/> written as <paramref name="shape"/>; null when the document path must be taken.</summary>
    public static Plan? For(Type type, Shape shape) =>
        Plans.TryGetValue((type, shape), out var plan) ? plan : Plans.GetOrAdd((type, shape), Build(type, shape, depth: 0));

    public sealed class Plan
    {
        internal Plan(MemberPlan[] members) => Members = members;
        internal MemberPlan[] Members { get; }

        /// <summary>Writes the members of <paramref name="record"/> as children of the element open in <paramref name="w"/>.</summary>
        public void WriteMembers(Utf8XmlBuffer w, object record)
        {
            foreach (var m in Members)
            {
                var v = m.Get(record);
                if (v is not null) m.Write(w, m.Member.WireName, v);
            }
        }
    }

    internal sealed record MemberPlan(MemberModel Member, Func<object, object?> Get, Action<Utf8XmlBuffer, string, object> Write);

    private const int MaxDepth = 32;

    private static Plan? Build(Type type, Shape shape, int depth)
    {
        if (depth > MaxDepth || !type.IsClass || type == typeof(string) || HasJsonAttributes(type)) return null;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToArray();
        if (properties.Any(HasJsonAttributes)) return null;
        // Two properties of one name (a 'new' one hiding an inherited one) are the serializer's call to make, not ours.
        if (properties.GroupBy(p => p.Name).Any(g => g.Count() > 1)) return null;
        var members = new List<MemberPlan>();
        foreach (var member in shape.Members)
        {
            var property = properties.FirstOrDefault(p => p.Name == member.Name);
            if (property is null) continue;
            var write = Writer(member, member.Shape, property.PropertyType, depth);
            if (write is null) return null;
            members.Add(new MemberPlan(member, Getter(property), write));
        }
        return new Plan(members.ToArray());
    }

    private static bool HasJsonAttributes(MemberInfo m) =>
        m.GetCustomAttributes(inherit: true).Any(a => a.GetType().Namespace?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true);

    private static Func<object, object?> Getter(PropertyInfo property)
    {
        var o = Expression.Parameter(typeof(object), "o");
        var body = Expression.Convert(Expression.Property(Expression.Convert(o, property.DeclaringType!), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, o).Compile();
    }

    /// <summary>How a value of CLR type <paramref name="type"/> is written as <paramref name="shape"/>; null when unknown.</summary>
    private static Action<Utf8XmlBuffer, string, object>? Writer(MemberModel member, Shape shape, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (shape.Type)
        {
            case ShapeType.Structure:
            {
                var plan = Build(type, shape, depth + 1);
                if (plan is null) return null;
                return (w, name, v) =>
                {
                    w.StartElement(name);
                    plan.WriteMembers(w, v);
                    w.EndElement(name);
                };
            }
            case ShapeType.List:
            {
                if (type == typeof(string) || ItemType(type) is not { } itemType) return null;
                var itemMember = shape.Member!;
                var item = Writer(itemMember, itemMember.Shape, itemType, depth + 1);
                if (item is null) return null;
                if (shape.Flattened || member.Flattened)
                {
                    var flatName = itemMember.LocationName;
                    return (w, name, v) =>
                    {
                        foreach (var x in (IEnumerable)v)
                            if (x is not null) item(w, flatName ?? name, x);
                    };
                }
                var itemName = itemMember.LocationName ?? "member";
                return (w, name, v) =>
                {
                    w.StartElement(name);
                    foreach (var x in (IEnumerable)v)
                        if (x is not null) item(w, itemName, x);
                    w.EndElement(name);
                };
            }
            case ShapeType.Map:
            {
                if (MapValueType(type) is not { } valueType) return null;
                var value = Writer(shape.Value!, shape.Value!.Shape, valueType, depth + 1);
                if (value is null) return null;
                var flat = shape.Flattened || member.Flattened;
                var keyName = shape.Key!.LocationName ?? "key";
                var valueName = shape.Value!.LocationName ?? "value";
                var entries = (Func<object, IEnumerable<(string, object?)>>)typeof(QueryRecordWriter)
                    .GetMethod(nameof(Entries), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(valueType)
                    .CreateDelegate(typeof(Func<object, IEnumerable<(string, object?)>>));
                return (w, name, v) =>
                {
                    if (!flat) w.StartElement(name);
                    foreach (var (k, x) in entries(v))
                    {
                        var entryName = flat ? name : "entry";
                        w.StartElement(entryName);
                        w.ElementString(keyName, k);
                        if (x is not null) value(w, valueName, x);
                        w.EndElement(entryName);
                    }
                    if (!flat) w.EndElement(name);
                };
            }
            default:
                var text = ScalarText(member, shape, type);
                if (text is null) return null;
                return (w, name, v) => w.ElementString(name, text(v));
        }
    }

    /// <summary>The text of a scalar, as the document path gives it (the value's JSON form read back as the shape's type).</summary>
    private static Func<object, string>? ScalarText(MemberModel member, Shape shape, Type type)
    {
        switch (shape.Type)
        {
            case ShapeType.Boolean:
                return type == typeof(bool) ? v => (bool)v ? "true" : "false" : null;
            case ShapeType.Integer or ShapeType.Long:
                if (type == typeof(int)) return v => ((int)v).ToString(CultureInfo.InvariantCulture);
                if (type == typeof(long)) return v => ((long)v).ToString(CultureInfo.InvariantCulture);
                return null;
            case ShapeType.Float or ShapeType.Double:
                if (type == typeof(double)) return v => ((double)v).ToString("R", CultureInfo.InvariantCulture);
                if (type == typeof(int)) return v => ((double)(int)v).ToString("R", CultureInfo.InvariantCulture);
                if (type == typeof(long)) return v => ((double)(long)v).ToString("R", CultureInfo.InvariantCulture);
                return null;
            case ShapeType.Timestamp:
            {
                var format = member.TimestampFormat ?? shape.TimestampFormat ?? "iso8601";
                if (type == typeof(DateTimeOffset)) return v => Timestamps.Format((DateTimeOffset)v, format);
                return null;
            }
            case ShapeType.String:
                // The buffer writes what XmlText.Safe would leave of the text.
                if (type == typeof(string)) return v => (string)v;
                if (type.IsEnum && type.GetCustomAttributes(typeof(FlagsAttribute), false).Length == 0)
                    return v => Enum.IsDefined(type, v)
                        ? v.ToString()!
                        : throw new InvalidOperationException($"{type.Name} value {v} has no name for the {shape.Name} member");
                return null;
            case ShapeType.Blob:
                if (type == typeof(string)) return v => (string)v;
                if (type == typeof(byte[])) return v => Convert.ToBase64String((byte[])v);
                return null;
            default:
                return null;
        }
    }

    private static Type? ItemType(Type type)
    {
        if (type.IsArray) return type.GetArrayRank() == 1 ? type.GetElementType() : null;
        if (IsDictionary(type)) return null;
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static bool IsDictionary(Type type) =>
        type.GetInterfaces().Append(type).Any(i => i.IsGenericType &&
            (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));

    /// <summary>The value type of a dictionary keyed by string (the only maps a JSON document can hold); null otherwise.</summary>
    private static Type? MapValueType(Type type)
    {
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        if (def != typeof(Dictionary<,>) && def != typeof(IDictionary<,>) && def != typeof(IReadOnlyDictionary<,>)
            && def != typeof(SortedDictionary<,>)) return null;
        var args = type.GetGenericArguments();
        return args[0] == typeof(string) ? args[1] : null;
    }

    private static IEnumerable<(string, object?)> Entries<T>(object map)
    {
        foreach (var (k, v) in (IEnumerable<KeyValuePair<string, T>>)map) yield return (k, v);
    }
}
