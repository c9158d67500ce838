"""How much text a customer may send, in one place: the help center's forms, the widget, the
API and the services behind them all read these, and all say the same when text is too long
(``too_long``: "At most N characters (you wrote M)."). Forms report it next to the field, the
API as a 400 naming the field.

Inbound email is the exception: a mail is never refused for its length; its text is shortened
to ``MESSAGE`` with a note, and the whole mail stays in the stored original
(``kefu.messaging.inbound``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: A ticket's subject (the column's length).
SUBJECT = 300
#: A ticket's description, from the ticket form or the API.
DESCRIPTION = 20_000
#: A reply on a ticket (help center, API, desk) and a chat message.
MESSAGE = 20_000
#: A person's name as they type it.
NAME = 150
#: A search, wherever it is typed (help center, widget, API).
SEARCH_QUERY = 300
#: A comment with a satisfaction rating.
COMMENT = 2_000
#: A custom ticket field: one line, and a paragraph.
FIELD_TEXT = 500
FIELD_LONG_TEXT = 10_000

#: Django's "max_length" message, in our words (the form fields' error_messages).
TOO_LONG = gettext_lazy("At most %(limit_value)d characters (you wrote %(show_value)d).")


def too_long(*, limit: int, length: int) -> str:
    """The one message for text past its limit."""
    return _("At most %(limit_value)d characters (you wrote %(show_value)d).") % {
        "limit_value": limit,
        "show_value": length,
    }


def length_problem(text: str, *, limit: int) -> str | None:
    """``too_long``'s message when ``text`` is longer than ``limit``, else None."""
    return too_long(limit=limit, length=len(text)) if len(text) > limit else None


def limited_text_field(*, limit: int, rows: int | None = None, **options: Any) -> forms.CharField:
    """A form field holding at most ``limit`` characters, saying so in our words; with ``rows``
    a text area. A text area gets no ``maxlength`` attribute: the browser would cut a pasted
    text silently, and the person should see what did not fit."""
    options["error_messages"] = {"max_length": TOO_LONG, **options.get("error_messages", {})}
    if rows is not None:
        options["widget"] = forms.Textarea(attrs={"rows": rows})
    field = forms.CharField(max_length=limit, **options)
    if rows is not None:
        field.widget.attrs.pop("maxlength", None)
    return field
