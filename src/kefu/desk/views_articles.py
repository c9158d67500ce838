"""Desk pages for knowledge base content: articles and their editor, guided answers, import
and export, search insights and knowledge base settings."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.permissions import admin_required, staff_json_view, staff_required
from kefu.core.parsing import parse_ids
from kefu.desk.selectors import workspace_settings_get

# --- search insights ---------------------------------------------------------------------


@staff_required
def search_insights(request: HttpRequest) -> HttpResponse:
    from kefu.search.selectors import (
        articles_read_before_tickets,
        phrasing_list,
        question_list_unanswered,
        search_list_top,
        search_list_without_results,
    )

    return render(
        request,
        "desk/search_insights.html",
        {
            "without_results": search_list_without_results(),
            "top": search_list_top(),
            "unanswered_questions": question_list_unanswered(),
            "phrasings": phrasing_list()[:200],
            "read_before_tickets": articles_read_before_tickets(),
        },
    )


@admin_required
@require_POST
def phrasing_forget_view(request: HttpRequest, phrasing_id: int) -> HttpResponse:
    from kefu.search.learning import phrasing_forget
    from kefu.search.models import LearnedPhrasing

    phrasing = get_object_or_404(LearnedPhrasing, pk=phrasing_id)
    phrasing_forget(phrasing=phrasing)
    messages.success(request, _("The phrasing was forgotten."))
    if request.POST.get("back") == "article":
        return redirect("desk:article_edit", article_id=phrasing.article_id)
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


@staff_json_view
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
        ids = parse_ids(request.POST.getlist("article"), name="article")
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
    from kefu.search.selectors import phrasing_list

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
    phrasings = phrasing_list().filter(article=article) if article is not None else []
    return render(
        request,
        "desk/article_edit.html",
        {"form": form, "article": article, "phrasings": phrasings},
    )


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
