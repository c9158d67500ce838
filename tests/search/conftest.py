from __future__ import annotations

import pytest


@pytest.fixture
def words_only(settings):
    """Full-text search alone: these tests are about what words do."""
    settings.KEFU_SEMANTIC_SEARCH = False
