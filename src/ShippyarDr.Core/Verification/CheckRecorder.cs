using System.Diagnostics;

namespace ShippyarDr.Verification;

/// <summary>Times a check and records it; an exception inside a check is a failed check, not a failed verification.</summary>
internal sealed class CheckRecorder
{
    public List<VerificationCheck> Checks { get; } = new();

    public bool Run(string name, Func<(bool Passed, string Detail)> check)
    {
        var clock = Stopwatch.StartNew();
        (bool Passed, string Detail) outcome;
        try
        {
            outcome = check();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = (false, Diagnostics.SecretRedactor.Redact(e.Message));
        }
        Checks.Add(new VerificationCheck { Name = name, Passed = outcome.Passed, Detail = outcome.Detail, Duration = clock.Elapsed });
        return outcome.Passed;
    }

    public void Add(string name, bool passed, string detail, TimeSpan duration = default)
        => Checks.Add(new VerificationCheck { Name = name, Passed = passed, Detail = detail, Duration = duration });
}
