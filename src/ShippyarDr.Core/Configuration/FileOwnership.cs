using System.Runtime.InteropServices;

namespace ShippyarDr.Configuration;

/// <summary>
/// Who owns a file, and handing one to a group: what .NET does not offer (it knows modes, not owners). Linux only
/// (statx, whose layout is the same on every architecture); elsewhere <see cref="Stat"/> returns null and callers judge
/// by the mode alone.
/// </summary>
internal static unsafe partial class FileOwnership
{
    internal readonly record struct Status(uint Uid, uint Gid, UnixFileMode Mode, bool IsRegularFile, bool IsDirectory);

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int TypeMask = 0xF000, RegularFile = 0x8000, Directory = 0x4000;

    /// <summary>Owner, group, mode and type of <paramref name="path"/> (symbolic links followed); null where statx is not available.</summary>
    public static Status? Stat(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = stackalloc byte[256];
        int result;
        try { result = Statx(AtFdCwd, path, 0, StatxBasicStats, buffer); }
        catch (EntryPointNotFoundException) { return null; }
        if (result != 0) throw new IOException($"Cannot read the owner of {path} (errno {Marshal.GetLastPInvokeError()}).");
        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (u16) at 28.
        var uid = *(uint*)(buffer + 20);
        var gid = *(uint*)(buffer + 24);
        var mode = *(ushort*)(buffer + 28);
        return new Status(uid, gid, (UnixFileMode)(mode & 0xFFF), (mode & TypeMask) == RegularFile, (mode & TypeMask) == Directory);
    }

    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : GetEuid();

    /// <summary>The user name of <paramref name="uid"/>, or "uid N" when it has none.</summary>
    public static string UserName(uint uid)
    {
        var entry = GetPwUid(uid);
        // struct passwd starts with char *pw_name.
        return entry == IntPtr.Zero ? $"uid {uid}" : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry)) ?? $"uid {uid}";
    }

    /// <summary>The id of group <paramref name="name"/>; null when there is no such group.</summary>
    public static uint? GroupId(string name)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var entry = GetGrNam(name);
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
        return entry == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    /// <summary>Gives the file to group <paramref name="gid"/> (the owner stays); false when not allowed (not root, not a member).</summary>
    public static bool TryChangeGroup(string path, uint gid) => OperatingSystem.IsLinux() && Chown(path, uint.MaxValue, gid) == 0;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getpwuid")]
    private static partial IntPtr GetPwUid(uint uid);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGrNam(string name);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
