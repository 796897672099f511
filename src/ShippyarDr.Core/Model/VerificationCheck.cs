namespace ShippyarDr;

/// <summary>One check of a verification: what was checked, whether it held, and what was seen.</summary>
public sealed class VerificationCheck
{
    public string Name { get; set; } = "";
    public bool Passed { get; set; }
    public string Detail { get; set; } = "";
    public TimeSpan Duration { get; set; }
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: {Detail}";
}
