"""Mask personal data in the search log written before it was masked on write.

Ticket-form and email questions were logged as their whole subject and description: they keep
only the subject, cut to 120 characters. Every query then has email addresses and runs of five
or more digits replaced, as ``kefu.core.privacy`` does (copied here so the migration does not
change when that module does).
"""

import re

from django.db import migrations

MASK = "•••"
QUESTION_SOURCES = ("ticket_form", "email")
QUESTION_LOG_LENGTH = 120
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\+?\d(?:[\s().-]?\d)+")


def _mask(text):
    def number(match):
        digits = sum(char.isdigit() for char in match.group())
        return MASK if digits >= 5 else match.group()

    return _NUMBER.sub(number, _EMAIL.sub(MASK, text or ""))


def mask_existing(apps, schema_editor):
    SearchLog = apps.get_model("search", "SearchLog")
    for log in SearchLog.objects.only("pk", "query", "source").iterator(chunk_size=2000):
        query = log.query
        if log.source in QUESTION_SOURCES:
            query = query.strip().split("\n", 1)[0].strip()[:QUESTION_LOG_LENGTH]
        masked = _mask(query)[:300]
        if masked != log.query:
            SearchLog.objects.filter(pk=log.pk).update(query=masked)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_phrasing_lessons")]

    operations = [migrations.RunPython(mask_existing, migrations.RunPython.noop, elidable=True)]
