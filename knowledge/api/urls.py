from django.urls import path

from knowledge.api import v1
from portal.api.routers import ContractRouter

v1_router = ContractRouter()
v1_router.register("knowledge/documents", v1.V1DocumentViewSet, basename="v1-knowledge-document")

v1_urlpatterns = [
    path("knowledge/search", v1.V1KnowledgeSearchView.as_view(), name="v1-knowledge-search"),
    path("knowledge/recommendations", v1.V1RecommendationView.as_view(), name="v1-knowledge-recommendations"),
    path("knowledge/categories", v1.V1CategoryView.as_view(), name="v1-knowledge-categories"),
    path("knowledge/statistics", v1.V1KnowledgeStatisticsView.as_view(), name="v1-knowledge-statistics"),
    path("knowledge/reviews/pending", v1.V1PendingReviewView.as_view(), name="v1-knowledge-reviews-pending"),
    path("knowledge/attachments", v1.V1KnowledgeAttachmentUploadView.as_view(), name="v1-knowledge-attachments"),
    path(
        "knowledge/attachments/<int:pk>/download",
        v1.V1KnowledgeAttachmentDownloadView.as_view(),
        name="v1-knowledge-attachment-download",
    ),
    *v1_router.urls,
]
