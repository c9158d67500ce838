from django.db import migrations


class Migration(migrations.Migration):
    """pgvector, once per database, in public: every tenant schema sees its types through the
    search path. (Managed PostgreSQL needs the extension allowed, e.g. rds_superuser on RDS.)"""

    dependencies = [("tenants", "0003_tenant_plan_auditentry_loginhandoff")]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
