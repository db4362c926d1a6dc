using System.Text;

namespace Prison.Cli.Userland.JailConf;

/// <summary>
/// A parsed jail.conf(5), the way usr.sbin/jail's jaillex.l and jailparse.y read it: statements outside
/// any block apply to every jail, then the <c>*</c> block, then the jail's own block. Comments are
/// <c>#</c>, <c>//</c> and <c>/* */</c>; strings are bare words, <c>"..."</c> (escapes and <c>$</c>
/// references) or <c>'...'</c> (literal); <c>.include "file";</c> reads another file (globs allowed,
/// relative to the including file).
/// </summary>
internal sealed class JailConfFile
{
    private const int MaxIncludeDepth = 16;

    private JailConfFile(List<ConfStatement> globals, List<ConfBlock> blocks)
    {
        Globals = globals;
        Blocks = blocks;
    }

    /// <summary>Statements outside any block.</summary>
    public IReadOnlyList<ConfStatement> Globals { get; }

    /// <summary>The blocks in file order (<c>*</c> included).</summary>
    public IReadOnlyList<ConfBlock> Blocks { get; }

    /// <summary>The names of the jails the file defines (wildcard blocks excluded), in file order.</summary>
    public IReadOnlyList<string> JailNames => Blocks.Select(b => b.Name).Where(n => !n.Contains('*', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Reads and parses <paramref name="path"/>; on failure returns null and jail(8)'s message.</summary>
    public static JailConfFile? Load(string path, out string? error)
    {
        var globals = new List<ConfStatement>();
        var blocks = new List<ConfBlock>();
        error = Read(path, globals, blocks, depth: 0);
        return error is null ? new JailConfFile(globals, blocks) : null;
    }

    /// <summary>Parses text (tests and <c>.include</c> use this); <paramref name="directory"/> anchors includes.</summary>
    public static JailConfFile? Parse(string text, string fileName, string directory, out string? error)
    {
        var globals = new List<ConfStatement>();
        var blocks = new List<ConfBlock>();
        error = new Parser(text, fileName, directory, globals, blocks, 0).Run();
        return error is null ? new JailConfFile(globals, blocks) : null;
    }

    private static string? Read(string path, List<ConfStatement> globals, List<ConfBlock> blocks, int depth)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{path}: {(ex is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory" : ex.Message)}";
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return new Parser(text, path, directory, globals, blocks, depth).Run();
    }

    /// <summary>A recursive-descent reader over one file's text.</summary>
    private sealed class Parser(string text, string file, string directory, List<ConfStatement> globals, List<ConfBlock> blocks, int depth)
    {
        private int _pos;
        private int _line = 1;

        public string? Run()
        {
            while (true)
            {
                var skip = SkipBlank();
                if (skip is not null)
                    return skip;
                if (_pos >= text.Length)
                    return null;
                if (text[_pos] == '}')
                    return Error("unexpected '}'");
                var error = Statement(globals, inBlock: false);
                if (error is not null)
                    return error;
            }
        }

        /// <summary>One statement, or a block when the name is followed by '{'.</summary>
        private string? Statement(List<ConfStatement> into, bool inBlock)
        {
            var line = _line;
            var isVariable = text[_pos] == '$';
            if (isVariable)
                _pos++;
            var (nameValue, error) = ReadValue();
            if (error is not null)
                return error;
            var name = nameValue!.Pieces.Any(p => p.IsReference) ? null : string.Concat(nameValue.Pieces.Select(p => p.Text));
            if (string.IsNullOrEmpty(name))
                return Error("expected a parameter name");
            if ((error = SkipBlank()) is not null)
                return error;
            if (!isVariable && name == ".include")
                return Include();
            if (_pos < text.Length && text[_pos] == '{')
            {
                if (inBlock || isVariable)
                    return Error("a jail block cannot be nested");
                _pos++;
                var statements = new List<ConfStatement>();
                while (true)
                {
                    if ((error = SkipBlank()) is not null)
                        return error;
                    if (_pos >= text.Length)
                        return Error($"missing '}}' for jail {name}");
                    if (text[_pos] == '}')
                    {
                        _pos++;
                        blocks.Add(new ConfBlock(name, statements));
                        return null;
                    }
                    if ((error = Statement(statements, inBlock: true)) is not null)
                        return error;
                }
            }
            var append = false;
            var values = new List<ConfValue>();
            var hasValue = false;
            if (Peek("+="))
            {
                append = true;
                _pos += 2;
            }
            else if (_pos < text.Length && text[_pos] == '=')
            {
                _pos++;
            }
            else
            {
                if (isVariable)
                    return Error($"variable ${name} needs a value");
                return EndStatement(into, new ConfStatement(name, values, false, false, false, line));
            }
            hasValue = true;
            while (true)
            {
                if ((error = SkipBlank()) is not null)
                    return error;
                var (value, valueError) = ReadValue();
                if (valueError is not null)
                    return valueError;
                values.Add(value!);
                if ((error = SkipBlank()) is not null)
                    return error;
                if (_pos < text.Length && text[_pos] == ',')
                {
                    _pos++;
                    continue;
                }
                break;
            }
            return EndStatement(into, new ConfStatement(name, values, append, isVariable, hasValue, line));
        }

        private string? EndStatement(List<ConfStatement> into, ConfStatement statement)
        {
            var error = SkipBlank();
            if (error is not null)
                return error;
            if (_pos >= text.Length || text[_pos] != ';')
                return Error($"missing ';' after {statement.Name}");
            _pos++;
            into.Add(statement);
            return null;
        }

        private string? Include()
        {
            var (value, error) = ReadValue();
            if (error is not null)
                return error;
            if (value!.Pieces.Any(p => p.IsReference))
                return Error(".include: variables are not expanded in a file name");
            var pattern = string.Concat(value.Pieces.Select(p => p.Text));
            if ((error = SkipBlank()) is not null)
                return error;
            if (_pos >= text.Length || text[_pos] != ';')
                return Error("missing ';' after .include");
            _pos++;
            if (depth >= MaxIncludeDepth)
                return Error(".include: nested too deeply");
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory, pattern);
            var leaf = Path.GetFileName(full);
            IEnumerable<string> files = [full];
            if (leaf.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(full)!;
                files = Directory.Exists(dir) ? Directory.GetFiles(dir, leaf).Order(StringComparer.Ordinal) : [];
            }
            foreach (var f in files)
            {
                var included = Read(f, globals, blocks, depth + 1);
                if (included is not null)
                    return included;
            }
            return null;
        }

        /// <summary>Reads one value: adjacent bare, "double" and 'single' quoted pieces, joined.</summary>
        private (ConfValue? Value, string? Error) ReadValue()
        {
            var pieces = new List<ValuePiece>();
            var sb = new StringBuilder();
            var any = false;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '"')
                {
                    var startLine = _line;
                    _pos++;
                    any = true;
                    var closed = false;
                    while (_pos < text.Length)
                    {
                        var d = text[_pos];
                        if (d == '"')
                        {
                            _pos++;
                            closed = true;
                            break;
                        }
                        if (d == '\n')
                            _line++;
                        if (d == '\\' && _pos + 1 < text.Length)
                        {
                            var e = text[_pos + 1];
                            sb.Append(e switch { 'n' => '\n', 't' => '\t', _ => e });
                            if (e == '\n')
                                _line++;
                            _pos += 2;
                            continue;
                        }
                        if (d == '$')
                        {
                            var reference = ReadReference(pieces, sb);
                            if (reference is not null)
                                return (null, reference);
                            continue;
                        }
                        sb.Append(d);
                        _pos++;
                    }
                    if (!closed)
                    {
                        _line = startLine;
                        return (null, Error("unterminated quoted string"));
                    }
                }
                else if (c == '\'')
                {
                    var end = text.IndexOf('\'', _pos + 1);
                    if (end < 0)
                        return (null, Error("unterminated quoted string"));
                    var literal = text[(_pos + 1)..end];
                    _line += literal.Count(ch => ch == '\n');
                    sb.Append(literal);
                    _pos = end + 1;
                    any = true;
                }
                else if (c == '$')
                {
                    var reference = ReadReference(pieces, sb);
                    if (reference is not null)
                        return (null, reference);
                    any = true;
                }
                else if (c == '\\' && _pos + 1 < text.Length)
                {
                    sb.Append(text[_pos + 1]);
                    _pos += 2;
                    any = true;
                }
                else if (char.IsWhiteSpace(c) || c is ';' or ',' or '=' or '{' or '}' or '#' || Peek("+=") || Peek("//") || Peek("/*"))
                {
                    break;
                }
                else
                {
                    sb.Append(c);
                    _pos++;
                    any = true;
                }
            }
            if (!any)
                return (null, Error(_pos >= text.Length ? "unexpected end of file" : $"unexpected '{text[_pos]}'"));
            if (sb.Length > 0)
                pieces.Add(new ValuePiece(sb.ToString(), false));
            return (new ConfValue(pieces), null);
        }

        /// <summary>Reads <c>$name</c> or <c>${name}</c> at the current position into <paramref name="pieces"/>.</summary>
        private string? ReadReference(List<ValuePiece> pieces, StringBuilder sb)
        {
            _pos++; // '$'
            string name;
            if (_pos < text.Length && text[_pos] == '{')
            {
                var end = text.IndexOf('}', _pos);
                if (end < 0)
                    return Error("unterminated ${");
                name = text[(_pos + 1)..end];
                _pos = end + 1;
            }
            else
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                    _pos++;
                name = text[start.._pos];
            }
            if (name.Length == 0)
                return Error("empty variable name after '$'");
            if (sb.Length > 0)
            {
                pieces.Add(new ValuePiece(sb.ToString(), false));
                sb.Clear();
            }
            pieces.Add(new ValuePiece(name, true));
            return null;
        }

        /// <summary>Skips blanks and comments; an unterminated <c>/*</c> is an error.</summary>
        private string? SkipBlank()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _pos++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '#' || Peek("//"))
                {
                    while (_pos < text.Length && text[_pos] != '\n')
                        _pos++;
                }
                else if (Peek("/*"))
                {
                    var end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    if (end < 0)
                        return Error("unterminated comment");
                    _line += text[_pos..end].Count(ch => ch == '\n');
                    _pos = end + 2;
                }
                else
                {
                    break;
                }
            }
            return null;
        }

        private bool Peek(string s) => string.CompareOrdinal(text, _pos, s, 0, s.Length) == 0;

        private string Error(string message) => $"{file}:{_line}: {message}";
    }
}
