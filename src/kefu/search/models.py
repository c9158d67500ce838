"""The search index and the search log (tenant schema).

Every published article has one index entry for its own text, and one more for each phrasing
customers have taught it ("learned phrasings"). An article's score is its best entry's score.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from pgvector.django import HnswIndex, VectorField


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article text")
        PHRASING = "phrasing", _("Learned phrasing")

    article = models.ForeignKey(
        "kb.Article", on_delete=models.CASCADE, related_name="search_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    phrasing = models.OneToOneField(
        "search.LearnedPhrasing",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="entry",
    )
    #: How many terms the entry has (BM25's document length); its terms are its postings.
    length = models.PositiveIntegerField(default=0)
    #: Filled by the indexing job when semantic search is on; NULL means full-text only.
    #: The article's text embedded as a passage (article entries only).
    embedding = VectorField(dimensions=384, null=True)
    #: The question embedded as a query: the article's title, or the learned phrasing. Queries
    #: are compared with it symmetrically (question to question).
    question_embedding = VectorField(dimensions=384, null=True)
    #: A learned phrasing's similarity to the closest text of any *other* article (and which
    #: article that is): how close a query must come to the phrasing before it is evidence
    #: for this article rather than for its neighbours (``kefu.search.learned``).
    radius = models.FloatField(null=True)
    radius_article_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            HnswIndex(
                fields=["embedding"],
                name="search_entry_embedding",
                opclasses=["vector_cosine_ops"],
                m=16,
                ef_construction=64,
            ),
            HnswIndex(
                fields=["question_embedding"],
                name="search_entry_question",
                opclasses=["vector_cosine_ops"],
                m=16,
                ef_construction=64,
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(kind="article"),
                name="search_one_text_entry_per_article",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id}"


class SearchPosting(models.Model):
    """One term of one entry with its BM25 weight (tf and length normalised; the IDF is applied
    at query time). Read per term in weight order, so a query touches a bounded number of rows
    however large the tenant is."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="postings")
    article_id = models.BigIntegerField()
    term = models.CharField(max_length=100)
    weight = models.FloatField()
    #: The entry is a learned phrasing (scored apart from the articles' own text).
    learned = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["term", "-weight"],
                name="search_posting_term_weight",
                include=["entry", "article_id", "learned"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.entry_id}"


class SearchTerm(models.Model):
    """How many index entries contain a term (document frequency, for IDF)."""

    term = models.CharField(max_length=100, unique=True)
    entry_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.term


class CustomWord(models.Model):
    """A product name or term that Chinese segmentation must keep whole (tenant dictionary)."""

    word = models.CharField(_("word"), max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("custom dictionary word")
        verbose_name_plural = _("custom dictionary")

    def __str__(self) -> str:
        return self.word


class LearnedPhrasing(models.Model):
    """A way customers asked for an article, learned from a search that the article answered.
    Matched by later searches; never shown to other customers verbatim."""

    article = models.ForeignKey(
        "kb.Article", on_delete=models.CASCADE, related_name="learned_phrasings"
    )
    text = models.CharField(_("phrasing"), max_length=300)
    #: How many customers taught it and still stand by it (its lessons not withdrawn).
    times_confirmed = models.PositiveIntegerField(_("times confirmed"), default=1)
    #: Searches it lifted its article in that then ended well (a helpful vote).
    times_helped = models.PositiveIntegerField(_("helped since"), default=0)
    #: Every lesson was withdrawn (each customer filed a ticket on it after all): no longer
    #: searched; learned again if somebody else teaches it.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_at = models.DateTimeField(_("learned"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learned phrasing")
        verbose_name_plural = _("learned phrasings")
        constraints = [
            models.UniqueConstraint(fields=["article", "text"], name="search_phrasing_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text_masked(self) -> str:
        """The phrasing as the desk shows it (phrasings learned before masking existed may hold
        a ticket form's order number or email address)."""
        from kefu.core.privacy import mask_personal_data

        return mask_personal_data(self.text)


class PhrasingLesson(models.Model):
    """One customer teaching a phrasing: where, who (visitor id, contact), and whether it was
    withdrawn because the same customer filed a ticket on the same subject soon after (the
    answer had not solved it)."""

    class Source(models.TextChoices):
        VOTE = "vote", _("Helpful vote after a search")
        TICKET_FORM = "ticket_form", _("“This solved it” in the ticket form")
        BOT = "bot", _("Confirmed bot answer")

    phrasing = models.ForeignKey(LearnedPhrasing, on_delete=models.CASCADE, related_name="lessons")
    source = models.CharField(max_length=20, choices=Source.choices)
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True)
    contact_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    #: The ticket that showed the lesson was wrong.
    withdrawn_by_ticket_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.phrasing_id} {self.source}"


#: A ticket form's or an email's question is logged by its subject only, cut to this length:
#: enough to see which questions nothing answered, without keeping the customer's story.
QUESTION_LOG_LENGTH = 120


class SearchLog(models.Model):
    """One search as somebody made it, what it found, and what they opened.

    ``query`` is stored with personal data masked (``kefu.core.privacy``). Searches a person
    typed (help center, widget, API) keep their words. The answers looked up for a ticket form
    or an email (``QUESTION_SOURCES``) are questions, not searches: only their subject is kept
    (``QUESTION_LOG_LENGTH``), and the desk's search insights count them apart.
    """

    class Source(models.TextChoices):
        HELP_CENTER = "help_center", _("Help center")
        SUGGEST = "suggest", _("Search as you type")
        TICKET_FORM = "ticket_form", _("Ticket form")
        WIDGET = "widget", _("Widget")
        EMAIL = "email", _("Email auto-reply")
        API = "api", _("API")

    QUESTION_SOURCES = (Source.TICKET_FORM, Source.EMAIL)

    query = models.CharField(_("query"), max_length=300)
    language = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    result_count = models.PositiveIntegerField(_("results"))
    result_ids = models.JSONField(default=list)
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True)
    clicked_article = models.ForeignKey(
        "kb.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clicked_at = models.DateTimeField(null=True, blank=True)
    #: Learned phrasings that counted for this search's results (``LearnedPhrasing`` ids).
    phrasing_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self) -> str:
        return self.query
