"""The category tree of the help center: create, move, reorder, delete (tenant schema)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kefu.kb.models import Article, Category

MAX_DEPTH = 3


@dataclass
class CategoryNode:
    category: Category
    depth: int
    published: int = 0
    children: list[CategoryNode] = field(default_factory=list)


def category_tree(*, articles: QuerySet[Article] | None = None) -> list[CategoryNode]:
    """Top-level categories with their descendants, in position order, each with how many of
    ``articles`` (default: every published article) it holds itself."""
    if articles is None:
        articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    counts = dict(
        articles.order_by()
        .filter(category__isnull=False)
        .values("category")
        .annotate(count=Count("pk"))
        .values_list("category", "count")
    )
    categories = Category.objects.order_by("position", "name")
    nodes = {
        c.pk: CategoryNode(category=c, depth=0, published=counts.get(c.pk, 0)) for c in categories
    }
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id)
        (parent.children if parent else roots).append(node)

    def set_depth(items: list[CategoryNode], depth: int) -> None:
        for item in items:
            item.depth = depth
            set_depth(item.children, depth + 1)

    set_depth(roots, 0)
    return roots


def category_nodes_flatten(nodes: list[CategoryNode]) -> list[CategoryNode]:
    """The tree as one list, parents before children."""
    flat: list[CategoryNode] = []
    for node in nodes:
        flat.append(node)
        flat.extend(category_nodes_flatten(node.children))
    return flat


def category_flat_tree() -> list[CategoryNode]:
    """The whole tree as one list (for tables and select boxes)."""
    return category_nodes_flatten(category_tree())


def category_ancestors(category: Category) -> list[Category]:
    """From the top of the tree down to (not including) ``category``."""
    chain: list[Category] = []
    seen = {category.pk}
    current = category.parent
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.parent
    return list(reversed(chain))


def _unique_slug(name: str, exclude_pk: int | None) -> str:
    base = slugify(name, allow_unicode=True)[:180] or "category"
    slug, counter = base, 2
    while Category.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def category_save(
    *,
    name: str,
    parent: Category | None = None,
    position: int = 0,
    description: str = "",
    name_zh_hans: str = "",
    name_en: str = "",
    category: Category | None = None,
) -> Category:
    """Create or edit a category. A category cannot sit under itself or its own descendants,
    and the tree is at most MAX_DEPTH levels deep."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the category a name.")})
    if parent is not None:
        chain = [*category_ancestors(parent), parent]
        if category is not None and any(c.pk == category.pk for c in chain):
            raise ValidationError({"parent": _("A category cannot be moved under itself.")})
        if len(chain) >= MAX_DEPTH:
            raise ValidationError(
                {"parent": _("Categories can be at most %(depth)d levels deep.") % {
                    "depth": MAX_DEPTH
                }}
            )  # fmt: skip
    category = category or Category()
    category.name = name
    category.name_zh_hans = (name_zh_hans or "").strip()
    category.name_en = (name_en or "").strip()
    category.slug = _unique_slug(name, category.pk)
    category.parent = parent
    category.position = position
    category.description = (description or "").strip()
    category.save()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> int:
    """Delete a category; its articles and subcategories move up to its parent. Returns how
    many articles moved."""
    moved = Article.objects.filter(category=category).update(category=category.parent)
    Category.objects.filter(parent=category).update(parent=category.parent)
    category.delete()
    return moved
