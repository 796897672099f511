using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// How tools are started so they die with this process (the kill tests themselves run in Pester, which can kill a
/// whole pwsh): through setpriv, from one long-lived thread, keeping the tool's own pid.
/// </summary>
public sealed class ChildProcessTests
{
    private static readonly PgTool Sleep = new("sleep", "/bin/sleep", "", 0);

    private static string Comm(int pid) => File.ReadAllText($"/proc/{pid}/comm").Trim();

    [Fact]
    public void A_tool_started_from_a_thread_that_has_ended_keeps_running_and_its_pid_is_the_tools()
    {
        // Debian has util-linux: without setpriv this test would prove nothing.
        Assert.True(ChildProcesses.DieWithParent, "setpriv --pdeathsig is not available");
        PgProcess? process = null;
        var starter = new Thread(() => process = PgProcess.Start(Sleep, new[] { "30" }, new Dictionary<string, string>()));
        starter.Start();
        starter.Join();
        using var started = process!;

        // Linux sends the parent-death signal when the forking *thread* ends: started from the thread above, the
        // tool would already be dead.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Comm(started.ProcessId) != "sleep" && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Thread.Sleep(500);
        Assert.False(started.HasExited);
        // setpriv exec'd the tool, so killing "the process" kills the tool itself.
        Assert.Equal("sleep", Comm(started.ProcessId));
        started.Kill();
        Assert.True(started.ExitsWithin(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_tool_gets_its_arguments_and_environment_unchanged_behind_setpriv()
    {
        var sh = new PgTool("sh", "/bin/sh", "", 0);
        using var p = PgProcess.Start(sh, new[] { "-c", "printf '%s|%s' \"$1\" \"$SHIPPYAR_TEST_VALUE\" >&2", "sh", "--an argument with spaces" },
            new Dictionary<string, string> { ["SHIPPYAR_TEST_VALUE"] = "from the environment" });
        Assert.Equal("--an argument with spaces|from the environment", p.WaitForSuccess("sh"));
    }
}
