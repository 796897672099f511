using ShippyarDr.Diagnostics;

namespace ShippyarDr.DumpFormat;

/// <summary>The scanner's failures, all InvalidData, with the ErrorIds scripts rely on.</summary>
internal static class DumpFormatErrors
{
    public static ShippyarException NotCustom(string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.NotCustomArchive,
        $"This is not a pg_dump custom-format archive (pg_dump -Fc): {why}.");

    public static ShippyarException UnsupportedVersion(string version) => new(ShippyarErrorKind.InvalidData, ErrorIds.UnsupportedArchiveVersion,
        $"Archive format {version} is not supported: this reader knows formats 1.12 to 1.16 (pg_dump 9.0 to 17).");

    public static ShippyarException Truncated(long position, string? what = null) => new(ShippyarErrorKind.InvalidData, ErrorIds.ArchiveTruncated,
        $"The archive ends early, at byte {position}{(what is null ? "" : ", " + what)}: the dump was cut off or the file is incomplete.");

    public static ShippyarException Corrupt(long position, string what, Exception? inner = null) => new(ShippyarErrorKind.InvalidData, ErrorIds.ArchiveCorrupt,
        $"The archive is damaged near byte {position}: {what}.", inner: inner);
}
