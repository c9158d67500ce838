"""Every route of a URLconf, found by walking Django's resolver (so a new route is never missed):
its pattern, name, converters, view, and a path that reaches it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

#: A value each converter accepts, to build a path that reaches the route.
SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the route as written, prefixes joined: "desk/tickets/<int:ticket_id>/"
    name: str | None  # with its namespace: "desk:ticket_detail"
    converters: dict[str, str] = field(hash=False)  # parameter -> converter ("int", "str", ...)
    view: Callable[..., Any] = field(hash=False)
    pieces: tuple[RoutePattern | RegexPattern, ...] = field(hash=False, repr=False)

    def path(self, **values: str) -> str:
        """A path reaching this route: each parameter its sample, or the value given."""
        return "/" + "".join(_fill(piece, values) for piece in self.pieces)


def urlconf_routes(urlconf: str) -> list[Route]:
    """Every route of ``urlconf`` (a module path, as in ROOT_URLCONF), includes followed."""
    return list(_walk(get_resolver(urlconf).url_patterns, (), None))


def _walk(patterns: list[Any], prefix: tuple[Any, ...], namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        pieces = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry.url_patterns, pieces, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(
                pattern="".join(str(piece) for piece in pieces),
                name=name,
                converters=_converters(pieces),
                view=entry.callback,
                pieces=pieces,
            )


def _converters(pieces: tuple[Any, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for piece in pieces:
        if isinstance(piece, RoutePattern):
            for match in _ROUTE_PARAMETER.finditer(str(piece)):
                found[match["name"]] = match["converter"] or "str"
        else:
            found.update(dict.fromkeys(piece.regex.groupindex, "regex"))
    return found


def _fill(piece: RoutePattern | RegexPattern, values: dict[str, str]) -> str:
    if isinstance(piece, RoutePattern):

        def sample(match: re.Match[str]) -> str:
            return values.get(match["name"], SAMPLES.get(match["converter"] or "str", "x"))

        return _ROUTE_PARAMETER.sub(sample, str(piece))
    return _fill_regex(piece.regex, values)


def _fill_regex(regex: re.Pattern[str], values: dict[str, str]) -> str:
    """The shortest form of a regex route with each named group given a value it matches."""
    for template, names in sorted(normalize(regex.pattern), key=lambda form: len(form[1])):
        filled = {name: values.get(name) or _group_sample(regex, name) for name in names}
        candidate = template % filled
        if regex.fullmatch(candidate) or regex.match(candidate):
            return candidate
    return normalize(regex.pattern)[0][0]


def _group_sample(regex: re.Pattern[str], name: str) -> str:
    """A value for group ``name``: its first alternative if it lists words, else a guess."""
    body = re.search(rf"\(\?P<{name}>(.*?)\)", regex.pattern)
    words = body[1].split("|") if body else []
    for word in [*words, "1", "x"]:
        if re.fullmatch(r"[\w.-]+", word):
            return word
    return "x"
