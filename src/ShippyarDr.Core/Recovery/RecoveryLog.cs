using System.Globalization;
using System.Text.RegularExpressions;

namespace ShippyarDr.Recovery;

/// <summary>
/// Reads where a recovery ended from the server's log (the messages PostgreSQL logs at LOG level at the end of
/// recovery): read this way it needs no login, so the restored cluster's pg_hba.conf stays as the DBA had it.
/// </summary>
public static partial class RecoveryLog
{
    public static RecoveryPoint Read(string logFile)
    {
        int? timeline = null;
        string? lsn = null, stoppedBy = null;
        DateTimeOffset? last = null;
        var segments = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> lines;
        try { lines = File.ReadAllLines(logFile); }
        catch (IOException) { return new RecoveryPoint(); }
        catch (UnauthorizedAccessException) { return new RecoveryPoint(); }
        foreach (var line in lines)
        {
            Match m;
            if ((m = Restored().Match(line)).Success) segments.Add(m.Groups[1].Value);
            else if ((m = RedoDone().Match(line)).Success) lsn = m.Groups[1].Value;
            else if ((m = NewTimeline().Match(line)).Success) timeline = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            else if ((m = LastTransaction().Match(line)).Success) last = ParseTime(m.Groups[1].Value);
            // The time a "stopping before" line names is of the transaction not replayed: the last replayed one is the line below.
            else if ((m = Stopping().Match(line)).Success) stoppedBy = m.Groups[0].Value.Trim();
        }
        return new RecoveryPoint { Timeline = timeline, Lsn = lsn, LastTransactionTime = last, StoppedBy = stoppedBy, SegmentsReplayed = segments.Count, LastSegment = segments.Max(StringComparer.Ordinal) };
    }

    /// <summary>PostgreSQL's timestamptz_to_str: "2026-12-01 11:52:03.123456+00" (the offset may have minutes, or a zone abbreviation when log_timezone is not numeric).</summary>
    internal static DateTimeOffset? ParseTime(string text)
    {
        var t = text.Trim();
        if (Regex.IsMatch(t, @"[+-]\d\d$")) t += ":00";
        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v : null;
    }

    [GeneratedRegex(@"restored log file ""([0-9A-F]{24})"" from archive", RegexOptions.CultureInvariant)]
    private static partial Regex Restored();

    [GeneratedRegex(@"redo done at ([0-9A-F]+/[0-9A-F]+)", RegexOptions.CultureInvariant)]
    private static partial Regex RedoDone();

    [GeneratedRegex(@"selected new timeline ID: (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex NewTimeline();

    [GeneratedRegex(@"last completed transaction was at log time (.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LastTransaction();

    [GeneratedRegex(@"recovery stopping (?:before|after|at) .+$", RegexOptions.CultureInvariant)]
    private static partial Regex Stopping();
}
