"""HTML mail: readable text, sanitised HTML, and the quoted part set apart.

Images: remote images (``http(s)://`` sources) are removed from the kept HTML: they are mostly
tracking pixels and would tell the sender when an agent opened the mail. ``cid:`` images stay as
references to the message's own inline attachments (stored with the message); in text they
read ``[image: name]``.
"""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from kefu.kb.content import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

MAIL_TAGS = ALLOWED_TAGS | {"div", "span", "center", "h1"}
MAIL_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "td": {"align", "colspan", "rowspan"}}
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
})  # fmt: skip
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"})
_DROPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "xml"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})  # fmt: skip
#: Containers mail clients put the quoted earlier message in.
_QUOTE_CLASSES = frozenset({"gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                            "ms-outlook-mobile-reference-message"})  # fmt: skip
#: Outlook: everything from here on is the earlier message.
_REST_IS_QUOTED_IDS = frozenset(
    {"appendonsend", "divrplyfwdmsg", "mail-editor-reference-message-container"}
)


@dataclass
class HtmlParts:
    text: str
    quoted_text: str
    html: str
    quoted_html: str


class _Splitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: dict[bool, list[str]] = {False: [], True: []}
        self.markup: dict[bool, list[str]] = {False: [], True: []}
        self.dropped: list[str] = []
        self.quote_tag = ""
        self.quote_nesting = 0
        self.rest_quoted = False
        self.pre = 0
        self.link: tuple[str, list[str]] | None = None

    @property
    def quoted(self) -> bool:
        return self.rest_quoted or bool(self.quote_tag)

    def _text(self, value: str) -> None:
        if self.link is not None:
            self.link[1].append(value)
        else:
            self.out[self.quoted].append(value)

    def _starts_quote(self, tag: str, attributes: dict[str, str]) -> bool:
        classes = set((attributes.get("class") or "").lower().split())
        return tag == "blockquote" or bool(classes & _QUOTE_CLASSES)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self.dropped:
            if tag not in _VOID:
                self.dropped.append(tag)
            return
        if tag in _DROPPED:
            self.dropped.append(tag)
            return
        if (attributes.get("id") or "").lower() in _REST_IS_QUOTED_IDS:
            self.rest_quoted = True
        if self.quote_tag == tag:
            self.quote_nesting += 1
        elif not self.quoted and self._starts_quote(tag, attributes):
            self.quote_tag, self.quote_nesting = tag, 1
        self.markup[self.quoted].append(self.get_starttag_text() or "")
        self._text_for_start(tag, attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropped or tag in _DROPPED:
            return
        self.markup[self.quoted].append(self.get_starttag_text() or "")
        self._text_for_start(tag, {name: value or "" for name, value in attrs})

    def _text_for_start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "br":
            self._text("\n")
        elif tag == "li":
            self._text("\n- ")
        elif tag in ("td", "th"):
            self._text(" ")
        elif tag == "pre":
            self.pre += 1
            self._text("\n")
        elif tag in _BLOCK:
            self._text("\n\n" if tag in _PARAGRAPH else "\n")
        if tag == "a" and self.link is None:
            self.link = (attributes.get("href", "").strip(), [])
        elif tag == "img":
            src, alt = attributes.get("src", ""), attributes.get("alt", "").strip()
            if src.lower().startswith("cid:"):
                self._text(f"[image: {alt or src[4:]}]")
            elif alt:
                self._text(alt)

    def handle_endtag(self, tag: str) -> None:
        if self.dropped:
            if self.dropped[-1] == tag:
                self.dropped.pop()
            return
        if tag in _VOID:
            return
        self.markup[self.quoted].append(f"</{tag}>")
        if tag == "a" and self.link is not None:
            self._close_link()
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag in _BLOCK and tag != "li":  # the next item starts its own line
            self._text("\n\n" if tag in _PARAGRAPH else "\n")
        if self.quote_tag == tag:
            self.quote_nesting -= 1
            if self.quote_nesting == 0:
                self.quote_tag = ""

    def _close_link(self) -> None:
        assert self.link is not None
        href, parts = self.link
        self.link = None
        label = re.sub(r"\s+", " ", "".join(parts)).strip()
        shown_href = href[7:] if href.lower().startswith("mailto:") else href
        usable = href.lower().startswith(("http://", "https://", "mailto:"))
        if usable and shown_href and shown_href != label:
            self._text(f"{label} ({shown_href})" if label else shown_href)
        else:
            self._text(label)

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        self.markup[self.quoted].append(html.escape(data, quote=False))
        self._text(data if self.pre else re.sub(r"\s+", " ", data))

    def close_all(self) -> None:
        self.close()
        if self.link is not None:
            self._close_link()


def _tidy(text: str) -> str:
    lines = [line.strip(" \t\u00a0") for line in text.replace("\r", "").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drop_remote_images(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(markup: str) -> str:
    """Safe HTML for the desk: Kefu's allowed tags, no script, handlers, ``javascript:`` URLs or
    remote images."""
    if not markup.strip():
        return ""
    try:
        return nh3.clean(
            markup,
            tags=MAIL_TAGS,
            attributes=MAIL_ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "tel", "cid"},
            link_rel="noopener noreferrer nofollow",
            attribute_filter=_drop_remote_images,
        ).strip()
    except Exception:
        return ""


def html_split(markup: str) -> HtmlParts:
    """Readable text and sanitised HTML of an HTML body, new content and quoted part apart."""
    splitter = _Splitter()
    # HTMLParser is lenient, but a body must never break parsing.
    with contextlib.suppress(Exception):
        splitter.feed(markup)
        splitter.close_all()
    return HtmlParts(
        text=_tidy("".join(splitter.out[False])),
        quoted_text=_tidy("".join(splitter.out[True])),
        html=sanitize_html("".join(splitter.markup[False])),
        quoted_html=sanitize_html("".join(splitter.markup[True])),
    )
