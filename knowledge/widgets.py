"""What the knowledge base contributes to the workbench (discovered by ``portal.dashboard``):
knowledge search in the global search (the knowledge base's own search, with its visibility)
and the knowledge activity widget (its own statistics selector)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge import search, selectors
from portal.dashboard.highlight import snippet
from portal.dashboard.registry import SearchHit, SearchProvider, Widget, register_search, register_widget


def _search(user, text: str, limit: int) -> list[SearchHit]:
    result = selectors.run_search(user=user, params=search.SearchParams(q=text, size=limit, highlight=False))
    hits = []
    for document in result.items:
        plain = search.plain_text_of(document)
        matched_title = text.lower() in document.title.lower()
        hits.append(
            SearchHit(
                kind="knowledge",
                id=str(document.pk),
                title=document.title,
                text=document.title if matched_title else snippet(plain, text),
                url=reverse("knowledge:detail", args=[document.pk]),
                # on the tickets' scale: a title match ranks like a ticket title match (0.8),
                # otherwise 0.5-0.8 by the knowledge base's own relevance
                score=max(0.8 if matched_title else 0.0, 0.5 + 0.3 * search.normalised(getattr(document, "score", 0))),
                created_at=document.created_at,
            )
        )
    return hits


def _activity(user, query) -> dict:
    figures = selectors.statistics(user=user, time_range=query.window.code)
    trends = figures["trends"][-query.window.days :]
    overview = figures["overview"]
    return {
        "chart_data": {
            "labels": [row["date"] for row in trends],
            "datasets": [
                {
                    "label": _("Views"),
                    "data": [row["views"] for row in trends],
                    "backgroundColor": "#8b5cf6",
                    "borderColor": "#8b5cf6",
                },
                {
                    "label": _("New documents"),
                    "data": [row["new_documents"] for row in trends],
                    "backgroundColor": "#16a34a",
                    "borderColor": "#16a34a",
                },
            ],
        },
        "summary": {
            "documents": overview.get("published_documents"),
            "views": overview.get("total_views"),
            "avg_rating": overview.get("avg_rating"),
        },
    }


register_search(
    SearchProvider(
        kind="knowledge", label=gettext_lazy("Knowledge"), search=_search, permission="knowledge:read", order=30
    )
)
register_widget(
    Widget(
        code="knowledge_activity",
        name=gettext_lazy("Knowledge activity"),
        description=gettext_lazy("Knowledge base views and new documents per day."),
        data=_activity,
        chart_type="line",
        permission="knowledge:read",
        module="knowledge",
        config_schema={"time_range": {"type": "select", "options": ["1d", "7d", "30d", "90d"], "default": "7d"}},
        width=8,
        default_for=frozenset({"agent", "supervisor", "admin"}),
        order=85,
    )
)
