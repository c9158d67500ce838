from django.db import migrations, models


def takeable_in_fresh_schemas(apps, schema_editor):
    """New workspaces (the template, warm pool schemas, a schema migrated from scratch) let
    agents take from the queue. A workspace already in use keeps its setting: nothing records
    whether its False was chosen or only the old default, so it is not ours to change."""
    User = apps.get_model("accounts", "User")
    if User.objects.exists():
        return
    WorkspaceSettings = apps.get_model("desk", "WorkspaceSettings")
    WorkspaceSettings.objects.update(agents_pick_from_queue=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apitoken"),
        ("desk", "0007_exportjob"),
    ]

    operations = [
        migrations.AlterField(
            model_name="workspacesettings",
            name="agents_pick_from_queue",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "On: any staff member with room can take a waiting ticket from the "
                    "Unassigned list. Off: tickets are only assigned by routing or by an admin."
                ),
                verbose_name="agents may take tickets from the queue by hand",
            ),
        ),
        migrations.RunPython(takeable_in_fresh_schemas, migrations.RunPython.noop),
    ]
