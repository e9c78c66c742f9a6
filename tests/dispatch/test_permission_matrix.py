"""The permission matrix of every dispatch endpoint: anonymous 401, another tenant's admin 404
on this tenant's objects, requesters refused with the documented code, agents refused
configuration and dispatching (they may read), supervisors and admins allowed. A refused call
changes nothing (ticket, records, rules, strategies)."""

from __future__ import annotations

import pytest

from dispatch.models import DispatchRecord, DispatchRule, DispatchStrategy
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_tenant", "requester", "agent", "supervisor"]
R, W = "dispatch:read", None

# (method, path, body, code, expected per actor)
MATRIX = [
    ("post", "/api/v1/dispatch/intelligent", {"ticket_id": "{ticket}"}, "dispatch:execute", [401, 404, 403, 403, 200]),
    ("get", "/api/v1/dispatch/suggestions/{ticket}", None, "dispatch:read", [401, 404, 403, 200, 200]),
    ("post", "/api/v1/dispatch/batch", {"ticket_ids": ["{ticket}"]}, "dispatch:batch", [401, 404, 403, 403, 200]),
    ("get", "/api/v1/dispatch/strategies", None, "dispatch:config", [401, 200, 403, 403, 200]),
    (
        "post",
        "/api/v1/dispatch/strategies",
        {
            "strategy_code": "x",
            "strategy_name": "x",
            "weight_config": {"skill_weight": 1, "workload_weight": 1, "location_weight": 1, "performance_weight": 1},
        },
        "dispatch:config",
        [401, 200, 403, 403, 200],
    ),
    (
        "put",
        "/api/v1/dispatch/strategies/load_balance",
        {"strategy_name": "改"},
        "dispatch:config",
        [401, 200, 403, 403, 200],
    ),
    ("get", "/api/v1/dispatch/rules", None, "dispatch:config", [401, 200, 403, 403, 200]),
    ("post", "/api/v1/dispatch/rules", {"rule_name": "r"}, "dispatch:config", [401, 200, 403, 403, 200]),
    ("put", "/api/v1/dispatch/rules/{rule}", {"priority": 3}, "dispatch:config", [401, 404, 403, 403, 200]),
    ("delete", "/api/v1/dispatch/rules/{rule}", None, "dispatch:config", [401, 404, 403, 403, 200]),
    ("get", "/api/v1/dispatch/workload", None, "dispatch:read", [401, 200, 403, 200, 200]),
    ("get", "/api/v1/dispatch/load-balance-suggestions", None, "dispatch:read", [401, 200, 403, 200, 200]),
    ("get", "/api/v1/dispatch/statistics/overview", None, "dispatch:statistics", [401, 200, 403, 403, 200]),
    ("get", "/api/v1/dispatch/analytics/effectiveness", None, "dispatch:statistics", [401, 200, 403, 403, 200]),
    (
        "post",
        "/api/v1/dispatch/manual",
        {"ticket_id": "{ticket}", "engineer_id": "{engineer}"},
        "dispatch:manual",
        [401, 404, 403, 403, 200],
    ),
    ("post", "/api/v1/dispatch/{record}/revoke", {"reason": "x"}, "dispatch:revoke", [401, 404, 403, 403, 200]),
    ("get", "/api/v1/dispatch/locations", None, "dispatch:read", [401, 200, 403, 200, 200]),
    (
        "post",
        "/api/v1/dispatch/distance-match",
        {"ticket_location": {"city": "北京市"}},
        "dispatch:read",
        [401, 200, 403, 200, 200],
    ),
]


def _actor(name, crew, other_crew):
    return {
        "anonymous": None,
        "other_tenant": other_crew.desk.admin,
        "requester": crew.desk.requester,
        "agent": crew.desk.agent,
        "supervisor": crew.desk.supervisor,
    }[name]


def snapshot(tenant):
    return (
        list(Ticket.objects.filter(tenant=tenant).order_by("pk").values_list("pk", "status", "assigned_to_id")),
        TicketHistory.objects.filter(tenant=tenant).count(),
        list(DispatchRecord.objects.filter(tenant=tenant).order_by("pk").values_list("pk", "status")),
        list(DispatchRule.all_objects.filter(tenant=tenant).order_by("pk").values_list("pk", "priority", "is_deleted")),
        list(DispatchStrategy.objects.filter(tenant=tenant).order_by("pk").values_list("pk", "name", "is_default")),
    )


@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
@pytest.mark.parametrize(
    ("method", "path", "body", "code", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX]
)
def test_matrix(crew, other_crew, api, actor_index, method, path, body, code, expected):
    desk = crew.desk
    ticket = desk.ticket(title="打印机卡纸")
    rule = DispatchRule.objects.create(tenant=desk.tenant, name="规则", priority=1)
    if "{record}" in path:  # an active dispatch to revoke
        from dispatch import services

        record, _s = services.dispatch_intelligent(ticket=ticket, by=desk.supervisor, request=services.Request())
    else:
        record = None
    ids = {
        "{ticket}": ticket.pk,
        "{rule}": rule.pk,
        "{engineer}": crew.novice.pk,
        "{record}": record.pk if record else 0,
    }

    def fill(value):
        if isinstance(value, str) and value in ids:
            return ids[value]
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    url = path
    for key, value in ids.items():
        url = url.replace(key, str(value))
    user = _actor(ACTORS[actor_index], crew, other_crew)
    before = snapshot(desk.tenant)
    response = getattr(api(user), method)(url, fill(body), format="json")
    expected_status = expected[actor_index]
    assert response.status_code == expected_status, response.content[:400]
    if expected_status == 403:
        assert response.json()["data"]["required_permission"] == code
    if response.status_code >= 400 or ACTORS[actor_index] == "other_tenant":
        assert snapshot(desk.tenant) == before
