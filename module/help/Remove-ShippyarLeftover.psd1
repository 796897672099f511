@{
    Synopsis    = 'Drops leftover databases, deletes partial backups, and stops and deletes scratch clusters that Get-ShippyarLeftover found.'
    Description = @'
Each leftover is looked up again before it is removed. A database is dropped only if it still has one of the run prefixes, no live run owns it and nobody is connected to it; no session is ended to get there (a database that someone connects to in the meantime is not dropped). A leftover copy that is still marked as a template is unmarked first. A partial backup is deleted only if it still has no manifest and did not start within the last day. A scratch cluster is removed only if the verification that made it is gone: a server still running on it is stopped (fast shutdown, as its owner), then its directory is deleted.

A leftover that is in use gives a LeftoverInUse error and is left alone; one already gone gives LeftoverNotFound. Asks for confirmation for each (ConfirmImpact High); -Confirm:$false does not ask.
'@
    Parameters  = @{
        InputObject      = 'A ShippyarDr.Leftover, piped from Get-ShippyarLeftover.'
        Server           = 'Server holding the database. Defaults to the leftover''s own Server.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password for the server; the user must own the database or be a superuser.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'Clean up after a crashed restore'
            Code    = 'Get-ShippyarLeftover -Server db01 -Credential $cred | Where-Object InUse -eq $false | Remove-ShippyarLeftover -Credential $cred'
            Remarks = 'Asks before each drop; add -Confirm:$false in a runbook.'
        }
        @{
            Title   = 'Delete partial backups older than a day'
            Code    = 'Get-ShippyarLeftover -Repository /var/backups/pg | Where-Object InUse -eq $false | Remove-ShippyarLeftover -Confirm:$false'
            Remarks = ''
        }
    )
    Notes       = ''
    RelatedLinks = @('Get-ShippyarLeftover')
}
