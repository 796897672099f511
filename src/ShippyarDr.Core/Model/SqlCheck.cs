namespace ShippyarDr;

/// <summary>
/// A DBA's own integrity check for restore verification: a query returning one value, compared as text with
/// Expected (e.g. "SELECT count(*) FROM orders WHERE status = 'paid'" expecting "40000").
/// </summary>
public sealed class SqlCheck
{
    public SqlCheck() { }

    public SqlCheck(string name, string sql, string? expected)
    {
        Name = name;
        Sql = sql;
        Expected = expected;
    }

    public string Name { get; set; } = "";
    public string Sql { get; set; } = "";
    /// <summary>For cluster backups: the database the check runs in.</summary>
    public string? Database { get; set; }
    /// <summary>The expected value as text; null expects SQL NULL.</summary>
    public string? Expected { get; set; }
}
