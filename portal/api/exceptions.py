"""One exception handler per contract, sharing one normalisation step.

Every exception a view can raise is first reduced to a ``Problem`` (error code, message,
field errors, details, headers); each contract then formats the problem into its envelope.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from portal.errors import DomainError, ErrorCode

logger = logging.getLogger("portal.api")


class MissingPermission(drf.PermissionDenied):
    """Raised by ``HasContractPermission``: carries the permission code that was required."""

    def __init__(self, required_permission: str, current_permissions=()):
        self.required_permission = required_permission
        self.current_permissions = relevant_permissions(required_permission, current_permissions)
        super().__init__()


def relevant_permissions(required: str, held) -> list[str]:
    """The caller's permissions on the same resource as ``required`` (``user:delete`` →
    ``user:read``, ``user:update``), as the v1 contract's example shows — not the caller's whole
    permission set, which would map every privilege of a (possibly stolen) token in one call."""
    resource = required.rsplit(":", 1)[0] + ":"
    return sorted(code for code in held if code.startswith(resource))


@dataclass
class Problem:
    code: ErrorCode
    message: str
    errors: list[dict] = field(default_factory=list)  # [{"field", "message"}]
    details: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    v1_data: dict | None = None


def _flatten(detail, prefix: str = "") -> list[dict]:
    """DRF's nested ``ValidationError.detail`` as a flat list of {field, message}."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out += [{"field": prefix or "non_field_errors", "message": str(item)} for item in detail]
        else:
            for index, item in enumerate(detail):
                out += _flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]")
    else:
        out.append({"field": prefix or "non_field_errors", "message": str(detail)})
    return out


def _details_from_errors(errors: list[dict]) -> dict:
    grouped: dict[str, list[str]] = {}
    for item in errors:
        grouped.setdefault(item["field"], []).append(item["message"])
    return grouped


def _is_expired(exc: drf.AuthenticationFailed) -> bool:
    codes = exc.get_codes()
    flat = str(codes) + str(exc.detail)
    return "token_expired" in flat or "expired" in flat.lower()


def normalise(exc: Exception, context: dict) -> Problem:
    view = context.get("view")
    if isinstance(exc, DomainError):
        errors = [{"field": exc.field, "message": str(exc.message)}] if exc.field else []
        details = dict(exc.details) or _details_from_errors(errors)
        headers = {}
        if exc.code.spec.status == 429:
            headers["Retry-After"] = str(int(details.get("retry_after") or 1))
        return Problem(exc.code, str(exc.message), errors=errors, details=details, headers=headers)
    if isinstance(exc, drf.ValidationError):
        errors = _flatten(exc.detail)
        return Problem(ErrorCode.VALIDATION_FAILED, str(ErrorCode.VALIDATION_FAILED.spec.message), errors=errors,
                       details=_details_from_errors(errors))  # fmt: skip
    if isinstance(exc, (Http404, drf.NotFound)):
        code = getattr(view, "not_found_code", None) or ErrorCode.NOT_FOUND
        return Problem(code, str(code.spec.message))
    if isinstance(exc, MissingPermission):
        data = {"required_permission": exc.required_permission, "current_permissions": exc.current_permissions}
        return Problem(
            ErrorCode.INSUFFICIENT_PERMISSIONS,
            str(ErrorCode.INSUFFICIENT_PERMISSIONS.spec.message),
            details={"required_permission": exc.required_permission},
            v1_data=data,
        )
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        message = getattr(exc, "detail", None)
        default = str(ErrorCode.INSUFFICIENT_PERMISSIONS.spec.message)
        text = str(message) if message and str(message) != str(drf.PermissionDenied.default_detail) else default
        return Problem(ErrorCode.INSUFFICIENT_PERMISSIONS, text)
    if isinstance(exc, drf.NotAuthenticated):
        return Problem(ErrorCode.AUTHENTICATION_REQUIRED, str(ErrorCode.AUTHENTICATION_REQUIRED.spec.message))
    if isinstance(exc, drf.AuthenticationFailed):
        code = ErrorCode.TOKEN_EXPIRED if _is_expired(exc) else ErrorCode.INVALID_TOKEN
        return Problem(code, str(code.spec.message))
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 1)
        return Problem(
            ErrorCode.RATE_LIMIT_EXCEEDED,
            str(ErrorCode.RATE_LIMIT_EXCEEDED.spec.message),
            details={"retry_after": wait},
            headers={"Retry-After": str(wait)},
        )
    simple = {
        drf.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
        drf.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
        drf.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    }
    for klass, code in simple.items():
        if isinstance(exc, klass):
            return Problem(code, str(code.spec.message))
    if isinstance(exc, drf.ParseError):
        return Problem(ErrorCode.BAD_REQUEST, str(exc.detail))
    if isinstance(exc, DataError):
        # The database refused a value that validation let through (a number beyond its
        # column, a NUL character, an unrepresentable date): the caller's input, not our fault.
        # The service's transaction rolled back; validation should catch it earlier (log it).
        logger.warning("Database refused input in %s: %s", getattr(view, "__class__", type(None)).__name__, exc)
        return Problem(ErrorCode.VALIDATION_FAILED, str(ErrorCode.VALIDATION_FAILED.spec.message))
    if isinstance(exc, SuspiciousOperation):
        return Problem(ErrorCode.BAD_REQUEST, str(ErrorCode.BAD_REQUEST.spec.message))
    if isinstance(exc, drf.APIException):
        by_status = {c.spec.status: c for c in ErrorCode if c.spec.v1_code is None}
        code = by_status.get(exc.status_code, ErrorCode.BAD_REQUEST)
        return Problem(code, str(exc.detail))
    logger.exception("Unhandled error in %s", getattr(view, "__class__", type(None)).__name__, exc_info=exc)
    return Problem(ErrorCode.INTERNAL_ERROR, str(ErrorCode.INTERNAL_ERROR.spec.message))


def v1_payload(problem: Problem) -> tuple[int, dict]:
    spec = problem.code.spec
    if problem.code is ErrorCode.VALIDATION_FAILED or (problem.errors and spec.status == 400):
        data = {"errors": problem.errors}
        if problem.details and problem.code is not ErrorCode.VALIDATION_FAILED:
            data.update(problem.details)
    elif problem.v1_data is not None:
        data = problem.v1_data
    else:
        data = problem.details or None
    return spec.status, {"code": spec.v1_code or spec.status, "message": problem.message, "data": data}


def desk_payload(problem: Problem, *, code_msg: bool = False) -> tuple[int, dict]:
    spec = problem.code.spec
    status = spec.desk_status or spec.status
    body = {"success": False, "error_code": problem.code.name, "message": problem.message, "details": problem.details}
    if code_msg:
        # The desk's login/refresh/device/history calls speak {code, msg, data}; their errors
        # carry both shapes so clients of either style can read them.
        body = {"code": status, "msg": problem.message, "data": None, **body}
    return status, body


def _respond(exc, context, formatter) -> Response:
    from rest_framework.views import set_rollback  # here: rest_framework.views imports our settings

    problem = normalise(exc, context)
    if getattr(exc, "auth_header", None):
        problem.headers["WWW-Authenticate"] = exc.auth_header
    set_rollback()
    status, body = formatter(problem)
    response = Response(body, status=status, headers=problem.headers or None)
    response.exception = True
    return response


def v1_exception_handler(exc, context) -> Response:
    return _respond(exc, context, v1_payload)


def desk_exception_handler(exc, context) -> Response:
    view = context.get("view")
    code_msg = getattr(view, "desk_envelope", "") == "code_msg"
    return _respond(exc, context, lambda problem: desk_payload(problem, code_msg=code_msg))


def dispatching_exception_handler(exc, context):
    """Settings-level handler: contract views choose their handler through their base class;
    anything else gets DRF's default behaviour."""
    from rest_framework.views import exception_handler

    view = context.get("view")
    contract = getattr(view, "api_contract", None)
    if contract == "v1":
        return v1_exception_handler(exc, context)
    if contract == "desk":
        return desk_exception_handler(exc, context)
    return exception_handler(exc, context)
