namespace ShippyarDr.Configuration;

/// <summary>Which configuration file a registered repository is in.</summary>
public enum ConfigurationScope
{
    /// <summary>/etc/shippyar/repositories.json: shared with the postgres OS user, which runs archive_command.</summary>
    Machine,
    /// <summary>The user's own: $XDG_CONFIG_HOME/shippyar/repositories.json (else ~/.config/shippyar/…).</summary>
    User,
    /// <summary>The one file SHIPPYAR_CONFIG names, which replaces both others while it is set.</summary>
    Environment,
}
