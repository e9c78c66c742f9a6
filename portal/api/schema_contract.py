"""The fixed parts of both contracts' OpenAPI documents: envelopes, error bodies, the error-code
enums (from the ``ErrorCode`` registry), shared headers and parameters.

``ContractAutoSchema`` (portal/api/schema.py) only *references* these components by name
(``#/components/schemas/V1Envelope`` …); the postprocessing hook ``contract_postprocess`` then
adds every referenced component to the document and sets the document's title and description
for its contract. Keeping the components out of drf-spectacular's registry keeps them out of
its enum post-processing (which would turn ``success: true`` into a ``SuccessEnum``) and means
a document only contains the components it uses.
"""

from __future__ import annotations

from http import HTTPStatus

from django.utils import translation

from portal.api.pagination import TOTAL_DESCRIPTION
from portal.errors import ErrorCode

V1 = "v1"
DESK = "desk"
CODE_MSG = "code_msg"  # the desk calls answered as {code, msg, data}

INFO = {
    V1: {
        "title": "OpsPortal Portal API v1 (IT运维门户系统 API v4.5)",
        "version": "4.5",
        "description": (
            "The portal contract (IT运维门户系统 API 文档 v4.5), served under `/api/v1/`.\n\n"
            "* **Envelope**: every response is `{code, message, data, timestamp, trace_id}` "
            "(`V1Envelope`); lists put `{total, page, size, items}` in `data` "
            "(query parameters `page`, `size` ≤ 100).\n"
            "* **Errors** use the same envelope (`V1Error`): `code` is the HTTP status or a business "
            "code (40001-40004, see `V1ErrorCode`); a 400 carries `data.errors[{field, message}]`, "
            "a 403 for a missing permission carries `data.required_permission` and "
            "`data.current_permissions` (only the caller's codes on the same resource).\n"
            "* **Authentication**: `Authorization: Bearer <access token>` (`jwtAuth`); operations "
            "without a security requirement are public. `x-required-permission` names the permission "
            "code an operation needs.\n"
            "* **Tracing**: `trace_id` equals the `X-Request-ID` response header (send your own "
            "`X-Request-ID` to choose it).\n"
            "* **Language**: messages are Simplified Chinese by default; send `Accept-Language: en` "
            "for English."
        ),
    },
    DESK: {
        "title": "OpsPortal Ticket Desk API (工单管理系统 API v1.0.0)",
        "version": "1.0.0",
        "description": (
            "The ticket desk contract (工单管理系统 API 接口文档 v1.0.0), served under `/api/`.\n\n"
            "* **Envelope**: `{success: true, data, message}` (`DeskEnvelope`); lists return "
            "`data: [...]` with `pagination: {page, limit, total, pages}` beside it "
            "(`DeskPaginatedEnvelope`; query parameters `page`, `limit` ≤ 100). The login, refresh, "
            "trusted-device and login-history calls answer `{code: 0, msg, data}` "
            "(`DeskCodeMsgEnvelope`).\n"
            "* **Errors**: `{success: false, error_code, message, details}` (`DeskError`, codes in "
            "`DeskErrorCode`); validation failures are 422 `VALIDATION_FAILED` with the field "
            "messages in `details`; the `{code, msg, data}` calls' errors also carry `code` (the HTTP "
            "status), `msg` and `data: null` (`DeskCodeMsgError`).\n"
            "* **Authentication**: `Authorization: Bearer <access token>` (`jwtAuth`); operations "
            "without a security requirement are public. `x-required-permission` names the permission "
            "code an operation needs.\n"
            "* **Tracing**: every response carries an `X-Request-ID` header.\n"
            "* **Language**: messages are Simplified Chinese by default; send `Accept-Language: en` "
            "for English."
        ),
    },
}


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema_ref(name: str) -> dict:
    return ref("schemas", name)


# --- Error codes, from the registry -----------------------------------------------------------


def desk_status(code: ErrorCode) -> int:
    return code.spec.desk_status or code.spec.status


def v1_value(code: ErrorCode) -> int:
    return code.spec.v1_code or code.spec.status


def v1_codes_for_status(status: int) -> list[int]:
    return sorted({v1_value(code) for code in ErrorCode if code.spec.status == status})


def desk_codes_for_status(status: int) -> list[str]:
    return [code.name for code in ErrorCode if desk_status(code) == status]


def _message(code: ErrorCode) -> str:
    with translation.override("en"):
        return str(code.spec.message)


def _v1_error_code_schema() -> dict:
    lines = []
    for value in sorted({v1_value(code) for code in ErrorCode}):
        names = ", ".join(f"{code.name} ({_message(code)})" for code in ErrorCode if v1_value(code) == value)
        status = next(code.spec.status for code in ErrorCode if v1_value(code) == value)
        lines.append(f"* `{value}` — HTTP {status}: {names}")
    return {
        "type": "integer",
        "enum": sorted({v1_value(code) for code in ErrorCode}),
        "description": "The HTTP status, or a business code (40001-40004).\n\n" + "\n".join(lines),
    }


def _desk_error_code_schema() -> dict:
    lines = [f"* `{code.name}` — HTTP {desk_status(code)}: {_message(code)}" for code in ErrorCode]
    return {
        "type": "string",
        "enum": [code.name for code in ErrorCode],
        "description": "Machine-readable error code.\n\n" + "\n".join(lines),
    }


# --- Fixed components ---------------------------------------------------------------------------

NULL_DATA = {"type": "object", "nullable": True, "enum": [None], "description": "Always null."}


def _schemas() -> dict:
    timestamp = {"type": "string", "format": "date-time", "description": "Server time of the response (UTC)."}
    trace_id = {"type": "string", "description": "The request id; equals the `X-Request-ID` response header."}
    free_object = {"type": "object", "additionalProperties": {}}
    return {
        # v1
        "V1Envelope": {
            "type": "object",
            "description": "Success envelope of the portal contract; `data` is the operation's payload.",
            "required": ["code", "message", "data", "timestamp", "trace_id"],
            "properties": {
                "code": {"type": "integer", "enum": [200], "description": "200 for every success."},
                "message": {"type": "string"},
                "data": {"description": "The operation's payload (see the operation's response schema)."},
                "timestamp": timestamp,
                "trace_id": trace_id,
            },
        },
        "V1ErrorCode": _v1_error_code_schema(),
        "V1FieldError": {
            "type": "object",
            "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        },
        "V1Error": {
            "type": "object",
            "description": "Error envelope of the portal contract.",
            "required": ["code", "message", "data", "timestamp", "trace_id"],
            "properties": {
                "code": schema_ref("V1ErrorCode"),
                "message": {"type": "string"},
                "data": {**free_object, "nullable": True, "description": "Error details, or null."},
                "timestamp": timestamp,
                "trace_id": trace_id,
            },
        },
        "V1ValidationErrorData": {
            "type": "object",
            "description": "Field errors; other details of the refusal may sit beside `errors`.",
            "properties": {"errors": {"type": "array", "items": schema_ref("V1FieldError")}},
        },
        "V1PermissionErrorData": {
            "type": "object",
            "description": "For a missing permission: the code that was required and the caller's codes "
            "on the same resource (not the caller's whole permission set).",
            "properties": {
                "required_permission": {"type": "string"},
                "current_permissions": {"type": "array", "items": {"type": "string"}},
            },
        },
        # desk
        "DeskEnvelope": {
            "type": "object",
            "description": "Success envelope of the desk contract; `data` is the operation's payload.",
            "required": ["success", "data", "message"],
            "properties": {
                "success": {"type": "boolean", "enum": [True]},
                "data": {"description": "The operation's payload (see the operation's response schema)."},
                "message": {"type": "string"},
            },
        },
        "DeskPagination": {
            "type": "object",
            "required": ["page", "limit", "total", "pages"],
            "properties": {
                "page": {"type": "integer", "minimum": 1},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                "total": {"type": "integer", "minimum": 0, "description": TOTAL_DESCRIPTION},
                "pages": {"type": "integer", "minimum": 0},
            },
        },
        "DeskPaginatedEnvelope": {
            "description": "Desk list envelope: `data` is the page's rows, `pagination` beside it.",
            "allOf": [
                schema_ref("DeskEnvelope"),
                {
                    "type": "object",
                    "required": ["pagination"],
                    "properties": {"data": {"type": "array", "items": {}}, "pagination": schema_ref("DeskPagination")},
                },
            ],
        },
        "DeskCodeMsgEnvelope": {
            "type": "object",
            "description": "Envelope of the desk's login, refresh, trusted-device and login-history calls.",
            "required": ["code", "msg", "data"],
            "properties": {
                "code": {"type": "integer", "enum": [0]},
                "msg": {"type": "string"},
                "data": {"description": "The operation's payload (see the operation's response schema)."},
            },
        },
        "DeskErrorCode": _desk_error_code_schema(),
        "DeskError": {
            "type": "object",
            "description": "Error body of the desk contract.",
            "required": ["success", "error_code", "message", "details"],
            "properties": {
                "success": {"type": "boolean", "enum": [False]},
                "error_code": schema_ref("DeskErrorCode"),
                "message": {"type": "string"},
                "details": {**free_object, "description": "Field messages (422) or other details; may be empty."},
            },
        },
        "DeskCodeMsgError": {
            "description": "Error body of the `{code, msg, data}` calls: the desk error plus `code`/`msg`/`data`.",
            "allOf": [
                schema_ref("DeskError"),
                {
                    "type": "object",
                    "required": ["code", "msg", "data"],
                    "properties": {
                        "code": {"type": "integer", "description": "The HTTP status."},
                        "msg": {"type": "string"},
                        "data": NULL_DATA,
                    },
                },
            ],
        },
    }


def _headers() -> dict:
    return {
        "XRequestID": {
            "description": "The request id (also the v1 `trace_id`); echoes a well-formed incoming `X-Request-ID`.",
            "schema": {"type": "string"},
        },
        "RetryAfter": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}},
        "WWWAuthenticate": {
            "description": 'The authentication scheme, `Bearer realm="api"`.',
            "schema": {"type": "string"},
        },
    }


def _parameters() -> dict:
    return {
        "AcceptLanguage": {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "Language of messages: `zh-hans` (default) or `en`.",
            "schema": {"type": "string", "default": "zh-hans", "example": "en"},
        }
    }


# --- Error responses ------------------------------------------------------------------------------

_FLAVOURS = {V1: "V1", DESK: "Desk", CODE_MSG: "DeskCodeMsg"}


def error_response_name(flavour: str, status: int) -> str:
    """``V1NotFound``, ``DeskUnprocessableEntity``, ``DeskCodeMsgUnauthorized`` …"""
    phrase = HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "").replace("'", "")
    return f"{_FLAVOURS[flavour]}{phrase}"


def _error_response(flavour: str, status: int) -> dict:
    headers = {"X-Request-ID": ref("headers", "XRequestID")}
    if status == 429:
        headers["Retry-After"] = ref("headers", "RetryAfter")
    if status == 401:
        headers["WWW-Authenticate"] = ref("headers", "WWWAuthenticate")
    if flavour == V1:
        values = v1_codes_for_status(status) or [status]
        narrow: dict = {"code": {"type": "integer", "enum": values}}
        if status == 400:
            narrow["data"] = {"allOf": [schema_ref("V1ValidationErrorData")], "nullable": True}
        elif status == 403:
            narrow["data"] = {"allOf": [schema_ref("V1PermissionErrorData")], "nullable": True}
        base = "V1Error"
        codes = ", ".join(f"`{value}`" for value in values)
        description = f"{HTTPStatus(status).phrase} — `code`: {codes}."
    else:
        names = desk_codes_for_status(status)
        narrow = {"error_code": {"type": "string", "enum": names}} if names else {}
        if flavour == CODE_MSG:
            narrow["code"] = {"type": "integer", "enum": [status]}
        base = "DeskCodeMsgError" if flavour == CODE_MSG else "DeskError"
        codes = ", ".join(f"`{name}`" for name in names) or "any"
        description = f"{HTTPStatus(status).phrase} — `error_code`: {codes}."
    schema = {"allOf": [schema_ref(base), {"type": "object", "properties": narrow}]} if narrow else schema_ref(base)
    return {"description": description, "headers": headers, "content": {"application/json": {"schema": schema}}}


def _responses() -> dict:
    return {
        error_response_name(flavour, status): (flavour, status)
        for flavour in _FLAVOURS
        for status in (s.value for s in HTTPStatus if s.value >= 400)
    }


# --- Hooks ---------------------------------------------------------------------------------------


def contract_preprocess(endpoints):
    """The contract routes accept an optional trailing slash (``ContractRouter``); document them
    the way the contracts write them, without it."""
    result = []
    for path, path_regex, method, callback in endpoints:
        if path_regex.endswith("/?$") and path.endswith("/") and len(path) > 1:
            path = path[:-1]
        result.append((path, path_regex, method, callback))
    return result


# --- Postprocessing hook ---------------------------------------------------------------------------


def _refs(node, found: set) -> None:
    if isinstance(node, dict):
        target = node.get("$ref")
        if isinstance(target, str) and target.startswith("#/components/"):
            _, _, kind, name = target.split("/", 3)
            found.add((kind, name))
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _contract_of(result: dict, generator) -> str | None:
    urlconf = getattr(generator, "urlconf", None)
    name = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
    if name.endswith("urls_v1"):
        return V1
    if name.endswith("urls_desk"):
        return DESK
    paths = list(result.get("paths", {}))
    if paths and all(path.startswith("/api/v1/") for path in paths):
        return V1
    if paths and not any(path.startswith("/api/v1/") for path in paths):
        return DESK
    return None


def contract_postprocess(result, generator, request, public, **kwargs):
    """Sets the contract's title/description and adds every fixed component the document uses."""
    contract = _contract_of(result, generator)
    if contract is not None:
        result["info"] = {**result.get("info", {}), **INFO[contract]}
    catalogue = {
        "schemas": _schemas(),
        "headers": _headers(),
        "parameters": _parameters(),
        "responses": _responses(),
    }
    components = result.setdefault("components", {})
    while True:
        found: set = set()
        _refs(result, found)
        missing = [
            (kind, name)
            for kind, name in found
            if name not in components.get(kind, {}) and name in catalogue.get(kind, {})
        ]
        if not missing:
            break
        for kind, name in missing:
            value = catalogue[kind][name]
            if kind == "responses":
                value = _error_response(*value)
            components.setdefault(kind, {})[name] = value
    for kind in list(components):
        components[kind] = dict(sorted(components[kind].items()))
    return result
