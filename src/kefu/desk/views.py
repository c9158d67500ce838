"""The agent and admin workspace (/desk/ on a tenant's host). Every view declares its roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Invitation, User
from kefu.accounts.permissions import admin_api, admin_required, staff_api, staff_required
from kefu.accounts.services import (
    AccountError,
    invitation_create,
    invitation_revoke,
    user_deactivate,
    user_reactivate,
)
from kefu.desk.forms import BrandForm, InvitationForm, SupportEmailForm, TicketCategoryForm
from kefu.desk.onboarding import onboarding_steps
from kefu.desk.selectors import invitation_list_pending, staff_list, workspace_settings_get
from kefu.tickets.models import Ticket, TicketCategory
from tenants.services import tenant_rename


def _ticket_counts(user: User) -> dict[str, int]:
    active = Ticket.objects.filter(status__in=Ticket.ACTIVE_STATUSES)
    return {
        "mine": active.filter(assignee=user).count(),
        "unassigned": active.filter(assignee=None).count(),
        "open": active.count(),
    }


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    steps = onboarding_steps()
    return render(
        request,
        "desk/home.html",
        {
            "steps": steps,
            "steps_done": sum(step.done for step in steps),
            "counts": _ticket_counts(request.user),
        },
    )


@admin_required
def team(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("desk:team")
    return render(
        request,
        "desk/team.html",
        {"form": form, "staff": staff_list(), "invitations": invitation_list_pending()},
    )


@admin_required
@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("desk:team")


@admin_required
@require_POST
def user_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=User.STAFF_ROLES)
    try:
        returned = user_deactivate(user=person, actor=request.user)
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(email)s was deactivated; %(count)d open tickets went back to the queue.")
            % {"email": person.email, "count": returned},
        )
    return redirect("desk:team")


@admin_required
@require_POST
def user_reactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, role__in=User.STAFF_ROLES)
    user_reactivate(user=person)
    messages.success(request, _("%(email)s can sign in again.") % {"email": person.email})
    return redirect("desk:team")


@admin_required
def brand(request: HttpRequest) -> HttpResponse:
    workspace = workspace_settings_get()
    form = BrandForm(
        request.POST or None,
        request.FILES or None,
        instance=workspace,
        initial={"name": request.tenant.name},
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        tenant_rename(tenant=request.tenant, name=form.cleaned_data["name"])
        messages.success(request, _("Your help center's look was saved."))
        return redirect("desk:brand")
    return render(request, "desk/brand.html", {"form": form})


@admin_required
def categories(request: HttpRequest) -> HttpResponse:
    form = TicketCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Category added."))
        return redirect("desk:categories")
    return render(
        request,
        "desk/categories.html",
        {"form": form, "categories": TicketCategory.objects.filter(is_active=True)},
    )


@admin_required
@require_POST
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(TicketCategory, pk=category_id)
    # Tickets keep their history: a used category is switched off, an unused one removed.
    if category.tickets.exists():
        category.is_active = False
        category.save(update_fields=["is_active"])
    else:
        category.delete()
    messages.success(request, _("Category removed."))
    return redirect("desk:categories")


@admin_required
def email_settings(request: HttpRequest) -> HttpResponse:
    form = SupportEmailForm(request.POST or None, instance=workspace_settings_get())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Email settings saved."))
        return redirect("desk:email")
    # The platform's address for this workspace, whatever host (custom domain) the admin uses.
    platform_address = f"support@{request.tenant.slug}.{settings.ROOT_DOMAIN}"
    return render(request, "desk/email.html", {"form": form, "platform_address": platform_address})


# --- staff APIs (JSON) ---------------------------------------------------------------------


@staff_api
def api_onboarding(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "steps": [
                {"key": step.key, "title": step.title, "done": step.done}
                for step in onboarding_steps()
            ]
        }
    )


@admin_api
def api_team(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "staff": [
                {
                    "id": person.pk,
                    "email": person.email,
                    "name": person.get_full_name(),
                    "role": person.role,
                    "active": person.is_active,
                    "open_tickets": person.open_ticket_count,
                }
                for person in staff_list()
            ]
        }
    )


# --- the brand logo, served from the tenant's own media folder -----------------------------


def brand_logo(request: HttpRequest) -> FileResponse:
    workspace = workspace_settings_get()
    if not workspace.logo:
        raise Http404
    try:
        handle = workspace.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- search insights ---------------------------------------------------------------------


@staff_required
def search_insights(request: HttpRequest) -> HttpResponse:
    from kefu.search.selectors import (
        articles_read_before_tickets,
        phrasing_list,
        search_list_top,
        search_list_without_results,
    )

    return render(
        request,
        "desk/search_insights.html",
        {
            "without_results": search_list_without_results(),
            "top": search_list_top(),
            "phrasings": phrasing_list()[:200],
            "read_before_tickets": articles_read_before_tickets(),
        },
    )


@admin_required
@require_POST
def phrasing_forget_view(request: HttpRequest, phrasing_id: int) -> HttpResponse:
    from kefu.search.learning import phrasing_forget
    from kefu.search.models import LearnedPhrasing

    phrasing_forget(phrasing=get_object_or_404(LearnedPhrasing, pk=phrasing_id))
    messages.success(request, _("The phrasing was forgotten."))
    return redirect("desk:search_insights")


# --- knowledge base import and export ------------------------------------------------------


@staff_required
def article_import_new(request: HttpRequest) -> HttpResponse:
    from kefu.desk.forms import ArticleImportForm
    from kefu.jobs import enqueue_on_commit
    from kefu.kb.jobs import article_import_job
    from kefu.kb.models import ArticleImport

    form = ArticleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.created_by = request.user
            article_import = form.save()
            enqueue_on_commit(article_import_job, article_import.pk)
        return redirect("desk:article_import", import_id=article_import.pk)
    return render(
        request,
        "desk/article_import_new.html",
        {"form": form, "recent": ArticleImport.objects.all()[:10]},
    )


@staff_required
def article_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    from kefu.kb.models import ArticleImport

    article_import = get_object_or_404(ArticleImport, pk=import_id)
    return render(request, "desk/article_import.html", {"import": article_import})


@staff_api
def article_import_status(request: HttpRequest, import_id: int) -> JsonResponse:
    from kefu.kb.models import ArticleImport

    article_import = get_object_or_404(ArticleImport, pk=import_id)
    return JsonResponse(
        {
            "status": article_import.status,
            "total_rows": article_import.total_rows,
            "processed_rows": article_import.processed_rows,
            "created": article_import.created_count,
            "failures": article_import.failures,
            "error": article_import.error,
        }
    )


@staff_required
def knowledge_base_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    from django.utils import timezone

    from kefu.kb.transfer import knowledge_base_export

    if file_format not in {"csv", "jsonl", "zip"}:
        raise Http404
    content, content_type, extension = knowledge_base_export(file_format)
    response = HttpResponse(content, content_type=content_type)
    filename = f"knowledge-base-{request.tenant.slug}-{timezone.now():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- guided answers ------------------------------------------------------------------------


@staff_required
def guided_answer_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from kefu.desk.forms import GuidedAnswerForm
    from kefu.kb.models import Article
    from kefu.kb.services import article_save

    article = (
        get_object_or_404(Article, pk=article_id, kind=Article.Kind.GUIDED) if article_id else None
    )
    initial = {}
    if article is not None:
        initial = {
            "title": article.title, "outline": article.body, "language": article.language,
            "category": article.category, "status": article.status,
        }  # fmt: skip
    form = GuidedAnswerForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_save(
                article=article,
                kind=Article.Kind.GUIDED,
                title=data["title"],
                body=data["outline"],
                language=data["language"],
                category=data["category"],
                status=data["status"],
                author=request.user,
            )
        except ValidationError as error:
            for message in error.message_dict.get("body", error.messages):
                form.add_error("outline", message)
        else:
            messages.success(request, _("Guided answer saved."))
            return redirect("desk:guided_answer_edit", article_id=article.pk)
    return render(request, "desk/guided_answer.html", {"form": form, "article": article})


# --- articles ------------------------------------------------------------------------------


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    from kefu.kb.models import Article
    from kefu.kb.selectors import article_list_for_desk
    from kefu.kb.services import articles_set_status

    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("article") if pk.isdigit()]
        status = request.POST.get("status", "")
        if ids and status in Article.Status.values:
            count = articles_set_status(article_ids=ids, status=status)
            messages.success(request, _("%(count)d articles updated.") % {"count": count})
        return redirect(request.get_full_path())
    workspace = workspace_settings_get()
    status = request.GET.get("status", "")
    stale_only = request.GET.get("stale") == "1"
    articles = article_list_for_desk(
        status=status if status in Article.Status.values else "",
        language=request.GET.get("language", ""),
        query=request.GET.get("q", "").strip(),
        stale_after_days=workspace.stale_after_days,
    )
    if stale_only:
        articles = articles.filter(is_stale=True)
    return render(
        request,
        "desk/article_list.html",
        {
            "articles": articles[:200],
            "statuses": Article.Status.choices,
            "status": status,
            "stale_only": stale_only,
            "stale_after_days": workspace.stale_after_days,
        },
    )


@staff_required
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from kefu.desk.forms import ArticleForm
    from kefu.kb.models import Article
    from kefu.kb.services import article_mark_reviewed, article_save

    article = get_object_or_404(Article, pk=article_id) if article_id else None
    if article is not None and article.kind == Article.Kind.GUIDED:
        return redirect("desk:guided_answer_edit", article_id=article.pk)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_save(
                article=article, author=request.user, title=data["title"], body=data["body"],
                summary=data["summary"], language=data["language"], status=data["status"],
                category=data["category"], tags=data["tags"].split(",") if data["tags"] else [],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("reviewed"):
                article_mark_reviewed(article=article)
            messages.success(request, _("Article saved."))
            return redirect("desk:article_edit", article_id=article.pk)
    return render(request, "desk/article_edit.html", {"form": form, "article": article})


@staff_required
@require_POST
def article_preview(request: HttpRequest) -> JsonResponse:
    """Live preview for the editor: the Markdown rendered and sanitised exactly as published."""
    from kefu.kb.content import render_markdown

    return JsonResponse({"html": render_markdown(request.POST.get("body", "")[:200_000])})


@admin_required
def knowledge_base_settings(request: HttpRequest) -> HttpResponse:
    from kefu.desk.forms import KnowledgeBaseSettingsForm
    from kefu.jobs import enqueue_on_commit
    from kefu.search.index import custom_words, custom_words_replace
    from kefu.search.jobs import search_reindex_job

    form = KnowledgeBaseSettingsForm(
        request.POST or None,
        instance=workspace_settings_get(),
        initial={"custom_words": "\n".join(sorted(custom_words()))},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if custom_words_replace(form.cleaned_data["custom_words"]):
                enqueue_on_commit(search_reindex_job)
                messages.info(request, _("Search is being rebuilt with the new dictionary."))
        messages.success(request, _("Knowledge base settings saved."))
        return redirect("desk:knowledge_base_settings")
    return render(request, "desk/knowledge_base_settings.html", {"form": form})


@staff_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Each staff member's own API tokens; a new token's secret is shown once, here."""
    from kefu.accounts.models import ApiToken
    from kefu.accounts.services import api_token_create, api_token_revoke

    secret = ""
    if request.method == "POST":
        revoke = request.POST.get("revoke", "")
        if revoke.isdigit():
            token = get_object_or_404(ApiToken, pk=int(revoke), user=request.user)
            api_token_revoke(token=token)
            messages.success(request, _("Token revoked."))
            return redirect("desk:api_tokens")
        _token, secret = api_token_create(user=request.user, name=request.POST.get("name", ""))
    tokens = ApiToken.objects.filter(user=request.user, revoked_at=None)
    return render(request, "desk/api_tokens.html", {"tokens": tokens, "secret": secret})
