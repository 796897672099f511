using System.Text;
using System.Text.RegularExpressions;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Restore;

/// <summary>
/// Copies a pg_dumpall globals script, leaving out the ALTER ROLE of the role doing the restore: replaying it
/// would replace that role's password with the source cluster's and lock the restore out of the server it is
/// still working on. Everything else (every other role, memberships, tablespaces) goes through.
/// </summary>
internal static partial class GlobalsScriptFilter
{
    /// <summary>Far above any cluster's roles and tablespaces; a larger "globals script" is not one.</summary>
    private const int MaxScriptBytes = 64 * 1024 * 1024;

    /// <summary>
    /// The whole script, once its checksums matched and no line is a psql meta-command: a line starting with a
    /// backslash is refused (\! runs a shell command, \copy reads and writes files, \connect goes elsewhere), except
    /// the \restrict and \unrestrict pair with which pg_dumpall itself (15.14 and later) fences meta-commands off.
    /// </summary>
    public static byte[] ReadChecked(StoredObjectReader source, long size, string backupId, CancellationToken cancel)
    {
        var what = $"The globals of backup {backupId}";
        var tooLarge = new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.GlobalsScriptRefused,
            $"{what} are larger than {MaxScriptBytes} bytes: that is not a script of roles and tablespaces.");
        if (size > MaxScriptBytes) throw tooLarge;
        using var whole = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                if (whole.Length + n > MaxScriptBytes) throw tooLarge;
                whole.Write(buffer, 0, n);
                cancel.ThrowIfCancellationRequested();
            }
        }
        catch (ShippyarException e) when (e.Kind == ShippyarErrorKind.InvalidData && e != tooLarge)
        {
            throw source.Damage(backupId, e, cancel) ?? e;
        }
        if (source.Damage(backupId, cancel: cancel) is { } damage) throw damage;
        var script = whole.ToArray();
        var number = 0;
        foreach (var line in Encoding.UTF8.GetString(script).Split('\n'))
        {
            number++;
            if (line.StartsWith('\\') && !Fence().IsMatch(line.TrimEnd('\r')))
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.GlobalsScriptRefused,
                    $"{what} hold a psql meta-command on line {number} ({Shorten(line)}): pg_dumpall writes none, so the script is refused and nothing of it was run.");
        }
        return script;
    }

    private static string Shorten(string line) => line.Length > 40 ? line[..40] + "…" : line;

    [GeneratedRegex(@"^\\(un)?restrict [A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Fence();

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
