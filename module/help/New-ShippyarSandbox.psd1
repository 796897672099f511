@{
    Synopsis    = 'Starts a throwaway PostgreSQL cluster on a free loopback port, optionally with sample data.'
    Description = @'
Runs initdb into a temporary directory and starts the server on 127.0.0.1 with password (SCRAM) authentication and a random superuser password. When run as root, the server runs as the unprivileged postgres account. -SampleScale loads the Shippyar sample schema (users, orders, order_items, shipments with foreign keys).

The output has Server, Port and Credential properties, so it pipes into the other cmdlets by property name. Remove it with Remove-ShippyarSandbox.
'@
    Parameters  = @{
        SampleScale    = 'Load the sample schema at this scale: 1 is about 100k orders (70 MB); fractions work.'
        SampleDatabase = 'Name of the sample database (default shippyar).'
        Port           = 'Port to listen on; a free one is chosen when omitted.'
    }
    Examples    = @(
        @{
            Title   = 'Try the module end to end without touching a real server'
            Code    = '$sandbox = New-ShippyarSandbox -SampleScale 0.1
$sandbox | Invoke-ShippyarBackup -Database shippyar -Repository /tmp/repo
$sandbox | Remove-ShippyarSandbox -Confirm:$false'
            Remarks = ''
        }
    )
    Notes       = 'Needs the PostgreSQL server binaries (initdb, pg_ctl) and psql.'
    RelatedLinks = @('Remove-ShippyarSandbox', 'Invoke-ShippyarBackup')
}
