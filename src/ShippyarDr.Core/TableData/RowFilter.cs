using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.TableData;

/// <summary>
/// The SQL predicate that selects the rows to restore. It is the caller's SQL text, run only in the scratch copy
/// (never in the target) inside a read-only transaction, and must stay one predicate: a ';' or an unbalanced
/// parenthesis outside quotes is refused before anything runs, so it cannot end the statement it is put into.
/// </summary>
internal sealed class RowFilter
{
    private RowFilter(string text) => Text = text;

    public string Text { get; }

    /// <summary>Placed on lines of its own so that a trailing -- comment cannot swallow the closing parenthesis.</summary>
    private const string Opening = "WHERE (\n";

    public string WhereClause => Opening + Text + "\n)";

    public static RowFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (FindEscape(text) is { } problem)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRowFilter,
                $"The row filter \"{text}\" is not a single SQL condition: {problem}.", text);
        return new RowFilter(text);
    }

    /// <summary>The scratch server's rejection of the filter, with its position in the filter's own text.</summary>
    public ShippyarException Rejected(PostgresException e, string statement, string table)
    {
        var start = statement.IndexOf(WhereClause, StringComparison.Ordinal) + Opening.Length;
        var at = e.Position - start; // Position counts characters from 1
        var where = at >= 1 && at <= Text.Length ? $" at character {at} of the filter (\"{Excerpt(at - 1)}\")" : "";
        return new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRowFilter,
            $"The row filter \"{Text}\" failed on the backup's copy of {table}: {e.MessageText}{where}. Nothing was written to the target.", Text, e);
    }

    private string Excerpt(int index) => Text.Substring(index, Math.Min(20, Text.Length - index));

    /// <summary>What would let the text end the statement around it: a ';' or a ')' closing more than it opened.</summary>
    private static string? FindEscape(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'' or '"':
                    var quote = text[i];
                    for (i++; i < text.Length; i++)
                        if (text[i] == quote && !(i + 1 < text.Length && text[i + 1] == quote)) break;
                        else if (text[i] == quote) i++;
                    if (i >= text.Length) return $"a {(quote == '\'' ? "string" : "quoted name")} is not closed";
                    break;
                case '-' when i + 1 < text.Length && text[i + 1] == '-':
                    while (i < text.Length && text[i] != '\n') i++;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (end < 0) return "a /* comment is not closed";
                    i = end + 1;
                    break;
                case '$':
                    return "dollar quoting is not supported in a row filter; use '…' strings";
                case ';':
                    return "it contains ';' (one condition only, no further statements)";
                case '(':
                    depth++;
                    break;
                case ')' when --depth < 0:
                    return "a ')' closes a parenthesis it did not open";
            }
        }
        return depth == 0 ? null : "a '(' is not closed";
    }
}
