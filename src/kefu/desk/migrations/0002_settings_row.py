from django.db import migrations


def create_settings_row(apps, schema_editor):
    # Every workspace has exactly one settings row; the template carries it into each copy.
    WorkspaceSettings = apps.get_model("desk", "WorkspaceSettings")
    WorkspaceSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]

    operations = [migrations.RunPython(create_settings_row, migrations.RunPython.noop)]
