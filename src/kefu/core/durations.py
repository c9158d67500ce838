"""Durations typed by a person ("4h", "2d", "90m", "1d 4h", "4小时") and shown back to them.

Stored as whole minutes. A bare number is minutes, as the SLA forms always took. A day is 24
hours of the clock; an SLA that counts business hours only counts those minutes inside them.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTES_PER = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_UNIT_WORDS = {
    "m": ("m", "min", "mins", "minute", "minutes", "分", "分钟", "分鐘"),
    "h": ("h", "hr", "hrs", "hour", "hours", "小时", "小時", "时", "個小時", "个小时", "钟头"),
    "d": ("d", "day", "days", "天", "日"),
    "w": ("w", "wk", "week", "weeks", "周", "星期"),
}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_PART = re.compile(r"(\d{1,7}(?:\.\d{1,3})?)\s*([a-z\u4e00-\u9fff]*)\s*")
MAX_LENGTH = 40


class DurationError(ValueError):
    """``str(error)`` is the message for the person who typed it."""


def _explain() -> str:
    return _("Write a number and a unit, e.g. 90m, 4h, 2d or 1d 4h (a number alone is minutes).")


def parse_duration_minutes(text: str, *, maximum: int) -> int:
    """Whole minutes from ``text``; DurationError with a clear message otherwise."""
    normal = unicodedata.normalize("NFKC", text or "").strip().lower().replace(",", "")
    if not normal:
        raise DurationError(_("Enter a time, e.g. 4h."))
    if len(normal) > MAX_LENGTH:
        raise DurationError(_explain())
    total = 0.0
    position = 0
    for match in _PART.finditer(normal):
        if match.start() != position or not match.group(0):
            break
        number, word = match.groups()
        if word and word not in _UNITS:
            raise DurationError(
                _("Unknown unit “%(unit)s”. %(explain)s") % {"unit": word, "explain": _explain()}
            )
        total += float(number) * MINUTES_PER[_UNITS[word] if word else "m"]
        position = match.end()
    if position != len(normal):
        raise DurationError(_explain())
    minutes = round(total)
    if abs(total - minutes) > 1e-6:
        raise DurationError(_("Give whole minutes (e.g. 1.5h is 90m)."))
    if minutes < 1:
        raise DurationError(_("Give at least one minute."))
    if minutes > maximum:
        raise DurationError(_("At most %(limit)s.") % {"limit": format_duration_words(maximum)})
    return minutes


def format_duration(minutes: int) -> str:
    """What goes back into the input: the largest whole unit, e.g. 240 -> "4h", 90 -> "90m".
    Weeks are left to days (an SLA of "2w" reads less plainly than "14d")."""
    for unit in ("d", "h"):
        if minutes and minutes % MINUTES_PER[unit] == 0:
            return f"{minutes // MINUTES_PER[unit]}{unit}"
    return f"{minutes}m"


def format_duration_words(minutes: int) -> str:
    """For reading: "4 hours", "2 days", "90 minutes" (translated)."""
    text = format_duration(minutes)
    count, unit = int(text[:-1]), text[-1]
    if unit == "d":
        return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    if unit == "h":
        return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
