"""Both contracts' OpenAPI documents: served, valid, complete, and true.

The tests walk the generated schemas (they never list routes), so every endpoint another app
registers is checked as soon as it exists: its declared responses (envelopes, errors, security,
pagination) and — for GET operations — its real responses, which must validate against the
schema documented for their status.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test.utils import override_settings
from django.urls import path, resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.validation import validate_schema
from jsonschema import Draft202012Validator
from rest_framework import serializers

from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView, DeskGenericAPIView, V1APIView
from portal.errors import ErrorCode
from tests.factories import UserFactory
from tests.isolation import load_makers

MAKERS = load_makers()

TITLES = {
    "v1": "OpsPortal Portal API v1 (IT运维门户系统 API v4.5)",
    "desk": "OpsPortal Ticket Desk API (工单管理系统 API v1.0.0)",
}
URLCONFS = {"v1": "portal.api.urls_v1", "desk": "portal.api.urls_desk"}
SCHEMA_URLS = {"v1": "/api/v1/schema/", "desk": "/api/schema/"}
SIZE_PARAM = {"v1": "size", "desk": "limit"}
PATH_PARAM = re.compile(r"{(\w+)}")


def _generate(contract: str) -> dict:
    return SchemaGenerator(urlconf=URLCONFS[contract]).get_schema(request=None, public=True)


SCHEMAS = {contract: _generate(contract) for contract in URLCONFS}


def _operations(method: str | None = None):
    for contract, schema in SCHEMAS.items():
        for route, item in schema["paths"].items():
            for verb, operation in item.items():
                if method is None or verb == method:
                    yield pytest.param(contract, route, verb, operation, id=f"{contract}:{verb.upper()} {route}")


ALL_OPERATIONS = list(_operations())
GET_OPERATIONS = list(_operations("get"))


# --- helpers -------------------------------------------------------------------------------------


_SUBSCHEMA_MAPS = {"properties"}
_SUBSCHEMAS = {"items", "additionalProperties", "not"}
_SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}
_OPENAPI_ONLY = {"nullable", "example", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly"}


def to_json_schema(schema):
    """An OpenAPI 3.0 schema object as JSON Schema (2020-12): ``nullable`` becomes a ``null``
    alternative, boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers, and
    OpenAPI-only annotations are dropped. Property *names* are never interpreted."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA_MAPS:
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in _SUBSCHEMAS:
            out[key] = to_json_schema(value)
        elif key in _SUBSCHEMA_LISTS:
            out[key] = [to_json_schema(sub) for sub in value]
        elif key not in _OPENAPI_ONLY:
            out[key] = value
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(out.get(exclusive), bool) and out.pop(exclusive) and bound in out:
            out[exclusive] = out.pop(bound)
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def response_object(schema: dict, operation: dict, status: int | str) -> dict | None:
    response = operation["responses"].get(str(status))
    if response and "$ref" in response:
        response = schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def body_schema(schema: dict, operation: dict, status: int | str) -> dict:
    response = response_object(schema, operation, status)
    assert response is not None, f"status {status} is not documented"
    return response["content"]["application/json"]["schema"]


def validate_body(schema: dict, operation: dict, status: int, body) -> None:
    """Validates a real response body against the schema documented for its status."""
    components = {name: to_json_schema(sub) for name, sub in schema["components"]["schemas"].items()}
    root = {**to_json_schema(body_schema(schema, operation, status)), "components": {"schemas": components}}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def deref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def sample(operation: dict, name: str, *, missing: bool = False) -> str:
    """A value for a path parameter, by its documented type; ``missing``: one no object has."""
    param = next((p for p in operation.get("parameters", []) if p.get("in") == "path" and p["name"] == name), {})
    schema = param.get("schema", {})
    if schema.get("type") == "integer":
        return "987654321" if missing else "1"
    if schema.get("format") == "uuid":
        return "6f1c2d3e-0000-4000-8000-00000000dead" if missing else "6f1c2d3e-0000-4000-8000-000000000001"
    return "does-not-exist" if missing else "sample"


def url_for(route: str, operation: dict, values: dict | None = None, *, missing: bool = False) -> str:
    values = values or {}
    return PATH_PARAM.sub(lambda m: str(values.get(m.group(1), sample(operation, m.group(1), missing=missing))), route)


def view_of(route: str, operation: dict):
    """(view class, viewset action) serving a schema path."""
    match = resolve(url_for(route, operation))
    actions = getattr(match.func, "actions", None) or {}
    return match.func.cls, actions.get("get")


def model_of(view, action):
    instance = view()
    instance.action = action
    instance.kwargs = {}
    instance.request = None
    instance.format_kwarg = None
    try:
        return instance.get_base_queryset().model
    except Exception:  # noqa: BLE001 - views without a queryset serve no model
        return None


def path_params(route: str) -> list[str]:
    return PATH_PARAM.findall(route)


def check_request_id(contract: str, response) -> None:
    assert response["X-Request-ID"]
    if contract == "v1":
        assert response.json()["trace_id"] == response["X-Request-ID"]


# --- the documents ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("contract", list(URLCONFS))
def test_schema_is_served_and_is_valid_openapi_3(contract, client):
    # Given the served schema of a contract, when a client downloads it as JSON
    response = client.get(SCHEMA_URLS[contract], {"format": "json"})
    # then it is a valid OpenAPI 3 document with the contract's title and the contract's paths only
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == TITLES[contract]
    assert document["paths"], "no operations documented"
    on_v1 = [route.startswith("/api/v1/") for route in document["paths"]]
    assert all(on_v1) if contract == "v1" else not any(on_v1)


@pytest.mark.parametrize("contract", list(URLCONFS))
def test_generated_schema_is_valid_and_every_reference_resolves(contract):
    schema = SCHEMAS[contract]
    validate_schema(schema)
    refs = set(re.findall(r"'\$ref': '#/components/(\w+)/(\w+)'", repr(schema)))
    missing = [f"{kind}/{name}" for kind, name in refs if name not in schema["components"].get(kind, {})]
    assert not missing
    jwt = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schema["components"]["securitySchemes"]["jwtAuth"] == jwt


@pytest.mark.parametrize("contract", list(URLCONFS))
def test_error_code_enums_come_from_the_registry(contract):
    components = SCHEMAS[contract]["components"]["schemas"]
    if contract == "v1":
        expected = sorted({code.spec.v1_code or code.spec.status for code in ErrorCode})
        assert components["V1ErrorCode"]["enum"] == expected
        assert {40001, 40002, 40003, 40004} <= set(expected)
    else:
        assert components["DeskErrorCode"]["enum"] == [code.name for code in ErrorCode]


@pytest.mark.parametrize(("contract", "path", "method", "operation"), ALL_OPERATIONS)
def test_operation_declares_security_and_errors_from_its_view(contract, path, method, operation):
    schema = SCHEMAS[contract]
    view, _ = view_of(path, operation)
    responses = operation["responses"]
    if getattr(view, "public", False):
        assert "security" not in operation, "a public operation must not require authentication"
        assert "x-required-permission" not in operation
    else:
        assert {"jwtAuth": []} in operation.get("security", []), "non-public operation without bearer JWT"
        assert {"401", "403"} <= set(responses), "non-public operation must declare 401 and 403"
    if path_params(path):
        assert "404" in responses, "an operation with path parameters must declare 404"
    assert {"429", "500"} <= set(responses)
    header_refs = [p.get("$ref", "") for p in operation.get("parameters", [])]
    assert "#/components/parameters/AcceptLanguage" in header_refs
    for status in responses:
        response = response_object(schema, operation, status)
        if int(status) >= 400:
            error = body_schema(schema, operation, status)
            base = "V1Error" if contract == "v1" else "Desk"
            assert base in repr(error), f"{status} is not in the contract's error shape"
        if status != "204":
            assert "X-Request-ID" in response.get("headers", {})


def _is_paginated_list(param) -> bool:
    view, action = view_of(param.values[1], param.values[3])
    is_list = action == "list" or (action is None and hasattr(view, "list") and not path_params(param.values[1]))
    return is_list and getattr(view, "pagination_class", None) is not None


LIST_OPERATIONS = [param for param in GET_OPERATIONS if _is_paginated_list(param)]


def test_the_schemas_have_list_operations():
    assert {param.values[0] for param in LIST_OPERATIONS} == {"v1", "desk"}


@pytest.mark.parametrize(("contract", "path", "method", "operation"), LIST_OPERATIONS)
def test_list_operations_document_the_contract_page(contract, path, method, operation):
    view, _ = view_of(path, operation)
    names = {p.get("name") for p in operation.get("parameters", [])}
    assert {"page", SIZE_PARAM[contract]} <= names
    schema = SCHEMAS[contract]
    envelope = body_schema(schema, operation, 200)
    refs = [part.get("$ref", "").rsplit("/", 1)[-1] for part in envelope["allOf"]]
    if contract == "v1":
        assert "V1Envelope" in refs
        data = deref(schema, envelope["allOf"][1]["properties"]["data"])
        assert set(data["required"]) == {"total", "page", "size", "items"}
    elif getattr(view, "desk_envelope", "") != "code_msg":
        assert "DeskPaginatedEnvelope" in refs
        assert deref(schema, envelope["allOf"][1]["properties"]["data"])["type"] == "array"


# --- the real responses ---------------------------------------------------------------------------


@pytest.fixture
def admin(tenant_a, make_user):
    return make_user(tenant_a, "admin")


@pytest.mark.django_db
@pytest.mark.parametrize(("contract", "path", "method", "operation"), GET_OPERATIONS)
def test_real_response_matches_the_documented_schema(contract, path, method, operation, tenant_a, admin, api):
    # Given a tenant admin and a small dataset holding a row of the operation's model
    view, action = view_of(path, operation)
    model = model_of(view, action)
    obj = MAKERS[model._meta.label](tenant_a) if model is not None and model._meta.label in MAKERS else None
    params = path_params(path)
    if params:
        lookup_field = getattr(view, "lookup_field", "pk")
        lookup = getattr(view, "lookup_url_kwarg", None) or lookup_field
        names = {lookup, "id" if lookup == "pk" else lookup}
        if obj is None or len(params) != 1 or params[0] not in names:
            pytest.skip("no real object can fill this operation's path parameters")
    # When the admin calls the operation
    url = url_for(path, operation, {params[0]: getattr(obj, lookup_field)}) if params else path
    response = api(admin).get(url)
    # then the status is documented and the body is exactly what the schema says for it
    status = response.status_code
    assert str(status) in operation["responses"], f"undocumented status {status}: {response.content[:300]}"
    if not response["Content-Type"].startswith("application/json"):
        documented = response_object(SCHEMAS[contract], operation, status).get("content", {})
        assert response["Content-Type"].split(";")[0] in documented, "undocumented media type"
        return
    validate_body(SCHEMAS[contract], operation, status, response.json())
    check_request_id(contract, response)
    # and it is a success, unless the operation is beyond a tenant admin or needs query input
    permission = operation.get("x-required-permission")
    if status == 404 and params:
        pytest.skip("the maker's row is not visible to a tenant admin (a per-user resource)")
    if status == 403:
        assert permission and not admin.has_contract_permission(permission), response.content[:300]
    elif status in (400, 422):
        assert any(p.get("required") for p in operation["parameters"] if p.get("in") == "query")
    else:
        assert 200 <= status < 300, response.content[:300]


def _protected_get_operations():
    return [param for param in GET_OPERATIONS if "security" in param.values[3]]


@pytest.mark.django_db
@pytest.mark.parametrize(("contract", "path", "method", "operation"), _protected_get_operations())
def test_real_401_matches_the_documented_error(contract, path, method, operation, api):
    # Given no credentials, when an anonymous client calls a protected operation
    response = api().get(url_for(path, operation))
    # then it is a 401 in the documented error shape
    assert response.status_code == 401
    validate_body(SCHEMAS[contract], operation, 401, response.json())
    check_request_id(contract, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("contract", "path", "method", "operation"), _protected_get_operations())
def test_real_403_matches_the_documented_error(contract, path, method, operation, tenant_a, api):
    permission = operation.get("x-required-permission")
    if not permission:
        pytest.skip("any signed-in user may call this operation")
    # Given a signed-in user of the tenant holding no role at all
    nobody = UserFactory(tenant=tenant_a, roles=[])
    # when they call an operation that needs a permission
    response = api(nobody).get(url_for(path, operation))
    # then it is a 403 in the documented error shape, naming the permission that was missing
    assert response.status_code == 403
    body = response.json()
    validate_body(SCHEMAS[contract], operation, 403, body)
    if contract == "v1":
        assert body["data"]["required_permission"] == permission
    else:
        assert body["error_code"] == "INSUFFICIENT_PERMISSIONS"
        assert body["details"]["required_permission"] == permission


def _lookup_get_operations():
    return [param for param in GET_OPERATIONS if path_params(param.values[1])]


@pytest.mark.django_db
@pytest.mark.parametrize(("contract", "path", "method", "operation"), _lookup_get_operations())
def test_real_404_matches_the_documented_error(contract, path, method, operation, admin, api):
    # Given a tenant admin, when they ask for an object that does not exist
    response = api(admin).get(url_for(path, operation, missing=True))
    permission = operation.get("x-required-permission")
    if response.status_code == 403 and permission and not admin.has_contract_permission(permission):
        validate_body(SCHEMAS[contract], operation, 403, response.json())
        pytest.skip("the operation is beyond a tenant admin")
    # then it is a 404 in the documented error shape
    assert response.status_code == 404, response.content[:300]
    validate_body(SCHEMAS[contract], operation, 404, response.json())
    check_request_id(contract, response)


@pytest.mark.django_db
def test_validation_error_matches_the_documented_400_and_422(admin, api):
    # Given list operations of both contracts, when the page number is not a number
    for contract, size in SIZE_PARAM.items():
        for param in GET_OPERATIONS:
            _, path, _, operation = param.values
            if param.values[0] != contract or size not in {p.get("name") for p in operation.get("parameters", [])}:
                continue
            response = api(admin).get(path, {"page": "zero"})
            # then v1 answers 400 with field errors, the desk 422 VALIDATION_FAILED, both as documented
            expected = 400 if contract == "v1" else 422
            assert response.status_code == expected
            validate_body(SCHEMAS[contract], operation, expected, response.json())
            break
        else:
            pytest.fail(f"no paginated operation in the {contract} schema")


# --- the converter itself (a validator that accepts everything proves nothing) --------------------


def test_converted_schemas_refuse_wrong_bodies():
    schema = SCHEMAS["v1"]
    operation = next(op for _, _, _, op in (p.values for p in GET_OPERATIONS if p.values[0] == "v1"))
    good = {"code": 401, "message": "x", "data": None, "timestamp": "2026-01-01T00:00:00Z", "trace_id": "abc"}
    validate_body(schema, operation, 401, good)
    for wrong in ({**good, "code": 404}, {**good, "data": "text"}, {k: v for k, v in good.items() if k != "trace_id"}):
        with pytest.raises(AssertionError):
            validate_body(schema, operation, 401, wrong)


# --- Swagger UI -------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_swagger_ui_offers_both_schemas_from_local_assets_only(client):
    # Given the API docs page
    response = client.get("/api/docs/")
    html = response.content.decode()
    # then it loads no external URL at all
    assert response.status_code == 200
    assert not re.findall(r"https?://", html), "external URL in the docs page"
    # and every asset it loads is a vendored sidecar file
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"
    # and the schema selector lists both contracts
    assert '"url": "/api/v1/schema/"' in html and '"url": "/api/schema/"' in html
    for title in TITLES.values():
        assert json.dumps(title) in html
    assert "SwaggerUIStandalonePreset" in html and '"validatorUrl": null' in html


# --- views that do not exist yet: public, code_msg, DELETE, a declared error status ---------------
# Built here on the real base classes and served under a test URLconf, so the generic
# schema rules for them are proven before the first such endpoint lands.


class _NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)


def _echo(request):
    serializer = _NameSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return ApiResponse(serializer.validated_data)


class _PublicV1View(V1APIView):
    public = True

    @extend_schema(request=_NameSerializer, responses=_NameSerializer)
    def post(self, request):
        return _echo(request)


class _CodeMsgView(DeskAPIView):
    public = True
    desk_envelope = "code_msg"

    @extend_schema(request=_NameSerializer, responses=_NameSerializer)
    def post(self, request):
        return _echo(request)


class _TrustedDevicesView(DeskAPIView):
    desk_envelope = "code_msg"

    @extend_schema(responses=_NameSerializer(many=True))
    def get(self, request):
        return ApiResponse([{"name": "mac"}])


class _DeskDeleteView(DeskGenericAPIView):
    serializer_class = _NameSerializer

    def delete(self, request, pk):
        return ApiResponse(None, message="deleted")


class _ConflictView(V1APIView):
    required_permissions = "user:update"

    @extend_schema(request=_NameSerializer, responses={200: _NameSerializer, 409: None})
    def put(self, request):
        return _echo(request)


class _CsvExportView(V1APIView):
    required_permissions = "user:read"

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        return HttpResponse("id\n1\n", content_type="text/csv")


urlpatterns = [
    path("api/v1/_t/login", _PublicV1View.as_view()),
    path("api/v1/_t/export", _CsvExportView.as_view()),
    path("api/v1/_t/conflict", _ConflictView.as_view()),
    path("api/_t/login", _CodeMsgView.as_view()),
    path("api/_t/trusted-devices", _TrustedDevicesView.as_view()),
    path("api/_t/things/<int:pk>", _DeskDeleteView.as_view()),
]


@pytest.fixture(scope="module")
def fake_schemas():
    return {
        contract: SchemaGenerator(
            patterns=[p for p in urlpatterns if (str(p.pattern).startswith("api/v1/")) == on_v1]
        ).get_schema(request=None, public=True)
        for contract, on_v1 in (("v1", True), ("desk", False))
    }


def test_public_operation_has_no_security_and_no_auth_errors(fake_schemas):
    operation = fake_schemas["v1"]["paths"]["/api/v1/_t/login"]["post"]
    assert "security" not in operation
    # a public write is a sign-in step: it may refuse credentials (401) or a locked account (403)
    assert {"200", "400", "401", "403", "429", "500"} <= set(operation["responses"])


def test_declared_error_status_gets_the_contract_error_body(fake_schemas):
    schema = fake_schemas["v1"]
    operation = schema["paths"]["/api/v1/_t/conflict"]["put"]
    assert operation["x-required-permission"] == "user:update"
    assert "V1Error" in repr(body_schema(schema, operation, 409))


def test_non_json_responses_are_not_enveloped(fake_schemas):
    operation = fake_schemas["v1"]["paths"]["/api/v1/_t/export"]["get"]
    assert operation["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert "V1Error" in repr(body_schema(fake_schemas["v1"], operation, 403))


def test_delete_is_documented_as_the_envelope_with_null_data(fake_schemas):
    operation = fake_schemas["desk"]["paths"]["/api/_t/things/{id}"]["delete"]
    assert "204" not in operation["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(operation["responses"])


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_public_code_msg_and_delete_responses_match_their_schemas(fake_schemas, tenant_a, make_user, api):
    v1, desk = fake_schemas["v1"], fake_schemas["desk"]
    login_v1 = v1["paths"]["/api/v1/_t/login"]["post"]
    login_desk = desk["paths"]["/api/_t/login"]["post"]
    delete = desk["paths"]["/api/_t/things/{id}"]["delete"]
    client = api()
    # a public v1 call: success and field errors
    ok = client.post("/api/v1/_t/login", {"name": "ann"}, format="json")
    assert ok.status_code == 200 and ok.json()["data"] == {"name": "ann"}
    validate_body(v1, login_v1, 200, ok.json())
    bad = client.post("/api/v1/_t/login", {}, format="json")
    assert bad.status_code == 400 and bad.json()["data"]["errors"][0]["field"] == "name"
    validate_body(v1, login_v1, 400, bad.json())
    # a desk {code, msg, data} call: success and its 422
    ok = client.post("/api/_t/login", {"name": "ann"}, format="json")
    assert ok.status_code == 200 and ok.json()["code"] == 0
    validate_body(desk, login_desk, 200, ok.json())
    bad = client.post("/api/_t/login", {"name": "x" * 11}, format="json")
    assert bad.status_code == 422 and bad.json()["code"] == 422 and bad.json()["error_code"] == "VALIDATION_FAILED"
    validate_body(desk, login_desk, 422, bad.json())
    # a signed-in desk {code, msg, data} call: its list, and its 401 in both shapes
    devices = desk["paths"]["/api/_t/trusted-devices"]["get"]
    assert devices["responses"]["401"]["$ref"].endswith("/DeskCodeMsgUnauthorized")
    assert "DeskCodeMsgEnvelope" in repr(devices["responses"]["200"])
    admin = make_user(tenant_a, "admin")
    ok = api(admin).get("/api/_t/trusted-devices")
    assert ok.json() == {"code": 0, "msg": ok.json()["msg"], "data": [{"name": "mac"}]}
    validate_body(desk, devices, 200, ok.json())
    anonymous = client.get("/api/_t/trusted-devices")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 401 and anonymous.json()["success"] is False
    validate_body(desk, devices, 401, anonymous.json())
    # a desk deletion: the envelope with null data; anonymous: the documented 401
    deleted = api(admin).delete("/api/_t/things/1")
    assert deleted.status_code == 200 and deleted.json()["data"] is None
    validate_body(desk, delete, 200, deleted.json())
    anonymous = client.delete("/api/_t/things/1")
    assert anonymous.status_code == 401
    validate_body(desk, delete, 401, anonymous.json())
