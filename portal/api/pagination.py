"""One pagination class per contract. Both refuse unordered querysets (an unordered page is a
page that can repeat or skip rows) and count in SQL, or through the queryset's own
``page_total()`` / ``page_window(start, size)`` when it has them (ticket lists)."""

from __future__ import annotations

import math

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination

from portal.api.responses import ApiResponse
from portal.errors import DomainError, ErrorCode
from portal.inputs import MAX_PAGE, parse_id

MAX_PAGE_SIZE = 100
#: What ``total`` means, in both contracts' schemas (the ticket lists' counters and cap).
TOTAL_DESCRIPTION = (
    "Number of matching items. Ticket lists: exact when the list is everything the caller can see or is "
    "filtered by status only (maintained counters); with any other filter exact up to 10,000, and 10,000 "
    "beyond that (docs/performance.md)."
)
DEFAULT_PAGE_SIZE = 20


def _positive_int(request, name: str, default: int, maximum: int | None = None, *, ceiling: int = MAX_PAGE) -> int:
    """A positive integer query parameter: above ``maximum`` it is clamped (page sizes), above
    ``ceiling`` refused (a page number beyond any list would overflow the SQL offset)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    value = parse_id(raw) or 0
    if value < 1 or value > ceiling:
        message = _("%(name)s must be an integer between 1 and %(max)d.") % {"name": name, "max": ceiling}
        raise DomainError(ErrorCode.VALIDATION_FAILED, field=name, message=message)
    return min(value, maximum) if maximum else value


class _ContractPagination(BasePagination):
    size_param = "size"

    def paginate_queryset(self, queryset, request, view=None):
        if hasattr(queryset, "ordered") and not queryset.ordered:
            raise ImproperlyConfigured(f"Refusing to paginate an unordered queryset of {queryset.model.__name__}.")
        self.page = _positive_int(request, "page", 1)
        self.size = _positive_int(request, self.size_param, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        start = (self.page - 1) * self.size
        # A queryset may know a cheaper exact (or documented capped) total and a cheaper way to
        # read a deep page (tickets: roll-up counters, ids off the sort index first).
        if hasattr(queryset, "page_total"):
            self.total = queryset.page_total()
            return queryset.page_window(start, self.size)
        self.total = (
            queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        )
        return list(queryset[start : start + self.size])

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.size_param,
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


class V1Pagination(_ContractPagination):
    """``data = {"total", "page", "size", "items"}``."""

    size_param = "size"

    def get_paginated_response(self, data, message=None):
        return ApiResponse({"total": self.total, "page": self.page, "size": self.size, "items": data}, message=message)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["total", "page", "size", "items"],
            "properties": {
                "total": {"type": "integer", "minimum": 0, "description": TOTAL_DESCRIPTION},
                "page": {"type": "integer"},
                "size": {"type": "integer"},
                "items": schema,
            },
        }


class DeskPagination(_ContractPagination):
    """``data = [...]`` with ``pagination = {"page", "limit", "total", "pages"}`` beside it."""

    size_param = "limit"

    def get_paginated_response(self, data, message=None):
        pages = math.ceil(self.total / self.size) if self.total else 0
        meta = {"page": self.page, "limit": self.size, "total": self.total, "pages": pages}
        return ApiResponse(data, message=message, pagination=meta)

    def get_paginated_response_schema(self, schema):
        # The desk renderer lifts ``pagination`` beside ``data``; the schema hook documents that.
        return schema
