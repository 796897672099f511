using System.Globalization;

namespace ShippyarDr.Wal;

/// <summary>WAL positions as PostgreSQL prints them ("0/2000028"); the segments they fall in are <see cref="WalFileName"/>'s.</summary>
public static class WalPosition
{
    public static bool TryParse(string? text, out ulong lsn)
    {
        lsn = 0;
        var parts = text?.Split('/');
        if (parts is not { Length: 2 }
            || !uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hi)
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var lo)) return false;
        lsn = ((ulong)hi << 32) | lo;
        return true;
    }

    public static ulong Parse(string text) => TryParse(text, out var lsn) ? lsn : throw new FormatException($"'{text}' is not a WAL position.");

    public static string Format(ulong lsn) => $"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}";
}
