using System.Globalization;

namespace LocalShift.WebConsole.Pages;

/// <summary>
/// One page of a long list (clusters, roles, decisions): which page (<c>?page=</c>, from 1) and how many rows
/// (<c>?size=</c>, one of <see cref="Sizes"/>) out of the filtered list, and the navigation between pages, which keeps
/// the filters. Filtering or changing the page size starts again at page 1 (the filter form does not carry the page).
/// </summary>
internal sealed class Paging
{
    public static readonly int[] Sizes = [10, 25, 50, 100];
    public const int DefaultSize = 50;

    private readonly string _path;
    private readonly (string Key, string Value)[] _filters;

    private Paging(string path, (string, string)[] filters, int number, int size, int total)
    {
        _path = path;
        _filters = filters;
        Size = size;
        Total = total;
        Pages = Math.Max(1, (total + size - 1) / size);
        Number = Math.Clamp(number, 1, Pages);
    }

    public int Number { get; }
    public int Size { get; }
    public int Total { get; }
    public int Pages { get; }
    public int Skip => (Number - 1) * Size;

    /// <summary>The page the request asks for of <paramref name="total"/> rows; <paramref name="filters"/> are kept in its links.</summary>
    public static Paging For(ConsoleRequest r, string path, int total, params (string Key, string Value)[] filters)
    {
        var size = int.TryParse(r.Query("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && Sizes.Contains(s) ? s : DefaultSize;
        var number = int.TryParse(r.Query("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        return new Paging(path, filters.Where(f => f.Value.Length > 0).ToArray(), number, size, total);
    }

    public List<T> Slice<T>(IReadOnlyList<T> all) => all.Skip(Skip).Take(Size).ToList();

    /// <summary>"51–100 of 180" (or "181 of 181", or "none"), for a table's caption.</summary>
    public string Range => Total == 0 ? "none"
        : Math.Min(Skip + Size, Total) == Skip + 1 ? $"{Skip + 1} of {Total}"
        : $"{Skip + 1}–{Math.Min(Skip + Size, Total)} of {Total}";

    /// <summary>The rows-per-page choice, for the filter form.</summary>
    public Markup SizeField(string id) => Build(h =>
    {
        h.Add($"<label for=\"{id}\">Rows per page</label><select id=\"{id}\" name=\"size\">");
        foreach (var s in Sizes)
            h.Add($"<option{(s == Size ? new Markup(" selected") : Markup.Empty)}>{s}</option>");
        h.Add($"</select>");
    });

    /// <summary>Previous, the page numbers around this one, next; nothing when everything fits on one page.</summary>
    public Markup Navigation(string label) => Pages <= 1 ? Markup.Empty : Build(h =>
    {
        h.Add($"<nav class=\"pagination\" aria-label=\"{label}\"><ul>");
        h.Add(Number > 1
            ? HtmlBuilder.Of($"<li><a href=\"{Href(Number - 1)}\" rel=\"prev\">Previous page</a></li>")
            : HtmlBuilder.Of($"<li><span class=\"disabled\" aria-disabled=\"true\">Previous page</span></li>"));
        var shown = new SortedSet<int> { 1, Pages };
        for (var i = Number - 2; i <= Number + 2; i++)
            if (i >= 1 && i <= Pages) shown.Add(i);
        var last = 0;
        foreach (var i in shown)
        {
            if (i > last + 1) h.Add($"<li aria-hidden=\"true\">…</li>");
            h.Add(i == Number
                ? HtmlBuilder.Of($"<li><a href=\"{Href(i)}\" aria-current=\"page\" aria-label=\"Page {i}\">{i}</a></li>")
                : HtmlBuilder.Of($"<li><a href=\"{Href(i)}\" aria-label=\"Page {i}\">{i}</a></li>"));
            last = i;
        }
        h.Add(Number < Pages
            ? HtmlBuilder.Of($"<li><a href=\"{Href(Number + 1)}\" rel=\"next\">Next page</a></li>")
            : HtmlBuilder.Of($"<li><span class=\"disabled\" aria-disabled=\"true\">Next page</span></li>"));
        h.Add($"</ul><p class=\"muted\">Page {Number} of {Pages}</p></nav>");
    });

    private string Href(int page)
    {
        var query = _filters.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)).ToList();
        if (Size != DefaultSize) query.Add("size=" + Size.ToString(CultureInfo.InvariantCulture));
        if (page > 1) query.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
        return query.Count == 0 ? _path : _path + "?" + string.Join("&", query);
    }

    private static Markup Build(Action<HtmlBuilder> write)
    {
        var h = new HtmlBuilder();
        write(h);
        return h.ToMarkup();
    }
}
