"""``kefu bench_search``: search quality and speed on real FAQ data, in a throwaway tenant.

    kefu bench_search --faq FAQ.jsonl --queries Q.jsonl [--learn LEARN.jsonl] [--split-articles]
    kefu bench_search --articles 50000

Prints one JSON line. Learning replays each --learn line through the real feedback path (search,
open the first relevant article, vote helpful); queries run through the same ``search()`` the
help center uses. With --learn the queries also run cold first, and the recall is split between
queries whose article was taught a phrasing and the others (``recall@3_taught`` /
``recall@3_untaught``, and ``cold_`` the same before learning): learning must help the first
without hurting the second. --split-articles teaches only half of the articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.test.utils import override_settings

from kefu.kb.content import detect_language, first_sentence, render_markdown
from kefu.kb.models import Article
from kefu.kb.services import article_record_view, article_vote
from kefu.search import embeddings
from kefu.search.engine import search
from kefu.search.index import articles_index
from kefu.search.models import LearnedPhrasing, SearchEntry, SearchLog
from kefu.tenancy import tenant_context
from tenants.services import tenant_delete, tenant_provision

BATCH = 1000


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error}") from error
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not JSON lines: {error}") from error


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def _title_and_body(entry: dict[str, Any]) -> tuple[str, str]:
    question = (entry.get("question") or "").strip()
    answer = (entry.get("answer") or "").strip()
    title = question or first_sentence(answer)
    return title[:300], answer


def _bulk_articles(rows: list[tuple[str, str]]) -> list[Article]:
    """Published articles straight into the table (rendered and sanitised), then indexed."""
    created: list[Article] = []
    for start in range(0, len(rows), BATCH):
        batch = [
            Article(
                title=title,
                slug=f"a{start + offset}",
                body=body,
                body_html=render_markdown(body),
                language=detect_language(title + body),
                status=Article.Status.PUBLISHED,
            )
            for offset, (title, body) in enumerate(rows[start : start + BATCH])
        ]
        batch = Article.objects.bulk_create(batch)
        articles_index(batch)
        created.extend(batch)
    return created


@dataclass
class _Run:
    ranks: list[int | None]
    timings: list[float]


def _evaluate(queries: list[dict[str, Any]], wanted: list[set[int]], *, log: bool) -> _Run:
    """Every query through ``search()``: the rank of its first relevant article (or None)."""
    run = _Run(ranks=[], timings=[])
    for number, (line, relevant) in enumerate(zip(queries, wanted, strict=True)):
        started = time.perf_counter()
        results = search(line["query"], limit=10, visitor_key=f"eval-{number}", log=log)
        run.timings.append((time.perf_counter() - started) * 1000)
        ranked = [hit.article.pk for hit in results.hits]
        run.ranks.append(next((i + 1 for i, pk in enumerate(ranked) if pk in relevant), None))
    return run


def _replay_learning(learn: list[dict[str, Any]], article_by_faq: dict[str, Article]) -> int:
    """Each line through the real feedback path: search, open the first relevant article, vote
    it helpful. Returns how many lines were replayed."""
    learned = 0
    for number, line in enumerate(learn):
        relevant = [
            article_by_faq[str(i)] for i in line["relevant_ids"] if str(i) in article_by_faq
        ]
        if not relevant:
            continue
        visitor = f"learn-{number}"
        results = search(line["query"], visitor_key=visitor, source=SearchLog.Source.HELP_CENTER)
        article_record_view(article=relevant[0], visitor_key=visitor, search_log=results.log)
        article_vote(article=relevant[0], visitor_key=visitor, helpful=True, search_log=results.log)
        learned += 1
    return learned


def _recalls(ranks: list[int | None]) -> dict[str, float]:
    total = max(len(ranks), 1)
    return {
        "recall@1": round(sum(rank == 1 for rank in ranks) / total, 4),
        "recall@3": round(sum(rank is not None and rank <= 3 for rank in ranks) / total, 4),
        "mrr@10": round(sum(1 / rank for rank in ranks if rank) / total, 4),
    }


def _recall_at_3(ranks: list[int | None], selected: list[bool]) -> float | None:
    chosen = [rank for rank, keep in zip(ranks, selected, strict=True) if keep]
    if not chosen:
        return None
    return round(sum(rank is not None and rank <= 3 for rank in chosen) / len(chosen), 4)


def _article_half(
    faq: list[dict[str, Any]], queries: list[dict[str, Any]], *, seed: int
) -> set[str]:
    """Half of the FAQ ids, chosen by a keyed hash (the same half on every run and machine).
    Entries that answer the same query stay on one side (StackFAQ's threads), so no query
    of the other half is answered by a taught entry."""
    parent = {str(entry["id"]): str(entry["id"]) for entry in faq}

    def root(faq_id: str) -> str:
        while parent[faq_id] != faq_id:
            parent[faq_id] = parent[parent[faq_id]]
            faq_id = parent[faq_id]
        return faq_id

    for line in queries:
        ids = [str(i) for i in line["relevant_ids"] if str(i) in parent]
        for other in ids[1:]:
            parent[root(other)] = root(ids[0])
    groups: dict[str, list[str]] = {}
    for faq_id in parent:
        groups.setdefault(root(faq_id), []).append(faq_id)
    ordered = sorted(
        groups.values(), key=lambda ids: hashlib.sha256(f"{seed}:{min(ids)}".encode()).hexdigest()
    )
    half: set[str] = set()
    for ids in ordered:
        if len(half) >= len(parent) // 2:
            break
        half.update(ids)
    return half


def _restricted(lines: list[dict[str, Any]], faq_ids: set[str]) -> list[dict[str, Any]]:
    """The lines that ask for one of ``faq_ids``, with only those as their relevant ids."""
    kept = []
    for line in lines:
        relevant = [i for i in line["relevant_ids"] if str(i) in faq_ids]
        if relevant:
            kept.append({**line, "relevant_ids": relevant})
    return kept


class Command(BaseCommand):
    help = "Measure search quality (recall@k, MRR) and latency on FAQ data, or latency at scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--faq", help="FAQ entries, JSON lines {id, question, answer}")
        parser.add_argument("--queries", help="queries, JSON lines {query, relevant_ids}")
        parser.add_argument("--learn", help="feedback to replay first, same format as --queries")
        parser.add_argument(
            "--split-articles",
            action="store_true",
            help="teach only the --learn lines of half of the FAQ entries (a deterministic split "
            "by --seed) and evaluate on every query: learning measured on articles it never saw",
        )
        parser.add_argument("--articles", type=int, help="generate N articles; latency only")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["split_articles"] and not options["learn"]:
            raise CommandError("--split-articles needs --learn")
        if options["articles"]:
            runner = self._scale
        elif options["faq"] and options["queries"]:
            runner = self._quality
        else:
            raise CommandError("give --faq and --queries, or --articles N")
        slug = f"bench-search-{secrets.token_hex(3)}"
        tenant = tenant_provision(slug=slug, name="bench_search")
        try:
            with tenant_context(tenant):
                result = runner(options)
        finally:
            tenant_delete(tenant=tenant)
        self.stdout.write(json.dumps(result))

    def _quality(self, options: dict[str, Any]) -> dict[str, Any]:
        faq = _read_jsonl(options["faq"])
        queries = _read_jsonl(options["queries"])
        learn = _read_jsonl(options["learn"]) if options["learn"] else []
        if options["split_articles"]:
            taught_half = _article_half(faq, queries + learn, seed=options["seed"])
            learn = _restricted(learn, taught_half)
        articles = _bulk_articles([_title_and_body(entry) for entry in faq])
        article_by_faq = {
            str(entry["id"]): article for entry, article in zip(faq, articles, strict=True)
        }
        wanted = [
            {article_by_faq[str(i)].pk for i in line["relevant_ids"] if str(i) in article_by_faq}
            for line in queries
        ]
        cold = _evaluate(queries, wanted, log=False) if learn else None
        learned = _replay_learning(learn, article_by_faq)
        warm = _evaluate(queries, wanted, log=True)
        result = {
            "faq": len(faq),
            "queries": len(queries),
            "learned": learned,
            **_recalls(warm.ranks),
            "p50_ms": round(_percentile(warm.timings, 0.5), 2),
            "p95_ms": round(_percentile(warm.timings, 0.95), 2),
        }
        if cold is None:
            return result
        taught_articles = set(LearnedPhrasing.objects.values_list("article_id", flat=True))
        taught = [bool(ids & taught_articles) for ids in wanted]
        untaught = [not flag for flag in taught]
        result.update(
            {
                "split_articles": bool(options["split_articles"]),
                "taught_articles": len(taught_articles),
                "taught_queries": sum(taught),
                "untaught_queries": sum(untaught),
                "cold_recall@3": _recalls(cold.ranks)["recall@3"],
                "recall@3_taught": _recall_at_3(warm.ranks, taught),
                "recall@3_untaught": _recall_at_3(warm.ranks, untaught),
                "cold_recall@3_taught": _recall_at_3(cold.ranks, taught),
                "cold_recall@3_untaught": _recall_at_3(cold.ranks, untaught),
            }
        )
        return result

    def _scale(self, options: dict[str, Any]) -> dict[str, Any]:
        generator = random.Random(options["seed"])  # noqa: S311 - synthetic text, not secrets
        vocabularies = (
            _Vocabulary(generator, ZH_WORDS, 8000, chinese=True),
            _Vocabulary(generator, EN_WORDS, 8000, chinese=False),
        )
        rows = [_synthetic_article(generator, n, vocabularies) for n in range(options["articles"])]
        self.stderr.write(f"loading {len(rows)} articles ...")
        started = time.perf_counter()
        # Embedding 50,000 real passages would take hours on two cores; the latency of a query
        # depends on how many vectors the index holds, not on what they mean, so the articles
        # get random unit vectors. Queries are embedded by the real model.
        with override_settings(KEFU_SEMANTIC_SEARCH=False):
            _bulk_articles(rows)
        semantic = embeddings.enabled()
        if semantic:
            _random_embeddings(generator)
        load_seconds = time.perf_counter() - started
        _settle()
        queries = [_synthetic_query(generator, rows) for _ in range(300)]
        for query in queries[:20]:  # warm caches, as a running server would be
            search(query, log=False)
        timings = []
        for query in queries:
            started = time.perf_counter()
            search(query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
        return {
            "articles": len(rows),
            "queries": len(queries),
            "semantic": semantic,
            "load_s": round(load_seconds, 1),
            "p50_ms": round(_percentile(timings, 0.5), 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
        }


EN_WORDS = (
    "account password reset login email invoice billing payment card refund order shipping "
    "delivery address change cancel subscription plan upgrade downgrade trial export import "
    "data report error message app mobile browser update install settings notification "
    "security two factor verification code phone number team member invite permission role "
    "admin agent ticket reply status priority customer support help article search language "
    "chinese english price discount coupon tax receipt warehouse return exchange damaged "
    "missing package tracking integration api key webhook token limit storage upload file "
    "image attachment sync calendar"
).split()
ZH_WORDS = (
    "账户 密码 重置 登录 邮箱 发票 账单 支付 银行卡 退款 订单 配送 快递 "
    "地址 修改 取消 订阅 套餐 升级 降级 试用 导出 导入 数据 报表 错误 "
    "提示 应用 手机 "
    "浏览器 更新 安装 设置 通知 安全 验证码 手机号 团队 成员 邀请 权限 "
    "角色 管理员 客服 工单 回复 状态 优先级 客户 帮助 文章 搜索 价格 "
    "优惠券 税费 收据 "
    "仓库 退货 换货 损坏 丢失 包裹 物流 接口 密钥 令牌 限制 存储 上传 "
    "文件 图片 附件 同步 日历 额度 还款 利息 贷款"
).split()


class _Vocabulary:
    """Words with a Zipf-like spread, as in real text: a few very common, most rare."""

    def __init__(self, generator: random.Random, seeds: list[str], size: int, chinese: bool):
        words = list(seeds)
        while len(words) < size:
            a, b = generator.sample(seeds, 2)
            words.append(a + b if chinese else a[: generator.randint(2, 5)] + b[-3:])
        self.words = words
        self.weights = [1 / (rank + 1) for rank in range(len(words))]
        self.joiner = "" if chinese else " "
        self.generator = generator

    def text(self, count: int) -> str:
        return self.joiner.join(self.generator.choices(self.words, self.weights, k=count))


def _synthetic_article(generator: random.Random, number: int, vocabularies) -> tuple[str, str]:
    vocabulary = vocabularies[number % 2]
    title = vocabulary.text(generator.randint(4, 9))
    end = "。" if vocabulary.joiner == "" else ". "
    sentences = [vocabulary.text(generator.randint(8, 20)) for _ in range(generator.randint(4, 14))]
    return title, end.join(sentences)


def _synthetic_query(generator: random.Random, rows: list[tuple[str, str]]) -> str:
    """A question made of a few words of one article, as customers ask."""
    title, body = generator.choice(rows)
    chinese = not title.isascii()
    words = list(title) if chinese else (title + " " + body).split()
    if chinese:
        start = generator.randrange(max(len(title) - 6, 1))
        return title[start : start + generator.randint(4, 8)]
    return " ".join(generator.sample(words, min(len(words), generator.randint(2, 5))))


def _settle() -> None:
    """Bring the freshly loaded tables to the state a running server has them in: vacuumed and
    analysed (as autovacuum would, so index-only scans skip the table), and written out, so
    the measurement does not share the machine with that catch-up work."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) search_searchposting, search_searchentry, kb_article")
        # Not every database user may force a checkpoint; the server then gets to it itself.
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")


def _random_embeddings(generator: random.Random) -> None:
    import numpy as np

    rng = np.random.default_rng(generator.randrange(2**32))

    def random_vectors(count: int) -> list[str]:
        vectors = rng.standard_normal((count, embeddings.DIMENSIONS)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return [str(vector.tolist()) for vector in vectors]

    ids = list(SearchEntry.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            cursor.execute(
                "UPDATE search_searchentry AS e"
                " SET embedding = v.embedding::vector, question_embedding = v.question::vector"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, embedding, question)"
                " WHERE e.id = v.id",
                [chunk, random_vectors(len(chunk)), random_vectors(len(chunk))],
            )
