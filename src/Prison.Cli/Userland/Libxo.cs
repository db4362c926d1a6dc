using System.Globalization;
using System.Net;
using System.Text;

namespace Prison.Cli.Userland;

/// <summary>The output styles of libxo(3): <c>--libxo json|xml|html</c>, with <c>,pretty</c> for indentation.</summary>
internal enum LibxoStyle
{
    Text,
    Json,
    Xml,
    Html,
}

/// <summary>A parsed <c>--libxo</c> argument.</summary>
/// <param name="Style">The style.</param>
/// <param name="Pretty">Indent the output (<c>pretty</c> or <c>P</c> flag).</param>
internal readonly record struct LibxoFormat(LibxoStyle Style, bool Pretty)
{
    /// <summary>
    /// libxo's format argument: a style name (<c>json</c>, <c>xml</c>, <c>html</c>, <c>text</c>) and flags
    /// after commas (<c>json,pretty</c>); null when it names no known style.
    /// </summary>
    public static LibxoFormat? Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var style = (LibxoStyle?)null;
        var pretty = false;
        foreach (var part in parts)
        {
            switch (part)
            {
                case "json" or "J":
                    style = LibxoStyle.Json;
                    break;
                case "xml" or "X":
                    style = LibxoStyle.Xml;
                    break;
                case "html" or "H":
                    style = LibxoStyle.Html;
                    break;
                case "text" or "T":
                    style = LibxoStyle.Text;
                    break;
                case "pretty" or "P":
                    pretty = true;
                    break;
                default:
                    return null;
            }
        }
        return style is { } s ? new LibxoFormat(s, pretty) : null;
    }
}

/// <summary>
/// libxo's structured output for the commands that have it on FreeBSD (jls, ps, df): containers, lists
/// of instances and leaves, written as libxo writes them. JSON: <c>{"__version": "2", "jail-information":
/// {"jail": [{"jid":2,"hostname":"git7",...,"cpusetid":5, "ipv4_addrs": ["172.16.20.98"], "ipv6_addrs": []}, {...}]}}</c>
/// (leaves as <c>"name":value</c> joined by <c>,</c>; containers and lists as <c>"name": </c> set off by <c>, </c>);
/// XML: elements of the same names; HTML: one <c>&lt;div class="line"&gt;</c> per instance with a
/// <c>&lt;div class="data" data-tag="NAME"&gt;</c> per leaf. Only <c>"</c>, <c>\</c> and control characters
/// are escaped in JSON: non-ASCII text and apostrophes are written as they are.
/// </summary>
internal sealed class Libxo
{
    private readonly LibxoFormat _format;
    private readonly StringBuilder _out = new();
    private readonly Stack<Frame> _frames = new();

    /// <summary>A document in <paramref name="format"/>, with libxo's <c>__version</c> <paramref name="version"/> (null: none).</summary>
    public Libxo(LibxoFormat format, string? version)
    {
        _format = format;
        _frames.Push(new Frame(FrameKind.Root, ""));
        if (format.Style == LibxoStyle.Json)
        {
            _out.Append('{');
            if (version is not null)
                Member("__version", Quote(version), container: true);
        }
    }

    /// <summary>Opens a container (a JSON object, an XML element).</summary>
    public Libxo OpenContainer(string name)
    {
        switch (_format.Style)
        {
            case LibxoStyle.Json:
                Member(name, "{", container: true);
                break;
            case LibxoStyle.Xml:
                Indent();
                _out.Append('<').Append(name).Append('>');
                NewLine();
                break;
        }
        _frames.Push(new Frame(FrameKind.Container, name));
        return this;
    }

    /// <summary>Opens a list whose instances are named <paramref name="name"/>.</summary>
    public Libxo OpenList(string name)
    {
        if (_format.Style == LibxoStyle.Json)
            Member(name, "[", container: true);
        _frames.Push(new Frame(FrameKind.List, name));
        return this;
    }

    /// <summary>Opens one instance of the innermost list.</summary>
    public Libxo OpenInstance()
    {
        var list = _frames.Peek();
        switch (_format.Style)
        {
            case LibxoStyle.Json:
                if (list.Count++ > 0)
                    _out.Append(',').Append(_format.Pretty ? "" : " ");
                NewLine();
                Indent();
                _out.Append('{');
                break;
            case LibxoStyle.Xml:
                Indent();
                _out.Append('<').Append(list.Name).Append('>');
                NewLine();
                break;
            case LibxoStyle.Html:
                _out.Append("<div class=\"line\">");
                NewLine();
                break;
        }
        _frames.Push(new Frame(FrameKind.Instance, list.Name));
        return this;
    }

    /// <summary>A string leaf.</summary>
    public Libxo Leaf(string name, string value) => WriteLeaf(name, value, Quote(value));

    /// <summary>A number leaf (unquoted in JSON).</summary>
    public Libxo Leaf(string name, long value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return WriteLeaf(name, text, text);
    }

    /// <summary>A boolean leaf (<c>true</c>/<c>false</c>, unquoted in JSON).</summary>
    public Libxo Leaf(string name, bool value) => WriteLeaf(name, value ? "true" : "false", value ? "true" : "false");

    /// <summary>A list of string leaves (libxo's <c>{l:name}</c>): a JSON array, repeated XML elements.</summary>
    public Libxo LeafList(string name, IEnumerable<string> values)
    {
        var items = values.ToArray();
        switch (_format.Style)
        {
            case LibxoStyle.Json:
                Member(name, "[" + string.Join(",", items.Select(Quote)) + "]", container: true);
                break;
            default:
                foreach (var item in items)
                    WriteLeaf(name, item, Quote(item));
                break;
        }
        return this;
    }

    /// <summary>Closes the innermost container, list or instance.</summary>
    public Libxo Close()
    {
        var frame = _frames.Pop();
        switch (_format.Style)
        {
            case LibxoStyle.Json:
                NewLine();
                Indent();
                _out.Append(frame.Kind == FrameKind.List ? ']' : '}');
                break;
            case LibxoStyle.Xml when frame.Kind != FrameKind.List:
                Indent();
                _out.Append("</").Append(frame.Name).Append('>');
                NewLine();
                break;
            case LibxoStyle.Html when frame.Kind == FrameKind.Instance:
                _out.Append("</div>");
                NewLine();
                break;
        }
        return this;
    }

    /// <summary>Closes everything still open and returns the document (ending in a newline).</summary>
    public string Finish()
    {
        while (_frames.Count > 1)
            Close();
        if (_format.Style == LibxoStyle.Json)
        {
            NewLine();
            _out.Append('}');
        }
        var text = _out.ToString();
        return text.EndsWith('\n') ? text : text + "\n";
    }

    private Libxo WriteLeaf(string name, string raw, string json)
    {
        switch (_format.Style)
        {
            case LibxoStyle.Json:
                Member(name, json, container: false);
                break;
            case LibxoStyle.Xml:
                Indent();
                _out.Append('<').Append(name).Append('>').Append(WebUtility.HtmlEncode(raw)).Append("</").Append(name).Append('>');
                NewLine();
                break;
            case LibxoStyle.Html:
                _out.Append("<div class=\"data\" data-tag=\"").Append(WebUtility.HtmlEncode(name)).Append("\">")
                    .Append(WebUtility.HtmlEncode(raw)).Append("</div>");
                NewLine();
                break;
        }
        return this;
    }

    /// <summary>A JSON member: <c>"name": value</c> for containers and lists, <c>"name":value</c> for leaves, as libxo writes them.</summary>
    private void Member(string name, string value, bool container)
    {
        var frame = _frames.Peek();
        if (frame.Count++ > 0)
            _out.Append(',').Append(_format.Pretty || (!container && frame.LastWasLeaf) ? "" : " ");
        frame.LastWasLeaf = !container;
        if (_format.Pretty)
        {
            NewLine();
            Indent();
        }
        _out.Append(Quote(name)).Append(container || _format.Pretty ? ": " : ":").Append(value);
    }

    private void NewLine()
    {
        if (_format.Pretty || _format.Style is LibxoStyle.Html)
            _out.Append('\n');
    }

    private void Indent()
    {
        if (_format.Pretty)
            _out.Append(' ', 2 * (_frames.Count - 1));
    }

    /// <summary>A JSON string: only <c>"</c>, <c>\</c> and control characters are escaped.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f)
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private enum FrameKind
    {
        Root,
        Container,
        List,
        Instance,
    }

    private sealed class Frame(FrameKind kind, string name)
    {
        public FrameKind Kind { get; } = kind;

        public string Name { get; } = name;

        public int Count { get; set; }

        public bool LastWasLeaf { get; set; }
    }
}
