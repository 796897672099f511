using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace ShippyarDr.Tools;

/// <summary>
/// Widens the pipe from pg_dump (64 KB by default on Linux) so each read takes up to a megabyte and pg_dump
/// blocks less often: fewer system calls and context switches on both sides, which on virtual machines are dear.
/// Best effort: other systems, or a limit below the request, keep the default.
/// </summary>
internal static partial class PipeCapacity
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    public const int Requested = 1024 * 1024;

    public static void TryWiden(Stream pipe)
    {
        if (!OperatingSystem.IsLinux() || pipe is not PipeStream { SafePipeHandle: var handle }) return;
        try
        {
            Fcntl((int)handle.DangerousGetHandle(), SetPipeSize, Requested);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc fcntl: the default size works, only slower.
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
