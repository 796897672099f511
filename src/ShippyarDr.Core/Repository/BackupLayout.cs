using System.Text.RegularExpressions;
using ShippyarDr.Backup;

namespace ShippyarDr.Repository;

/// <summary>
/// Where things sit in a repository (format 2):
/// <code>
///   repository.json                    the descriptor (format, system identifiers seen, authenticated or not)
///   backup/db/&lt;name&gt;/&lt;id&gt;/&lt;file&gt;    one database (Daily, Safety); the name encoded by NameEncoding
///   backup/cluster/&lt;id&gt;/&lt;file&gt;       the whole cluster (Weekly)
///   wal/                               reserved for the WAL archive, never walked when backups are listed
///   audit/&lt;yyyy&gt;/&lt;mm&gt;/&lt;time&gt;-&lt;id&gt;.json  the audit log when no catalog database is registered (one object per record)
///   verification/&lt;backup folder&gt;/     verification records of a backup (its folder without "backup/")
///   retention/lock.json                the lock of a running retention
/// </code>
/// Format 1 (before) kept "&lt;database&gt;/&lt;id&gt;/&lt;file&gt;" and "_cluster/&lt;id&gt;/&lt;file&gt;" at the root; those are still
/// read, never written. Every key is built here from parts that were checked, so no manifest can name a key
/// outside its own backup folder.
/// </summary>
public static partial class BackupLayout
{
    public const string ManifestName = "manifest.json";
    public const string SignatureName = ManifestName + ".sig";
    public const string MacName = ManifestName + ".mac";
    /// <summary>Written first and removed last: who is writing the backup, so a killed run's leftovers can be told apart.</summary>
    public const string LeaseName = "in-progress.json";
    public const string DumpName = "data.dump";
    public const string GlobalsName = "globals.sql";
    /// <summary>The chunk digests of a stored object sit beside it under its name plus this suffix.</summary>
    public const string ChunksSuffix = ".chunks";
    public const string DescriptorName = "repository.json";
    public const string BackupRoot = "backup/";
    public const string WalRoot = "wal/";
    /// <summary>The audit log (Audit/RepositoryAuditStore), never walked when backups are listed.</summary>
    public const string AuditRoot = "audit/";
    /// <summary>Verification records (VerificationRecords), one folder per backup, outside the backup's own folder.</summary>
    public const string VerificationRoot = "verification/";
    /// <summary>What retention keeps for itself: its lock (RetentionLock).</summary>
    public const string RetentionRoot = "retention/";
    /// <summary>The database a format 1 cluster backup was filed under.</summary>
    public const string LegacyClusterPrefix = "_cluster";
    private const string DatabaseFolder = BackupRoot + "db/";
    /// <summary>The folder holding every format 2 cluster backup.</summary>
    public const string ClusterPrefix = BackupRoot + "cluster/";

    /// <summary>The folder of a new backup.</summary>
    public static string NewPrefix(bool cluster, string database, string id)
    {
        if (!BackupId.IsValid(id)) throw new ArgumentException($"'{id}' is not a backup id.", nameof(id));
        return cluster ? $"{ClusterPrefix}{id}/" : $"{DatabasePrefix(database)}{id}/";
    }

    /// <summary>The folder holding every format 2 backup of one database.</summary>
    public static string DatabasePrefix(string database) => $"{DatabaseFolder}{NameEncoding.Encode(DatabaseName.Check(database))}/";

    /// <summary>The folder of a backup: where it was read from, or where a new one goes.</summary>
    public static string PrefixOf(BackupInfo backup) => backup.Prefix ?? NewPrefix(backup.IsCluster, backup.Database, backup.Id);

    /// <summary>The folder of a backup's verification records: its own folder moved under verification/.</summary>
    public static string VerificationPrefix(BackupInfo backup) => VerificationPrefix(PrefixOf(backup));

    public static string VerificationPrefix(string backupPrefix)
        => VerificationRoot + (backupPrefix.StartsWith(BackupRoot, StringComparison.Ordinal) ? backupPrefix[BackupRoot.Length..] : "legacy/" + backupPrefix);

    /// <summary>The key of one of a backup's objects; the name must be a plain file name.</summary>
    public static string Key(BackupInfo backup, string file) => PrefixOf(backup) + CheckFileName(file);

    public static string ChunksName(string file) => file + ChunksSuffix;

    /// <summary>A name for a cluster backup's archive of one database: numbered, since database names may hold any character.</summary>
    public static string ClusterDumpName(int index, string database)
    {
        var safe = new string(database.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        return $"{index:D3}-{(safe.Length > 40 ? safe[..40] : safe)}.dump";
    }

    /// <summary>A file name inside a backup folder: letters, digits, '.', '_' and '-', starting with a letter or digit, no "..".</summary>
    public static bool IsFileName(string? name) => name is not null && FileNameShape().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    public static string CheckFileName(string name) => IsFileName(name) ? name
        : throw new ArgumentException($"'{name}' is not a backup file name.", nameof(name));

    /// <summary>Splits a format 2 key ("backup/…") into its backup folder and file; null for any other key.</summary>
    public static BackupKey? Parse(string key)
    {
        var parts = key.Split('/');
        if (parts.Length == 5 && parts[0] == "backup" && parts[1] == "db" && BackupId.IsValid(parts[3]) && IsFileName(parts[4]))
            return NameEncoding.Decode(parts[2]) is { } database
                ? new BackupKey($"{DatabaseFolder}{parts[2]}/{parts[3]}/", parts[3], database, false, parts[4], Legacy: false)
                : null;
        if (parts.Length == 4 && parts[0] == "backup" && parts[1] == "cluster" && BackupId.IsValid(parts[2]) && IsFileName(parts[3]))
            return new BackupKey($"{ClusterPrefix}{parts[2]}/", parts[2], null, true, parts[3], Legacy: false);
        return null;
    }

    /// <summary>
    /// Splits a format 1 key ("&lt;database&gt;/&lt;id&gt;/&lt;file&gt;") into its parts. The database was written unencoded, so a
    /// name with slashes spans several segments ("a/b/&lt;id&gt;/manifest.json") and "." left none ("&lt;id&gt;/manifest.json").
    /// </summary>
    public static BackupKey? ParseLegacy(string key)
    {
        var parts = key.Split('/');
        if (parts.Length < 2 || !BackupId.IsValid(parts[^2]) || !IsFileName(parts[^1])) return null;
        var database = parts.Length == 2 ? "." : string.Join('/', parts[..^2]);
        // A format 1 database named "backup" shares its folder with format 2 ("backup/<id>/…" has no "db" or "cluster"
        // level, so it cannot be mistaken for it); one named "wal", "audit", "verification" or "retention" is not read: those folders are the WAL archive's, the audit log's and retention's.
        if (!DatabaseName.IsValid(database) || parts[0] is "wal" or "audit" or "verification" or "retention" || (parts[0] == "backup" && parts.Length != 3)) return null;
        var prefix = string.Join('/', parts[..^1]) + "/";
        return database == LegacyClusterPrefix
            ? new BackupKey(prefix, parts[^2], null, true, parts[^1], Legacy: true)
            : new BackupKey(prefix, parts[^2], database, false, parts[^1], Legacy: true);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameShape();
}

/// <summary>One key of a backup folder: the folder (prefix), the backup id, the database (null for the cluster) and the file.</summary>
public sealed record BackupKey(string Prefix, string Id, string? Database, bool IsCluster, string File, bool Legacy);
