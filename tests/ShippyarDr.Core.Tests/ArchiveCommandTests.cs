using ShippyarDr.Configuration;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Server;

namespace ShippyarDr.Core.Tests;

/// <summary>The archive_command Enable-ShippyarWalArchiving writes: quoting for sh and PostgreSQL's %, and names only.</summary>
public sealed class ArchiveCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Paths_are_quoted_for_the_shell_and_percent_signs_escaped_for_PostgreSQL()
    {
        Assert.Equal("\"/opt/shippyar/bin/shippyar-dr\"", ArchiveCommand.Quote("/opt/shippyar/bin/shippyar-dr"));
        Assert.Equal("\"/opt/a \\\"b\\\" \\$HOME \\`x\\` 100%%/cli\"", ArchiveCommand.Quote("/opt/a \"b\" $HOME `x` 100%/cli"));
    }

    [Fact]
    public void The_command_names_the_registered_repository_and_its_configuration_file_unless_machine_wide()
    {
        var file = Path.Combine(_dir.Path, "repositories.json");
        var registry = RepositoryRegistry.Load(new ConfigurationPaths(null, null, file));
        registry.Register(new RepositoryRegistration { Name = "prod", Location = _dir.Path }, ConfigurationScope.Environment);
        var registered = ArchiveCommand.Registered(registry, "prod");
        Assert.Equal($"SHIPPYAR_CONFIG=\"{file}\" \"/opt/cli\" wal-push \"%p\" --repository prod", ArchiveCommand.For("/opt/cli", registered));
        foreach (var notAName in new[] { _dir.Path, "./prod", "s3://bucket/prefix", "..", "~" })
            Assert.Equal(ErrorIds.ArchivingNeedsRegisteredName, Assert.Throws<ShippyarException>(() => ArchiveCommand.Registered(registry, notAName)).ErrorId);
        Assert.Equal(ErrorIds.RepositoryNameUnknown, Assert.Throws<ShippyarException>(() => ArchiveCommand.Registered(registry, "other")).ErrorId);
    }
}
