using System.Text;

namespace ShippyarDr.Connection;

/// <summary>
/// libpq's password file (~/.pgpass or PGPASSFILE), read the way libpq reads it, so Npgsql connections behave
/// exactly like the pg_dump/pg_restore they sit beside: a missing file is ignored, a file readable by group or
/// others is ignored, lines are host:port:database:user:password with '*' wildcards and '\' escapes, the first
/// matching line wins.
/// </summary>
public static class PgPassFile
{
    public static string? DefaultPath()
    {
        var configured = Environment.GetEnvironmentVariable("PGPASSFILE");
        if (!string.IsNullOrEmpty(configured)) return configured;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".pgpass");
    }

    public static string? Lookup(string? path, string host, int port, string database, string user)
    {
        if (path is null || !File.Exists(path)) return null;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            return null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = Split(line);
            if (fields.Count < 5) continue;
            if (Matches(fields[0], host) && Matches(fields[1], port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                && Matches(fields[2], database) && Matches(fields[3], user))
                return fields[4];
        }
        return null;
    }

    private static bool Matches(string pattern, string value) => pattern == "*" || pattern == value;

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length) current.Append(line[++i]);
            else if (c == ':' && fields.Count < 4) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
