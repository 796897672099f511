using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// What PostgreSQL accepts as a database name: 1 to 63 bytes (NAMEDATALEN - 1) with no NUL. A longer name would be
/// truncated by the server with only a NOTICE, so a backup "of" it would silently be of another database.
/// </summary>
public static class DatabaseName
{
    public const int MaxBytes = 63;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && !name.Contains('\0') && Encoding.UTF8.GetByteCount(name) <= MaxBytes;

    public static string Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidDatabaseName, "A database name must not be empty.", name);
        if (name.Contains('\0'))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidDatabaseName, "A database name cannot contain a NUL character.", name);
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidDatabaseName,
                $"Database name '{name}' is {bytes} bytes long; PostgreSQL names are at most {MaxBytes} bytes (it would truncate this one to another name).", name);
        return name;
    }
}
