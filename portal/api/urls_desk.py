"""URLconf holding only the desk contract (used to generate its schema)."""

from portal.api.urls import desk_urlpatterns as urlpatterns  # noqa: F401
