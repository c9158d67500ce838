"""Two workspaces full of things worth stealing, with ids that collide on purpose.

Before building, every id sequence of alpha and beta is set to the same value; then the same
objects are made in both, in the same order, so alpha's ticket 412 and beta's ticket 412 both
exist (a check that only looked for a missing row would pass in alpha with beta's id, so the
suite proves the check is by workspace and permission). Then beta's sequences jump ahead and a
second set is made in beta only: ids that alpha does not have.

Whatever a person must not see carries a marker (``SECRET-beta-staff-note-017``) with its
audience: ``public`` (anybody on that workspace's host), ``x`` and ``y`` (customers X and Y, and
the staff), ``staff``, or one staff member (``agent``, ``admin``, ``owner``, ``agent2``: only
they). A marker in a response its reader may not see is a leak.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from kefu.tenancy import tenant_context
from tenants.models import Tenant
from tests.security.routes import ADMIN, AGENT, ANONYMOUS, CUSTOMER, OPERATOR, OWNER, STAFF

PASSWORD = "correct horse battery staple 42"
GUIDED_OUTLINE = "? Which device?\n  - Phone\n    ! Restart it.\n  - Laptop\n    ! Update it."
STAFF_AUDIENCES = {"public", "x", "y", "staff"}


def visitor_cookie(role: str) -> str:
    """Each actor's help center visitor id (the ``kefu_visitor`` cookie), known in advance."""
    return f"visitor-{role}-0123456789abcdef"


def audiences(role: str) -> set[str]:
    """Which markers of a workspace ``role`` may see on that workspace's own host."""
    if role in STAFF:
        return STAFF_AUDIENCES | {role}
    if role == CUSTOMER:
        return {"public", "x"}
    return {"public"}


@dataclass
class World:
    tenants: dict[str, Tenant]
    markers: dict[str, tuple[str, str]] = field(default_factory=dict)  # text -> (label, audience)
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> role -> User
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)  # label -> role -> secret

    def value(self, kind_field: str, variant: str, role: str, label: str = "alpha") -> str:
        """The value of ``kind.field`` of the ``variant`` object (own objects may be the
        actor's own, e.g. their saved view); ``beta`` is beta's object that alpha lacks."""
        kind, _, name = kind_field.partition(".")
        if variant == "beta":
            found = self.objects["beta-only"][kind]["own"]
        else:
            found = self.objects[label][kind].get(variant)
        if found is None:
            raise LookupError(f"{kind} has no {variant} object")
        if "per_role" in found:
            found = found["per_role"].get(role) or found["per_role"][AGENT]
        return str(found[name])

    def has_other(self, kind: str) -> bool:
        return "other" in self.objects["alpha"][kind]

    def forbidden_markers(self, text: str, *, host_label: str | None, seen_by: str) -> list[str]:
        """Markers in ``text`` that ``seen_by`` (signed in on this host, or anonymous) may not
        see on the host of ``host_label`` (None: the root domain, where operators see all)."""
        text = text.lower()  # markers also hide in slugs and email addresses
        found = [marker for marker in self.markers if marker.lower() in text]
        if host_label is None:
            return [] if seen_by == OPERATOR else found
        mine = audiences(seen_by)
        return [
            marker
            for marker in found
            if not (self.markers[marker][0] == host_label and self.markers[marker][1] in mine)
        ]


class _Builder:
    """Makes one set of objects in one workspace (``tag`` keeps unique fields unique)."""

    def __init__(self, world: World, tenant: Tenant, label: str, tag: str) -> None:
        self.world, self.tenant, self.label, self.tag = world, tenant, label, tag
        self.counter = itertools.count(1)
        self.objects: dict[str, dict[str, Any]] = {}
        self.users: dict[str, Any] = {}

    def mark(self, audience: str, what: str) -> str:
        text = f"SECRET-{self.label}-{audience}-{what}-{len(self.world.markers):03d}"
        self.world.markers[text] = (self.label, audience)
        return text

    def email(self, name: str) -> str:
        return f"{name}{'.' + self.tag if self.tag else ''}@{self.label}.example"

    def put(self, kind: str, variant: str, **values: Any) -> None:
        self.objects.setdefault(kind, {})[variant] = values

    def build(self) -> None:
        self._people()
        self._tickets()
        self._knowledge_base()
        self._desk_settings()
        self._contacts()
        self._mail_and_links()

    def _people(self) -> None:
        from kefu.accounts.services import api_token_create, user_create

        names = {OWNER: "Olga", ADMIN: "Ada", AGENT: "Mei", "agent2": "Kai"}
        for role, first_name in names.items():
            self.users[role] = user_create(
                email=self.email(role),
                password=PASSWORD,
                role="agent" if role == "agent2" else role,
                first_name=first_name,
            )
        for role in ("x", "y", "p"):
            first_name = "Pat" if role == "p" else self.mark(role, "name")
            local = "customer-p" if role == "p" else self.mark(role, "email").lower()
            self.users[role] = user_create(
                email=self.email(local), password=PASSWORD, role=CUSTOMER, first_name=first_name
            )
        self.users[CUSTOMER] = self.users["x"]
        tokens = {}
        for role in (AGENT, ADMIN, OWNER, "agent2"):
            token, secret = api_token_create(user=self.users[role], name=self.mark(role, "token"))
            tokens[role] = {"id": token.pk, "secret": secret}
        self.put(
            "api_token", "own", per_role={role: tokens[role] for role in (AGENT, ADMIN, OWNER)}
        )
        self.put("api_token", "other", **tokens["agent2"])
        self.world.tokens.setdefault(self.label, {}).update(
            {role: tokens[role]["secret"] for role in (AGENT, ADMIN, OWNER)}
        )
        self.put("staff_member", "own", id=self.users["agent2"].pk)

    def _ticket(self, requester: Any, audience: str, **options: Any) -> Any:
        from kefu.tickets.services.creation import ticket_create

        return ticket_create(
            subject=self.mark(audience, "ticket"),
            description=self.mark(audience, "description"),
            requester=requester,
            **options,
        )

    def _tickets(self) -> None:
        from kefu.contacts.services import contact_for_user
        from kefu.tickets.models import TicketCategory
        from kefu.tickets.services.thread import ticket_reply

        agent = self.users[AGENT]
        category = TicketCategory.objects.create(name=f"Billing {self.label}{self.tag}")
        self.put("ticket_category", "own", id=category.pk)
        tickets, files = {}, {}
        for who in ("x", "y"):
            ticket = self._ticket(contact_for_user(user=self.users[who]), who, category=category)
            upload = SimpleUploadedFile(f"{who}-file.txt", self.mark(who, "file").encode())
            reply = ticket_reply(
                ticket=ticket, author=agent, body=self.mark(who, "reply"), attachments=[upload]
            )
            tickets[who], files[who] = ticket, reply.attachments.get()
        note = ticket_reply(
            ticket=tickets["x"],
            author=agent,
            body=self.mark("staff", "note"),
            internal=True,
            attachments=[SimpleUploadedFile("note.txt", self.mark("staff", "notefile").encode())],
        )
        self._ticket(contact_for_user(user=self.users["p"]), "public", is_public=True)
        for variant, who in (("own", "x"), ("other", "y")):
            self.put("ticket", variant, id=tickets[who].pk)
            self.put("attachment", variant, id=files[who].pk)
            self.put("message", variant, id=tickets[who].messages.order_by("pk").first().pk)
        self.put("internal_file", "own", id=note.attachments.get().pk)
        self.tickets = tickets

    def _knowledge_base(self) -> None:
        from kefu.kb.models import ArticleAsset, ArticleImport, Category
        from kefu.kb.services import article_save
        from kefu.search.models import LearnedPhrasing, SearchLog

        agent = self.users[AGENT]
        category = Category.objects.create(
            name=self.mark("public", "category"), slug=f"help-{self.label}{self.tag}"
        )
        self.put("kb_category", "own", id=category.pk, slug=category.slug)
        published = article_save(
            title=self.mark("public", "article"),
            body="Restart the printer.",
            language="en",
            status="published",
            category=category,
            author=agent,
            index_now=True,
        )
        draft = article_save(
            title=self.mark("staff", "draft"),
            body="Not ready yet.",
            language="en",
            author=agent,
            index_now=True,
        )
        guided = article_save(
            title=self.mark("public", "guided"),
            body=GUIDED_OUTLINE,
            language="en",
            status="published",
            kind="guided",
            author=agent,
            index_now=True,
        )
        self.put("article", "own", id=published.pk, slug=published.slug)
        self.put("article", "other", id=draft.pk, slug=draft.slug)
        self.put("guided", "own", id=guided.pk)
        self.put("revision", "own", number=published.revisions.get().number)
        asset = ArticleAsset.objects.create(
            file=ContentFile(self.mark("public", "asset").encode(), name="guide.txt"),
            filename="guide.txt",
            content_type="text/plain",
            uploaded_by=agent,
        )
        self.put("asset", "own", id=asset.pk, filename=asset.filename)
        imported = ArticleImport.objects.create(
            file=ContentFile(b"title,body\n", name="faq.csv"),
            file_format="csv",
            status="done",
            created_by=agent,
        )
        self.put("import", "own", id=imported.pk)
        phrasing = LearnedPhrasing.objects.create(
            article=published, text=self.mark("staff", "phrasing")
        )
        self.put("phrasing", "own", id=phrasing.pk)
        searches = {
            variant: SearchLog.objects.create(
                query="printer",
                source="help_center",
                result_count=1,
                result_ids=[published.pk],
                visitor_key=visitor_cookie(who),
            )
            for variant, who in (("own", ANONYMOUS), ("other", "y"))
        }
        for variant, search in searches.items():
            self.put("search_log", variant, id=search.pk)
        self.published = published

    def _desk_settings(self) -> None:
        from django.utils import timezone

        from kefu.desk.models import ExportJob
        from kefu.desk.selectors import workspace_settings_get
        from kefu.messaging.models import Channel
        from kefu.tickets.models import (
            CannedResponse,
            Holiday,
            SavedView,
            SkillGroup,
            SlaPolicy,
            TicketField,
        )

        day = 1 if not self.tag else 2
        made = {
            "skill_group": SkillGroup.objects.create(name=f"Printers {self.label}{self.tag}"),
            "sla_policy": SlaPolicy.objects.create(name=self.mark("staff", "sla")),
            "holiday": Holiday.objects.create(date=f"2031-01-0{day}", name="New year"),
            "channel": Channel.objects.create(
                kind="email", name=self.mark("staff", "channel"), address=self.email("forward")
            ),
            "canned": CannedResponse.objects.create(
                title=self.mark("staff", "canned"), body="Hello!", created_by=self.users[AGENT]
            ),
            "ticket_field": TicketField.objects.create(
                key=f"order{self.tag}", label="Order", field_type="text"
            ),
        }
        for kind, row in made.items():
            self.put(kind, "own", id=row.pk)
        export = ExportJob.objects.create(
            parts=["tickets"], file_format="json", status="done", filename="export.json",
            finished_at=timezone.now(), requested_by=self.users[OWNER],
        )  # fmt: skip
        export.file.save("export.json", ContentFile(self.mark("staff", "export").encode()))
        self.put("export", "own", id=export.pk)
        views = {
            role: SavedView.objects.create(
                name=self.mark(role, "view"), owner=self.users[role], filters={"view": "all"}
            )
            for role in (AGENT, ADMIN, OWNER, "agent2")
        }
        self.put(
            "saved_view",
            "own",
            per_role={role: {"id": views[role].pk} for role in views if role != "agent2"},
        )
        self.put("saved_view", "other", id=views["agent2"].pk)
        workspace = workspace_settings_get()
        workspace.logo.save("logo.png", ContentFile(self.mark("public", "logo").encode()))

    def _contacts(self) -> None:
        from kefu.contacts.services import contact_for_email, identity_add
        from kefu.tickets.contact_merge import contact_merge

        admin = self.users[ADMIN]
        contacts = {
            name: contact_for_email(email=self.email(name), name=self.mark("staff", name))
            for name in ("zoe", "will", "vic", "uma")
        }
        phone = identity_add(
            contact=contacts["zoe"],
            kind="phone",
            value=f"+86138{self.tag or 0}0000{len(self.label)}",
        )
        merges = {
            "own": contact_merge(source=contacts["will"], target=contacts["zoe"], actor=admin),
            "other": contact_merge(source=contacts["uma"], target=contacts["vic"], actor=admin),
        }
        self.put("contact", "own", id=contacts["zoe"].pk)
        self.put("identity", "own", id=phone.pk)
        self.put("identity", "other", id=contacts["vic"].identities.first().pk)
        for variant, merge in merges.items():
            self.put("merge", variant, id=merge.pk)

    def _mail_and_links(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.account.utils import user_pk_to_url_str

        from kefu.accounts.services import invitation_create, invitation_token
        from kefu.accounts.tokens import WorkspaceEmailConfirmation
        from kefu.messaging.autoreply import solved_link_token
        from kefu.messaging.inbound import email_process, email_receive
        from kefu.tickets.deflection import draft_hold
        from tenants.signup import handoff_create

        subject = self.mark("staff", "mail")
        raw = (
            f"To: support@{self.label}.localhost\r\nSubject: {subject}\r\n"
            f"Message-ID: <quarantine{self.tag}@{self.label}.example>\r\n\r\n"
            f"{self.mark('staff', 'mailbody')}\r\n"
        ).encode()
        inbound = email_process(inbound=email_receive(raw=raw, source="test"))
        assert inbound.status == "quarantined", inbound.reason
        self.put("inbound", "own", id=inbound.pk)
        invitation = invitation_create(
            email=self.email("invitee"), role="agent", invited_by=self.users[ADMIN]
        )
        self.put("invitation", "own", id=invitation.pk, token=invitation_token(invitation))
        # The world outlives the token's two minutes on a busy machine (the owner's and the
        # operator's turns come last): the token is made to last the module.
        with override_settings(KEFU_HANDOFF_TTL_SECONDS=3600):
            token = handoff_create(tenant=self.tenant, user_id=self.users[OWNER].pk)
        self.put("handoff", "own", token=token)
        links = {
            variant: {
                "ticket": self.tickets[who].pk,
                "article": self.published.pk,
                "token": solved_link_token(
                    self.tickets[who], article_id=self.published.pk, shown=[self.published.pk]
                ),
            }
            for variant, who in (("own", "x"), ("other", "y"))
        }
        for variant, link in links.items():
            self.put("solved_link", variant, **link)
        held = {}
        for role in (ANONYMOUS, OPERATOR, CUSTOMER, AGENT, ADMIN, OWNER, "y"):
            user = self.users.get(role) or AnonymousUser()
            audience = {CUSTOMER: "x", "y": "y"}.get(role)
            data = {
                "subject": self.mark(audience, "held") if audience else "Printer jam",
                "description": "It jams.",
                "category_id": None,
                "field_values": {},
                "name": "Visitor",
                "email": self.email("visitor"),
            }
            draft = draft_hold(
                data=data,
                shown=[{"type": "article", "id": self.published.pk}],
                user=user,
                visitor_key=visitor_cookie(role),
            )
            held[role] = {"token": draft.token}
        self.put("held", "own", per_role={role: held[role] for role in held if role != "y"})
        self.put("held", "other", **held["y"])
        address = EmailAddress.objects.get(user=self.users["x"])
        self.put(
            "email_confirmation",
            "own",
            key=WorkspaceEmailConfirmation(address).key,
            address_id=address.pk,
        )
        from allauth.account.forms import default_token_generator

        self.put(
            "password_reset",
            "own",
            uidb36=user_pk_to_url_str(self.users["x"]),
            key=default_token_generator.make_token(self.users["x"]),
        )


def _align_sequences(schemas: list[str], *, ahead: int = 0) -> None:
    """Set each id sequence of these schemas to one value (the largest, plus ``ahead``), so
    the next rows made in each get the same ids. Sequences are not transactional: nothing to
    undo, later tests just see larger ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, sequencename, COALESCE(last_value, 0) FROM pg_sequences "
            "WHERE schemaname = ANY(%s)",
            [schemas],
        )
        rows = cursor.fetchall()
        highest: dict[str, int] = {}
        for _schema, sequence, last in rows:
            highest[sequence] = max(highest.get(sequence, 0), last)
        for schema, sequence, _last in rows:
            cursor.execute(
                "SELECT setval(%s, %s, true)",
                [f'"{schema}"."{sequence}"', highest[sequence] + 1 + ahead],
            )


def _collect(world: World, builder: _Builder, key: str) -> None:
    world.objects[key] = builder.objects


def build_world(alpha: Tenant, beta: Tenant) -> World:
    world = World(tenants={"alpha": alpha, "beta": beta})
    _align_sequences([alpha.schema_name, beta.schema_name])
    for label, tenant in (("alpha", alpha), ("beta", beta)):
        with tenant_context(tenant):
            builder = _Builder(world, tenant, label, tag="")
            builder.build()
        _collect(world, builder, label)
        world.users[label] = builder.users
    _check_ids_collide(world)
    _align_sequences([beta.schema_name], ahead=10_000)
    with tenant_context(beta):
        extra = _Builder(world, beta, "beta", tag="2")
        extra.build()
    _collect(world, extra, "beta-only")
    return world


def _ids(objects: dict[str, dict[str, Any]]) -> dict[tuple[str, str], Any]:
    return {
        (kind, variant): values.get("id")
        for kind, variants in objects.items()
        for variant, values in variants.items()
        if "id" in values
    }


def _check_ids_collide(world: World) -> None:
    """The premise of the suite: alpha's objects and beta's twins share their ids."""
    alpha, beta = _ids(world.objects["alpha"]), _ids(world.objects["beta"])
    differing = {key: (alpha[key], beta.get(key)) for key in alpha if alpha[key] != beta.get(key)}
    assert not differing, f"alpha and beta ids differ (alpha, beta): {differing}"
