"""Server-rendered knowledge pages over the same selectors and services as the API.

Markup reaching templates through ``mark_safe`` comes only from ``knowledge.text``: the
sanitised markdown rendering and the escape-then-wrap highlights."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from knowledge import selectors, services, text
from knowledge.choices import DifficultyLevel, DocumentStatus, ReviewAction, SearchSort
from knowledge.forms import CategoryForm, DocumentForm, RatingForm, ReviewForm
from knowledge.policy import allowed_review_actions, can_edit, is_reviewer
from knowledge.search import SearchParams, highlight_item, normalised
from portal.config import get_config
from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.uploads import download_response

PAGE_SIZE = 20


def _document(request, pk):
    try:
        return selectors.visible_document(request.user, pk)
    except DomainError:
        raise Http404 from None


def _refused(request, error: DomainError):
    messages.error(request, str(error.message))


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class KnowledgeHomeView(PortalPageMixin, View):
    """Category tree, search box, results with highlights and facet filters, or the list."""

    required_permission = "knowledge:read"

    def get(self, request):
        user = request.user
        q = (request.GET.get("q") or "").strip()[:200]
        category_id = _int(request.GET.get("category"))
        tag = (request.GET.get("tag") or "").strip()[:64]
        level = request.GET.get("difficulty") if request.GET.get("difficulty") in DifficultyLevel.values else None
        sort = request.GET.get("sort") if request.GET.get("sort") in SearchSort.values else SearchSort.RELEVANCE
        page_number = max(_int(request.GET.get("page"), 1) or 1, 1)
        context = {
            "tree": selectors.category_tree(user=user),
            "q": q,
            "category_id": category_id,
            "tag": tag,
            "level": level,
            "sort": sort,
            "levels": DifficultyLevel.choices,
            "sorts": SearchSort.choices,
            "can_create": user.has_contract_permission("knowledge:create"),
            "can_add_category": user.has_contract_permission("knowledge:category:create"),
            "category_form": CategoryForm(user=user),
        }
        if q and text.query_groups(q):
            params = SearchParams(
                q=q,
                category_ids=[category_id] if category_id else [],
                tags=[tag] if tag else [],
                difficulty_level=level,
                sort=sort,
                page=min(page_number, 500),
                size=PAGE_SIZE,
            )
            result = selectors.run_search(user=user, params=params)
            hits = []
            for document in result.items:
                marked = highlight_item(document, result.groups)
                hits.append(
                    {
                        "document": document,
                        "title": mark_safe(marked["title"]),  # noqa: S308 - escaped, then <em> added
                        "snippet": mark_safe(marked["content"]),  # noqa: S308 - escaped, then <em> added
                        "score": normalised(getattr(document, "score", 0)),
                    }
                )
            for facet in result.facets["difficulty_levels"]:
                facet["label"] = DifficultyLevel(facet["level"]).label
            pages = max(1, -(-result.total // PAGE_SIZE))
            context.update(
                {
                    "result": result,
                    "hits": hits,
                    "page_number": params.page,
                    "has_prev": params.page > 1,
                    "has_next": params.page < pages,
                    "pages": pages,
                }
            )
        else:
            filters = {"category_id": category_id, "tags": [tag] if tag else None, "difficulty_level": level}
            if not is_reviewer(user) and not user.has_contract_permission("knowledge:create"):
                filters["status"] = DocumentStatus.PUBLISHED
            queryset = selectors.document_list(user=user, filters=filters)
            context["page"] = Paginator(queryset, PAGE_SIZE).get_page(page_number)
        query = request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return render(request, "knowledge/home.html", context)


class CategoryCreateView(PortalPageMixin, View):
    required_permission = "knowledge:category:create"

    def post(self, request):
        form = CategoryForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Check the category fields."))
            return redirect("knowledge:list")
        data = form.cleaned_data
        try:
            services.category_create(
                tenant=request.user.tenant,
                by=request.user,
                data={
                    "name": data["name"],
                    "parent_id": data["parent"].pk if data["parent"] else None,
                    "sort_order": data.get("sort_order"),
                    "description": data.get("description") or "",
                },
            )
            messages.success(request, _("Category created."))
        except DomainError as error:
            _refused(request, error)
        return redirect("knowledge:list")


class DocumentDetailView(PortalPageMixin, View):
    """Rendered article, attachments, rating, related documents, versions and reviews."""

    required_permission = "knowledge:read"

    def get(self, request, pk):
        user = request.user
        document = _document(request, pk)
        services.document_record_view(document=document, user=user)
        versions = list(selectors.versions_of(document))
        my_rating = selectors.user_rating(document, user)
        context = {
            "document": document,
            "content_html": mark_safe(text.render_document(document.content, document.content_type)),  # noqa: S308 - sanitised by nh3
            "attachments": list(selectors.attachments_of(document)),
            "related": selectors.related_for(document, user=user),
            "versions": versions,
            "reviews": list(selectors.reviews_of(document)),
            "my_rating": my_rating,
            "rating_form": RatingForm(initial={"rating": my_rating.rating if my_rating else 5}),
            "review_form": ReviewForm(),
            "can_edit": can_edit(document, user),
            "can_delete": user.has_contract_permission("knowledge:delete")
            and (document.author_id == user.pk or is_reviewer(user)),
            "can_rate": user.has_contract_permission("knowledge:rate") and document.status == DocumentStatus.PUBLISHED,
            "review_actions": allowed_review_actions(document, user),
        }
        return render(request, "knowledge/detail.html", context)


def diff_rows(old: str, new: str) -> list[dict]:
    """A line diff for the page: rows of (kind, old line number, new line number, text)."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                rows.append({"kind": "same", "old": i1 + k + 1, "new": j1 + k + 1, "text": a[i1 + k]})
            continue
        for k in range(i1, i2):
            rows.append({"kind": "del", "old": k + 1, "new": "", "text": a[k]})
        for k in range(j1, j2):
            rows.append({"kind": "add", "old": "", "new": k + 1, "text": b[k]})
    return rows


class DocumentHistoryView(PortalPageMixin, View):
    """Every version, and a line diff between any two (default: previous → current)."""

    required_permission = "knowledge:read"

    def get(self, request, pk):
        document = _document(request, pk)
        versions = list(selectors.versions_of(document))
        by_name = {v.version: v for v in versions}
        new = by_name.get(request.GET.get("b")) or (versions[0] if versions else None)
        # The first version has no predecessor: by default it is diffed against nothing, so
        # a document with a single version shows its whole text as added.
        default_old = versions[1] if len(versions) > 1 else None
        old = by_name.get(request.GET.get("a")) or default_old
        rows = diff_rows(old.content if old else "", new.content) if new else []
        context = {
            "document": document,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": rows,
            "changed": sum(1 for r in rows if r["kind"] != "same"),
            "title_changed": bool(old and new and old.title != new.title),
            "can_edit": can_edit(document, request.user),
        }
        return render(request, "knowledge/history.html", context)


class DocumentEditView(PortalPageMixin, View):
    """The editor (create or edit) with a live preview rendered by the server."""

    required_permission = "knowledge:create"

    def _form(self, request, document=None, data=None):
        initial = None
        if document is not None:
            initial = {
                "title": document.title,
                "category": document.category_id,
                "summary": document.summary,
                "tags": document.tags,
                "keywords": document.keywords,
                "visibility": document.visibility,
                "difficulty_level": document.difficulty_level,
                "content": document.content,
            }
        return DocumentForm(data, initial=initial, user=request.user, editing=document is not None)

    def _load(self, request, pk):
        if pk is None:
            return None
        document = _document(request, pk)
        if not can_edit(document, request.user):
            raise Http404
        return document

    def _render(self, request, form, document, removing=()):
        preview = form["content"].value() or ""
        return render(
            request,
            "knowledge/edit.html",
            {
                "form": form,
                "document": document,
                "preview_html": mark_safe(text.render_markdown(preview)),  # noqa: S308 - sanitised by nh3
                "attachments": list(selectors.attachments_of(document)) if document else [],
                "removing": set(removing),
                "max_file_size": int(get_config("max_file_size", tenant=request.user.tenant)),
            },
        )

    def get(self, request, pk=None):
        document = self._load(request, pk)
        return self._render(request, self._form(request, document), document)

    def post(self, request, pk=None):
        document = self._load(request, pk)
        form = self._form(request, document, request.POST)
        uploads = request.FILES.getlist("files")
        removing = [pk for pk in (_int(v) for v in request.POST.getlist("remove_attachment")) if pk]
        if not form.is_valid():
            if uploads:
                form.add_error(None, _("Nothing was saved: correct the fields, then choose the files again."))
            return self._render(request, form, document, removing)
        try:
            if document is None:
                document = services.document_create(
                    tenant=request.user.tenant, by=request.user, data=form.service_data(), uploads=uploads
                )
                messages.success(request, _("Draft saved."))
            else:
                document = services.document_update(
                    document=document,
                    by=request.user,
                    data=form.service_data(),
                    uploads=uploads,
                    remove_attachments=removing,
                )
                messages.success(request, _("Saved as version %(version)s.") % {"version": document.version})
        except DomainError as error:
            message = str(error.message)
            if error.field in ("file", "attachments"):
                message = _("Nothing was saved: %(reason)s Choose the files again.") % {"reason": message}
            form.add_error(error.field if error.field in form.fields else None, message)
            return self._render(request, form, document, removing)
        return redirect("knowledge:detail", pk=document.pk)


class AttachmentDownloadView(PortalPageMixin, View):
    """A document's file as a download, for whoever may read the document; another tenant's
    or a hidden document's file is a 404."""

    required_permission = "knowledge:read"

    def get(self, request, pk):
        row = selectors.attachment_for_download(user=request.user, pk=pk)
        if row is None:
            raise Http404
        try:
            return download_response(row.file, filename=row.filename, mime_type=row.file_type, extension=row.extension)
        except DomainError:
            raise Http404 from None


class PreviewView(PortalPageMixin, View):
    """The editor's live preview: markdown in, sanitised HTML fragment out (htmx)."""

    required_permission = "knowledge:create"

    def post(self, request):
        source = (request.POST.get("content") or "")[:200_000]
        return HttpResponse(text.render_markdown(source))


class DocumentActionView(PortalPageMixin, View):
    """POST actions of the document page: rate, submit, review, archive, rollback, delete."""

    required_permission = "knowledge:read"

    def post(self, request, pk, action):
        document = _document(request, pk)
        user = request.user
        target = reverse("knowledge:detail", args=[document.pk])
        try:
            if action == "rate":
                form = RatingForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choose a rating from 1 to 5."))
                    return redirect(target)
                services.document_rate(
                    document=document,
                    by=user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    helpful=form.cleaned_data["helpful"] or None,
                )
                messages.success(request, _("Thank you for your rating."))
            elif action == "submit":
                services.document_submit_review(
                    document=document, by=user, comment=(request.POST.get("comment") or "")[:2000]
                )
                messages.success(request, _("Submitted for review."))
            elif action == "review":
                form = ReviewForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choose approve or reject."))
                    return redirect(target)
                services.document_review(
                    document=document,
                    by=user,
                    action=form.cleaned_data["action"],
                    comment=form.cleaned_data["comment"],
                    suggestions=form.cleaned_data["suggestions"],
                )
                messages.success(request, _("Review recorded."))
            elif action == "archive":
                services.document_review(document=document, by=user, action=ReviewAction.ARCHIVE)
                messages.success(request, _("Document archived."))
            elif action == "rollback":
                version = selectors.version_of(document, request.POST.get("version", ""))
                document = services.version_rollback(document=document, by=user, version=version)
                messages.success(
                    request,
                    _("Rolled back to version %(old)s as version %(new)s.")
                    % {"old": version.version, "new": document.version},
                )
            elif action == "delete":
                services.document_delete(document=document, by=user)
                messages.success(request, _("Document deleted."))
                return redirect("knowledge:list")
            else:
                raise Http404
        except DomainError as error:
            _refused(request, error)
        return redirect(target)


class ReviewQueueView(PortalPageMixin, View):
    required_permission = "knowledge:review"

    def get(self, request):
        queryset = selectors.pending_reviews(user=request.user)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        submissions = selectors.latest_submissions(list(page.object_list))
        rows = [{"document": d, "submission": submissions.get(d.pk)} for d in page.object_list]
        return render(request, "knowledge/reviews.html", {"page": page, "rows": rows})


class TicketSuggestionsView(PortalPageMixin, View):
    """The "suggested articles" panel of a ticket page (loaded by htmx, rendered here so the
    tickets app does not know the knowledge base)."""

    required_permission = "knowledge:read"

    def _ticket(self, request, ticket_pk):
        from tickets.selectors import tickets_for

        ticket = tickets_for(request.user).select_related("category").filter(pk=ticket_pk).first()
        if ticket is None:
            raise Http404
        return ticket

    def get(self, request, ticket_pk):
        ticket = self._ticket(request, ticket_pk)
        rows = selectors.recommend_for_ticket(user=request.user, ticket=ticket, limit=5)
        return render(
            request,
            "knowledge/_ticket_suggestions.html",
            {"ticket": ticket, "rows": rows, "can_link": request.user.has_contract_permission("ticket:process")},
        )

    def post(self, request, ticket_pk):
        ticket = self._ticket(request, ticket_pk)
        if not request.user.has_contract_permission("ticket:process"):
            raise Http404
        document = _document(request, request.POST.get("document"))
        try:
            services.ticket_link(ticket=ticket, document=document, by=request.user)
        except DomainError as error:
            _refused(request, error)
        return self.get(request, ticket_pk)
