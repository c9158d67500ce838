"""Knowledge base content (tenant schema). The foundation keeps it small: categories and
articles in Chinese or English; the knowledge base issue grows it (versions, votes, search)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class Category(models.Model):
    """A help center section. Categories form a tree (``parent``), ordered by position.

    ``name`` is the category's own name, as first written in whichever language (the desk lists
    it, the slug comes from it); ``name_zh_hans`` and ``name_en`` are what readers of each
    language see, when set. A reader sees the name in their language, else ``name``
    (``localized_name``)."""

    name = models.CharField(_("name"), max_length=200)
    name_zh_hans = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["slug"], name="kb_category_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str | None) -> str:
        """The name a reader of ``language`` sees (see the class)."""
        names = {Language.ZH_HANS: self.name_zh_hans, Language.EN: self.name_en}
        return names.get(language or "", "") or self.name

    @property
    def localized_name(self) -> str:
        """The name in the active (interface) language, for templates."""
        from django.utils.translation import get_language

        return self.name_for(get_language())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        GUIDED = "guided", _("Guided answer")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=300, allow_unicode=True)
    #: For guided answers: the decision tree parsed from ``body`` (see kb.guided).
    flow = models.JSONField(null=True, blank=True, editable=False)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    #: Markdown as written; ``body_html`` is its rendering, sanitised (never trust either).
    body = models.TextField(_("body"))
    body_html = models.TextField(editable=False, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("from ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_articles",
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("unhelpful votes"), default=0)
    #: log2 of the time-decayed sum of views and helpful votes, anchored at a fixed epoch, so
    #: ordering by it never needs rewriting rows as time passes (see kb.popularity).
    popularity = models.FloatField(_("popularity"), default=0.0, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "language"], name="kb_article_status_lang")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("article_detail", kwargs={"article_id": self.pk, "slug": self.slug})


class ArticleRevision(models.Model):
    """One saved version of an article: what it said, who saved it, when. Restoring an old
    version saves it again as the newest revision, so history only grows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Article.Status.choices)
    language = models.CharField(max_length=10, choices=Language.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def _asset_path(instance: ArticleAsset, filename: str) -> str:
    # Under the tenant's own media folder (MEDIA_ROOT/<schema>/kb/...); the random part keeps
    # names unguessable and unique.
    import secrets

    return f"kb/{secrets.token_hex(8)}/{filename}"


class ArticleAsset(models.Model):
    """An image or file uploaded for articles, served from the help center."""

    file = models.FileField(_("file"), upload_to=_asset_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article file")
        verbose_name_plural = _("article files")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ArticleView(models.Model):
    """One view per visitor per article per day (what popularity counts)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views")
    visitor_key = models.CharField(max_length=64)
    day = models.DateField()
    #: The search that led here, if any (a click on a result).
    search_log = models.ForeignKey(
        "search.SearchLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor_key", "day"], name="kb_view_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class ArticleVote(models.Model):
    """ "Was this helpful?" One vote per visitor per article; voting again changes it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    visitor_key = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor_key"], name="kb_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


def _import_path(instance: ArticleImport, filename: str) -> str:
    # Stored under the tenant's own media folder (MEDIA_ROOT/<schema>/imports/...).
    extension = filename.rsplit(".", 1)[-1].lower()
    from django.utils import timezone

    return f"imports/{timezone.now():%Y%m%d-%H%M%S}.{extension}"


class ArticleImport(models.Model):
    """A bulk import of FAQs (CSV, JSON lines or a zip of Markdown files), run by a job.
    The uploaded file is kept; rows that could not be imported are reported with the reason."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON lines"
        MARKDOWN_ZIP = "zip", _("Zip of Markdown files")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to=_import_path)
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    publish = models.BooleanField(_("publish the imported articles"), default=False)
    default_language = models.CharField(
        _("language when a row has none"), max_length=10, choices=Language.choices, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    #: [{"row": 3, "reason": "..."}] for every row that was not imported.
    failures = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article import")
        verbose_name_plural = _("article imports")

    def __str__(self) -> str:
        return f"{self.file_format} import {self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class GuidedOutcome(models.Model):
    """Where a customer's walk through a guided answer ended, and whether it solved it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="guided_outcomes")
    path = models.JSONField(default=list)
    labels = models.JSONField(default=list)
    solved = models.BooleanField()
    visitor_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.article_id} {'solved' if self.solved else 'not solved'}"


class RelatedArticle(models.Model):
    """Precomputed "related articles": similar text and read by the same people. Refreshed by
    a job (``kb.related.related_refresh``); the article page falls back to live similarity."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    text_score = models.FloatField(default=0.0)
    coread_score = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="kb_related_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} -> {self.related_id}"
