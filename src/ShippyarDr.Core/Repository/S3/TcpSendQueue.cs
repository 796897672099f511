using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// Bytes written to a TCP socket that the peer has not acknowledged yet (Linux SIOCOUTQ). A write returns once its
/// bytes are in the kernel's send buffer, which can hold megabytes: on a slow link the upload keeps moving long
/// after the last write returned, and only this queue shrinking shows it. -1 where it cannot be known.
/// </summary>
internal static partial class TcpSendQueue
{
    private const nuint SiocOutq = 0x5411; // TIOCOUTQ in asm-generic, which x86, x64 and Arm use

    private static readonly bool Supported = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64 or Architecture.X86 or Architecture.Arm;

    public static int Unacknowledged(Socket socket)
    {
        if (!Supported) return -1;
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Ioctl((int)handle.DangerousGetHandle(), SiocOutq, out var bytes) == 0 ? bytes : -1;
        }
        catch (Exception e) when (e is ObjectDisposedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, out int value);
}
