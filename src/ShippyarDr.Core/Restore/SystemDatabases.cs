using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Restore;

/// <summary>
/// Databases a restore must not simply replace. template0 and template1 never: every CREATE DATABASE copies
/// template1, so a restore over it would put the backup into each new database, and a template cannot be dropped.
/// Any other database marked as a template neither, for the same reason. postgres only when asked for explicitly:
/// tools and monitoring connect to it.
/// </summary>
public static class SystemDatabases
{
    public const string Postgres = "postgres";

    public static bool IsTemplateName(string database) => database is "template0" or "template1";

    /// <summary>Refusal of a restore target by name alone, before anything is touched; null when the name is fine.</summary>
    public static ShippyarException? RefuseByName(string target, string server)
        => IsTemplateName(target) ? TemplateRefusal(target, server) : null;

    /// <summary>Refusal to replace the existing database <paramref name="target"/>; null when it may be replaced.</summary>
    public static ShippyarException? RefuseReplacing(string target, string server, bool replacePostgres, bool isTemplate)
    {
        if (IsTemplateName(target) || isTemplate) return TemplateRefusal(target, server);
        if (target == Postgres && !replacePostgres)
            return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.PostgresDatabaseTarget,
                $"Replacing the postgres database on {server} must be asked for explicitly (force): tools and monitoring connect to it. Restore into another name to look at the backup.", target);
        return null;
    }

    internal static ShippyarException? RefuseReplacing(NpgsqlConnection conn, string target, string server, bool replacePostgres)
        => RefuseReplacing(target, server, replacePostgres, DatabaseInspector.IsTemplate(conn, target));

    private static ShippyarException TemplateRefusal(string target, string server) => new(ShippyarErrorKind.InvalidArgument, ErrorIds.TemplateDatabaseTarget,
        $"'{target}' is a template database on {server}: restoring over it would make the backup the template of new databases, and the copy it replaced could not be dropped. Restore into another name; nothing was changed.", target);
}
