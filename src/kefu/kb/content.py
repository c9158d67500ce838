"""Article bodies: Markdown rendered to HTML, then sanitised. Authors are trusted to write,
not to run script in customers' browsers."""

from __future__ import annotations

import html
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def render_markdown(text: str) -> str:
    """Markdown to safe HTML: no script, no event handlers, no ``javascript:`` URLs."""
    raw_html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", value))).strip()


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def detect_language(text: str) -> str:
    """zh-hans if the text has Chinese characters, else en (the two languages Kefu serves)."""
    from kefu.kb.models import Language

    return Language.ZH_HANS if _CJK.search(text) else Language.EN


def first_sentence(text: str) -> str:
    """The title an FAQ entry gets when it has an answer but no question."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
