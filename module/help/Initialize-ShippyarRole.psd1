@{
    Synopsis    = 'Creates or completes the least-privilege backup and recovery group roles, so that no scheduled job needs a superuser.'
    Description = @'
Creates two NOLOGIN group roles, or grants an existing one what it lacks; a second run changes nothing and says Unchanged.

The backup role gets CONNECT on every database that accepts connections (granted to the role itself, so revoking it from PUBLIC does not break backups), membership in pg_read_all_data (PostgreSQL 14 and later), and EXECUTE on pg_backup_start, pg_backup_stop, pg_switch_wal and pg_create_restore_point. That is what Invoke-ShippyarBackup -Tier Daily and New-ShippyarRestorePoint need. With -Physical it also gets REPLICATION, which base backups (-Tier Base) use. REPLICATION is a role attribute, and PostgreSQL does not pass attributes on through membership: the login that takes base backups needs it too (ALTER ROLE <login> REPLICATION), and pg_hba.conf must let that login open replication connections. Weekly backups dump the cluster's globals with pg_dumpall, which reads role passwords and so still needs a superuser.

The recovery role gets CONNECT on every database and CREATEDB, because restores and restore verifications create their staging and scratch databases, which the login then owns. It gets nothing more.

Role attributes (REPLICATION, CREATEDB) are not inherited through membership in PostgreSQL: the group role carries them for clarity, but each login needs them itself. Name the logins with -BackupLogin and -RecoveryLogin: they are made members of the group and get the attribute their jobs need (REPLICATION for backup logins with -Physical, CREATEDB for recovery logins). The logins must already exist; this cmdlet never handles passwords. A recovery login owns the databases it creates, and cannot hand restored objects to their original owners: use Restore-ShippyarDatabase -NoOwner (Test-ShippyarBackup -Level Restore does so already). Enabling WAL archiving (ALTER SYSTEM) stays a superuser's job. Returns one ShippyarDr.RoleSetup per role: Name, Purpose, Action (Created, Updated or Unchanged) and Grants, the statements it ran. With -WhatIf nothing is run, and the statements are listed in the What if messages. Running it takes a superuser, or a role with CREATEROLE that holds these privileges with grant option.
'@
    Parameters  = @{
        BackupRole       = 'Name of the backup group role (default backup_role). It must be a valid PostgreSQL role name that does not start with pg_.'
        RecoveryRole     = 'Name of the recovery group role (default recovery_role). It must differ from the backup role.'
        Physical         = 'Also give the backup role REPLICATION, for base backups. The login needs REPLICATION itself as well, because the attribute is not inherited.'
        BackupLogin      = 'Existing login roles to make members of the backup role. With -Physical each also gets REPLICATION itself, because PostgreSQL does not pass role attributes on through membership.'
        RecoveryLogin    = 'Existing login roles to make members of the recovery role. Each also gets CREATEDB itself, because the attribute is not inherited.'
        Server           = 'Server to create the roles on, host or host:port.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password of a superuser, or of a role with CREATEROLE.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'See what would be granted, then grant it'
            Code    = "Initialize-ShippyarRole -Server db01 -WhatIf`nInitialize-ShippyarRole -Server db01"
            Remarks = 'The first command lists the CREATE ROLE and GRANT statements. The second runs them and returns backup_role and recovery_role.'
        }
        @{
            Title   = 'A login for nightly and base backups'
            Code    = "# in psql first: CREATE ROLE nightly LOGIN PASSWORD '...'; CREATE ROLE restorer LOGIN PASSWORD '...';`nInitialize-ShippyarRole -Server db01 -Physical -BackupLogin nightly -RecoveryLogin restorer"
            Remarks = 'nightly inherits CONNECT, pg_read_all_data and the function grants from backup_role, and gets REPLICATION itself. restorer joins recovery_role and gets CREATEDB.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Invoke-ShippyarBackup', 'Restore-ShippyarDatabase', 'Test-ShippyarBackup')
}
