namespace Prison.Cli.Userland.JailConf;

// The parse tree of jail.conf(5): blocks of statements whose values are pieces of text and references.

/// <summary>One piece of a value as written: literal text, or a <c>$name</c> / <c>${name}</c> reference.</summary>
internal readonly record struct ValuePiece(string Text, bool IsReference);

/// <summary>One value (a list parameter has several): the pieces that make it, expanded per jail.</summary>
internal sealed record ConfValue(IReadOnlyList<ValuePiece> Pieces);

/// <summary>
/// One statement of jail.conf(5): <c>name;</c>, <c>name = v, v;</c>, <c>name += v;</c>, or
/// <c>$var = v;</c> (<see cref="IsVariable"/>).
/// </summary>
internal sealed record ConfStatement(string Name, IReadOnlyList<ConfValue> Values, bool Append, bool IsVariable, bool HasValue, int Line);

/// <summary>A block: a jail's name (or <c>*</c>) and its statements in order.</summary>
internal sealed record ConfBlock(string Name, IReadOnlyList<ConfStatement> Statements);
