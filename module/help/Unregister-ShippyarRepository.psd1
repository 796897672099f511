@{
    Synopsis    = 'Removes a repository''s registration; its backups stay where they are.'
    Description = @'
Removes the entry from the configuration file it is in (the one in effect, or the one of -Scope), rewriting the file atomically; a file whose default it was is left without a default. Asks for confirmation (ConfirmImpact High): archive_command may be using the name. Accepts names and Get-ShippyarRepository output from the pipeline.
'@
    Parameters  = @{
        Name  = 'The registered name. Accepts pipeline input, by value or by property name.'
        Scope = 'The scope to remove it from (Machine, User, Environment); by default the scope whose entry is in effect. Binds from Get-ShippyarRepository output.'
    }
    Examples    = @(
        @{
            Title   = 'Remove one registration without being asked'
            Code    = 'Unregister-ShippyarRepository -Name old-nas -Confirm:$false'
            Remarks = ''
        }
        @{
            Title   = 'Remove every user-scope registration of test repositories'
            Code    = 'Get-ShippyarRepository -Name test-* -Scope User | Unregister-ShippyarRepository'
            Remarks = 'Asks once per repository.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Get-ShippyarRepository', 'Register-ShippyarRepository')
}
