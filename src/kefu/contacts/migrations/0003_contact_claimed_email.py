from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_identities_visitors_merges"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="claimed_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="claimed email address"),
        ),
    ]
