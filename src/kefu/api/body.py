"""The API's one reader of request bodies: a JSON object of known fields, bounded in size and
nesting (a body of 100,000 ``[`` would exhaust the parser's recursion), with no text that
PostgreSQL cannot store."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kefu.api.errors import ApiError
from kefu.core.parsing import integer_or_none, unstorable, unstorable_message

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw`` (brackets inside strings do not count)."""
    steps = (1 if b in b"[{" else -1 for b in _BRACKET.findall(_STRING.sub(b"", raw)))
    return max(accumulate(steps, initial=0))


def json_object(request: HttpRequest, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object whose keys are all in ``allowed`` (no body: ``{}``)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if integer_or_none(declared, minimum=0, maximum=MAX_BYTES) is None:
        raise ApiError(413, "too_large", _("The body is larger than %d bytes.") % MAX_BYTES)
    raw = request.body or b"{}"
    if _depth(raw) > MAX_DEPTH:
        message = _("The body nests deeper than %d levels.") % MAX_DEPTH
        raise ApiError(400, "bad_request", message)
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("The body must be a JSON object."))
    if unstorable(data):
        raise ApiError(400, "bad_request", unstorable_message())
    unknown = sorted(set(data) - allowed)
    if unknown:
        fields = {key: [_("Unknown field.")] for key in unknown}
        raise ApiError(400, "invalid", _("Unknown fields: %s") % ", ".join(unknown), fields)
    return data
