using System.Security.Cryptography;
using System.Text;

namespace ShippyarDr.Leftovers;

/// <summary>
/// How a run marks the databases it creates, so that what a killed run (kill -9, a crash) leaves behind can be found
/// and told apart from the databases of a run still going: each name is a fixed prefix, the run's random token and
/// a readable detail ("shippyar_restore_3f9a0c1b2d4e_20261125_040512d_7f3a"); the run keeps a session open whose
/// application_name carries the same token; a comment on the database says what it is for. A database with our
/// prefix whose token has no live session is a leftover. Names stay unique per run, so runs never collide.
/// </summary>
internal static class RunNaming
{
    public const string ApplicationNamePrefix = "ShippyarDr run ";
    public const int TokenLength = 12;
    private const int MaxIdentifierBytes = 63;
    private const string NotePrefix = "ShippyarDr run ";
    private const string NoteSeparator = " | ";

    public static readonly IReadOnlyDictionary<LeftoverKind, string> Prefixes = new Dictionary<LeftoverKind, string>
    {
        [LeftoverKind.Staging] = "shippyar_restore_",
        [LeftoverKind.Scratch] = "shippyar_verify_",
        [LeftoverKind.Replaced] = "shippyar_replaced_",
        [LeftoverKind.TableData] = "shippyar_tabledata_",
    };

    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(TokenLength / 2)).ToLowerInvariant();

    public static string ApplicationName(string token) => ApplicationNamePrefix + token;

    /// <summary>The token of a run's session, from its application_name; null for any other session.</summary>
    public static string? TokenOfApplicationName(string? applicationName)
        => applicationName is not null && applicationName.StartsWith(ApplicationNamePrefix, StringComparison.Ordinal)
           && IsToken(applicationName.AsSpan(ApplicationNamePrefix.Length)) ? applicationName[ApplicationNamePrefix.Length..] : null;

    /// <summary>"&lt;prefix&gt;&lt;token&gt;_&lt;detail&gt;", the detail reduced to [a-z0-9_] and cut to PostgreSQL's 63 bytes.</summary>
    public static string DatabaseName(LeftoverKind kind, string token, string detail)
    {
        var name = Prefixes[kind] + token + "_" + new string(detail.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return name.Length > MaxIdentifierBytes ? name[..MaxIdentifierBytes] : name;
    }

    /// <summary>The kind and token of a database named by a run; the token is null for names from before tokens ("…_&lt;backup id&gt;").</summary>
    public static (LeftoverKind Kind, string? Token)? Parse(string database)
    {
        foreach (var (kind, prefix) in Prefixes)
        {
            if (!database.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = database.AsSpan(prefix.Length);
            var tokened = rest.Length > TokenLength && rest[TokenLength] == '_' && IsToken(rest[..TokenLength]);
            return (kind, tokened ? rest[..TokenLength].ToString() : null);
        }
        return null;
    }

    /// <summary>The comment a run puts on a database it creates: readable in \l+, and read back by <see cref="ParseNote"/>.</summary>
    public static string Note(LeftoverKind kind, string token, string backupId, string? target)
    {
        var note = new StringBuilder(NotePrefix).Append(token).Append(NoteSeparator).Append(kind).Append(NoteSeparator).Append("backup ").Append(backupId);
        if (target is not null) note.Append(NoteSeparator).Append("database ").Append(target);
        return note.ToString();
    }

    /// <summary>The backup id and target database from a run's comment (the target comes last: it may hold any character).</summary>
    public static (string? BackupId, string? Target) ParseNote(string? note)
    {
        if (note is null || !note.StartsWith(NotePrefix, StringComparison.Ordinal)) return (null, null);
        var parts = note.Split(NoteSeparator, 4);
        var backupId = parts.Length > 2 && parts[2].StartsWith("backup ", StringComparison.Ordinal) ? parts[2]["backup ".Length..] : null;
        var target = parts.Length > 3 && parts[3].StartsWith("database ", StringComparison.Ordinal) ? parts[3]["database ".Length..] : null;
        return (backupId, target);
    }

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.Length != TokenLength) return false;
        foreach (var c in s)
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }
}
