"""How Kefu connects to PostgreSQL: from DATABASE_URL, with the search's session settings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from kefu.settings.base import database_from_url


def test_a_database_url_becomes_a_tenants_backend_entry_that_keeps_its_options():
    entry = database_from_url(
        "postgresql://kefu:s%40cret@db.internal:6432/kefu?sslmode=require&options=-c%20work_mem%3D8MB"
    )
    assert entry["ENGINE"] == "django_tenants.postgresql_backend"
    assert (entry["USER"], entry["PASSWORD"], entry["HOST"], entry["PORT"]) == (
        "kefu",
        "s@cret",
        "db.internal",
        "6432",
    )
    assert entry["OPTIONS"]["sslmode"] == "require"
    assert entry["OPTIONS"]["options"] == "-c work_mem=8MB -c hnsw.ef_search=20"


def test_a_non_postgres_url_is_refused_with_a_clear_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        database_from_url("sqlite:///kefu.db")


@pytest.mark.django_db
def test_sessions_start_with_the_search_graph_walk_breadth():
    with connection.cursor() as cursor:
        cursor.execute("SHOW hnsw.ef_search")
        assert cursor.fetchone() == (str(settings.KEFU_SEARCH_SEMANTIC_CANDIDATES),)
