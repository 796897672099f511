using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The scratch directories of base backup verifications as leftovers: owned while the run that made them holds them,
/// a leftover once it is over, and removed (with a warning) by the next verification. The killed-process case, with a
/// scratch server still running, is in tests/pester/Leftover.Tests.ps1.
/// </summary>
public sealed class ScratchClusterLeftoverTests
{
    [Fact]
    public void A_scratch_directory_is_owned_while_held_and_removed_by_the_next_run_once_released()
    {
        var (root, hold) = ScratchClusterLeftovers.Create("20261201-120000B-0a1b2c3d");
        try
        {
            var held = Assert.Single(ScratchClusterLeftovers.Find(), l => l.Name == root);
            Assert.Equal((LeftoverKind.ScratchCluster, "20261201-120000B-0a1b2c3d", true, null), (held.Kind, held.BackupId, held.OwnedByLiveRun, held.Server));
            var reporter = new RecordingReporter();
            ScratchClusterLeftovers.RemoveDead(reporter);
            Assert.True(Directory.Exists(root));
            Assert.Equal(ErrorIds.LeftoverInUse, Assert.Throws<ShippyarException>(() => ScratchClusterLeftovers.Remove(root)).ErrorId);

            hold.Dispose();
            Assert.False(Assert.Single(ScratchClusterLeftovers.Find(), l => l.Name == root).OwnedByLiveRun);
            ScratchClusterLeftovers.RemoveDead(reporter);
            Assert.False(Directory.Exists(root));
            Assert.Contains(reporter.Warnings, w => w.Contains($"Removed {root}", StringComparison.Ordinal) && w.Contains("20261201-120000B-0a1b2c3d", StringComparison.Ordinal));
            Assert.Equal(ErrorIds.LeftoverNotFound, Assert.Throws<ShippyarException>(() => ScratchClusterLeftovers.Remove(root)).ErrorId);
        }
        finally
        {
            hold.Dispose();
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
