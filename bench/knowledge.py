"""Seed 100,000 knowledge documents (Chinese and English) into PostgreSQL and time the search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_kb_bench \\
        .venv/bin/python -m bench.knowledge [--documents 100000] [--runs 200]

Migrates the database, creates a ``bench_kb`` tenant (once) with a reviewer, an author and a
requester, bulk-inserts the documents with their index rows and plain texts (once; rerunning
reuses them) — the
terms come from the same ``knowledge.text.terms`` the service uses, computed once per template
sentence, the tsvectors are built in the INSERT — runs VACUUM (ANALYZE), then:

* times ``selectors.run_search`` + the v1 presenter (ranking, total, facets over the whole
  match, suggestions, highlighted title and snippet of the page) for a mix of Chinese and
  English queries, as a requester (published public documents) — p50/p95 in ms;
* measures the index update lag: a document is saved through ``services.document_update``; the
  time from the commit to the moment a search finds the new word;
* with ``--http``, also over HTTP: one daphne process with the production settings
  (``bench.http_load.server_env``: ``DEBUG=false``, the connection pool; add ``REDIS_URL`` as in
  production), the same query mix as ``GET /api/v1/knowledge/search`` with the requester's
  bearer token, one client on a keep-alive connection — p50/p95 in ms, auth, middleware and
  JSON included — and the knowledge home's other reads: a document list page with its total,
  the category tree with its counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

ZH_TOPICS = ["打印机", "VPN", "邮箱", "服务器", "账号", "无线网络", "共享盘", "数据库", "视频会议", "Outlook"]
ZH_PROBLEMS = [
    "无法连接",
    "频繁断开",
    "出现故障",
    "登录失败",
    "速度很慢",
    "报错",
    "卡纸",
    "同步失败",
    "权限不足",
    "空间不足",
]
ZH_SENTENCES = [
    "先确认影响范围，再查看监控告警和系统日志。",
    "请检查网络连接是否正常，必要时重启设备。",
    "如果问题仍然存在，请提交工单并附上截图。",
    "管理员可以在控制台中查看详细的错误信息。",
    "更新驱动程序或客户端版本通常可以解决此问题。",
    "密码过期会导致认证失败，请先修改密码。",
    "磁盘空间不足时，优先清理过期日志与临时文件。",
    "在高峰时段，服务器负载较高，响应会变慢。",
    "打开前盖和后盖，顺着进纸方向慢慢取出纸张。",
    "邮箱容量已满会导致无法接收新邮件。",
]
EN_TOPICS = [
    "printer",
    "VPN",
    "mailbox",
    "server",
    "account",
    "Wi-Fi",
    "file share",
    "database",
    "video call",
    "laptop",
]
EN_PROBLEMS = [
    "offline",
    "keeps disconnecting",
    "failure",
    "login error",
    "slow",
    "error 500",
    "paper jam",
    "not syncing",
]
EN_SENTENCES = [
    "Check the network connection first and restart the device if needed.",
    "Printers that keep going offline usually have a dynamic address.",
    "Expired passwords make the authentication fail; change the password first.",
    "Rotate or compress old logs when the disk is almost full.",
    "Update the driver or the client to the latest version.",
    "Open a ticket with a screenshot if the problem persists.",
    "Servers respond slowly during peak hours when the load is high.",
    "A full mailbox cannot receive new messages.",
]
QUERIES = [
    "打印机卡纸",
    "服务器故障",
    "VPN 断开",
    "邮箱 同步失败",
    "账号 登录失败",
    "数据库 报错",
    "printers offline",
    "VPN disconnecting",
    "server slow",
    "mailbox full",
    "password expired",
    "共享盘 权限不足",
]


def setup():
    import django

    django.setup()


def seed(total: int):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import user_create
    from knowledge import services, text
    from knowledge.models import Document, DocumentTag, DocumentVersion, SearchTerm
    from tenants.models import Tenant
    from tenants.services import tenant_create

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code="bench_kb").first() or tenant_create(
        code="bench_kb", name="知识库压测", max_users=100
    )
    people = {}
    for username, role in (("reviewer", "supervisor"), ("author", "agent"), ("reader", "user")):
        people[username] = User.objects.filter(tenant=tenant, username=username).first() or user_create(
            tenant=tenant, username=username, email=f"{username}@kb.bench", password="Bench@123456", role_codes=[role]
        )
    categories = []
    if not tenant_categories(tenant):
        for name in ["打印与外设", "网络与VPN", "邮件", "服务器", "账号", "English"]:
            root = services.category_create(tenant=tenant, by=people["reviewer"], data={"name": name})
            categories.append(root)
            for n in range(3):
                categories.append(
                    services.category_create(
                        tenant=tenant, by=people["reviewer"], data={"name": f"{name}{n}", "parent_id": root.pk}
                    )
                )
    categories = tenant_categories(tenant)
    existing = Document.all_objects.filter(tenant=tenant).count()
    if existing >= total:
        print(f"reusing {existing} documents", flush=True)
        return tenant, people
    rng = random.Random(42)
    cache: dict[str, list[str]] = {}

    def terms(sentence: str) -> list[str]:
        if sentence not in cache:
            cache[sentence] = text.terms(sentence)
        return cache[sentence]

    now = timezone.now()
    batch = 2000
    started = time.perf_counter()
    author = people["author"]
    for start in range(existing, total, batch):
        documents, rows = [], []
        for n in range(start, min(start + batch, total)):
            chinese = n % 2 == 0
            if chinese:
                topic, problem = rng.choice(ZH_TOPICS), rng.choice(ZH_PROBLEMS)
                title = f"{topic}{problem}的处理方法（{n}）"
                sentences = rng.sample(ZH_SENTENCES, 4)
                tags = [topic, problem]
                title_parts = [topic, problem, "的处理方法"]
            else:
                topic, problem = rng.choice(EN_TOPICS), rng.choice(EN_PROBLEMS)
                title = f"{topic.capitalize()} {problem}: how to fix it ({n})"
                sentences = rng.sample(EN_SENTENCES, 4)
                tags = [topic, problem]
                title_parts = [topic, problem, "how to fix it"]
            body = " ".join(sentences)
            documents.append(
                Document(
                    tenant=tenant,
                    title=title,
                    slug=f"bench-{n}",
                    content=body,
                    summary=body[:120],
                    category=rng.choice(categories),
                    tags=tags,
                    status="published" if n % 10 else "draft",
                    visibility="public" if n % 7 else "internal",
                    difficulty_level=("beginner", "intermediate", "advanced")[n % 3],
                    author=author,
                    view_count=rng.randint(0, 5000),
                    rating_avg=round(rng.uniform(2.5, 5), 2),
                    rating_count=rng.randint(0, 50),
                    published_at=now,
                )
            )
            rows.append(
                (
                    " ".join(t for part in title_parts for t in terms(part)) + f" {n}",
                    " ".join(t for tag in tags for t in terms(tag)),
                    " ".join(t for s in sentences for t in terms(s)),
                    body,
                    tags,
                    [w for part in title_parts for w in text.words(part)],
                )
            )
        with transaction.atomic():
            Document.objects.bulk_create(documents, batch_size=batch)
            # the index rows as index_document writes them, the weighted tsvector built in the
            # INSERT (one row version per document, as in a settled production table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO knowledge_documentsearch (document_id, tenant_id, status, visibility, author_id, "
                    "category_id, difficulty_level, content_type, tags, source_updated_at, indexed_at, "
                    "vector) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') || "
                    "setweight(to_tsvector('simple', %s), 'C'))",
                    [
                        (
                            d.pk,
                            tenant.pk,
                            d.status,
                            d.visibility,
                            author.pk,
                            d.category_id,
                            d.difficulty_level,
                            d.content_type,
                            json.dumps(d.tags, ensure_ascii=False),
                            d.updated_at,
                            now,
                            r[0],
                            r[1],
                            r[2],
                        )
                        for d, r in zip(documents, rows, strict=True)
                    ],
                )
                # the plain text and the title vector, kept apart from the index row
                cursor.executemany(
                    "INSERT INTO knowledge_documenttext (document_id, tenant_id, plain_text, head) "
                    "VALUES (%s, %s, %s, to_tsvector('simple', %s))",
                    [(d.pk, tenant.pk, r[3], r[0]) for d, r in zip(documents, rows, strict=True)],
                )
            DocumentVersion.objects.bulk_create(
                [
                    DocumentVersion(
                        tenant=tenant, document=d, major=1, minor=0, title=d.title, content=d.content, author=author
                    )
                    for d in documents
                ],
                batch_size=batch,
            )
            DocumentTag.objects.bulk_create(
                [DocumentTag(tenant=tenant, document=d, name=t) for d in documents for t in d.tags],
                batch_size=batch * 2,
            )
            SearchTerm.objects.bulk_create(
                [
                    SearchTerm(tenant=tenant, document=d, term=w[:64], is_public=d.visibility == "public")
                    for d, r in zip(documents, rows, strict=True)
                    if d.status == "published"
                    for w in set(r[5]) | {t.lower() for t in d.tags}
                    if len(w) > 1
                ],
                batch_size=batch * 4,
            )
        done = min(start + batch, total)
        if done % 20000 == 0 or done == total:
            print(f"  {done} documents ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"seeded {total} documents in {time.perf_counter() - started:.0f} s", flush=True)
    return tenant, people


def tenant_categories(tenant):
    from knowledge.models import KnowledgeCategory

    return list(KnowledgeCategory.objects.filter(tenant=tenant))


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def time_search(user, runs: int):
    from knowledge import selectors
    from knowledge.api import presenters
    from knowledge.search import SearchParams

    for q in QUERIES:  # warm-up (jieba dictionary, plans, caches)
        selectors.run_search(user=user, params=SearchParams(q=q))
    timings, per_query, totals = [], {}, {}
    for n in range(runs):
        q = QUERIES[n % len(QUERIES)]
        started = time.perf_counter()
        result = selectors.run_search(user=user, params=SearchParams(q=q, size=10))
        body = presenters.search_result(result, highlight=True)
        elapsed = (time.perf_counter() - started) * 1000
        assert body["items"] and body["facets"]["categories"], q
        timings.append(elapsed)
        per_query.setdefault(q, []).append(elapsed)
        totals[q] = f"{body['total']}{'' if body['total_exact'] else '+'}"  # +: more than the search reads
    return timings, per_query, totals


def time_http(user, runs: int, port: int):
    """The same searches through one production server process, one client."""
    import urllib.parse
    from pathlib import Path

    from accounts.auth_services import tokens_for_user
    from bench.http_load import Client, Servers, server_env

    bearer = {"Authorization": f"Bearer {tokens_for_user(user)['access_token']}"}

    def path(q: str) -> str:
        return "/api/v1/knowledge/search?" + urllib.parse.urlencode({"q": q, "size": 10, "highlight": "true"})

    log_dir = Path(__file__).resolve().parent.parent / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    timings, per_query = [], {}
    with Servers(1, port, server_env(pool_max=4), log_dir):
        for q in QUERIES:  # warm-up, as in process
            Client.get(port, path(q), bearer)
        for n in range(runs):
            q = QUERIES[n % len(QUERIES)]
            started = time.perf_counter()
            status, body = Client.get(port, path(q), bearer)
            elapsed = (time.perf_counter() - started) * 1000
            data = json.loads(body)["data"] if status == 200 else None
            assert data and data["items"] and data["facets"]["categories"], (q, status, body[:200])
            timings.append(elapsed)
            per_query.setdefault(q, []).append(elapsed)
        # the other reads of the knowledge home: a list page with its total, the category tree
        # with the document counts of every node
        browsing = {}
        for name, other in (
            ("documents page 1", "/api/v1/knowledge/documents?page=1&size=10"),
            ("category tree", "/api/v1/knowledge/categories"),
        ):
            Client.get(port, other, bearer)
            for _n in range(max(20, runs // 6)):
                started = time.perf_counter()
                status, body = Client.get(port, other, bearer)
                browsing.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                assert status == 200, (other, status, body[:200])
    return timings, per_query, browsing


def report(timings, per_query, totals) -> None:
    for q, values in per_query.items():
        print(
            f"  {q:<20} total {totals[q]:>6}  p50 {statistics.median(values):6.1f} ms  p95 {pct(values, 0.95):6.1f} ms"
        )
    print(f"  ALL {len(timings)} searches: p50 {statistics.median(timings):.1f} ms  p95 {pct(timings, 0.95):.1f} ms")


def index_lag(people, rounds: int = 20):
    from django.db import transaction

    from knowledge import selectors, services
    from knowledge.models import Document
    from knowledge.search import SearchParams

    reviewer = people["reviewer"]
    documents = list(Document.objects.filter(tenant=reviewer.tenant, status="published", visibility="public")[:rounds])
    lags = []
    for n, document in enumerate(documents):
        word = f"lagprobe{int(time.time())}x{n}"
        with transaction.atomic():
            services.document_update(
                document=document, by=reviewer, data={"content": f"{document.content} {word}", "change_type": "minor"}
            )
            committed_at = [0.0]
            transaction.on_commit(lambda stamp=committed_at: stamp.__setitem__(0, time.perf_counter()))
        # the index refresh is registered before the stamp, so it has run when the block exits;
        # measure commit → findable, polling as a client would
        while True:
            found = selectors.run_search(user=reviewer, params=SearchParams(q=word, size=1)).total
            if found:
                break
            if time.perf_counter() - committed_at[0] > 30:
                raise SystemExit(f"index lag over 30 s for {word}")
        lags.append((time.perf_counter() - committed_at[0]) * 1000)
    return lags


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=240)
    parser.add_argument("--http", action="store_true", help="also time the searches over HTTP (one daphne process)")
    parser.add_argument("--port", type=int, default=8117)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… (the benchmark measures PostgreSQL)")
    setup()
    _tenant, people = seed(args.documents)
    timings, per_query, totals = time_search(people["reader"], args.runs)
    print(f"\nsearch over {args.documents} documents as a requester (rank, total, facets, suggestions, highlights):")
    report(timings, per_query, totals)
    if args.http:
        timings, per_query, browsing = time_http(people["reader"], args.runs, args.port)
        print("\nthe same over HTTP (GET /api/v1/knowledge/search, one daphne process, production settings):")
        report(timings, per_query, totals)
        for name, values in browsing.items():
            print(f"  {name:<27} p50 {statistics.median(values):6.1f} ms  p95 {pct(values, 0.95):6.1f} ms")
    lags = index_lag(people)
    print(
        f"\nindex update lag (commit → findable), {len(lags)} saves: "
        f"p50 {statistics.median(lags):.1f} ms  max {max(lags):.1f} ms"
    )


if __name__ == "__main__":
    main()
