using System.Text;

namespace ShippyarDr.Restore;

/// <summary>
/// Copies a pg_dumpall globals script, leaving out the ALTER ROLE of the role doing the restore: replaying it
/// would replace that role's password with the source cluster's and lock the restore out of the server it is
/// still working on. Everything else (every other role, memberships, tablespaces) goes through.
/// </summary>
internal static class GlobalsScriptFilter
{
    public static bool Copy(Stream script, Stream psqlInput, string connectingRole)
    {
        var skipped = false;
        using var reader = new StreamReader(script, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        using var writer = new StreamWriter(psqlInput, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (IsAlterOf(line, connectingRole)) { skipped = true; continue; }
            writer.WriteLine(line);
        }
        return skipped;
    }

    internal static bool IsAlterOf(string line, string role)
    {
        const string prefix = "ALTER ROLE ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = line.AsSpan(prefix.Length);
        string name;
        if (rest.Length > 0 && rest[0] == '"')
        {
            var sb = new StringBuilder();
            var i = 1;
            for (; i < rest.Length; i++)
            {
                if (rest[i] == '"' && i + 1 < rest.Length && rest[i + 1] == '"') { sb.Append('"'); i++; }
                else if (rest[i] == '"') break;
                else sb.Append(rest[i]);
            }
            name = sb.ToString();
            rest = rest[Math.Min(i + 1, rest.Length)..];
        }
        else
        {
            var space = rest.IndexOf(' ');
            name = (space < 0 ? rest : rest[..space]).ToString();
            rest = space < 0 ? ReadOnlySpan<char>.Empty : rest[space..];
        }
        return name == role && rest.TrimStart().StartsWith("WITH ", StringComparison.Ordinal);
    }
}
