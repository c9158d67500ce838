from django.db import migrations


def render_bodies(apps, schema_editor):
    from kefu.kb.content import render_markdown

    Article = apps.get_model("kb", "Article")
    for article in Article.objects.filter(body_html=""):
        article.body_html = render_markdown(article.body)
        article.save(update_fields=["body_html"])


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_articleview_search_log_articlevote_article_and_more")]

    operations = [migrations.RunPython(render_bodies, migrations.RunPython.noop)]
