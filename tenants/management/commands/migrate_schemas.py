"""``kefu migrate_schemas``: django-tenants' command, plus the template schema and pool.

After public and tenant schemas are migrated, the template schema is migrated too and pool
schemas made from an older template are retired, then the pool is refilled, so a signup right
after a deploy gets a schema with every migration applied.
"""

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from tenants.services import pool_refill, template_refresh


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        targets_all_tenants = self.sync_tenant and not options.get("schema_name")
        if targets_all_tenants and not options.get("migration_name"):
            verbosity = int(options.get("verbosity", 1))
            template = template_refresh(verbosity=max(verbosity - 1, 0))
            created = pool_refill()
            if verbosity:
                self.stdout.write(
                    f"template {template.schema_name} at {template.fingerprint[:12]}; "
                    f"{created} pool schema(s) created"
                )
