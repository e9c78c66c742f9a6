import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "path", "method", "field"),
    [
        ("/api/schema/", "/api/tickets/{id}/assign", "post", "assigned_to_id"),
        ("/api/v1/schema/", "/api/v1/tickets/{id}/reject", "post", "suggest_assignee"),
    ],
)
def test_ticket_operations_are_documented_with_their_request_bodies(desk, api, url, path, method, field):
    schema = yaml.safe_load(api(desk.admin).get(url).content)
    operation = schema["paths"][path][method]
    assert field in str(operation["requestBody"]) or field in str(schema["components"])
