"""Text to search terms, the same way for documents and queries, in Chinese and English.

- Chinese runs are segmented with jieba's search mode (words and the shorter words inside them),
  plus the tenant's own dictionary of product names, matched first so they stay whole.
- Latin text is lower-cased, stop words dropped, and Snowball-stemmed (English).
- Mixed text is split into runs of each script first.

The resulting terms are stored as postings in PostgreSQL (``search.SearchPosting``), so documents
and queries always meet on exactly the same terms.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import jieba
import snowballstemmer

_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z0-9]+)")
_STEMMER = snowballstemmer.stemmer("english")

EN_STOP_WORDS = frozenset(
    (
        "a about above after again against all am an and any are as at be because been before "
        "being below between both but by can could did do does doing down during each few for "
        "from further had has have having he her here hers herself him himself his how i if in "
        "into is it its itself just me more most my myself no nor not now of off on once only or "
        "other our ours ourselves out over own same she should so some such than that the their "
        "theirs them themselves then there these they this those through to too under until up "
        "very was we were what when where which while who whom why will with would you your "
        "yours yourself yourselves s t don doesn didn isn aren wasn weren won wouldn shouldn "
        "couldn ll ve re m d"
    ).split()
)
ZH_STOP_WORDS = frozenset(
    (
        "的 了 吗 呢 吧 啊 呀 哦 嗯 是 在 我 你 他 她 它 我们 你们 "
        "他们 这 那 这个 那个 就 都 也 还 和 与 及 或 请问 一下 么 怎 "
        "么样 可以 能 会 "
        "要 想 有 没 没有 个 把 被 给 让 对 从 到 为 着 过 之 其 如何 "
        "怎么 怎样 什么 哪 哪里 为什么 吗？ 嘛"
    ).split()
)


@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _chinese_terms(run: str, custom_words: tuple[str, ...]) -> Iterable[str]:
    for word in custom_words:
        if word in run:
            before, _, after = run.partition(word)
            yield from _chinese_terms(before, custom_words)
            yield word
            yield from _chinese_terms(after, custom_words)
            return
    for word in jieba.lcut_for_search(run):
        if word not in ZH_STOP_WORDS:
            yield word
    # Character pairs catch paraphrases that segment differently ("额度提高" vs "提额").
    for index in range(len(run) - 1):
        pair = run[index : index + 2]
        if pair not in ZH_STOP_WORDS:
            yield pair


def terms(text: str, *, custom_words: tuple[str, ...] = ()) -> list[str]:
    """The search terms of ``text``, in order, repeated as often as they occur."""
    normalized = unicodedata.normalize("NFKC", text or "").lower()
    result: list[str] = []
    for match in _RUNS.finditer(normalized):
        chinese, latin = match.groups()
        if chinese:
            result.extend(_chinese_terms(chinese, custom_words))
        elif latin not in EN_STOP_WORDS:
            result.append(_stem(latin))
    return result


def highlight_words(text: str) -> list[str]:
    """The surface words of a query worth highlighting in a snippet (unstemmed)."""
    normalized = unicodedata.normalize("NFKC", text or "").lower()
    words = []
    for match in _RUNS.finditer(normalized):
        chinese, latin = match.groups()
        if chinese:
            words.extend(w for w in jieba.lcut(chinese) if w not in ZH_STOP_WORDS)
        elif latin not in EN_STOP_WORDS and len(latin) > 1:
            words.append(latin)
    return sorted(set(words), key=len, reverse=True)
