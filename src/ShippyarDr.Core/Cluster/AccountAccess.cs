using System.Globalization;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Cluster;

/// <summary>
/// Whether an OS account can read (and execute) a file, judged as the kernel would by the modes and owners of the file
/// and of every directory above it (each must be traversable), for that account's user and groups: so that a setting
/// that another account will use (archive_command, run by the server's account) fails when it is made, not silently
/// later in the server's log. ACLs are not read. Linux only (elsewhere nothing is checked).
/// </summary>
public static class AccountAccess
{
    /// <summary>A file the account needs: to read it, and with <see cref="Execute"/> to run it.</summary>
    public sealed record Need(string Path, string What, bool Execute = false);

    /// <summary>ServerAccountCannotAccess, naming every need <paramref name="account"/> cannot meet and why.</summary>
    public static void Require(string account, IEnumerable<Need> needs)
    {
        if (!OperatingSystem.IsLinux()) return;
        var (uid, groups) = Identity(account);
        var problems = needs.Select(n => Problem(uid, groups, n)).Where(p => p is not null).ToList();
        if (problems.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.ServerAccountCannotAccess,
                $"The OS account {account}, which runs the server and so the archive command, cannot use what the command needs: {string.Join("; ", problems)}.", account);
    }

    /// <summary>Why the account cannot meet <paramref name="need"/>; null when it can.</summary>
    public static string? Problem(uint uid, IReadOnlySet<uint> groups, Need need)
    {
        var full = ConfigurationFile.RealPath(need.Path);
        var directory = Path.GetDirectoryName(full);
        var ancestors = new Stack<string>();
        for (var d = directory; d is not null; d = Path.GetDirectoryName(d)) ancestors.Push(d);
        foreach (var dir in ancestors)
        {
            if (Stat(dir) is not { } s) return $"{need.What} {full}: {dir} does not exist";
            if (!Allowed(s, uid, groups, execute: true, isFile: false))
                return $"{need.What} {full}: the directory {dir} (mode {Octal(s.Mode)}, owner {FileOwnership.UserName(s.Uid)}) cannot be entered";
        }
        if (Stat(full) is not { } f) return $"{need.What} {full} does not exist";
        if (!Allowed(f, uid, groups, execute: false, isFile: true))
            return $"{need.What} {full} (mode {Octal(f.Mode)}, owner {FileOwnership.UserName(f.Uid)}) cannot be read";
        if (need.Execute && !Allowed(f, uid, groups, execute: true, isFile: true))
            return $"{need.What} {full} (mode {Octal(f.Mode)}) cannot be executed";
        return null;
    }

    private static FileOwnership.Status? Stat(string path)
    {
        try { return FileOwnership.Stat(path); }
        catch (IOException) { return null; }
    }

    /// <summary>Owner bits for the owner, group bits for a member, others' bits otherwise; root passes all but executing a file nobody may execute.</summary>
    private static bool Allowed(FileOwnership.Status s, uint uid, IReadOnlySet<uint> groups, bool execute, bool isFile)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (uid == 0) return !(execute && isFile) || (s.Mode & anyExecute) != 0;
        var (read, exec) = s.Uid == uid ? (UnixFileMode.UserRead, UnixFileMode.UserExecute)
            : groups.Contains(s.Gid) ? (UnixFileMode.GroupRead, UnixFileMode.GroupExecute)
            : (UnixFileMode.OtherRead, UnixFileMode.OtherExecute);
        return (s.Mode & (execute ? exec : read)) != 0;
    }

    /// <summary>The account's user id and every group it is in (id -u, id -G).</summary>
    private static (uint Uid, IReadOnlySet<uint> Groups) Identity(string account)
    {
        try
        {
            var uid = uint.Parse(ServerAccount.Run("id", "-u", account).Trim(), CultureInfo.InvariantCulture);
            var groups = ServerAccount.Run("id", "-G", account).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(g => uint.Parse(g, CultureInfo.InvariantCulture)).ToHashSet();
            return (uid, groups);
        }
        catch (InvalidOperationException)
        {
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.ServerAccountUnavailable, $"There is no OS account '{account}'.", account);
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}
