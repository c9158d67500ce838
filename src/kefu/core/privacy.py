"""Masking personal data in text kept for statistics (the search log, learned phrasings).

What a customer types into a search box or a ticket form often holds an email address, a phone
number or an order number. Statistics need the words, not those: ``mask_personal_data`` replaces
each email address, and each run of digits of ``MIN_DIGITS`` or more (phone numbers, order and
card numbers, ID numbers; spaces, dashes, dots, brackets and a leading "+" inside the run count as
part of it, so "138 1234 5678" is one run — and so are two short numbers one space apart),
with ``MASK``. Shorter numbers (a model "iPhone 15", a year, a ticket number "#1001")
stay: they are rarely personal and often the point of the search. ``MASK`` holds no letter or
digit, so search segmentation finds no word in it.
"""

from __future__ import annotations

import re

MASK = "•••"
MIN_DIGITS = 5

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A digit, then digits or single separators, ending in a digit; counted below.
_NUMBER = re.compile(r"\+?\d(?:[\s().-]?\d)+")


def _mask_number(match: re.Match[str]) -> str:
    digits = sum(char.isdigit() for char in match.group())
    return MASK if digits >= MIN_DIGITS else match.group()


def mask_personal_data(text: str) -> str:
    """``text`` with email addresses and long digit runs replaced by ``MASK``."""
    return _NUMBER.sub(_mask_number, _EMAIL.sub(MASK, text or ""))
