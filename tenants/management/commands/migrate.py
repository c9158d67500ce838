"""``migrate`` is ``migrate_schemas`` (as in django-tenants), with the template refresh."""

from tenants.management.commands.migrate_schemas import Command  # noqa: F401
