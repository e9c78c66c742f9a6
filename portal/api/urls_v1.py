"""URLconf holding only the v1 contract (used to generate its schema)."""

from portal.api.urls import v1_urlpatterns as urlpatterns  # noqa: F401
