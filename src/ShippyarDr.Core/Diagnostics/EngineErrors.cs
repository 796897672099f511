using Npgsql;

namespace ShippyarDr.Diagnostics;

/// <summary>
/// Translates library exceptions (Npgsql) into ShippyarExceptions, so hosts never need the libraries' types
/// (the cmdlet assembly cannot see them: they live in the engine's load context).
/// </summary>
public static class EngineErrors
{
    public static ShippyarException? Translate(Exception e) => e switch
    {
        ShippyarException s => s,
        PostgresException pg => new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.PostgresError,
            $"PostgreSQL error {pg.SqlState}: {pg.MessageText}", pg.TableName ?? pg.ConstraintName, pg),
        NpgsqlException n => new ShippyarException(ShippyarErrorKind.ConnectionError, ErrorIds.NpgsqlError, n.Message, null, n),
        _ => null,
    };
}
