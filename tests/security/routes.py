"""Who may reach each route of Kefu, and which of its parameters name objects.

Every route of the public and the tenant URLconf (desk, help center tickets, allauth, messaging,
API) must match one entry here, or the access suite fails: a new page is not reachable until
somebody has written down who may open it. An entry with ``prefix=True`` covers every route
under its path (allauth's two-factor pages, Django's admin), when one rule holds for them all.

Roles are people of workspace alpha (``customer`` is one customer, X; another customer, Y, owns
the "other" tickets), plus ``anonymous`` and ``operator`` (a platform staff user signed in on the
root domain). On a workspace host an operator is nobody; on the root domain a workspace's people
are nobody.

Parameters name objects as ``"kind.field"``: ``ids`` are path parameters (a refusal must be a
404/403 or the login page), ``query`` and ``form`` are GET and POST (or JSON) parameters, which
may be answered with a redirect and a message, but must never leak or act on what they name
(``strict_form=True``: refused like a path parameter). The kinds and what their variants are:

- ``own``: an object of alpha the actor may reach; beta has an object with the same id;
- ``other``: an object of alpha that belongs to somebody else (see ``KINDS``);
- ``beta``: an object of beta whose id does not exist in alpha.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.security.urlconf_routes import urlconf_routes as resolver_routes

ANONYMOUS, CUSTOMER, AGENT, ADMIN, OWNER, OPERATOR = (
    "anonymous",
    "customer",
    "agent",
    "admin",
    "owner",
    "operator",
)
ROLES = (ANONYMOUS, CUSTOMER, AGENT, ADMIN, OWNER, OPERATOR)
STAFF = frozenset({AGENT, ADMIN, OWNER})
ADMINS = frozenset({ADMIN, OWNER})
OWNERS = frozenset({OWNER})
SIGNED_IN = STAFF | {CUSTOMER}
ANYONE = frozenset(ROLES)
OPERATORS = frozenset({OPERATOR})
NOT_STAFF = frozenset({ANONYMOUS, CUSTOMER, OPERATOR})
EVERYBODY = ANYONE  # for ``hidden``: the other object is hidden from every role
NOBODY = frozenset()

PUBLIC_URLCONF = "kefu.urls_public"
TENANT_URLCONF = "kefu.urls_tenant"


@dataclass(frozen=True)
class Kind:
    """What the ``other`` object of a kind is, and from whom it is hidden (by default)."""

    other: str = ""
    hidden_from: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    "ticket": Kind("customer Y's private ticket", NOT_STAFF),
    "attachment": Kind("a file on customer Y's ticket", NOT_STAFF),
    "internal_file": Kind(),
    "message": Kind("a message of customer Y's ticket", NOT_STAFF),
    "article": Kind("a draft article", NOT_STAFF),
    "guided": Kind(),
    "asset": Kind(),
    "kb_category": Kind(),
    "revision": Kind(),
    "ticket_category": Kind(),
    "ticket_field": Kind(),
    "skill_group": Kind(),
    "sla_policy": Kind(),
    "holiday": Kind(),
    "channel": Kind(),
    "canned": Kind(),
    "saved_view": Kind("another agent's private view", EVERYBODY),
    "api_token": Kind("another agent's token", EVERYBODY),
    "import": Kind(),
    "export": Kind(),
    "phrasing": Kind(),
    "search_log": Kind("another visitor's search", EVERYBODY),
    "inbound": Kind(),
    "contact": Kind(),
    "identity": Kind("an identity of another contact", EVERYBODY),
    "merge": Kind("a merge into another contact", EVERYBODY),
    "invitation": Kind(),
    "staff_member": Kind(),
    "held": Kind("customer Y's held submission", EVERYBODY),
    "solved_link": Kind("the link mailed to customer Y, for Y's ticket"),
    "handoff": Kind(),
    "email_confirmation": Kind(),
    "password_reset": Kind(),
    "workspace": Kind("workspace beta (operators manage every workspace)"),
}


@dataclass(frozen=True)
class Route:
    path: str
    who: frozenset[str]
    methods: tuple[str, ...] = ("GET", "POST")
    ids: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, object] = field(default_factory=dict)  # fixed fields (GET or POST)
    values: Mapping[str, str] = field(default_factory=dict)  # path parameters that are not ids
    api: bool = False  # token-authenticated JSON API: staff send their API token
    prefix: bool = False
    strict_form: bool = False
    hidden: Mapping[str, frozenset[str]] = field(default_factory=dict)  # overrides KINDS
    cases: Mapping[str, tuple[Mapping[str, str], frozenset[str]]] = field(default_factory=dict)
    grants: str = ""  # a kind whose object is a credential: holding it shows its owner's data
    refusal: tuple[int | str, ...] = ()  # statuses or redirect targets that also refuse
    may_refuse: bool = False  # an allowed request may still find nothing, or a read-only page
    quiet: bool = False  # the status says nothing (an invalid link is a 200 page saying so)
    unsafe: tuple[str, ...] = ()  # methods allowed roles do not send (irreversible)
    note: str = ""

    def object_params(self) -> dict[str, str]:
        return {**self.ids, **self.query, **self.form}


def crossed(param: str, kind_field: str) -> dict[str, tuple[dict[str, str], frozenset[str]]]:
    """A case where ``param`` names the ``other`` object of its kind while the rest of the URL
    names one's own (another ticket's file under one's own ticket): refused to everybody."""
    return {f"{param} of another": ({param: f"{kind_field}@other"}, EVERYBODY)}


T = TICKET = {"ticket_id": "ticket.id"}
ARTICLE = {"article_id": "article.id"}
CONTACT = {"contact_id": "contact.id"}
MAIL = {"inbound_id": "inbound.id"}
PUBLISHED_ONLY = {"article": EVERYBODY}  # the help center never shows a draft, not even to staff
JSON_ONLY = ("GET", "POST", "PATCH", "PUT", "DELETE")

# fmt: off
TENANT_ROUTES: list[Route] = [
    # --- help center -------------------------------------------------------------------------
    Route("", ANYONE),
    Route("articles/<int:article_id>-<str:slug>/", ANYONE, ids={**ARTICLE, "slug": "article.slug"},
          query={"sq": "search_log.id"}, hidden=PUBLISHED_ONLY),
    Route("articles/<int:article_id>/vote/", ANYONE, ("POST",), ids=ARTICLE,
          form={"sq": "search_log.id"}, data={"helpful": "yes"}, hidden=PUBLISHED_ONLY),
    Route("articles/<int:article_id>/guided/", ANYONE, ("POST",), ids={"article_id": "guided.id"},
          data={"solved": "no", "path": "0"}),
    Route("categories/<int:category_id>-<str:slug>/", ANYONE,
          ids={"category_id": "kb_category.id", "slug": "kb_category.slug"}),
    Route("kb/files/<int:asset_id>/<str:filename>", ANYONE,
          ids={"asset_id": "asset.id", "filename": "asset.filename"}),
    Route("search/", ANYONE, data={"q": "SECRET"}),
    Route("search/suggest/", ANYONE, ("GET",), data={"q": "SECRET"}),
    Route("api/v1/search", ANYONE, ("GET",), data={"q": "SECRET"}),
    Route("sitemap.xml", ANYONE),
    Route("widget.js", ANYONE, ("GET",)),
    Route("widget/", ANYONE, data={"q": "SECRET"}),
    Route("brand/logo", ANYONE, note="the workspace's own logo file, never another's"),
    Route("healthz", ANYONE),
    Route("favicon.ico", ANYONE, ("GET",)),
    Route("i18n/setlang/", ANYONE),
    # --- help center tickets (customer side) ---------------------------------------------------
    Route("tickets/", ANYONE, ("GET",), data={"q": "SECRET"},
          note="searches the tickets one may read (?tab=mine: test_signed_links)"),
    Route("tickets/new/", ANYONE, form={"category": "ticket_category.id"}),
    Route("tickets/suggest/", ANYONE, ("GET",), data={"q": "SECRET"}),
    Route("tickets/verify-email/", SIGNED_IN, ("POST",), note="mails one's own address a link"),
    Route("tickets/held/<str:token>/", ANYONE, ("GET",), ids={"token": "held.token"}),
    Route("tickets/held/<str:token>/solved/", ANYONE, ("POST",), ids={"token": "held.token"},
          form={"article_id": "article.id"}),
    Route("tickets/held/<str:token>/submit/", ANYONE, ("POST",), ids={"token": "held.token"}),
    Route("tickets/<int:ticket_id>/", SIGNED_IN, ids=T,
          note="staff read every ticket here; a customer their own (and public ones)"),
    Route("tickets/<int:ticket_id>/reply/", {CUSTOMER}, ("POST",), ids=T, data={"body": "Thanks"}),
    Route("tickets/<int:ticket_id>/close/", {CUSTOMER}, ("POST",), ids=T),
    Route("tickets/<int:ticket_id>/reopen/", {CUSTOMER}, ("POST",), ids=T),
    Route("tickets/<int:ticket_id>/follow/", {CUSTOMER}, ("POST",), ids=T,
          hidden={"ticket": EVERYBODY}, note="only public tickets and one's own can be followed"),
    Route("tickets/<int:ticket_id>/rate/", {CUSTOMER}, ids=T, data={"score": "5"}),
    Route("tickets/<int:ticket_id>/attachments/<int:attachment_id>/", SIGNED_IN,
          ids={**T, "attachment_id": "attachment.id"},
          cases={**crossed("attachment_id", "attachment.id"),
                 "a file of an internal note": ({"attachment_id": "internal_file.id"}, EVERYBODY)}),
    Route("email/tickets/<int:ticket_id>/solved-by/<int:article_id>/", ANYONE,
          ids={"ticket_id": "solved_link.ticket", "article_id": "solved_link.article"},
          query={"t": "solved_link.token"}, form={"t": "solved_link.token"}, strict_form=True,
          grants="solved_link", cases=crossed("t", "solved_link.token"),
          note="the signed link is the credential: anyone holding it, nobody without"),
    # --- staff API (token) ---------------------------------------------------------------------
    Route("api/v1/articles", STAFF, ("GET", "POST"), api=True, data={"title": "New"}),
    Route("api/v1/articles/<int:article_id>", STAFF, ("GET", "PATCH", "DELETE"),
          ids=ARTICLE, api=True, data={"summary": "Changed"}),
    Route("api/v1/tickets", STAFF, ("GET", "POST"), api=True, data={"q": "SECRET"},
          query={"category": "ticket_category.id", "assignee": "staff_member.id"}),
    Route("api/v1/tickets/<int:ticket_id>", STAFF, ("GET", "PATCH"), ids=T, api=True,
          form={"category": "ticket_category.id"}),
    Route("api/v1/tickets/<int:ticket_id>/reply", STAFF, ("POST",), ids=T, api=True,
          data={"body": "Hello", "internal": True}),
    Route("api/v1/openapi.json", ANYONE, ("GET",)),
    # --- accounts (allauth and Kefu's own) -----------------------------------------------------
    Route("accounts/login/", ANYONE),
    Route("accounts/logout/", ANYONE),
    Route("accounts/inactive/", ANYONE, ("GET",)),
    Route("accounts/signup/", ANYONE),
    Route("accounts/reauthenticate/", SIGNED_IN),
    Route("accounts/email/", SIGNED_IN),
    Route("accounts/confirm-email/", ANYONE, ("GET",)),
    Route("accounts/password/change/", SIGNED_IN),
    Route("accounts/password/set/", SIGNED_IN),
    Route("accounts/password/reset/", ANYONE),
    Route("accounts/login/code/confirm/", NOBODY, refusal=("/", "/desk/"),
          note="a step of signing in by code (not offered): everybody is sent away"),
    Route("accounts/confirm-email/<str:key>/", ANYONE, ids={"key": "email_confirmation.key"},
          grants="email_confirmation", quiet=True,
          note="Kefu's page in front of allauth's, reading only keys this workspace signed; a "
          "bad key is a 200 page saying so (GET), a 404 (POST): test_signed_links"),
    Route("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", ANYONE,
          ids={"key": "email_confirmation.key"}, grants="email_confirmation", quiet=True,
          note="allauth's own, shadowed by Kefu's above (every such URL reaches Kefu's)"),
    Route("accounts/password/reset/key/done/", ANYONE, ("GET",)),
    Route("accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", ANYONE,
          ids={"uidb36": "password_reset.uidb36", "key": "password_reset.key"},
          grants="password_reset", quiet=True),
    Route("accounts/password/reset/done/", ANYONE, ("GET",)),
    Route("accounts/2fa/", SIGNED_IN, ("GET",), note="allauth.mfa: one's own second factors"),
    Route("accounts/2fa/reauthenticate/", SIGNED_IN),
    Route("accounts/2fa/totp/activate/", SIGNED_IN),
    Route("accounts/2fa/totp/deactivate/", SIGNED_IN, may_refuse=True, note="404: none yet"),
    Route("accounts/2fa/recovery-codes/", SIGNED_IN, ("GET",), may_refuse=True),
    Route("accounts/2fa/recovery-codes/generate/", SIGNED_IN),
    Route("accounts/2fa/recovery-codes/download/", SIGNED_IN, may_refuse=True),
    Route("accounts/2fa/authenticate/", NOBODY, refusal=("/", "/desk/"),
          note="a step of signing in with a second factor: outside one, everybody is sent away"),
    Route("handoff/<str:token>/", ANYONE, ids={"token": "handoff.token"}, refusal=(400,),
          note="the signup token is the credential"),
    Route("invitations/<str:token>/", ANYONE, ids={"token": "invitation.token"}),
    # --- desk ----------------------------------------------------------------------------------
    Route("desk/", STAFF),
    Route("desk/team/", ADMINS),
    Route("desk/team/invitations/<int:invitation_id>/revoke/", ADMINS, ("POST",),
          ids={"invitation_id": "invitation.id"}),
    Route("desk/team/<int:user_id>/deactivate/", ADMINS, ("POST",),
          ids={"user_id": "staff_member.id"}),
    Route("desk/team/<int:user_id>/reactivate/", ADMINS, ("POST",),
          ids={"user_id": "staff_member.id"}),
    Route("desk/settings/brand/", ADMINS),
    Route("desk/settings/categories/", ADMINS),
    Route("desk/settings/categories/<int:category_id>/delete/", ADMINS, data={"confirm": "1"},
          ids={"category_id": "ticket_category.id"}),
    Route("desk/settings/email/", ADMINS),
    Route("desk/settings/email/test/", ADMINS, ("POST",)),
    Route("desk/settings/knowledge-base/", ADMINS),
    Route("desk/settings/export/", ADMINS, data={"parts": "articles", "file_format": "json"}),
    Route("desk/settings/export/format/", ADMINS, ("GET",)),
    Route("desk/settings/export/<int:export_id>/status/", ADMINS, ("GET",),
          ids={"export_id": "export.id"}),
    Route("desk/settings/export/<int:export_id>/download/", ADMINS, ("GET",),
          ids={"export_id": "export.id"}, note="the file holds the workspace's own data only"),
    Route("desk/search/", STAFF),
    Route("desk/articles/", STAFF, form={"article": "article.id"},
          data={"status": "archived", "q": "SECRET"}),
    Route("desk/articles/new/", STAFF),
    Route("desk/articles/<int:article_id>/", STAFF, ids=ARTICLE),
    Route("desk/articles/preview/", STAFF, ("POST",), data={"body": "**hi**"}),
    Route("desk/articles/guided/new/", STAFF),
    Route("desk/articles/guided/<int:article_id>/", STAFF, ids={"article_id": "guided.id"}),
    Route("desk/articles/import/", STAFF),
    Route("desk/articles/import/<int:import_id>/", STAFF, ids={"import_id": "import.id"}),
    Route("desk/articles/import/<int:import_id>/status/", STAFF, ids={"import_id": "import.id"}),
    Route("desk/articles/export.<str:file_format>", STAFF, values={"file_format": "csv"}),
    Route("desk/search/phrasings/<int:phrasing_id>/forget/", ADMINS, ("POST",),
          ids={"phrasing_id": "phrasing.id"}),
    Route("desk/knowledge-base/categories/", ADMINS),
    Route("desk/knowledge-base/categories/<int:category_id>/", ADMINS,
          ids={"category_id": "kb_category.id"}),
    Route("desk/knowledge-base/categories/<int:category_id>/delete/", ADMINS, data={"confirm": "1"},
          ids={"category_id": "kb_category.id"}),
    Route("desk/articles/<int:article_id>/history/", STAFF, ids=ARTICLE),
    Route("desk/articles/<int:article_id>/history/<int:number>/", STAFF,
          ids={**ARTICLE, "number": "revision.number"}),
    Route("desk/articles/<int:article_id>/history/<int:number>/restore/", STAFF, ("POST",),
          ids={**ARTICLE, "number": "revision.number"}),
    Route("desk/articles/files/", STAFF, ("POST",)),
    Route("desk/api-tokens/", STAFF, form={"revoke": "api_token.id"}, strict_form=True),
    Route("desk/api/onboarding/", STAFF),
    Route("desk/api/team/", ADMINS),
    Route("desk/settings/routing/", ADMINS),
    Route("desk/settings/routing/groups/<int:group_id>/", ADMINS,
          ids={"group_id": "skill_group.id"}),
    Route("desk/settings/routing/groups/<int:group_id>/delete/", ADMINS, data={"confirm": "1"},
          ids={"group_id": "skill_group.id"}),
    Route("desk/settings/routing/agents/<int:user_id>/", ADMINS, ("POST",),
          ids={"user_id": "staff_member.id"}),
    Route("desk/settings/sla/", ADMINS),
    Route("desk/settings/sla/policies/<int:policy_id>/", ADMINS,
          ids={"policy_id": "sla_policy.id"}),
    Route("desk/settings/sla/policies/<int:policy_id>/delete/", ADMINS, data={"confirm": "1"},
          ids={"policy_id": "sla_policy.id"}),
    Route("desk/settings/sla/holidays/<int:holiday_id>/delete/", ADMINS, data={"confirm": "1"},
          ids={"holiday_id": "holiday.id"}),
    Route("desk/availability/", STAFF, ("POST",), data={"availability": "away"}),
    Route("desk/settings/channels/", ADMINS),
    Route("desk/settings/channels/<int:channel_id>/active/", ADMINS, ("POST",),
          ids={"channel_id": "channel.id"}),
    Route("desk/settings/channels/<int:channel_id>/delete/", ADMINS,
          ids={"channel_id": "channel.id"}),
    Route("desk/settings/channels/widget/", ADMINS,
          data={"widget_allowed_origins": "https://shop.example"}),
    Route("desk/tickets/", STAFF, query={"category": "ticket_category.id",
                                         "assignee": "staff_member.id"},
          form={"ticket": "ticket.id"}, data={"action": "priority", "priority": "high"}),
    Route("desk/tickets/views/", STAFF, ("POST",), data={"name": "Mine too"}),
    Route("desk/tickets/views/<int:view_id>/delete/", STAFF, ("POST",),
          ids={"view_id": "saved_view.id"}),
    Route("desk/tickets/<int:ticket_id>/", STAFF, ids=T),
    Route("desk/tickets/<int:ticket_id>/reply/", STAFF, ("POST",), ids=T,
          data={"body": "Noted", "kind": "internal"}),
    Route("desk/tickets/<int:ticket_id>/properties/", STAFF, ("POST",), ids=T,
          form={"category": "ticket_category.id", "assignee": "staff_member.id"}),
    Route("desk/tickets/<int:ticket_id>/follow/", STAFF, ("POST",), ids=T, data={"follow": "1"}),
    Route("desk/tickets/<int:ticket_id>/attachments/<int:attachment_id>/", STAFF,
          ids={**T, "attachment_id": "attachment.id"},
          cases={**crossed("attachment_id", "attachment.id"),
                 "a file of an internal note": ({"attachment_id": "internal_file.id"}, NOT_STAFF)}),
    Route("desk/tickets/<int:ticket_id>/merge/", STAFF, ("POST",), ids=T,
          form={"target": "ticket.id"}),
    Route("desk/tickets/<int:ticket_id>/split/", STAFF, ("POST",), ids=T,
          form={"message": "message.id"}),
    Route("desk/tickets/<int:ticket_id>/publish/", STAFF, ("POST",), ids=T),
    Route("desk/tickets/<int:ticket_id>/presence/", STAFF, ids=T, data={"state": "viewing"}),
    Route("desk/canned/", STAFF),
    Route("desk/canned/<int:canned_id>/", STAFF, ids={"canned_id": "canned.id"}),
    Route("desk/canned/<int:canned_id>/delete/", STAFF, data={"confirm": "1"},
          ids={"canned_id": "canned.id"}),
    Route("desk/settings/ticket-fields/", ADMINS),
    Route("desk/settings/ticket-fields/<int:field_id>/", ADMINS,
          ids={"field_id": "ticket_field.id"}),
    Route("desk/settings/ticket-fields/<int:field_id>/toggle/", ADMINS, ("POST",),
          ids={"field_id": "ticket_field.id"}),
    Route("desk/email/", STAFF, ("GET",)),
    Route("desk/email/quarantine/", STAFF, ("GET",)),
    Route("desk/email/<int:inbound_id>/raw/", STAFF, ("GET",), ids=MAIL),
    Route("desk/email/<int:inbound_id>/retry/", STAFF, ("POST",), ids=MAIL),
    Route("desk/email/<int:inbound_id>/assign/", STAFF, ("POST",), ids=MAIL,
          form={"ticket": "ticket.id"}),
    Route("desk/email/<int:inbound_id>/discard/", ADMINS, ("POST",), ids=MAIL),
    Route("desk/contacts/", STAFF, data={"q": "SECRET"}),
    Route("desk/contacts/<int:contact_id>/", STAFF, ids=CONTACT),
    Route("desk/contacts/<int:contact_id>/edit/", STAFF, ("POST",), ids=CONTACT,
          data={"name": "Renamed", "tier": "standard"}),
    Route("desk/contacts/<int:contact_id>/identities/", STAFF, ("POST",), ids=CONTACT,
          data={"kind": "phone", "value": "+86 138 0000 0000"}),
    Route("desk/contacts/<int:contact_id>/identities/<int:identity_id>/remove/", STAFF, ("POST",),
          ids={**CONTACT, "identity_id": "identity.id"}),  # other: another contact's identity
    Route("desk/contacts/<int:contact_id>/merge/", ADMINS, ("POST",), ids=CONTACT,
          form={"other": "contact.id"}),
    Route("desk/contacts/<int:contact_id>/merges/<int:merge_id>/undo/", ADMINS, ("POST",),
          ids={**CONTACT, "merge_id": "merge.id"}),
    Route("desk/billing/", ADMINS),
    Route("desk/billing/checkout/", OWNERS, ("POST",), data={"plan": "no-such-plan"}),
    Route("desk/billing/portal/", OWNERS, ("POST",)),
    Route("desk/billing/currency/", OWNERS, ("POST",), data={"currency": "XXX"}),
]

PUBLIC_ROUTES: list[Route] = [
    Route("", ANYONE),
    Route("signup/", ANYONE),
    Route("signup/check-subdomain/", ANYONE, ("GET",), data={"subdomain": "alpha"}),
    Route("signin/", ANYONE, data={"subdomain": "alpha"}, may_refuse=True,
          note="sends anyone to the workspace's own sign-in page (a redirect to a login page, "
          "which the probe reads as a refusal); signs nobody in"),
    Route("signin/find/", ANYONE, data={"email": "owner@alpha.example"},
          note="answers the same for every address; the list goes only to that mailbox"),
    Route("pricing/", ANYONE),
    Route("operator/", OPERATORS),
    Route("operator/tenants/<int:tenant_id>/suspend/", OPERATORS,
          ids={"tenant_id": "workspace.id"}, note="GET asks for a reason; POST suspends"),
    Route("operator/tenants/<int:tenant_id>/plan/", OPERATORS, ("POST",),
          ids={"tenant_id": "workspace.id"}, data={"plan": "no-such-plan"}),
    Route("operator/tenants/<int:tenant_id>/resume/", OPERATORS, ("POST",),
          ids={"tenant_id": "workspace.id"}),
    Route("operator/tenants/<int:tenant_id>/export/", OPERATORS, ("POST",),
          ids={"tenant_id": "workspace.id"}, note="the export download"),
    Route("operator/tenants/<int:tenant_id>/delete/", OPERATORS,
          ids={"tenant_id": "workspace.id"}, unsafe=("POST",),
          note="drops a schema and its files: tests/tenants/test_operator.py does it for real"),
    Route("operator/audit/", OPERATORS),
    Route("operator/plans/", OPERATORS),
    Route("operator/plans/sync/", OPERATORS, ("POST",), unsafe=("POST",),
          note="talks to Stripe: tests/billing/test_operator_plans.py"),
    Route("^email/inbound/mailgun(?P<mime>_mime)?/$", NOBODY, ("POST",), values={"mime": ""},
          refusal=(400,), note="anyone may call it; only a call signed by Mailgun is processed"),
    Route("billing/webhook/", NOBODY, ("POST",), refusal=(400,),
          note="anyone may call it; only a call signed by Stripe is processed"),
    Route("healthz", ANYONE),
    Route("favicon.ico", ANYONE, ("GET",)),
    Route("i18n/setlang/", ANYONE),
    Route("admin/", OPERATORS, ("GET",), prefix=True, may_refuse=True,
          values={"object_id": "1", "content_type_id": "1", "id": "1", "app_label": "tenants",
                  "url": "no-such-page/"},
          unsafe=("POST",), note="Django's admin, for platform superusers (a read-only model's "
          "add and delete pages are a 403 to them too)"),
    Route("admin/accounts/user/<path:object_id>/delete/", OPERATORS, values={"object_id": "1"},
          unsafe=("GET", "POST"), note="500 for operators: Django's delete page follows relations "
          "of tenant-only tables, which the public schema lacks (issue 14 item 9's report)"),
    Route("admin/login/", ANYONE),
    Route("admin/logout/", OPERATORS, ("POST",), refusal=("/admin/",),
          note="strangers are sent to the admin's index, which asks them to sign in"),
]
# fmt: on


# --- the routes the URLconfs really have ---------------------------------------------------


def urlconf_routes(urlconf: str) -> list[str]:
    """Every route of ``urlconf`` as its patterns joined (``desk/tickets/<int:ticket_id>/``)."""
    return [route.pattern for route in resolver_routes(urlconf)]


def entry_for(path: str, table: list[Route]) -> Route | None:
    """The table's entry for a route: its own, else the longest prefix entry above it."""
    for route in table:
        if route.path == path and not route.prefix:
            return route
    covering = [route for route in table if route.prefix and path.startswith(route.path)]
    return max(covering, key=lambda route: len(route.path), default=None)


def table_problems(urlconf: str, table: list[Route]) -> list[str]:
    """Routes the table does not cover, and entries no route matches any more."""
    routes = urlconf_routes(urlconf)
    problems = [
        f"{urlconf}: {path!r} is not in the table"
        for path in routes
        if entry_for(path, table) is None
    ]
    for route in table:
        matched = any(
            path == route.path or (route.prefix and path.startswith(route.path)) for path in routes
        )
        if not matched:
            problems.append(f"{urlconf}: the table's {route.path!r} matches no route")
    return problems


def covered_routes(urlconf: str, table: list[Route]) -> list[tuple[str, Route]]:
    """Each route of the URLconf with the entry that rules it (the routes to attack)."""
    pairs = []
    for path in urlconf_routes(urlconf):
        route = entry_for(path, table)
        if route is not None:
            pairs.append((path, route))
    return pairs
