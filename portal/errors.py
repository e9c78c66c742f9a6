"""Error codes of both contracts, decided once.

A core module: services and pages import it; it imports nothing of the API layer or the apps.

Services raise ``DomainError(ErrorCode.X, …)``; each contract's exception handler turns it
into its own envelope: v1 puts ``v1_code`` in ``code`` (a numeric business code such as 40001,
or the HTTP status), the desk contract puts the key in ``error_code``. The HTTP status is
always the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    message: str
    v1_code: int | None = None  # None: the HTTP status
    desk_status: int | None = None  # None: the same HTTP status as v1


class ErrorCode(Enum):
    # Generic
    BAD_REQUEST = ErrorSpec(400, _("Bad request."))
    VALIDATION_FAILED = ErrorSpec(400, _("Request parameters failed validation."), desk_status=422)
    AUTHENTICATION_REQUIRED = ErrorSpec(401, _("Authentication required."))
    INVALID_TOKEN = ErrorSpec(401, _("The token is invalid."))
    TOKEN_EXPIRED = ErrorSpec(401, _("The token has expired."))
    INSUFFICIENT_PERMISSIONS = ErrorSpec(403, _("Permission denied: you cannot access this resource."))
    NOT_FOUND = ErrorSpec(404, _("The resource does not exist."))
    METHOD_NOT_ALLOWED = ErrorSpec(405, _("Method not allowed."))
    NOT_ACCEPTABLE = ErrorSpec(406, _("Cannot satisfy the requested response format."))
    CONFLICT = ErrorSpec(409, _("The resource conflicts with its current state."))
    UNSUPPORTED_MEDIA_TYPE = ErrorSpec(415, _("Unsupported media type."))
    RATE_LIMIT_EXCEEDED = ErrorSpec(429, _("Too many requests; please try again later."))
    INTERNAL_ERROR = ErrorSpec(500, _("Internal server error."))
    SERVICE_UNAVAILABLE = ErrorSpec(503, _("Service temporarily unavailable."))
    # Identity (v1 business codes 40001-40004)
    INVALID_CREDENTIALS = ErrorSpec(401, _("Wrong username or password."), v1_code=40001)
    ACCOUNT_LOCKED = ErrorSpec(403, _("The account is locked."), v1_code=40002)
    TENANT_UNAVAILABLE = ErrorSpec(403, _("The tenant does not exist or is disabled."), v1_code=40003)
    CAPTCHA_INVALID = ErrorSpec(400, _("Wrong captcha."), v1_code=40004)
    # Two-factor (codes beyond the documented 40001-40004, same family)
    MFA_REQUIRED = ErrorSpec(401, _("A one-time code is required."), v1_code=40005)
    INVALID_OTP = ErrorSpec(401, _("Wrong or already used one-time code."), v1_code=40006)
    OTP_THROTTLED = ErrorSpec(429, _("Too many wrong codes; wait a moment and try again."), v1_code=40007)
    # Domain lookups
    USER_NOT_FOUND = ErrorSpec(404, _("The user does not exist."))
    TICKET_NOT_FOUND = ErrorSpec(404, _("The ticket does not exist."))
    CATEGORY_NOT_FOUND = ErrorSpec(404, _("The category does not exist."))
    NOTIFICATION_NOT_FOUND = ErrorSpec(404, _("The notification does not exist."))
    # Domain rules
    INVALID_STATUS_TRANSITION = ErrorSpec(400, _("This status change is not allowed."))
    ASSIGNMENT_FAILED = ErrorSpec(400, _("The assignment failed."))
    # v1 knows only 400 for a refused parameter (its error list has no 413/415); the desk
    # contract names both codes with their own statuses.
    FILE_TOO_LARGE = ErrorSpec(400, _("The file is too large."), desk_status=413)
    UNSUPPORTED_FILE_TYPE = ErrorSpec(400, _("This file type is not supported."), desk_status=415)
    # Engineers and dispatch
    ENGINEER_NOT_FOUND = ErrorSpec(404, _("The engineer does not exist."))
    SKILL_NOT_FOUND = ErrorSpec(404, _("The skill does not exist."))
    ENGINEER_PROFILE_EXISTS = ErrorSpec(409, _("This user already has an engineer profile."))
    DISPATCH_NOT_FOUND = ErrorSpec(404, _("The dispatch record does not exist."))
    DISPATCH_STRATEGY_NOT_FOUND = ErrorSpec(404, _("The dispatch strategy does not exist."))
    DISPATCH_RULE_NOT_FOUND = ErrorSpec(404, _("The dispatch rule does not exist."))
    NO_ELIGIBLE_ENGINEER = ErrorSpec(422, _("No engineer meets the dispatch constraints."))
    TICKET_NOT_DISPATCHABLE = ErrorSpec(409, _("This ticket cannot be dispatched in its current state."))
    DISPATCH_NOT_REVOCABLE = ErrorSpec(409, _("This dispatch can no longer be revoked."))
    DISPATCH_STRATEGY_CODE_TAKEN = ErrorSpec(409, _("This strategy code is already in use."))
    # Knowledge base
    DOCUMENT_NOT_FOUND = ErrorSpec(404, _("The knowledge document does not exist."))
    DOCUMENT_VERSION_NOT_FOUND = ErrorSpec(404, _("This version of the document does not exist."))
    DOCUMENT_STATUS_INVALID = ErrorSpec(400, _("The document's status does not allow this."))
    SELF_REVIEW_FORBIDDEN = ErrorSpec(403, _("You cannot review your own document."))
    SEARCH_QUERY_REQUIRED = ErrorSpec(400, _("Enter something to search for."))
    # Workbench
    # System administration (configs, modules, maintenance, scheduled tasks)
    CONFIG_KEY_NOT_FOUND = ErrorSpec(404, _("The setting does not exist."))
    CONFIG_INVALID_VALUE = ErrorSpec(400, _("The value breaks the setting's rule."), desk_status=422)
    CONFIG_PLATFORM_ONLY = ErrorSpec(
        403, _("This setting is platform-wide; only the platform administrator changes it.")
    )
    MODULE_NOT_FOUND = ErrorSpec(404, _("The module does not exist."))
    MODULE_DISABLED = ErrorSpec(403, _("This module is switched off for your organisation."))
    MODULE_DEPENDENCY = ErrorSpec(409, _("The change would break a module dependency."))
    MAINTENANCE_MODE = ErrorSpec(503, _("The system is under maintenance."))
    ANNOUNCEMENT_NOT_FOUND = ErrorSpec(404, _("The announcement does not exist."))
    TASK_NOT_FOUND = ErrorSpec(404, _("The scheduled task does not exist."))
    INVALID_CRON = ErrorSpec(400, _("The cron expression is not valid."), desk_status=422)
    BACKUP_NOT_FOUND = ErrorSpec(404, _("The backup does not exist."))

    @property
    def spec(self) -> ErrorSpec:
        return self.value


class DomainError(Exception):
    """A refusal by the domain, with a code both contracts know how to present.

    ``field`` names the input that was wrong (v1 ``data.errors[].field``); ``details`` is
    returned as desk ``details`` and merged into v1 ``data``."""

    def __init__(self, code: ErrorCode, message=None, *, field: str | None = None, details: dict | None = None):
        self.code = code
        self.message = message if message is not None else code.spec.message
        self.field = field
        self.details = details or {}
        super().__init__(str(self.message))
