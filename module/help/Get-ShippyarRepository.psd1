@{
    Synopsis    = 'Lists the registered repositories.'
    Description = @'
Returns one ShippyarDr.RegisteredRepository per registered repository in effect, by name: Name, Location, Scope (Machine, User, or Environment for the file SHIPPYAR_CONFIG names), IsDefault, ConfigurationFile, Encryption, SigningKeyFile, SignerKeyFiles, SecretKeyFile, S3Endpoint, S3Credentials and the whole Registration. A user's entry hides a machine entry of the same name; -Scope Machine shows the machine file's entries anyway.

A configuration file that group or others may write, that another user owns, or that is malformed is an error naming the file (ConfigurationInsecure, ConfigurationInvalid).
'@
    Parameters  = @{
        Name  = 'Only these names; wildcards are allowed. A name without wildcards that is not registered is an error (RepositoryNameUnknown).'
        Scope = 'Every entry of this scope''s file: Machine, User, or Environment (the file SHIPPYAR_CONFIG names).'
    }
    Examples    = @(
        @{
            Title   = 'What is registered, and which one is the default'
            Code    = 'Get-ShippyarRepository'
            Remarks = 'The Default column marks the default repository with *.'
        }
        @{
            Title   = 'The machine-wide registrations archive_command sees'
            Code    = 'Get-ShippyarRepository -Scope Machine | Format-List Name, Location, Encryption, SigningKeyFile, ConfigurationFile'
            Remarks = ''
        }
    )
    Notes       = ''
    RelatedLinks = @('Register-ShippyarRepository', 'Unregister-ShippyarRepository')
}
