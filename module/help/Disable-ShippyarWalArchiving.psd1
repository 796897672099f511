@{
    Synopsis    = 'Turns WAL archiving of a server off.'
    Description = @'
Resets archive_command and sets archive_mode = off with ALTER SYSTEM, then reloads the configuration. archive_mode changes at the next restart: until then the server keeps archive_mode on with no command, and keeps its WAL (RestartRequired in the result, and a warning). From then on no point-in-time recovery can reach past this moment, hence ConfirmImpact High.

Returns a ShippyarDr.WalArchivingState. Needs a superuser (or GRANT ALTER SYSTEM ON PARAMETER).
'@
    Parameters  = @{
        Server           = 'Server to configure, host or host:port.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password of a superuser.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'Stop archiving before retiring a server'
            Code    = 'Disable-ShippyarWalArchiving -Server db01 -Confirm:$false'
            Remarks = 'Restart the server afterwards for archive_mode = off to take effect.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Enable-ShippyarWalArchiving', 'Get-ShippyarWalArchive')
}
