namespace ShippyarDr;

/// <summary>One least-privilege role as Initialize-style setup left it (or, planned only, would leave it).</summary>
public sealed class RoleSetup
{
    public string Name { get; set; } = "";
    /// <summary>"Backup" or "Recovery": which jobs the role is for.</summary>
    public string Purpose { get; set; } = "";
    /// <summary>host:port of the server.</summary>
    public string Server { get; set; } = "";
    /// <summary>"Created", "Updated" (privileges were missing and are now granted) or "Unchanged".</summary>
    public string Action { get; set; } = "";
    /// <summary>The statements run (or, when only planned, to be run): empty when the role already had everything.</summary>
    public List<string> Grants { get; set; } = new();
    /// <summary>False when the statements were only planned, not run.</summary>
    public bool Applied { get; set; }
    public override string ToString() => $"{Name} ({Action})";
}
