"""Desk pages for the knowledge base's structure and history: the category tree, article
versions (diff and restore), and files for articles."""

from __future__ import annotations

import difflib

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kefu.accounts.permissions import admin_required, staff_json_view, staff_required
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.desk.confirm import confirm_page, is_confirmed
from kefu.kb.categories import category_delete, category_flat_tree, category_save
from kefu.kb.models import Article, ArticleRevision, Category


class CategoryForm(EmptyChoiceLabelMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    name_zh_hans = forms.CharField(
        label=gettext_lazy("Name in Chinese"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("What readers of the Chinese help center see."),
    )
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "What readers of the English help center see. Left empty, readers of that "
            "language see the name above."
        ),
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("(top level)"),
    )
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, initial=0)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)

    def __init__(self, *args: object, exclude: Category | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        nodes = [n for n in category_flat_tree() if exclude is None or n.category.pk != exclude.pk]
        self.fields["parent"].queryset = Category.objects.filter(
            pk__in=[n.category.pk for n in nodes]
        )
        labels = {n.category.pk: "— " * n.depth + n.category.name for n in nodes}
        self.fields["parent"].label_from_instance = lambda c: labels.get(c.pk, c.name)


def _save_category(request: HttpRequest, form: CategoryForm, category: Category | None) -> bool:
    if not form.is_valid():
        return False
    try:
        category_save(category=category, **form.cleaned_data)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return False
    return True


@admin_required
def kb_categories(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and _save_category(request, form, None):
        messages.success(request, _("Category added."))
        return redirect("desk:kb_categories")
    return render(request, "desk/kb_categories.html", {"form": form, "nodes": category_flat_tree()})


@admin_required
def kb_category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)
    initial = {
        "name": category.name, "name_zh_hans": category.name_zh_hans,
        "name_en": category.name_en, "parent": category.parent, "position": category.position,
        "description": category.description,
    }  # fmt: skip
    form = CategoryForm(request.POST or None, initial=initial, exclude=category)
    if request.method == "POST" and _save_category(request, form, category):
        messages.success(request, _("Category saved."))
        return redirect("desk:kb_categories")
    return render(request, "desk/kb_category_edit.html", {"form": form, "category": category})


def _kb_category_consequences(category: Category) -> list[str]:
    articles = Article.objects.filter(category=category).count()
    children = category.children.count()
    above = category.parent.name if category.parent_id else None
    if above:
        where = _("the category above, “%(name)s”") % {"name": above}
    else:
        where = _("no category (the top of the help center)")
    lines = [
        ngettext(
            "Its %(count)d article is kept and moves to %(where)s.",
            "Its %(count)d articles are kept and move to %(where)s.",
            articles,
        ) % {"count": articles, "where": where}
    ]  # fmt: skip
    if children:
        lines.append(ngettext("Its %(count)d subcategory moves up to %(where)s.",
                              "Its %(count)d subcategories move up to %(where)s.", children)
                     % {"count": children, "where": where})  # fmt: skip
    lines.append(_("Its page in the help center goes away; links to it stop working."))
    return lines


@admin_required
def kb_category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Delete the help center category “%(name)s”?") % {"name": category.name},
            consequences=_kb_category_consequences(category),
            button=_("Delete the category"),
            cancel_url=reverse("desk:kb_categories"),
        )
    moved = category_delete(category=category)
    messages.success(
        request,
        _("Category deleted; %(count)d articles moved to the category above.") % {"count": moved},
    )
    return redirect("desk:kb_categories")


@staff_required
def article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    revisions = article.revisions.select_related("author")
    return render(
        request, "desk/article_history.html", {"article": article, "revisions": revisions}
    )


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs, kind one of ' ', '-', '+': what a reviewer needs to see."""
    lines: list[tuple[str, str]] = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend((" ", line) for line in old_lines[a1:a2])
            continue
        lines.extend(("-", line) for line in old_lines[a1:a2])
        lines.extend(("+", line) for line in new_lines[b1:b2])
    return lines


@staff_required
def article_revision(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    """One version compared with the one before it."""
    article = get_object_or_404(Article, pk=article_id)
    revision = get_object_or_404(ArticleRevision, article=article, number=number)
    previous = article.revisions.filter(number__lt=number).order_by("-number").first()
    old_text = f"# {previous.title}\n\n{previous.body}" if previous else ""
    context = {
        "article": article,
        "revision": revision,
        "previous": previous,
        "diff": _line_diff(old_text, f"# {revision.title}\n\n{revision.body}"),
        "is_current": revision.number == article.revisions.order_by("-number")[0].number,
    }
    return render(request, "desk/article_revision.html", context)


@staff_required
@require_POST
def article_revision_restore_view(
    request: HttpRequest, article_id: int, number: int
) -> HttpResponse:
    from kefu.kb.services import article_revision_restore

    article = get_object_or_404(Article, pk=article_id)
    revision = get_object_or_404(ArticleRevision, article=article, number=number)
    article_revision_restore(article=article, revision=revision, actor=request.user)
    messages.success(request, _("Version %(number)d restored.") % {"number": number})
    return redirect("desk:article_history", article_id=article.pk)


@staff_json_view
@require_POST
def article_asset_upload(request: HttpRequest) -> JsonResponse:
    """Upload an image or file from the editor; returns the Markdown to insert."""
    from kefu.kb.assets import asset_markdown, asset_upload

    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a file to upload.")}, status=400)
    try:
        asset = asset_upload(upload=upload, user=request.user)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    url = reverse("article_asset", args=(asset.pk, asset.filename))
    return JsonResponse(
        {"id": asset.pk, "url": url, "markdown": asset_markdown(asset, url)}, status=201
    )
