from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("kb", "0009_category_tree_revisions_assets")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in English"),
        ),
        migrations.AddField(
            model_name="category",
            name="name_zh_hans",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Chinese"),
        ),
    ]
