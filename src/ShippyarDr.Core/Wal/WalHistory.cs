using System.Globalization;
using System.Text;

namespace ShippyarDr.Wal;

/// <summary>One line of a timeline history file: the parent timeline, the LSN at which the child branched off it, and why.</summary>
public sealed record WalTimelineSwitch(uint ParentTimeline, ulong SwitchLsn, string Reason)
{
    /// <summary>A history file's content ("1\t0/3000158\tno recovery target specified" lines; '#' comments and blank lines skipped).</summary>
    public static IReadOnlyList<WalTimelineSwitch> Parse(byte[] content)
    {
        var switches = new List<WalTimelineSwitch>();
        foreach (var raw in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split('\t', 3);
            if (parts.Length < 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)) continue;
            switches.Add(new WalTimelineSwitch(parent, WalFileName.ParseLsn(parts[1].Trim()), parts.Length > 2 ? parts[2].Trim() : ""));
        }
        return switches;
    }
}
