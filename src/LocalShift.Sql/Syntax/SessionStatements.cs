namespace LocalShift.Sql.Syntax;

// The statements the session answers itself (transactions, settings, cursors, accepted no-ops): nodes of the same
// tree, so a statement's kind and command tag are read from its node (Routing.StatementClassifier).

public enum TransactionVerb { Begin, StartTransaction, Commit, Rollback }

/// <summary>BEGIN / START TRANSACTION [modes], COMMIT / END, ROLLBACK / ABORT (each with an optional WORK or TRANSACTION).</summary>
public sealed record TransactionStatement(TransactionVerb Verb) : Statement;

public enum SettingVerb { Set, Show, Reset }

/// <summary>
/// <c>SET [SESSION | LOCAL] name {TO | =} value [, ...]</c>, <c>SHOW name | ALL</c>, <c>RESET name | ALL</c>;
/// <c>TIME ZONE</c> is the parameter timezone. <see cref="Name"/> is folded as an identifier ("all" for SHOW alone);
/// <see cref="Values"/> are SET's values as written (strings unquoted).
/// </summary>
public sealed record SettingStatement(SettingVerb Verb, string Name, IReadOnlyList<string> Values) : Statement;

/// <summary>
/// A statement Redshift runs that has nothing to do here (ANALYZE, VACUUM, DISCARD, DEALLOCATE, LISTEN, UNLISTEN,
/// CANCEL, LOCK): accepted with whatever follows its first word, answered with <see cref="Tag"/>.
/// </summary>
public sealed record UtilityStatement(string Tag) : Statement;

/// <summary>
/// <c>DECLARE name [BINARY | INSENSITIVE | NO SCROLL | SCROLL] CURSOR [WITHOUT HOLD] FOR query</c>: the cursor's name,
/// its query's tree and where the query stands in the statement's text.
/// </summary>
public sealed record DeclareCursorStatement(string Name, Query Query, TextSpan QueryText) : Statement;

/// <summary><c>FETCH [NEXT | ALL | FORWARD [n | ALL] | n] [FROM | IN] name</c>; <see cref="Count"/> is int.MaxValue for ALL.</summary>
public sealed record FetchStatement(string Cursor, int Count) : Statement;

/// <summary><c>CLOSE name</c>, or <c>CLOSE ALL</c> (<see cref="Cursor"/> null).</summary>
public sealed record CloseStatement(string? Cursor) : Statement;
