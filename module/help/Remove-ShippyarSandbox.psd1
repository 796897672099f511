@{
    Synopsis    = 'Stops a sandbox PostgreSQL cluster and deletes its files.'
    Description = 'Stops the server started by New-ShippyarSandbox (fast shutdown) and deletes its temporary directory.'
    Parameters  = @{
        InputObject = 'The sandbox returned by New-ShippyarSandbox.'
    }
    Examples    = @(
        @{
            Title   = 'Clean up after a drill'
            Code    = '$sandbox | Remove-ShippyarSandbox -Confirm:$false'
            Remarks = ''
        }
    )
    Notes       = ''
    RelatedLinks = @('New-ShippyarSandbox')
}
