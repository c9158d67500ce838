from pathlib import Path

from django.db import migrations

CLONE_FUNCTION = (Path(__file__).resolve().parents[1] / "sql" / "clone_schema.sql").read_text()


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RunSQL(
            CLONE_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS kefu_clone_schema(text, text)",
        )
    ]
