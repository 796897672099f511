using System.Globalization;
using System.Text.RegularExpressions;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Recovery;

public enum RecoveryTargetKind
{
    /// <summary>Replay everything the archive holds.</summary>
    Latest,
    Time,
    Lsn,
    Xid,
    /// <summary>A restore point made with pg_create_restore_point.</summary>
    Name,
}

/// <summary>
/// Where a point-in-time recovery stops: the end of the archive, a time, an LSN, a transaction id or a named restore
/// point. Checked here, so a typo is an error before anything is restored rather than a server that will not start.
/// </summary>
public sealed partial record RecoveryTarget(RecoveryTargetKind Kind, string? Value)
{
    public static readonly RecoveryTarget Latest = new(RecoveryTargetKind.Latest, null);

    public static RecoveryTarget AtTime(DateTimeOffset time) => new(RecoveryTargetKind.Time, time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture));

    public static RecoveryTarget AtLsn(string lsn) => LsnShape().IsMatch(lsn) ? new(RecoveryTargetKind.Lsn, lsn.ToUpperInvariant())
        : throw Invalid($"'{lsn}' is not an LSN (two hexadecimal numbers joined by a slash, e.g. 0/3000090)");

    public static RecoveryTarget AtXid(ulong xid) => xid >= 3 ? new(RecoveryTargetKind.Xid, xid.ToString(CultureInfo.InvariantCulture))
        : throw Invalid($"{xid} is not a normal transaction id (3 or more)");

    public static RecoveryTarget AtName(string name) => !string.IsNullOrWhiteSpace(name) && System.Text.Encoding.UTF8.GetByteCount(name) <= Server.RestorePoints.MaxNameBytes
        ? new(RecoveryTargetKind.Name, name)
        : throw Invalid($"'{name}' is not a restore point name (1 to {Server.RestorePoints.MaxNameBytes} bytes)");

    /// <summary>The recovery_target_* setting that says it (none for Latest).</summary>
    public (string Name, string Value)? Setting => Kind switch
    {
        RecoveryTargetKind.Time => ("recovery_target_time", Value!),
        RecoveryTargetKind.Lsn => ("recovery_target_lsn", Value!),
        RecoveryTargetKind.Xid => ("recovery_target_xid", Value!),
        RecoveryTargetKind.Name => ("recovery_target_name", Value!),
        _ => null,
    };

    public override string ToString() => Kind == RecoveryTargetKind.Latest ? "latest" : $"{Kind.ToString().ToLowerInvariant()} {Value}";

    private static ShippyarException Invalid(string why) => new(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRecoveryTarget, $"Not a recovery target: {why}.");

    [GeneratedRegex(@"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$", RegexOptions.CultureInvariant)]
    private static partial Regex LsnShape();
}
