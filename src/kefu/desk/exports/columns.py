"""What a workspace export holds: every file (CSV) or section (JSON), every column, and what each
means. The one description of the format: the writer, the desk's help page, docs/export.md and
the tests all read it from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    name: str
    meaning: Promise
    value: Callable[[Any], object]


@dataclass(frozen=True)
class Dataset:
    """One CSV file (``<name>.csv``) or one JSON list (``"<name>": [...]``).

    A dataset with ``parent_key`` is nested in JSON: its rows sit under the key ``nested_as`` of
    the parent row whose id is the row's ``parent_key`` attribute."""

    name: str
    part: str
    meaning: Promise
    columns: tuple[Column, ...]
    rows: Callable[[], QuerySet]
    parent_key: str = ""
    nested_as: str = ""

    def record(self, row: Any) -> dict[str, object]:
        return {column.name: column.value(row) for column in self.columns}


def _email(user: Any) -> str:
    return user.email if user is not None else ""


def _author_type(message: Any) -> str:
    if message.author is not None:
        return "staff" if message.author.is_desk_user else "customer"
    return "customer" if message.author_contact is not None else "system"


def _author_name(message: Any) -> str:
    if message.author is not None:
        return message.author.get_full_name() or message.author.email
    if message.author_contact is not None:
        return message.author_contact.name
    return ""


def _author_email(message: Any) -> str:
    if message.author is not None:
        return message.author.email
    return message.author_contact.email if message.author_contact is not None else ""


def _tickets() -> QuerySet:
    from kefu.tickets.models import Ticket

    return Ticket.objects.select_related("category", "requester", "assignee")


def _messages() -> QuerySet:
    from kefu.tickets.models import TicketMessage

    return TicketMessage.objects.select_related("author", "author_contact").prefetch_related(
        "attachments"
    )


def _contacts() -> QuerySet:
    from kefu.contacts.models import Contact

    return Contact.objects.select_related("user")


def _identities() -> QuerySet:
    from kefu.contacts.models import ContactIdentity

    return ContactIdentity.objects.all()


def _categories() -> QuerySet:
    from kefu.kb.models import Category

    return Category.objects.all()


def _articles() -> QuerySet:
    from kefu.kb.models import Article

    return Article.objects.select_related("category", "author")


C = Column
# fmt: off
TICKETS = Dataset(
    "tickets",
    "tickets",
    _("One row per ticket."),
    (
        C("number", _("The ticket number, as shown in the desk (#1001 is 1001)."), lambda t: t.pk),
        C("subject", _("The subject."), lambda t: t.subject),
        C("description", _("What the customer wrote when opening the ticket."),
          lambda t: t.description),
        C("status", _("new, open, pending (waiting for the customer), on_hold, resolved or "
                      "closed."), lambda t: t.status),
        C("priority", _("low, normal, high or urgent."), lambda t: t.priority),
        C("channel", _("Where the ticket came from: web (help center), email, api, chat, sms "
                       "or phone."), lambda t: t.channel),
        C("category", _("The ticket category's name (empty: none)."),
          lambda t: t.category.name if t.category else ""),
        C("requester_contact_id", _("The customer who asked: contact_id in contacts.csv."),
          lambda t: t.requester_id),
        C("requester_name", _("The customer's name."),
          lambda t: t.requester.name if t.requester else ""),
        C("requester_email", _("The customer's email address."),
          lambda t: t.requester.email if t.requester else ""),
        C("assignee_email", _("The email address of the agent it is assigned to (empty: "
                              "unassigned)."), lambda t: _email(t.assignee)),
        C("language", _("The ticket's language: en or zh-hans (empty: not known)."),
          lambda t: t.language),
        C("tags", _("Tags (in CSV separated by “; ”)."), lambda t: list(t.tags)),
        C("is_public", _("true if every help center customer may read it."),
          lambda t: t.is_public),
        C("tried_self_service", _("true if the customer searched or read articles before "
                                  "asking."), lambda t: t.tried_self_service),
        C("form_fields", _("The answers to the ticket form's own fields (in CSV as JSON)."),
          lambda t: t.fields),
        C("sla_state", _("The SLA: ok, at_risk, breached (empty: no SLA)."),
          lambda t: t.sla_state),
        C("first_response_due_at", _("When the first answer was due."),
          lambda t: t.first_response_due_at),
        C("resolution_due_at", _("When the resolution was due."),
          lambda t: t.resolution_due_at),
        C("first_responded_at", _("When an agent first answered."),
          lambda t: t.first_responded_at),
        C("resolved_at", _("When it was resolved."), lambda t: t.resolved_at),
        C("closed_at", _("When it was closed."), lambda t: t.closed_at),
        C("merged_into_number", _("The ticket it was merged into (empty: not merged)."),
          lambda t: t.merged_into_id),
        C("created_at", _("When it was opened."), lambda t: t.created_at),
        C("updated_at", _("When it last changed."), lambda t: t.updated_at),
    ),
    _tickets,
)
TICKET_MESSAGES = Dataset(
    "ticket_messages",
    "tickets",
    _("One row per message of a ticket: the replies and internal notes, oldest first."),
    (
        C("ticket_number", _("The ticket it belongs to: number in tickets.csv."),
          lambda m: m.ticket_id),
        C("message_id", _("The message's own id."), lambda m: m.pk),
        C("created_at", _("When it was written."), lambda m: m.created_at),
        C("kind", _("public (a reply the customer sees) or internal (a note only staff see)."),
          lambda m: m.kind),
        C("channel", _("How it was sent: web, email, api, chat, sms or phone."),
          lambda m: m.channel),
        C("author_type", _("staff, customer, or system (written by Kefu)."), _author_type),
        C("author_name", _("The writer's name."), _author_name),
        C("author_email", _("The writer's email address."), _author_email),
        C("body", _("The text of the message."), lambda m: m.body),
        C("attachments", _("The names of its attached files (in CSV separated by “; ”; the "
                           "files themselves are not in the export)."),
          lambda m: [attachment.filename for attachment in m.attachments.all()]),
    ),
    _messages,
    parent_key="ticket_id",
    nested_as="messages",
)
CONTACTS = Dataset(
    "contacts",
    "contacts",
    _("One row per customer (contact)."),
    (
        C("contact_id", _("The contact's id."), lambda c: c.pk),
        C("name", _("The name."), lambda c: c.name),
        C("email", _("The main email address."), lambda c: c.email),
        C("language", _("The language they write in: en or zh-hans (empty: not known)."),
          lambda c: c.language),
        C("tier", _("standard, premium or enterprise."), lambda c: c.tier),
        C("has_account", _("true if they have a help center account."),
          lambda c: c.user_id is not None),
        C("merged_into_contact_id", _("The contact this one was merged into (empty: not "
                                      "merged)."), lambda c: c.merged_into_id),
        C("created_at", _("When the contact was first seen."), lambda c: c.created_at),
        C("updated_at", _("When it last changed."), lambda c: c.updated_at),
    ),
    _contacts,
)
CONTACT_IDENTITIES = Dataset(
    "contact_identities",
    "contacts",
    _("One row per way a contact reaches you (email address, phone, chat visitor, account)."),
    (
        C("contact_id", _("The contact: contact_id in contacts.csv."), lambda i: i.contact_id),
        C("kind", _("email, phone, chat (a chat visitor) or account (a help center account)."),
          lambda i: i.kind),
        C("value", _("The address, number or id."), lambda i: i.value),
        C("created_at", _("When it was first seen."), lambda i: i.created_at),
    ),
    _identities,
    parent_key="contact_id",
    nested_as="identities",
)
ARTICLE_CATEGORIES = Dataset(
    "article_categories",
    "articles",
    _("One row per help center category."),
    (
        C("category_id", _("The category's id."), lambda c: c.pk),
        C("name", _("The name."), lambda c: c.name),
        C("slug", _("The name in its web address."), lambda c: c.slug),
        C("description", _("The description."), lambda c: c.description),
        C("parent_category_id", _("The category it sits in (empty: top level)."),
          lambda c: c.parent_id),
        C("position", _("Its place in the list (smaller first)."), lambda c: c.position),
    ),
    _categories,
)
ARTICLES = Dataset(
    "articles",
    "articles",
    _("One row per knowledge base article or guided answer."),
    (
        C("article_id", _("The article's id."), lambda a: a.pk),
        C("kind", _("article, or guided (a guided answer)."), lambda a: a.kind),
        C("title", _("The title."), lambda a: a.title),
        C("language", _("en or zh-hans."), lambda a: a.language),
        C("status", _("draft, published or archived."), lambda a: a.status),
        C("category_id", _("Its category: category_id in article_categories.csv."),
          lambda a: a.category_id),
        C("category", _("The category's name."), lambda a: a.category.name if a.category else ""),
        C("summary", _("The summary."), lambda a: a.summary),
        C("body", _("The text, in Markdown as written."), lambda a: a.body),
        C("tags", _("Tags (in CSV separated by “; ”)."), lambda a: [str(t) for t in a.tags]),
        C("translation_of_article_id", _("The article this one translates (empty: none)."),
          lambda a: a.translation_of_id),
        C("source_ticket_number", _("The ticket it was written from (empty: none)."),
          lambda a: a.source_ticket_id),
        C("author_email", _("The email address of who wrote it."), lambda a: _email(a.author)),
        C("views", _("How often it was read."), lambda a: a.view_count),
        C("helpful_votes", _("“Yes, this helped” votes."), lambda a: a.helpful_count),
        C("unhelpful_votes", _("“No” votes."), lambda a: a.unhelpful_count),
        C("last_reviewed_at", _("When it was last marked as reviewed."),
          lambda a: a.last_reviewed_at),
        C("created_at", _("When it was written."), lambda a: a.created_at),
        C("updated_at", _("When it last changed."), lambda a: a.updated_at),
    ),
    _articles,
)
DATASETS: tuple[Dataset, ...] = (
    TICKETS, TICKET_MESSAGES, CONTACTS, CONTACT_IDENTITIES, ARTICLE_CATEGORIES, ARTICLES,
)
# fmt: on


def datasets_for(parts: list[str]) -> list[Dataset]:
    return [dataset for dataset in DATASETS if dataset.part in parts]
