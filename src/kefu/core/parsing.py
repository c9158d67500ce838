"""The one parser for ids, integers and text that arrive in a request (path, query, form, JSON).

Ids and integers are ASCII digits only and within a range: ``str.isdigit()`` also accepts "²"
(which ``int()`` refuses) and ``int()`` also accepts "٣" and " 7 ", and a number past the
column's range makes PostgreSQL fail the query. Ids are PostgreSQL ``bigint`` (1 to 2⁶³−1).
Text must not hold NUL (nor an unpaired surrogate, which only JSON can carry): PostgreSQL
cannot store either.

Input that breaks these rules raises :class:`InvalidInput`, a ``BadRequest``: a 400 page, or the
API's JSON error (the API's views turn it into one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.translation import gettext as _

BIGINT_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,18})")  # ASCII, no leading zeros
NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidInput(BadRequest):
    """A request parameter that cannot be what it claims to be; ``str(error)`` says why."""


def integer_or_none(raw: object, *, minimum: int, maximum: int) -> int | None:
    """The integer ``raw`` is (an int, a whole float as JSON may spell one, or ASCII digits
    without leading zeros and with an optional minus) if it lies in ``minimum..maximum``,
    else None."""
    whole_float = isinstance(raw, float) and raw.is_integer()
    digits = isinstance(raw, str) and _INTEGER.fullmatch(raw) is not None
    if isinstance(raw, bool) or not (isinstance(raw, int) or whole_float or digits):
        return None
    value = int(raw)  # type: ignore[call-overload] - one of the three kinds above
    return value if minimum <= value <= maximum else None


def parse_integer(
    raw: object, *, name: str, minimum: int, maximum: int, default: int | None = None
) -> int:
    """``raw`` as an integer in ``minimum..maximum``; missing (None) gives ``default`` when
    there is one. Anything else, an empty value too, raises InvalidInput naming the parameter."""
    if raw is None and default is not None:
        return default
    value = integer_or_none(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise InvalidInput(
            _("%(name)s must be a whole number from %(minimum)d to %(maximum)d.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return value


def id_or_none(raw: object) -> int | None:
    """The id ``raw`` spells, or None (for text that may or may not be an id, like a search)."""
    return integer_or_none(raw, minimum=1, maximum=BIGINT_MAX)


def parse_id(raw: object, *, name: str) -> int:
    """``raw`` as an id; anything else raises InvalidInput."""
    value = id_or_none(raw)
    if value is None:
        raise InvalidInput(_("%(name)s must be an id (a whole number from 1).") % {"name": name})
    return value


def parse_optional_id(raw: object, *, name: str) -> int | None:
    """None when missing or empty, else ``raw`` as an id (InvalidInput if it is not one)."""
    return None if raw in (None, "") else parse_id(raw, name=name)


def parse_ids(raws: Iterable[object], *, name: str) -> list[int]:
    return [parse_id(raw, name=name) for raw in raws]


# --- text PostgreSQL cannot store -----------------------------------------------------------


def unstorable(value: Any) -> bool:
    """Whether a string, or any key or string inside a list or mapping (parsed JSON), holds NUL
    or an unpaired surrogate (JSON's ``"\\ud800"``), which PostgreSQL's text cannot store."""
    if isinstance(value, str):
        return NUL in value or (not value.isascii() and _SURROGATE.search(value) is not None)
    if isinstance(value, Mapping):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(unstorable(item) for item in value)
    return False


def unstorable_message() -> str:
    return _(
        "The request contains a NUL character (\\0) or an unpaired surrogate, which text "
        "cannot hold. Remove it."
    )


def refuse_unstorable(request: HttpRequest, *, form: bool = True) -> None:
    """InvalidInput if the path, the query string or (``form``) the posted form (its fields and
    the names of its files) holds NUL (see unstorable)."""
    parts: list[Any] = [request.path_info, list(request.GET.lists())]
    if form and request.method == "POST":
        parts.append(list(request.POST.lists()))
        parts.append([upload.name for upload in request.FILES.values()])
    if unstorable(parts):
        raise InvalidInput(unstorable_message())
