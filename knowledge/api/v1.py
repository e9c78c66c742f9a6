"""Portal API v1 adapters of the knowledge base (``/api/v1/knowledge/…``, contract §5).

Views validate input, call one selector or service and present the result; the envelope,
errors, pagination, permission codes and tenant scoping come from the base classes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from knowledge import selectors, services, text
from knowledge.api import presenters as P
from knowledge.api import serializers as S
from knowledge.choices import RecommendationContext
from knowledge.models import Document, DocumentAttachment, KnowledgeCategory
from knowledge.search import SearchParams
from portal.api.responses import ApiResponse
from portal.api.views import V1APIView, V1GenericAPIView, V1ViewSet
from portal.errors import DomainError, ErrorCode
from portal.uploads import download_response

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
VERSION = OpenApiParameter("version", str, OpenApiParameter.PATH, description="MAJOR.MINOR, e.g. 1.2")


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _query_parameters(serializer_class) -> list[OpenApiParameter]:
    out = []
    for name, field in serializer_class().fields.items():
        kind = int if field.__class__.__name__ == "IntegerField" else bool if "Boolean" in type(field).__name__ else str
        enum = list(field.choices) if hasattr(field, "choices") else None
        out.append(OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=field.required, enum=enum))
    return out


class DocumentQuerysetMixin:
    not_found_code = ErrorCode.DOCUMENT_NOT_FOUND
    lookup_value_regex = r"\d+"
    queryset = Document.objects.all()  # the model, for introspection; requests use get_base_queryset

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return Document.objects.all()
        return selectors.documents_for(request.user)


class V1DocumentViewSet(DocumentQuerysetMixin, V1ViewSet):
    """Knowledge documents (§5.1, §5.4, §5.5.1, §5.6.1–5.6.2)."""

    required_permissions = {
        "list": "knowledge:read",
        "retrieve": "knowledge:read",
        "create": "knowledge:create",
        "update": "knowledge:update",
        "destroy": "knowledge:delete",
        "versions": "knowledge:read",
        "version_detail": "knowledge:read",
        "rollback": "knowledge:update",
        "rating": "knowledge:rate",
        "submit_review": "knowledge:submit-review",
        "review": "knowledge:review",
    }

    @extend_schema(parameters=_query_parameters(S.KbDocumentFilters), responses=S.KbDocumentListItemOut(many=True))
    def list(self, request):
        filters = _valid(S.KbDocumentFilters, request.query_params)
        page = self.paginate_queryset(selectors.document_list(user=request.user, filters=filters))
        return self.get_paginated_response([P.document_item(d) for d in page])

    # The contract answers a creation with 200 (its only success code), not the viewset's 201.
    @extend_schema(request=S.KbDocumentWrite, responses={200: S.KbDocumentCreatedOut})
    def create(self, request):
        data = _valid(S.KbDocumentWrite, request.data)
        document = services.document_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.document_created(document), message=_("Knowledge document created."))

    def _detail(self, request, document):
        versions = list(selectors.versions_of(document))
        return P.document_detail(
            document,
            versions=versions,
            attachments=list(selectors.attachments_of(document)),
            request=request,
            related=selectors.related_for(document, user=request.user),
            reviews=list(selectors.reviews_of(document)),
            my_rating=selectors.user_rating(document, request.user),
        )

    @extend_schema(parameters=[ID], responses=S.KbDocumentDetailOut)
    def retrieve(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        services.document_record_view(document=document, user=request.user)
        document.refresh_from_db(fields=["view_count", "last_viewed_at"])
        return ApiResponse(self._detail(request, document))

    @extend_schema(parameters=[ID], request=S.KbDocumentUpdate, responses=S.KbDocumentDetailOut)
    def update(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        data = _valid(S.KbDocumentUpdate, request.data)
        document = services.document_update(document=document, by=request.user, data=data)
        document = selectors.visible_document(request.user, document.pk)
        return ApiResponse(self._detail(request, document), message=_("Knowledge document updated."))

    @extend_schema(parameters=[ID], responses=None)
    def destroy(self, request, pk=None):
        services.document_delete(document=selectors.visible_document(request.user, pk), by=request.user)
        return ApiResponse(None, message=_("Knowledge document deleted."))

    # --- versions -------------------------------------------------------------------------------

    @extend_schema(parameters=[ID], responses=S.KbVersionOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        reviews = list(selectors.reviews_of(document))
        rows = selectors.versions_of(document)
        return ApiResponse([P.version(v, current=document.version, reviews=reviews) for v in rows])

    @extend_schema(parameters=[ID, VERSION], responses=S.KbVersionDetailOut)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<version>[^/]+)")
    def version_detail(self, request, pk=None, version=None):
        document = selectors.visible_document(request.user, pk)
        row = selectors.version_of(document, version)
        reviews = list(selectors.reviews_of(document))
        return ApiResponse(
            P.version_detail(row, current=document.version, reviews=reviews, content_type=document.content_type)
        )

    @extend_schema(parameters=[ID, VERSION], request=S.KbRollbackWrite, responses=S.KbDocumentDetailOut)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<version>[^/]+)/rollback")
    def rollback(self, request, pk=None, version=None):
        document = selectors.visible_document(request.user, pk)
        row = selectors.version_of(document, version)
        data = _valid(S.KbRollbackWrite, request.data)
        document = services.version_rollback(
            document=document, by=request.user, version=row, change_summary=data.get("change_summary", "")
        )
        document = selectors.visible_document(request.user, document.pk)
        return ApiResponse(
            self._detail(request, document),
            message=_("Rolled back to version %(version)s.") % {"version": row.version},
        )

    # --- rating and review ------------------------------------------------------------------------

    @extend_schema(parameters=[ID], request=S.KbRatingWrite, responses=S.KbRatingOut)
    @action(detail=True, methods=["post"])
    def rating(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        data = _valid(S.KbRatingWrite, request.data)
        row, document = services.document_rate(
            document=document,
            by=request.user,
            rating=data["rating"],
            comment=data.get("comment", ""),
            helpful=data.get("helpful"),
            tags=data.get("tags"),
        )
        return ApiResponse(P.rating(row, document), message=_("Thank you for your rating."))

    @extend_schema(parameters=[ID], request=S.KbSubmitReview, responses=S.KbReviewResultOut)
    @action(detail=True, methods=["post"], url_path="submit-review")
    def submit_review(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        data = _valid(S.KbSubmitReview, request.data)
        row = services.document_submit_review(
            document=document,
            by=request.user,
            review_type=data.get("review_type") or "publish",
            comment=data.get("comment", ""),
            urgency=data.get("urgency") or "normal",
        )
        document.refresh_from_db()
        return ApiResponse(P.review_result(document, row), message=_("Submitted for review."))

    @extend_schema(parameters=[ID], request=S.KbReviewDecision, responses=S.KbReviewResultOut)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        document = selectors.visible_document(request.user, pk)
        data = _valid(S.KbReviewDecision, request.data)
        row = services.document_review(
            document=document,
            by=request.user,
            action=data["action"],
            comment=data.get("comment", ""),
            suggestions=data.get("suggestions"),
        )
        document.refresh_from_db()
        return ApiResponse(P.review_result(document, row), message=_("Review recorded."))


class V1KnowledgeAttachmentUploadView(V1GenericAPIView):
    """Upload a file for a document (multipart ``file``). The answer is the attachment entry a
    create (§5.1.1) or update body lists: the file joins a document once a body names its
    ``file_url``; until then only the uploader can download it. Too large, a type not allowed,
    or content that contradicts the name's type: 400, nothing stored."""

    queryset = DocumentAttachment.objects.all()
    required_permissions = "knowledge:create"

    @extend_schema(request={"multipart/form-data": S.KbAttachmentUpload}, responses=S.KbAttachmentOut)
    def post(self, request):
        data = _valid(S.KbAttachmentUpload, request.data)
        row = services.attachment_upload(tenant=request.user.tenant, by=request.user, upload=data["file"])
        return ApiResponse(P.attachment(row, request), message=_("File uploaded."))


class V1KnowledgeAttachmentDownloadView(V1GenericAPIView):
    """A document's file, for whoever may read the document (requesters: published public
    documents), or a waiting upload for its uploader. Always a download (``attachment``,
    ``nosniff``)."""

    queryset = DocumentAttachment.objects.all()
    required_permissions = "knowledge:read"
    not_found_code = ErrorCode.NOT_FOUND

    # The stored file, served with the content type it was uploaded with (text/plain, image/png, …).
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        row = selectors.attachment_for_download(user=request.user, pk=pk)
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."))
        return download_response(row.file, filename=row.filename, mime_type=row.file_type, extension=row.extension)


class V1KnowledgeSearchView(V1APIView):
    """Full-text search (§5.2.1): Chinese and English, ranked, highlighted, with facets."""

    required_permissions = "knowledge:read"

    @extend_schema(parameters=_query_parameters(S.KbSearchQueryParams), responses=S.KbSearchOut)
    def get(self, request):
        params = _valid(S.KbSearchQueryParams, request.query_params)
        if params["q"].strip() and not text.query_groups(params["q"]):
            raise DomainError(ErrorCode.SEARCH_QUERY_REQUIRED, field="q")
        result = selectors.run_search(user=request.user, params=SearchParams(**params))
        return ApiResponse(P.search_result(result, highlight=params["highlight"]), message=_("Search completed."))


class V1RecommendationView(V1APIView):
    """Recommendations (§5.2.2) for a ticket, a category or from the user's reading."""

    required_permissions = "knowledge:read"
    # The ticket or category it names may not exist (or not be visible): 404, and so documented.
    not_found_code = ErrorCode.NOT_FOUND

    @extend_schema(parameters=_query_parameters(S.KbRecommendationParams), responses=S.KbRecommendationsOut)
    def get(self, request):
        from tickets.selectors import tickets_for

        params = _valid(S.KbRecommendationParams, request.query_params)
        context = params["context"]
        limit = params.get("limit") or 5
        info: dict = {}
        related: list[str] = []
        if context == RecommendationContext.TICKET:
            ticket = tickets_for(request.user).select_related("category").filter(pk=params["ticket_id"]).first()
            if ticket is None:
                raise DomainError(ErrorCode.TICKET_NOT_FOUND, field="ticket_id")
            rows = selectors.recommend_for_ticket(user=request.user, ticket=ticket, limit=limit)
            info = {
                "ticket_id": ticket.pk,
                "ticket_title": ticket.title,
                "ticket_category": ticket.category.code if ticket.category_id else None,
            }
            related = list(dict.fromkeys(w for w in text.words(ticket.title) if len(w) > 1))[:5]
        elif context == RecommendationContext.CATEGORY:
            category = selectors.categories_for(request.user).filter(pk=params["category_id"]).first()
            if category is None:
                raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="category_id")
            rows = selectors.recommend_for_category(user=request.user, category_id=category.pk, limit=limit)
            info = {"category_id": category.pk, "category_name": category.name}
        else:
            rows = selectors.recommend_for_user(user=request.user, limit=limit)
            info = {"user_id": request.user.pk}
        if not related:
            related = list(dict.fromkeys(t for row in rows for t in row["document"].tags))[:5]
        body = {
            "context": context,
            "context_info": info,
            "recommendations": [P.recommendation(r) for r in rows],
            "related_searches": related,
        }
        return ApiResponse(body)


class V1CategoryView(V1GenericAPIView):
    """The category tree (§5.3.1) and category creation (§5.3.2)."""

    queryset = KnowledgeCategory.objects.all()
    pagination_class = None
    required_permissions = {"GET": "knowledge:read", "POST": "knowledge:category:create"}

    @extend_schema(responses=S.KbCategoryNodeOut(many=True))
    def get(self, request):
        return ApiResponse([P.category_node(e) for e in selectors.category_tree(user=request.user)])

    @extend_schema(request=S.KbCategoryCreate, responses=S.KbCategoryNodeOut)
    def post(self, request):
        data = _valid(S.KbCategoryCreate, request.data)
        node = services.category_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.category_created(node), message=_("Category created."))


class V1KnowledgeStatisticsView(V1APIView):
    """Knowledge statistics (§5.5.2), computed from documents, views and ratings."""

    required_permissions = "knowledge:statistics"

    @extend_schema(parameters=_query_parameters(S.KbStatisticsParams), responses=S.KnowledgeStatisticsOut)
    def get(self, request):
        params = _valid(S.KbStatisticsParams, request.query_params)
        data = selectors.statistics(
            user=request.user, time_range=params.get("time_range") or "30d", group_by=params.get("group_by")
        )
        return ApiResponse(data)


class V1PendingReviewView(V1GenericAPIView):
    """Documents waiting for the caller's review (§5.6.3), oldest first."""

    queryset = Document.objects.all()
    required_permissions = "knowledge:review"

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return Document.objects.all()
        return selectors.pending_reviews(user=request.user)

    @extend_schema(responses=S.KbPendingOut)
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        submissions = selectors.latest_submissions(page)
        items = [P.pending_item(d, submissions.get(d.pk)) for d in page]
        return self.get_paginated_response(items)
