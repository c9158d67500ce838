"""``kefu search_reindex [--tenant SLUG] [--missing-only]``: rebuild search indexes.

Needed after changing how text is segmented or embedded, and after upgrading a database whose
articles predate the index. Runs tenant by tenant, each in its own schema.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.kb.models import Article
from kefu.search.index import articles_index_all
from kefu.search.models import SearchEntry
from kefu.tenancy import tenant_context
from tenants.selectors import tenant_get_by_slug, tenant_list


class Command(BaseCommand):
    help = "Rebuild the search index of one workspace or all of them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", help="the workspace's subdomain (default: all)")
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="only workspaces with published articles and an empty or outdated index",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tenant"]:
            tenant = tenant_get_by_slug(slug=options["tenant"])
            if tenant is None:
                raise CommandError(f"no workspace {options['tenant']!r}")
            tenants = [tenant]
        else:
            tenants = list(tenant_list())
        for tenant in tenants:
            with tenant_context(tenant):
                published = Article.objects.filter(status=Article.Status.PUBLISHED)
                if options["missing_only"] and (_index_complete() or not published.exists()):
                    continue
                articles, entries = articles_index_all()
                self.stdout.write(f"{tenant.slug}: {articles} articles, {entries} index entries")


def _index_complete() -> bool:
    """The workspace has an index, and none of it predates question vectors (an entry with a
    passage vector but no question vector was made before they existed)."""
    entries = SearchEntry.objects.all()
    outdated = entries.filter(embedding__isnull=False, question_embedding__isnull=True)
    return entries.exists() and not outdated.exists()
