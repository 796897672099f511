using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Connection;

/// <summary>Opens Npgsql connections and turns their failures into errors a DBA can act on.</summary>
public static class PgSession
{
    public static NpgsqlConnection Open(PgConnectionInfo info, string database, CancellationToken cancel = default, string applicationName = "ShippyarDr")
    {
        var conn = new NpgsqlConnection(info.ToNpgsqlConnectionString(database, applicationName));
        try
        {
            conn.OpenAsync(cancel).GetAwaiter().GetResult();
            return conn;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            conn.Dispose();
            throw Translate(e, info, database);
        }
    }

    /// <summary>Maps connection failures onto stable error ids; messages name the server, never the password.</summary>
    public static ShippyarException Translate(Exception e, PgConnectionInfo info, string database)
    {
        if (e is PostgresException pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.AuthenticationFailed,
                        $"PostgreSQL at {info.DisplayName} refused the login of user '{info.Username}': {pg.MessageText}", info.DisplayName, pg),
                PostgresErrorCodes.InvalidCatalogName =>
                    new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.DatabaseNotFound,
                        $"Database '{database}' does not exist on {info.DisplayName}.", database, pg),
                _ => new ShippyarException(ShippyarErrorKind.ConnectionError, ErrorIds.ConnectionFailed,
                    $"Could not connect to database '{database}' on {info.DisplayName}: {pg.MessageText}", info.DisplayName, pg),
            };
        }
        // Npgsql's "No password has been provided but the backend requires one".
        if (e is NpgsqlException n && n.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            return new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.AuthenticationFailed,
                $"PostgreSQL at {info.DisplayName} asked user '{info.Username}' for a password and none was given (in the connection, PGPASSWORD or .pgpass).", info.DisplayName, e);
        }
        return new ShippyarException(ShippyarErrorKind.ConnectionError, ErrorIds.ServerUnreachable,
            $"Could not connect to PostgreSQL at {info.DisplayName}: {e.GetBaseException().Message}", info.DisplayName, e);
    }
}
