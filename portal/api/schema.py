"""OpenAPI generation for the two contracts (drf-spectacular).

Every view built on the base classes of ``portal.api.views`` is documented as clients really
see it, with no per-view schema code:

* success responses are wrapped in the view's envelope (``api_contract`` / ``desk_envelope``),
  lists in the contract's page shape;
* error responses are declared from what the view is: 400 (desk also 422) when it takes input,
  401/403 unless ``public``, 404 when it has path parameters (or is a plain view with a
  ``not_found_code``), 429 and 500 always — each in the contract's error body with its error codes from ``ErrorCode``;
* non-public operations require the bearer JWT (or the portal session); public ones none;
* ``Accept-Language`` and the ``X-Request-ID`` response header are documented everywhere.

A view may still use ``@extend_schema``: its serializers are wrapped the same way, and an error
status it declares without a body (``responses={..., 409: None}``) gets the contract's error body.
The fixed components (envelopes, errors, enums) live in ``portal.api.schema_contract``.
"""

from __future__ import annotations

from http import HTTPStatus
from types import SimpleNamespace

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_override
from drf_spectacular.utils import OpenApiResponse
from rest_framework.generics import GenericAPIView

from portal.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from portal.api.permissions import required_permission_for
from portal.api.schema_contract import (
    CODE_MSG,
    DESK,
    NULL_DATA,
    V1,
    error_response_name,
    ref,
    schema_ref,
)


class SessionTokenScheme(SimpleJWTScheme):
    """``accounts.authentication.SessionTokenAuthentication`` (and subclasses) is simplejwt's
    bearer JWT: document it as ``jwtAuth``. drf-spectacular's own extension matches only the
    exact simplejwt class."""

    target_class = "accounts.authentication.SessionTokenAuthentication"
    match_subclasses = True


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class ContractAutoSchema(AutoSchema):
    """Schema of one contract operation: envelope, errors, security and headers come from the
    view's base class and attributes (see the module docstring)."""

    # --- what the view is ---------------------------------------------------------------------

    @property
    def contract(self) -> str | None:
        contract = getattr(self.view, "api_contract", None)
        return contract if contract in (V1, DESK) else None

    @property
    def flavour(self) -> str | None:
        """``v1``, ``desk`` or ``code_msg`` (the desk calls answered as ``{code, msg, data}``)."""
        if self.contract == DESK and getattr(self.view, "desk_envelope", "") == "code_msg":
            return CODE_MSG
        return self.contract

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.view, "public", False))

    def required_permission(self) -> str | None:
        return required_permission_for(self.view, SimpleNamespace(method=self.method))

    # --- success responses ------------------------------------------------------------------------

    def _get_paginator(self):
        # A viewset's actions that answer a whole array (``unpaged_actions``) are no pages.
        if getattr(self.view, "action", None) in getattr(self.view, "unpaged_actions", ()):
            return None
        if not isinstance(self.view, GenericAPIView) and not (
            hasattr(type(self.view), "paginator") or getattr(self.view, "paginated", False)
        ):
            # A plain APIView answers a bare list unless it paginates itself (a ``paginator``
            # property, or ``paginated = True``): its ``many=True`` body is not a page.
            return None
        return super()._get_paginator()

    def get_paginated_name(self, serializer_name: str) -> str:
        if self.contract == DESK:
            # the desk page is the bare list in ``data``; ``pagination`` is in the envelope
            return f"{serializer_name}List"
        return super().get_paginated_name(serializer_name)

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        notes = {
            "page": ("Page number, from 1.", 1),
            "size": (f"Rows per page; larger values are capped at {MAX_PAGE_SIZE}.", DEFAULT_PAGE_SIZE),
            "limit": (f"Rows per page; larger values are capped at {MAX_PAGE_SIZE}.", DEFAULT_PAGE_SIZE),
        }
        for parameter in parameters:
            if parameter.get("name") in notes and parameter.get("in") == "query":
                description, default = notes[parameter["name"]]
                parameter.setdefault("description", description)
                schema = parameter.setdefault("schema", {})
                schema.setdefault("default", default)
                # the page size is capped, not refused: a larger value is valid input
                schema.pop("maximum", None)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if (
            self.contract
            and self.method == "DELETE"
            and not isinstance(self.get_response_serializers(), dict)
            and list(responses) == ["204"]
        ):
            # Both contracts answer a deletion with 200 and the envelope (data null); the view
            # returns ``ApiResponse(None, message=...)``. A view that really answers 204 says so
            # with ``@extend_schema(responses={204: None})``.
            responses = {"200": self._get_response_for_code(None, "200", direction=direction)}
        return responses

    def _is_paginated(self, serializer, status_code: str) -> bool:
        inner = serializer.response if isinstance(serializer, OpenApiResponse) else serializer
        inner = force_instance(inner)
        if isinstance(inner, dict):
            inner = None
        return (
            self._get_paginator() is not None
            and "200" <= status_code < "300"
            and self._is_list_view(inner)
            and get_override(inner, "many") is not False
        )

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if self.contract is None or not str(status_code).isdigit():
            return response
        status = int(status_code)
        if 200 <= status < 300 and status != 204:
            paginated = self._is_paginated(serializer, str(status_code))
            content = response.get("content") or {
                media_type: {} for media_type in (media_types or self.map_renderers("media_type"))
            }
            for media_type, media in content.items():
                if _is_json(media_type):  # a file download or CSV export is not enveloped
                    media["schema"] = self._envelope(media.get("schema", NULL_DATA), paginated)
            response["content"] = {media_type: media for media_type, media in content.items() if media}
            if not response["content"]:
                del response["content"]
            response["description"] = response.get("description") or HTTPStatus(status).phrase
        elif status >= 400 and not response.get("content"):
            return ref("responses", error_response_name(self.flavour, status))
        response.setdefault("headers", {})["X-Request-ID"] = ref("headers", "XRequestID")
        return response

    def _envelope(self, data_schema: dict, paginated: bool) -> dict:
        if self.flavour == V1:
            base = "V1Envelope"
        elif self.flavour == CODE_MSG:
            base = "DeskCodeMsgEnvelope"  # the renderer drops desk pagination for these calls
        else:
            base = "DeskPaginatedEnvelope" if paginated else "DeskEnvelope"
        return {"allOf": [schema_ref(base), {"type": "object", "properties": {"data": data_schema}}]}

    # --- errors, security, headers --------------------------------------------------------------

    def error_statuses(self, operation: dict) -> list[int]:
        parameters = operation.get("parameters", [])
        takes_input = (
            "requestBody" in operation
            or self.method not in SAFE_METHODS
            or any(p.get("in") == "query" for p in parameters)
        )
        # a lookup: a path parameter; or a plain (non-viewset) view that names its not-found code,
        # i.e. looks an object up from its input. Viewsets look objects up by path only.
        has_lookup = any(p.get("in") == "path" for p in parameters) or (
            getattr(self.view, "not_found_code", None) is not None
            and not hasattr(self.view, "action")
            and not self._is_list_view()
        )
        writes = self.method not in SAFE_METHODS
        body = operation.get("requestBody", {}).get("content", {})
        statuses = []
        if takes_input:
            statuses += [400, 422] if self.contract == DESK else [400]
        if not self.is_public or writes:
            # a public write is a sign-in step: wrong credentials (401), locked or tenant
            # unavailable (403)
            statuses += [401, 403]
        if has_lookup or "requestBody" in operation:
            # a body names other objects (ids, keys): one that does not exist is a 404
            statuses.append(404)
        if writes:
            statuses.append(409)  # the change conflicts with the object's current state
        if self.contract == DESK and any(media.startswith("multipart/") for media in body):
            statuses += [413, 415]  # uploads: too large, type refused by content (v1: 400)
        return [*statuses, 429, 500]

    def get_auth(self):
        auths = super().get_auth()  # also registers the security schemes
        if self.contract and self.is_public:
            return []
        return auths

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or self.contract is None:
            return operation
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(str(status), ref("responses", error_response_name(self.flavour, status)))
        operation["responses"] = dict(sorted(responses.items()))
        operation.setdefault("parameters", []).append(ref("parameters", "AcceptLanguage"))
        permission = None if self.is_public else self.required_permission()
        if permission:
            operation["x-required-permission"] = permission
            note = f"Required permission: `{permission}`."
            operation["description"] = f"{operation['description']}\n\n{note}" if operation.get("description") else note
        elif self.is_public:
            note = "Public: no authentication required."
            operation["description"] = f"{operation['description']}\n\n{note}" if operation.get("description") else note
        return operation
