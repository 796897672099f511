namespace ShippyarDr.Repository;

/// <summary>Where a backup's objects sit in a repository: "&lt;database&gt;/&lt;id&gt;/…", manifest last.</summary>
public static class BackupLayout
{
    public const string ManifestName = "manifest.json";
    public const string DumpName = "data.dump";
    public const string GlobalsName = "globals.sql";

    /// <summary>A cluster backup's archive of one database: numbered, since database names may hold any character.</summary>
    public static string ClusterDumpName(int index, string database)
    {
        var safe = new string(database.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        return $"{index:D3}-{(safe.Length > 40 ? safe[..40] : safe)}.dump";
    }

    public static string Prefix(string database, string id) => $"{database}/{id}/";
    public static string Key(string database, string id, string file) => Prefix(database, id) + file;
    public static string ManifestKey(string database, string id) => Key(database, id, ManifestName);

    /// <summary>Splits "db/id/file" into its parts; null for keys of another shape.</summary>
    public static (string Database, string Id, string File)? Parse(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3 ? (parts[0], parts[1], parts[2]) : null;
    }
}
