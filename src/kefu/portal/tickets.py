"""Help center tickets, the customer's side: the form with answers first, the held submission
("Does one of these answer your question?") and the list of tickets. The ticket page itself is
in ``kefu.portal.ticket_page``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.selectors import user_email_verified
from kefu.core.parsing import id_or_none
from kefu.core.ratelimit import client_ip, limit_hit, search_limit_hit
from kefu.core.visitors import remember_visitor, visitor_key
from kefu.kb.models import Article
from kefu.messaging.channels import channel_receive
from kefu.portal.ticket_forms import TicketForm, TicketSubmission, field_groups, submission_parse
from kefu.search import segment
from kefu.search.engine import snippet
from kefu.tickets import deflection, selectors
from kefu.tickets.errors import FieldErrors, TicketError
from kefu.tickets.models import SubmissionDraft, Ticket, TicketCategory

#: Ticket submissions per client address (held or created) unless settings say otherwise.
DEFAULT_SUBMIT_LIMIT = "20/3600"
LINKED_SESSION_KEY = "kefu_linked_tickets"
MAX_LINKED = 50
PAGE_SIZE = 20
TABS = ("mine", "following", "hot", "public")
#: Verification mails a customer may ask for from the requests page.
VERIFY_MAIL_LIMIT = "3/3600"


# --- tickets opened by a signed link (or submitted anonymously) in this session ----------------


def linked_ticket_ids(request: HttpRequest) -> frozenset[int]:
    raw = request.session.get(LINKED_SESSION_KEY, [])
    return frozenset(int(pk) for pk in raw if isinstance(pk, int))


def link_ticket(request: HttpRequest, ticket_id: int) -> None:
    linked = [pk for pk in request.session.get(LINKED_SESSION_KEY, []) if pk != ticket_id]
    request.session[LINKED_SESSION_KEY] = [*linked, ticket_id][-MAX_LINKED:]


# --- the form ---------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: TicketForm,
    submission: TicketSubmission | None = None,
    *,
    errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    selected = submission.category if submission else None
    raw_category = str(form.data.get("category") or "") if form.is_bound else ""
    if selected is None and (category_id := id_or_none(raw_category)) is not None:
        selected = TicketCategory.objects.filter(pk=category_id, is_active=True).first()
    context = {
        "form": form,
        "groups": field_groups(
            selected=selected,
            raw=submission.raw_fields if submission else None,
            errors=submission.field_errors if submission else None,
        ),
        "attachment_errors": submission.attachment_errors if submission else [],
        "errors": list(errors),
    }
    response = render(request, "portal/tickets/new.html", context, status=status)
    return remember_visitor(request, response)


def ticket_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _ticket_new_post(request)
    initial = {"subject": request.GET.get("q", "")[:300]}
    return _form_page(request, TicketForm(initial=initial, user=request.user))


def _ticket_new_post(request: HttpRequest) -> HttpResponse:
    """Validate everything first; then hold the request if good answers exist, else create it."""
    limit = getattr(settings, "KEFU_TICKET_SUBMIT_LIMIT_PER_IP", DEFAULT_SUBMIT_LIMIT)
    if not limit_hit(scope="ticket_submit", key=client_ip(request), limit=limit):
        form = TicketForm(request.POST, user=request.user)
        message = _("Too many requests from your network. Please try again in a while.")
        return _form_page(request, form, errors=[message], status=429)
    submission = submission_parse(request)
    if not submission.is_valid:
        return _form_page(request, submission.form, submission)
    key = visitor_key(request)
    data = submission.data()
    answers = deflection.good_answers(
        subject=data["subject"], description=data["description"], visitor_key=key
    )
    if answers:
        draft = deflection.draft_hold(
            data=data,
            shown=answers.shown(),
            user=request.user,
            visitor_key=key,
            attachments=submission.attachments,
            field_files=submission.field_files,
        )
        return remember_visitor(request, redirect("ticket_held", token=draft.token))
    try:
        ticket = _create_directly(request, submission, key)
    except FieldErrors as error:
        submission.field_errors = error.errors
        return _form_page(request, submission.form, submission)
    except TicketError as error:
        return _form_page(request, submission.form, submission, errors=[str(error)])
    return remember_visitor(request, _created(request, ticket))


def _create_directly(request: HttpRequest, submission: TicketSubmission, key: str) -> Ticket:
    data = submission.data()
    user = request.user if request.user.is_authenticated else None
    return channel_receive(
        channel=Ticket.Channel.WEB,
        identity_kind="account" if user else "email",
        identity_value=str(user.pk) if user else data["email"],
        name="" if user else data["name"],
        subject=data["subject"],
        body=data["description"],
        attachments=submission.attachments,
        visitor_key=key,
        category=submission.category,
        field_values=submission.raw_fields,
        field_files=submission.field_files,
        self_service_trail=deflection.self_service_trail(visitor_key=key),
        actor=user,
    ).ticket


def _created(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    link_ticket(request, ticket.pk)
    messages.success(
        request,
        _("Thanks! Your request #%(number)d was sent to our team.") % {"number": ticket.number},
    )
    return redirect("ticket_detail", ticket_id=ticket.pk)


@require_GET
def ticket_suggest(request: HttpRequest) -> JsonResponse:
    """Search as you type on the ticket form: articles and public resolved tickets."""
    if not search_limit_hit(request):
        return JsonResponse({"error": "rate_limited"}, status=429)
    query = request.GET.get("q", "").strip()[:300]
    found = deflection.suggestions_while_typing(query)
    articles = [
        {"id": hit.article.pk, "title": hit.article.title, "snippet": str(hit.snippet),
         "url": hit.article.get_absolute_url()}
        for hit in found.articles
    ]  # fmt: skip
    tickets = [
        {"number": ticket.number, "subject": ticket.subject,
         "url": reverse("ticket_detail", args=(ticket.pk,))}
        for ticket in found.tickets
    ]  # fmt: skip
    return JsonResponse({"query": query, "articles": articles, "tickets": tickets})


# --- the held submission ----------------------------------------------------------------------


def _draft(request: HttpRequest, token: str) -> SubmissionDraft:
    return deflection.access_draft(token=token, user=request.user, visitor_key=visitor_key(request))


def _shown_answers(draft: SubmissionDraft) -> list[dict[str, Any]]:
    """The answers held with the draft, as they are now (an unpublished article drops out)."""
    query = deflection.question_text(
        draft.data.get("subject", ""), draft.data.get("description", "")
    )
    words = segment.highlight_words(query)
    ids = {kind: [item["id"] for item in draft.shown if item.get("type") == kind]
           for kind in ("article", "ticket")}  # fmt: skip
    articles = Article.objects.filter(
        pk__in=ids["article"], status=Article.Status.PUBLISHED
    ).in_bulk()
    tickets = Ticket.objects.filter(pk__in=ids["ticket"], is_public=True).in_bulk()
    answers = []
    for item in draft.shown:
        if item.get("type") == "article" and item["id"] in articles:
            article = articles[item["id"]]
            answers.append({"type": "article", "id": article.pk, "title": article.title,
                            "snippet": snippet(article, words), "url": article.get_absolute_url(),
                            "language": article.language})  # fmt: skip
        elif item.get("type") == "ticket" and item["id"] in tickets:
            ticket = tickets[item["id"]]
            answers.append({"type": "ticket", "id": ticket.pk, "title": ticket.subject,
                            "snippet": ticket.description[:200], "number": ticket.number,
                            "url": reverse("ticket_detail", args=(ticket.pk,))})  # fmt: skip
    return answers


@require_GET
def ticket_held(request: HttpRequest, token: str) -> HttpResponse:
    draft = _draft(request, token)
    if draft.ticket_id:
        return redirect("ticket_detail", ticket_id=draft.ticket_id)
    template = "portal/tickets/solved.html" if draft.deflection_id else "portal/tickets/held.html"
    context = {"draft": draft, "answers": _shown_answers(draft)}
    return remember_visitor(request, render(request, template, context))


@require_POST
def ticket_held_solved(request: HttpRequest, token: str) -> HttpResponse:
    draft = _draft(request, token)
    if draft.ticket_id:
        return redirect("ticket_detail", ticket_id=draft.ticket_id)
    try:
        deflection.draft_solve(
            draft=draft,
            article_id=request.POST.get("article_id"),
            ticket_id=request.POST.get("ticket_id"),
        )
    except TicketError as error:
        messages.error(request, str(error))
    return redirect("ticket_held", token=draft.token)


@require_POST
def ticket_held_submit(request: HttpRequest, token: str) -> HttpResponse:
    draft = _draft(request, token)
    if draft.ticket_id:  # sent already (a double click, or the back button)
        link_ticket(request, draft.ticket_id)
        return redirect("ticket_detail", ticket_id=draft.ticket_id)
    try:
        ticket = deflection.draft_submit(draft=draft)
    except TicketError as error:
        messages.error(request, str(error))
        return redirect("ticket_held", token=draft.token)
    return _created(request, ticket)


# --- the list ---------------------------------------------------------------------------------


def _tab_tickets(request: HttpRequest, tab: str) -> Any:
    linked = linked_ticket_ids(request)
    if tab == "mine":
        return selectors.ticket_list_for_requester(request.user, linked_ticket_ids=linked)
    if tab == "following":
        return selectors.ticket_list_followed(request.user)
    if tab == "hot":
        return selectors.ticket_list_hot()
    return selectors.ticket_list_public()


@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:300]
    has_own = request.user.is_authenticated or bool(linked_ticket_ids(request))
    tab = request.GET.get("tab") or ("mine" if has_own else "public")
    if tab not in TABS or (tab == "following" and not request.user.is_authenticated):
        tab = "public"
    limited = bool(query) and not search_limit_hit(request)
    if query and not limited:
        tickets = selectors.ticket_search_visible(
            request.user, query, linked_ticket_ids=linked_ticket_ids(request)
        )
    else:
        tickets = _tab_tickets(request, tab)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "query": query,
        "page": page,
        "limited": limited,
        "has_own": has_own,
        "unverified_email": _unverified_email(request),
    }
    return render(request, "portal/tickets/list.html", context, status=429 if limited else 200)


def _unverified_email(request: HttpRequest) -> str:
    """The signed-in customer's address while it is unverified (requests sent from it earlier
    stay hidden until then), else ""."""
    user = request.user
    if not user.is_authenticated or user.is_desk_user or user_email_verified(user):
        return ""
    return user.email


@require_POST
def verify_email_send(request: HttpRequest) -> HttpResponse:
    """(Re)send the mail that verifies the signed-in customer's address."""
    from allauth.account.models import EmailAddress

    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={reverse('ticket_list')}")
    address = EmailAddress.objects.filter(
        user=request.user, email__iexact=request.user.email, verified=False
    ).first()
    if address is None:
        messages.info(request, _("Your email address is already verified."))
    elif limit_hit(scope="verify_email", key=str(request.user.pk), limit=VERIFY_MAIL_LIMIT):
        address.send_confirmation(request)
        messages.success(
            request,
            _("We sent a verification link to %(email)s. Follow it to see your earlier requests.")
            % {"email": address.email},
        )
    else:
        messages.error(
            request, _("A verification email was sent recently. Please check your inbox.")
        )
    return redirect(f"{reverse('ticket_list')}?tab=mine")
