"""The API's one reader of request bodies: a JSON object of known fields, bounded in size and
nesting (a body of 100,000 ``[`` would exhaust the parser's recursion), with no text that
PostgreSQL cannot store; and ``Input``, which reads its fields one by one."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kefu.api.errors import ApiError
from kefu.core.limits import too_long
from kefu.core.parsing import id_or_none, integer_or_none, unstorable, unstorable_message

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_EMAIL = 254  # a contact's email column
LANGUAGES = ("en", "zh-hans")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw`` (brackets inside strings do not count)."""
    steps = (1 if b in b"[{" else -1 for b in _BRACKET.findall(_STRING.sub(b"", raw)))
    return max(accumulate(steps, initial=0))


def json_object(request: HttpRequest, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object whose keys are all in ``allowed``."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if integer_or_none(declared, minimum=0, maximum=MAX_BYTES) is None:
        raise ApiError(413, "too_large", _("The body is larger than %d bytes.") % MAX_BYTES)
    raw = request.body
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


class Input:
    """Reads a JSON object field by field, collecting one message per bad field. A field that
    is sent must have its type (null only where it clears something); one not sent is None."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ApiError(400, "invalid", _("Some fields are not valid."), self.errors)

    def text(self, key: str, *, max_length: int | None = None, required: bool = False) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.fail(key, _("Send a string."))
            return ""
        if required and not value.strip():
            self.fail(key, _("This field is required."))
        elif max_length is not None and len(value) > max_length:
            self.fail(key, too_long(limit=max_length, length=len(value)))
        return value

    def choice(self, key: str, choices: list[str]) -> str | None:
        if key not in self.data:
            return None
        value = self.data[key]
        if value not in choices:
            self.fail(key, _("Use one of: %s.") % ", ".join(choices))
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if key in self.data and not isinstance(value, bool):
            self.fail(key, _("Send true or false."))
            return None
        return value

    def strings(self, key: str, *, max_items: int | None = None) -> list[str] | None:
        value = self.data.get(key)
        if key not in self.data:
            return None
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            self.fail(key, _("Send a list of strings."))
            return None
        if max_items is not None and len(value) > max_items:
            self.fail(key, _("Send at most %(count)d.") % {"count": max_items})
            return None
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if key in self.data and not isinstance(value, dict):
            self.fail(key, _("Send an object."))
            return None
        return value

    def field_values(self, key: str) -> dict[str, Any] | None:
        """Custom form field values by key: a string, a number, a list of strings or null."""
        values = self.mapping(key)
        if values is None:
            return None
        if not all(_is_field_value(value) for value in values.values()):
            self.fail(key, _("Send a string, a number or a list of strings for each field."))
            return None
        return values

    def row(self, key: str, rows: QuerySet) -> Any:
        """The row with the id sent (null clears it)."""
        value = self.data.get(key)
        if value is None:
            return None
        row_id = id_or_none(value)
        found = rows.filter(pk=row_id).first() if row_id is not None else None
        if found is None:
            self.fail(key, _("No such id."))
        return found

    def requester(self, key: str) -> dict[str, str]:
        value = self.data.get(key)
        if not isinstance(value, dict) or not isinstance(value.get("email"), str):
            self.fail(key, _('Send the requester as {"email": ..., "name": ...}.'))
            return {}
        if unknown := sorted(set(value) - {"email", "name", "language"}):
            self.fail(key, _("Unknown fields: %s") % ", ".join(unknown))
        email, name, language = value["email"], value.get("name", ""), value.get("language", "")
        try:
            validate_email(email)
        except ValidationError:
            self.fail(key, _("Enter a valid email address."))
        if len(email) > MAX_EMAIL:
            self.fail(key, _("Use at most %(count)d characters.") % {"count": MAX_EMAIL})
        if not isinstance(name, str) or ("language" in value and language not in LANGUAGES):
            self.fail(key, _("name must be a string and language en or zh-hans."))
        return {"email": email, "name": str(name), "language": str(language)}


def _is_field_value(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return value is None or (isinstance(value, int | float | str) and not isinstance(value, bool))
