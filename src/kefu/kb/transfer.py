"""Bulk import and export of the knowledge base: CSV, JSON lines, or a zip of Markdown files.

Rows are validated one by one: good rows become articles, bad rows are reported with the reason
and the row number, and nothing is lost (the uploaded file is kept with the import).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.kb.content import detect_language, first_sentence
from kefu.kb.models import Article, ArticleImport, Category, Language

MAX_ROWS = 20_000
MAX_TITLE = 300
#: Rows imported (and indexed) per transaction: what a crash can make the retry do again.
CHUNK_ROWS = 100
_LANGUAGES = {"en": Language.EN, "zh": Language.ZH_HANS, "zh-hans": Language.ZH_HANS,
              "zh-cn": Language.ZH_HANS, "zh_hans": Language.ZH_HANS}  # fmt: skip
CSV_COLUMNS = ["title", "body", "language", "category", "tags", "status", "summary"]


class ImportFileError(Exception):
    """The file as a whole cannot be read (not just one bad row)."""


@dataclass
class Row:
    number: int
    data: dict[str, object]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def rows_from_file(content: bytes, file_format: str) -> list[Row]:
    if file_format == ArticleImport.Format.CSV:
        return list(_csv_rows(content))
    if file_format == ArticleImport.Format.JSONL:
        return list(_jsonl_rows(content))
    if file_format == ArticleImport.Format.MARKDOWN_ZIP:
        return list(_markdown_rows(content))
    raise ImportFileError(_("Unknown format."))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text."))


def _csv_rows(content: bytes) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(_decode(content)))
    if not reader.fieldnames:
        raise ImportFileError(_("The CSV file has no header row."))
    for number, record in enumerate(reader, start=2):  # row 1 is the header
        yield Row(number, {key.strip().lower(): value for key, value in record.items() if key})


def _jsonl_rows(content: bytes) -> Iterator[Row]:
    for number, line in enumerate(_decode(content).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield Row(number, {"_error": _("Not valid JSON: %(error)s") % {"error": error.msg}})
            continue
        yield Row(number, data if isinstance(data, dict) else {"_error": _("Not a JSON object.")})


def _markdown_rows(content: bytes) -> Iterator[Row]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ImportFileError(_("The file is not a zip archive.")) from None
    names = sorted(n for n in archive.namelist() if n.lower().endswith((".md", ".markdown")))
    for number, name in enumerate(names, start=1):
        info = archive.getinfo(name)
        if info.file_size > 1_000_000:
            yield Row(number, {"_error": _("%(name)s is larger than 1 MB.") % {"name": name}})
            continue
        text = _decode(archive.read(name))
        lines = text.splitlines()
        title = ""
        if lines and lines[0].startswith("# "):
            title, text = lines[0][2:], "\n".join(lines[1:])
        else:
            title = name.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
        category = name.rsplit("/", 1)[0] if "/" in name else ""
        yield Row(number, {"title": title, "body": text.strip(), "category": category})


def _clean(row: Row, default_language: str) -> dict[str, object]:
    """The article fields of a row, or ValueError with the reason."""
    if "_error" in row.data:
        raise ValueError(row.data["_error"])
    data = row.data
    title = _text(data.get("title")) or _text(data.get("question"))
    body = _text(data.get("body")) or _text(data.get("answer"))
    if not title and body:
        title = first_sentence(body)
    if not title:
        raise ValueError(_("A title (or question) is required."))
    if len(title) > MAX_TITLE:
        raise ValueError(_("The title is longer than %(max)d characters.") % {"max": MAX_TITLE})
    raw_language = _text(data.get("language")).lower()
    if raw_language and raw_language not in _LANGUAGES:
        raise ValueError(
            _("Unknown language %(language)r: use en or zh-hans.") % {"language": raw_language}
        )
    language = _LANGUAGES.get(raw_language) or default_language or detect_language(title + body)
    status = _text(data.get("status")).lower()
    if status and status not in Article.Status.values:
        raise ValueError(_("Unknown status %(status)r.") % {"status": status})
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [tag for tag in re.split(r"[,;，；]", tags) if tag.strip()]
    return {
        "title": title,
        "body": body or title,
        "language": language,
        "status": status,
        "summary": _text(data.get("summary"))[:500],
        "tags": [str(tag) for tag in tags][:20],
        "category": _text(data.get("category"))[:200],
    }


def _category(name: str) -> Category | None:
    if not name:
        return None
    from django.utils.text import slugify

    slug = slugify(name, allow_unicode=True)[:200] or "category"
    category, _created = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return category


def _import_row(row: Row, article_import: ArticleImport) -> Article:
    from kefu.kb.services import article_save

    fields = _clean(row, article_import.default_language)
    status = fields.pop("status") or (
        Article.Status.PUBLISHED if article_import.publish else Article.Status.DRAFT
    )
    category = _category(str(fields.pop("category")))
    return article_save(
        **fields,
        category=category,
        status=status,
        author=article_import.created_by,
        index=False,
    )


def article_import_run(*, article_import: ArticleImport) -> ArticleImport:
    """Import the rows not imported yet (a retried job resumes where it stopped), recording
    progress as it goes. Runs inside the tenant's schema.

    Rows go in chunks, each one transaction with its articles, their search entries and the
    progress that says the chunk is done: a worker killed halfway leaves whole chunks, every
    article in them findable, and the retry goes on from the first row not committed."""
    if article_import.status == ArticleImport.Status.DONE:
        return article_import
    try:
        with article_import.file.open("rb") as handle:
            rows = rows_from_file(handle.read(), article_import.file_format)
    except (ImportFileError, OSError) as error:
        article_import.status = ArticleImport.Status.FAILED
        article_import.error = str(error)
        article_import.finished_at = timezone.now()
        article_import.save(update_fields=["status", "error", "finished_at"])
        return article_import
    if len(rows) > MAX_ROWS:
        rows = rows[:MAX_ROWS]
    article_import.total_rows = len(rows)
    article_import.status = ArticleImport.Status.RUNNING
    article_import.save(update_fields=["total_rows", "status"])
    for start in range(article_import.processed_rows, len(rows), CHUNK_ROWS):
        _import_chunk(rows[start : start + CHUNK_ROWS], article_import)
    article_import.status = ArticleImport.Status.DONE
    article_import.finished_at = timezone.now()
    article_import.save(update_fields=["status", "finished_at"])
    return article_import


@transaction.atomic
def _import_chunk(rows: list[Row], article_import: ArticleImport) -> None:
    from kefu.search.index import articles_index

    created: list[Article] = []
    for row in rows:
        try:
            with transaction.atomic():  # a failed row leaves nothing half-written
                created.append(_import_row(row, article_import))
            article_import.created_count += 1
        except (ValueError, TypeError, ValidationError) as error:
            reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            article_import.failures.append({"row": row.number, "reason": reason})
        article_import.processed_rows += 1
    articles_index(created)
    article_import.save(update_fields=["processed_rows", "created_count", "failures"])


# --- export -----------------------------------------------------------------------------------


def _export_record(article: Article) -> dict[str, object]:
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "summary": article.summary,
        "language": article.language,
        "category": article.category.name if article.category else "",
        "tags": article.tags,
        "status": article.status,
        "translation_of": article.translation_of_id,
        "updated_at": article.updated_at.isoformat(),
    }


def knowledge_base_export(file_format: str) -> tuple[bytes, str, str]:
    """The whole knowledge base as (content, content type, file extension)."""
    articles = Article.objects.select_related("category").order_by("pk")
    records = [_export_record(article) for article in articles]
    if file_format == ArticleImport.Format.JSONL:
        lines = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
        return (lines + "\n").encode(), "application/x-ndjson", "jsonl"
    if file_format == ArticleImport.Format.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*CSV_COLUMNS, "id"], extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow(record | {"tags": ", ".join(record["tags"])})
        return buffer.getvalue().encode("utf-8-sig"), "text/csv", "csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            folder = f"{record['category']}/" if record["category"] else ""
            archive.writestr(
                f"{folder}{record['id']}.md", f"# {record['title']}\n\n{record['body']}\n"
            )
    return buffer.getvalue(), "application/zip", "zip"
