"""Input validation (request serializers) and the documented response shapes (response
serializers, for the OpenAPI schema; bodies themselves come from ``presenters``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from knowledge.choices import (
    DATE_RANGES,
    ChangeType,
    ContentType,
    DifficultyLevel,
    DocumentStatus,
    RecommendationContext,
    ReviewAction,
    ReviewType,
    SearchSort,
    Urgency,
)

MAX_CONTENT = 200_000


class CommaList(serializers.Field):
    """``a,b,c`` in a query string (or repeated parameters) → a list."""

    def __init__(self, child=None, max_items=20, **kwargs):
        self.child = child or serializers.CharField(max_length=64)
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = data if isinstance(data, list) else str(data).split(",")
        values = [v.strip() for v in values if str(v).strip()]
        if len(values) > self.max_items:
            raise serializers.ValidationError(_("Too many values."))
        return [self.child.run_validation(v) for v in values]

    def to_representation(self, value):
        return ",".join(str(v) for v in value)


def _query_list(data, name):
    """Query parameters: repeated ``name`` or one comma-separated value."""
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


ATTACHMENT_URL_NAMES = ("v1-knowledge-attachment-download", "knowledge:attachment_download")


class KbAttachmentLink(serializers.Serializer):
    """One entry of a create or update body's ``attachments`` (contract §5.1.1): ``file_url`` is
    the URL an upload answered with (``POST /knowledge/attachments``, or a download link of the
    document); ``filename`` renames it; ``file_size`` is informative (the stored size is what
    the detail reports). Validated into ``{"id", "filename"}`` (or ``{"external_url"}`` for a URL
    that is not one of ours: the service keeps it only if the document already had it)."""

    filename = serializers.CharField(required=False, allow_blank=True, max_length=255)
    file_url = serializers.CharField(max_length=1000)
    file_size = serializers.IntegerField(required=False, min_value=0, max_value=10**12)
    file_type = serializers.CharField(required=False, allow_blank=True, max_length=128)

    def validate_file_url(self, value):
        from urllib.parse import urlsplit

        from django.urls import Resolver404, resolve

        parts = urlsplit(value)
        if parts.scheme.lower() not in ("", "http", "https"):
            raise serializers.ValidationError(_("Only http and https links are allowed."))
        try:
            match = resolve(parts.path)
        except Resolver404:
            match = None
        if match is not None and match.view_name in ATTACHMENT_URL_NAMES:
            return {"id": int(match.kwargs["pk"])}
        return {"external_url": value}

    def validate(self, attrs):
        link = dict(attrs.pop("file_url"))
        if attrs.get("filename"):
            link["filename"] = attrs["filename"]
        return link


class KbAttachmentUpload(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


class KbDocumentWrite(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(allow_blank=True, max_length=MAX_CONTENT, trim_whitespace=False)
    content_type = serializers.ChoiceField(choices=ContentType.values, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=500)
    category_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=20)
    keywords = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=20)
    template_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    attachments = KbAttachmentLink(many=True, required=False, max_length=50)
    is_public = serializers.BooleanField(required=False)
    difficulty_level = serializers.ChoiceField(choices=DifficultyLevel.values, required=False)
    estimated_read_time = serializers.IntegerField(required=False, min_value=1, max_value=1000)


class KbDocumentUpdate(KbDocumentWrite):
    change_summary = serializers.CharField(required=False, allow_blank=True, max_length=500)
    change_type = serializers.ChoiceField(choices=ChangeType.values, required=False)


class KbDocumentFilters(serializers.Serializer):
    category_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    tags = CommaList(required=False)
    status = serializers.ChoiceField(choices=DocumentStatus.values, required=False)
    author_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    difficulty_level = serializers.ChoiceField(choices=DifficultyLevel.values, required=False)
    keyword = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sort = serializers.ChoiceField(choices=["created_at", "updated_at", "view_count", "rating"], required=False)
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False)

    def to_internal_value(self, data):
        if hasattr(data, "getlist") and "tags" in data:
            data = data.copy()
            data["tags"] = ",".join(data.getlist("tags"))
        return super().to_internal_value(data)


class KbSearchQueryParams(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Words to search for (Chinese or English). Without q the answer is an empty result.",
    )
    category_ids = CommaList(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False)
    tags = CommaList(required=False)
    difficulty_level = serializers.ChoiceField(choices=DifficultyLevel.values, required=False)
    content_type = serializers.ChoiceField(choices=ContentType.values, required=False)
    date_range = serializers.ChoiceField(choices=list(DATE_RANGES), required=False)
    sort = serializers.ChoiceField(choices=SearchSort.values, required=False)
    highlight = serializers.BooleanField(required=False, default=True)
    page = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)
    size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            flat = {key: data.get(key) for key in data}
            for name in ("tags", "category_ids"):
                if name in data:
                    flat[name] = ",".join(data.getlist(name))
            data = flat
        return super().to_internal_value(data)


class KbRecommendationParams(serializers.Serializer):
    context = serializers.ChoiceField(choices=RecommendationContext.values, required=False)
    ticket_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    category_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50)

    def validate(self, attrs):
        context = attrs.get("context") or RecommendationContext.USER_BEHAVIOR
        attrs["context"] = context
        if context == RecommendationContext.TICKET and not attrs.get("ticket_id"):
            raise serializers.ValidationError({"ticket_id": _("This field is required.")})
        if context == RecommendationContext.CATEGORY and not attrs.get("category_id"):
            raise serializers.ValidationError({"category_id": _("This field is required.")})
        return attrs


class KbCategoryCreate(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    parent_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    icon = serializers.CharField(required=False, allow_blank=True, max_length=64)
    sort_order = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)


class KbRatingWrite(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    helpful = serializers.BooleanField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=20)


class KbSubmitReview(serializers.Serializer):
    review_type = serializers.ChoiceField(choices=ReviewType.values, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.values, required=False)


class KbReviewDecision(serializers.Serializer):
    action = serializers.ChoiceField(choices=[ReviewAction.APPROVE, ReviewAction.REJECT, ReviewAction.ARCHIVE])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    suggestions = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=50)


class KbRollbackWrite(serializers.Serializer):
    change_summary = serializers.CharField(required=False, allow_blank=True, max_length=500)


class KbStatisticsParams(serializers.Serializer):
    time_range = serializers.ChoiceField(choices=["7d", "30d", "90d"], required=False)
    group_by = serializers.ChoiceField(choices=["category", "author", "tag"], required=False)


# --- response shapes (OpenAPI) ------------------------------------------------------------------


class KbAuthorOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    avatar = serializers.CharField(allow_null=True)


class KbAuthorDetailOut(KbAuthorOut):
    email = serializers.CharField()


class KbCategoryRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    icon = serializers.CharField()


class KbCategoryPathOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField()


class KbDocumentCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    status = serializers.ChoiceField(choices=DocumentStatus.values)
    version = serializers.CharField()
    created_at = serializers.DateTimeField()
    author = KbAuthorOut()


class KbDocumentListItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    summary = serializers.CharField()
    category = KbCategoryRefOut(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    author = KbAuthorOut()
    status = serializers.ChoiceField(choices=DocumentStatus.values)
    visibility = serializers.CharField()
    version = serializers.CharField()
    difficulty_level = serializers.CharField()
    estimated_read_time = serializers.IntegerField()
    view_count = serializers.IntegerField()
    like_count = serializers.IntegerField()
    rating = serializers.FloatField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_viewed_at = serializers.DateTimeField(allow_null=True)


class KbAttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    file_url = serializers.CharField()
    file_size = serializers.IntegerField()
    file_type = serializers.CharField()


class KbStatisticsOut(serializers.Serializer):
    view_count = serializers.IntegerField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    share_count = serializers.IntegerField()
    rating = serializers.FloatField()
    rating_count = serializers.IntegerField()


class KbRelatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    similarity = serializers.FloatField()


class KbVersionInfoOut(serializers.Serializer):
    current_version = serializers.CharField()
    total_versions = serializers.IntegerField()
    last_updated_by = serializers.CharField(allow_null=True)
    change_summary = serializers.CharField()


class KbReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=ReviewAction.values)
    review_type = serializers.CharField()
    urgency = serializers.CharField()
    comment = serializers.CharField()
    suggestions = serializers.ListField(child=serializers.CharField())
    version = serializers.CharField()
    reviewer = KbAuthorOut()
    created_at = serializers.DateTimeField()


class KbDocumentDetailOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    content = serializers.CharField()
    content_html = serializers.CharField(help_text="The sanitised HTML rendering of ``content``.")
    content_type = serializers.CharField()
    summary = serializers.CharField()
    category = KbCategoryPathOut(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())
    author = KbAuthorDetailOut()
    status = serializers.ChoiceField(choices=DocumentStatus.values)
    visibility = serializers.CharField()
    is_public = serializers.BooleanField()
    version = serializers.CharField()
    difficulty_level = serializers.CharField()
    estimated_read_time = serializers.IntegerField()
    attachments = KbAttachmentOut(many=True)
    statistics = KbStatisticsOut()
    related_documents = KbRelatedOut(many=True)
    version_info = KbVersionInfoOut()
    reviews = KbReviewOut(many=True)
    my_rating = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class KbVersionOut(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    author = KbAuthorOut()
    change_summary = serializers.CharField()
    change_type = serializers.ChoiceField(choices=ChangeType.values)
    rollback_of = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    reviews = KbReviewOut(many=True)


class KbVersionDetailOut(KbVersionOut):
    content = serializers.CharField()
    content_html = serializers.CharField()
    summary = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())


class KbHighlightOut(serializers.Serializer):
    title = serializers.CharField(help_text="Escaped; matched words in <em>.")
    content = serializers.CharField(help_text="Escaped snippet; matched words in <em>.")


class KbSearchAuthorOut(KbAuthorOut):
    title = serializers.CharField(allow_null=True)


class KbSearchItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    category = KbCategoryRefOut(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    author = KbSearchAuthorOut()
    score = serializers.FloatField()
    rating = serializers.FloatField()
    rating_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    like_count = serializers.IntegerField()
    difficulty_level = serializers.CharField()
    estimated_read_time = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    highlight = KbHighlightOut()


class KbFacetCategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class KbFacetTagOut(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class KbFacetLevelOut(serializers.Serializer):
    level = serializers.CharField()
    count = serializers.IntegerField()


class KbFacetsOut(serializers.Serializer):
    categories = KbFacetCategoryOut(many=True)
    tags = KbFacetTagOut(many=True)
    difficulty_levels = KbFacetLevelOut(many=True)


class KbSearchOut(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField(
        help_text="Documents found. When ``total_exact`` is false the match is larger than one search reads "
        "(2,000 documents): ``total`` is then that limit and the facets count those documents."
    )
    total_exact = serializers.BooleanField(help_text="False when the match has more documents than ``total``.")
    took = serializers.IntegerField(help_text="Milliseconds spent searching.")
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    suggestions = serializers.ListField(child=serializers.CharField())
    facets = KbFacetsOut()
    items = KbSearchItemOut(many=True)


class KbRecommendationCategoryOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


class KbRecommendationOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    category = KbRecommendationCategoryOut()
    relevance_score = serializers.FloatField()
    reason = serializers.CharField()
    estimated_read_time = serializers.IntegerField()
    rating = serializers.FloatField()
    view_count = serializers.IntegerField()


class KbRecommendationsOut(serializers.Serializer):
    context = serializers.ChoiceField(choices=RecommendationContext.values)
    context_info = serializers.DictField()
    recommendations = KbRecommendationOut(many=True)
    related_searches = serializers.ListField(child=serializers.CharField())


class KbCategoryNodeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    icon = serializers.CharField()
    sort_order = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    document_count = serializers.IntegerField(help_text="Documents in this category and below it.")
    children = serializers.ListField(child=serializers.DictField(), help_text="nodes of the same shape")


class KbRatingOut(serializers.Serializer):
    document_id = serializers.IntegerField()
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    helpful = serializers.BooleanField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    average_rating = serializers.FloatField()
    rating_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class KbReviewResultOut(serializers.Serializer):
    document_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DocumentStatus.values)
    version = serializers.CharField()
    review = KbReviewOut()


class KbPendingItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = KbAuthorOut()
    review_type = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    urgency = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    estimated_read_time = serializers.IntegerField()
    version = serializers.CharField()


class KbPendingOut(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = KbPendingItemOut(many=True)


class KbOverviewOut(serializers.Serializer):
    total_documents = serializers.IntegerField()
    published_documents = serializers.IntegerField()
    total_views = serializers.IntegerField()
    total_likes = serializers.IntegerField()
    avg_rating = serializers.FloatField()
    active_authors = serializers.IntegerField()


class KbTrendOut(serializers.Serializer):
    date = serializers.DateField()
    views = serializers.IntegerField()
    new_documents = serializers.IntegerField()
    ratings = serializers.IntegerField()


class KbTopDocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    views = serializers.IntegerField()
    rating = serializers.FloatField()
    category = serializers.CharField(allow_null=True)


class KbGroupOut(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class KnowledgeStatisticsOut(serializers.Serializer):
    overview = KbOverviewOut()
    trends = KbTrendOut(many=True)
    top_documents = KbTopDocumentOut(many=True)
    category_distribution = serializers.DictField(child=serializers.IntegerField())
    groups = KbGroupOut(many=True, required=False)
