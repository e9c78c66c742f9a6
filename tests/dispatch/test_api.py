"""Dispatch end to end through /api/v1/dispatch/…: the documented shapes, the ticket workflow
(history row, notification), refusals that change nothing."""

from __future__ import annotations

import pytest

from dispatch.models import DispatchRecord, DispatchRule, DispatchStrategy
from portal.notifications.models import Notification
from tests.dispatch.conftest import engineer
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db


def ok(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()["data"]


class TestIntelligent:
    def test_dispatch_goes_through_the_ticket_workflow(self, crew, api):
        desk = crew.desk
        ticket = desk.ticket(title="三楼打印机卡纸", description="printer jam")
        data = ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": ticket.pk}, format="json"))
        # then the printer expert got it, with the documented breakdown and a reason
        assert data["selected_engineer"]["id"] == crew.expert.pk
        details = data["match_details"]
        assert details["skill_match_score"] == 100.0
        assert details["calculation_details"]["skill_weight"] == 40
        assert data["alternatives"][0]["engineer_id"] == crew.novice.pk
        assert data["dispatch_reason"] and data["confidence_level"]
        # and the ticket was assigned by the ticket service: status, history row, notification
        ticket.refresh_from_db()
        assert ticket.status == "assigned" and ticket.assigned_to_id == desk.agent.pk
        assert TicketHistory.objects.filter(ticket=ticket, action="assign", field="assigned_to_id").exists()
        assert Notification.objects.filter(recipient=desk.agent, ticket_id=ticket.pk).exists()
        record = DispatchRecord.objects.get(pk=data["dispatch_id"])
        assert record.dispatch_type == "intelligent" and record.dispatched_by == desk.supervisor
        assert record.strategy_code == "best_match" and record.required_skills == ["printer"]

    def test_no_eligible_engineer_is_422_and_changes_nothing(self, crew, api):
        desk = crew.desk
        ticket = desk.ticket(title="打印机卡纸")
        body = {
            "ticket_id": ticket.pk,
            "constraints": {"skill_required": ["network"], "min_skill_level": 5, "exclude_engineers": [crew.novice.pk]},
        }
        response = api(desk.supervisor).post("/api/v1/dispatch/intelligent", body, format="json")
        assert response.status_code == 422
        assert response.json()["data"]["removed_by_constraint"]["skill_missing"] >= 1
        ticket.refresh_from_db()
        assert ticket.status == "new" and ticket.assigned_to_id is None
        assert not DispatchRecord.objects.exists()
        assert not TicketHistory.objects.filter(ticket=ticket, action="assign").exists()

    def test_force_dispatch_says_what_it_overrode(self, crew, api):
        desk = crew.desk
        ticket = desk.ticket(title="打印机卡纸")
        body = {
            "ticket_id": ticket.pk,
            "force_dispatch": True,
            "constraints": {"skill_required": ["network"], "exclude_engineers": [crew.novice.pk]},
        }
        data = ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", body, format="json"))
        assert data["selected_engineer"]["id"] == crew.expert.pk  # never the excluded one
        assert data["forced"] and data["overridden_constraints"][0]["constraint"] == "skill_missing"

    def test_already_assigned_ticket_is_409(self, crew, api):
        ticket = crew.desk.assigned()
        response = api(crew.desk.supervisor).post(
            "/api/v1/dispatch/intelligent", {"ticket_id": ticket.pk}, format="json"
        )
        assert response.status_code == 409


class TestSuggestions:
    def test_explain_lists_every_removed_engineer(self, crew, api):
        desk = crew.desk
        crew.novice.online_status = "offline"
        crew.novice.save()
        ticket = desk.ticket(title="打印机坏了")
        data = ok(api(desk.agent).get(f"/api/v1/dispatch/suggestions/{ticket.pk}?explain=true"))
        assert [s["engineer"]["id"] for s in data["suggestions"]] == [crew.expert.pk]
        assert data["ticket_info"]["required_skills"] == ["printer"]
        [removed] = data["excluded"]
        assert removed["engineer_id"] == crew.novice.pk
        assert removed["constraints"][0]["constraint"] == "offline"
        assert removed["constraints"][0]["reason"]

    def test_ad_hoc_weights_change_the_ranking(self, crew, api, desk):
        # the expert is busy; with workload weighted heavily the idle novice wins
        for _ in range(6):
            desk.assigned(to=desk.agent)
        ticket = desk.ticket(title="打印机坏了")
        url = f"/api/v1/dispatch/suggestions/{ticket.pk}"
        default = ok(api(desk.supervisor).get(url))
        what_if = ok(
            api(desk.supervisor).get(url + "?skill_weight=5&workload_weight=90&location_weight=0&performance_weight=5")
        )
        assert default["suggestions"][0]["engineer"]["id"] == crew.expert.pk
        assert what_if["suggestions"][0]["engineer"]["id"] == crew.novice.pk
        assert what_if["strategy"]["weight_config"]["workload_weight"] == 90

    def test_bad_weights_are_400(self, crew, api):
        ticket = crew.desk.ticket()
        zero = "skill_weight=0&workload_weight=0&location_weight=0&performance_weight=0"
        url = f"/api/v1/dispatch/suggestions/{ticket.pk}?{zero}"
        assert api(crew.desk.supervisor).get(url).status_code == 400

    def test_rules_fire_and_are_reported(self, crew, api, desk):
        DispatchRule.objects.create(
            tenant=desk.tenant,
            name="紧急工单",
            priority=100,
            conditions={"ticket_priority": "urgent"},
            actions={"require_skill_level": 4, "boost_score": 10},
        )
        ticket = desk.ticket(title="打印机坏了", priority="urgent")
        data = ok(api(desk.supervisor).get(f"/api/v1/dispatch/suggestions/{ticket.pk}"))
        assert [r["rule_name"] for r in data["rules_applied"]] == ["紧急工单"]
        assert [s["engineer"]["id"] for s in data["suggestions"]] == [crew.expert.pk]  # level 2 novice removed


class TestBatch:
    def test_batch_is_optimal_and_reports_greedy(self, crew, api, desk):
        t1 = desk.ticket(title="打印机卡纸")
        t2 = desk.ticket(title="VPN 网络断开")
        crew.expert.max_workload = 1
        crew.expert.save()
        data = ok(api(desk.supervisor).post("/api/v1/dispatch/batch", {"ticket_ids": [t1.pk, t2.pk]}, format="json"))
        assert data["assigned"] == 2
        assert data["total_score"] >= data["greedy_total_score"]
        by_ticket = {r["ticket_id"]: r for r in data["results"]}
        assert by_ticket[t1.pk]["engineer_id"] == crew.expert.pk
        assert by_ticket[t2.pk]["engineer_id"] == crew.novice.pk
        assert Ticket.objects.get(pk=t2.pk).assigned_to_id == desk.other_agent.pk
        assert DispatchRecord.objects.filter(dispatch_type="batch").count() == 2

    def test_unassignable_ticket_gets_a_reason(self, crew, api, desk):
        t1 = desk.ticket(title="VPN 网络断开")
        body = {"ticket_ids": [t1.pk], "constraints": {"skill_required": ["hardware"]}}
        data = ok(api(desk.supervisor).post("/api/v1/dispatch/batch", body, format="json"))
        [row] = data["results"]
        assert row["status"] == "failed" and row["engineer_id"] is None and row["failure_reason"]
        assert Ticket.objects.get(pk=t1.pk).assigned_to_id is None

    def test_other_tenants_ticket_is_404_and_nothing_is_dispatched(self, crew, other_crew, api, desk):
        mine, theirs = desk.ticket(title="打印机"), other_crew.desk.ticket(title="打印机")
        body = {"ticket_ids": [mine.pk, theirs.pk]}
        assert api(desk.supervisor).post("/api/v1/dispatch/batch", body, format="json").status_code == 404
        assert Ticket.objects.get(pk=mine.pk).assigned_to_id is None


class TestManualAndRevoke:
    def test_manual_to_an_engineer_at_capacity_succeeds_with_warnings(self, crew, api, desk):
        crew.novice.max_workload = 1
        crew.novice.save()
        desk.assigned(to=desk.other_agent)
        ticket = desk.ticket(title="打印机卡纸", priority="urgent")
        DispatchRule.objects.create(
            tenant=desk.tenant, name="r", priority=1, conditions={}, actions={"require_skill_level": 4}
        )
        body = {"ticket_id": ticket.pk, "engineer_id": crew.novice.pk, "reason": "客户指定工程师"}
        data = ok(api(desk.supervisor).post("/api/v1/dispatch/manual", body, format="json"))
        assert data["dispatch_type"] == "manual" and len(data["warnings"]) == 2
        ticket.refresh_from_db()
        assert ticket.assigned_to_id == desk.other_agent.pk

    def test_manual_to_an_offline_engineer_needs_override(self, crew, api, desk):
        crew.novice.online_status = "offline"
        crew.novice.save()
        ticket = desk.ticket(title="打印机卡纸")
        body = {"ticket_id": ticket.pk, "engineer_id": crew.novice.pk}
        assert api(desk.supervisor).post("/api/v1/dispatch/manual", body, format="json").status_code == 400
        assert Ticket.objects.get(pk=ticket.pk).assigned_to_id is None
        data = ok(
            api(desk.supervisor).post("/api/v1/dispatch/manual", {**body, "override_constraints": True}, format="json")
        )
        assert data["overridden_constraints"][0]["constraint"] == "offline"

    def test_revoke_back_to_the_queue(self, crew, api, desk):
        ticket = desk.ticket(title="打印机卡纸")
        d = ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": ticket.pk}, format="json"))
        data = ok(
            api(desk.supervisor).post(
                f"/api/v1/dispatch/{d['dispatch_id']}/revoke", {"reason": "临时有事"}, format="json"
            )
        )
        assert data["status"] == "revoked" and data["ticket_status"] == "pending" and not data["reassigned"]
        ticket.refresh_from_db()
        assert ticket.assigned_to_id is None and ticket.status == "new"
        # a second revoke is refused
        again = api(desk.supervisor).post(f"/api/v1/dispatch/{d['dispatch_id']}/revoke", {"reason": "x"}, format="json")
        assert again.status_code == 409

    def test_revoke_and_reassign_picks_someone_else(self, crew, api, desk):
        ticket = desk.ticket(title="打印机卡纸")
        d = ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": ticket.pk}, format="json"))
        body = {"reason": "临时有事", "reassign": True, "reassign_strategy": "load_balance"}
        data = ok(api(desk.supervisor).post(f"/api/v1/dispatch/{d['dispatch_id']}/revoke", body, format="json"))
        assert data["reassigned"] and data["new_dispatch"]["engineer_id"] == crew.novice.pk
        assert Ticket.objects.get(pk=ticket.pk).assigned_to_id == desk.other_agent.pk


class TestConfiguration:
    def test_every_tenant_has_the_builtin_strategies(self, desk, api):
        data = ok(api(desk.admin).get("/api/v1/dispatch/strategies"))
        by_code = {s["strategy_code"]: s for s in data}
        assert by_code["best_match"]["weight_config"] == {
            "skill_weight": 40,
            "workload_weight": 25,
            "location_weight": 20,
            "performance_weight": 15,
        }
        assert by_code["load_balance"]["weight_config"]["workload_weight"] == 50
        assert [s["strategy_code"] for s in data if s["is_default"]] == ["best_match"]

    def test_create_and_switch_default(self, desk, api):
        body = {
            "strategy_code": "skill_priority",
            "strategy_name": "技能优先",
            "weight_config": {
                "skill_weight": 60,
                "workload_weight": 20,
                "location_weight": 10,
                "performance_weight": 10,
            },
            "constraints": {"min_skill_match": 85, "max_workload": 8},
        }
        ok(api(desk.admin).post("/api/v1/dispatch/strategies", body, format="json"))
        assert api(desk.admin).post("/api/v1/dispatch/strategies", body, format="json").status_code == 409
        ok(api(desk.admin).put("/api/v1/dispatch/strategies/skill_priority", {"is_default": True}, format="json"))
        defaults = DispatchStrategy.objects.filter(tenant=desk.tenant, is_default=True)
        assert [s.code for s in defaults] == ["skill_priority"]
        # unsetting the only default is refused
        r = api(desk.admin).put("/api/v1/dispatch/strategies/skill_priority", {"is_default": False}, format="json")
        assert r.status_code == 400
        bad = {**body, "strategy_code": "zero", "weight_config": dict.fromkeys(body["weight_config"], 0)}
        assert api(desk.admin).post("/api/v1/dispatch/strategies", bad, format="json").status_code == 400

    def test_rule_crud_and_validation(self, desk, api):
        body = {
            "rule_name": "VIP客户优先处理",
            "rule_type": "customer",
            "conditions": {"customer_level": "vip", "ticket_category": ["hardware", "software"]},
            "actions": {"require_skill_level": 3, "boost_score": 15, "max_response_time": 30},
            "priority": 90,
        }
        rule = ok(api(desk.admin).post("/api/v1/dispatch/rules", body, format="json"))
        listed = ok(api(desk.admin).get("/api/v1/dispatch/rules?rule_type=customer"))
        assert listed["total"] == 1 and listed["items"][0]["rule_name"] == "VIP客户优先处理"
        ok(api(desk.admin).put(f"/api/v1/dispatch/rules/{rule['id']}", {"priority": 5}, format="json"))
        bad = api(desk.admin).post("/api/v1/dispatch/rules", {**body, "actions": {"teleport": 1}}, format="json")
        assert bad.status_code == 400 and bad.json()["data"]["errors"][0]["field"] == "actions.teleport"
        ok(api(desk.admin).delete(f"/api/v1/dispatch/rules/{rule['id']}"))
        assert ok(api(desk.admin).get("/api/v1/dispatch/rules"))["total"] == 0
        assert DispatchRule.all_objects.get(pk=rule["id"]).is_deleted  # soft delete


class TestReads:
    def test_workload_and_balance(self, crew, api, desk):
        desk.assigned(to=desk.agent)
        data = ok(
            api(desk.supervisor).get(f"/api/v1/dispatch/workload?engineer_ids={crew.expert.pk}&include_details=true")
        )
        [row] = data["engineers"]
        assert row["current_tickets"] == 1 and row["capacity_utilization"] == "12%"
        assert data["summary"]["total_engineers"] == 1
        assert api(desk.supervisor).get("/api/v1/dispatch/workload?engineer_ids=1,x").status_code == 400
        lb = ok(api(desk.supervisor).get("/api/v1/dispatch/load-balance-suggestions"))
        assert "balance_score" in lb

    def test_statistics_and_effectiveness_from_records(self, crew, api, desk):
        ticket = desk.ticket(title="打印机卡纸")
        ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": ticket.pk}, format="json"))
        t2 = desk.ticket(title="打印机卡纸2")
        ok(
            api(desk.supervisor).post(
                "/api/v1/dispatch/manual", {"ticket_id": t2.pk, "engineer_id": crew.novice.pk}, format="json"
            )
        )
        stats = ok(api(desk.supervisor).get("/api/v1/dispatch/statistics/overview?time_range=1d"))
        assert stats["summary"]["total_dispatches"] == 2
        assert stats["summary"]["intelligent_dispatches"] == 1 and stats["summary"]["manual_dispatches"] == 1
        assert stats["summary"]["success_rate"] == 100.0
        assert stats["by_strategy"]["best_match"]["count"] == 2
        eff = ok(api(desk.supervisor).get("/api/v1/dispatch/analytics/effectiveness"))
        assert eff["sample_size"] == 2 and eff["accuracy_metrics"]["skill_match_accuracy"] == 100.0

    def test_locations_and_distance(self, crew, api, desk):
        data = ok(api(desk.agent).get("/api/v1/dispatch/locations"))
        assert {r["engineer_id"] for r in data} == {crew.expert.pk, crew.novice.pk}
        body = {
            "ticket_location": {"city": "北京市", "district": "海淀区", "latitude": 39.9889, "longitude": 116.3056},
            "max_distance": 5,
        }
        rows = ok(api(desk.agent).post("/api/v1/dispatch/distance-match", body, format="json"))
        assert [r["engineer_id"] for r in rows] == [crew.novice.pk] and rows[0]["distance_km"] < 5


class TestAutoDispatch:
    def test_new_ticket_is_dispatched_when_the_tenant_enables_it(self, crew, desk, django_capture_on_commit_callbacks):
        from portal.celery import app as celery_app
        from portal.config import set_config

        # With REDIS_URL set the task would wait in the broker for a worker this test does not run.
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            set_config("dispatch.auto_dispatch.enabled", True, tenant=desk.tenant)
            with django_capture_on_commit_callbacks(execute=True):
                ticket = desk.ticket(title="打印机卡纸")
        finally:
            celery_app.conf.task_always_eager = eager
        ticket.refresh_from_db()
        assert ticket.assigned_to_id == desk.agent.pk
        assert DispatchRecord.objects.get(ticket=ticket).dispatch_type == "auto"

    def test_off_by_default(self, crew, desk, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = desk.ticket(title="打印机卡纸")
        ticket.refresh_from_db()
        assert ticket.assigned_to_id is None


def test_new_tenant_gets_strategies(db):
    from tenants.services import tenant_create

    tenant = tenant_create(code="fresh", name="新")
    assert set(DispatchStrategy.objects.filter(tenant=tenant).values_list("code", flat=True)) == {
        "best_match",
        "load_balance",
    }


def test_engineer_of_other_tenant_cannot_be_used(crew, other_crew, api):
    ticket = crew.desk.ticket()
    body = {"ticket_id": ticket.pk, "engineer_id": other_crew.expert.pk}
    assert api(crew.desk.supervisor).post("/api/v1/dispatch/manual", body, format="json").status_code == 404
    assert engineer is not None


class TestNotifications:
    def test_manual_with_notify_engineer_false_sends_nothing(self, crew, api, desk, django_capture_on_commit_callbacks):
        quiet, loud = desk.ticket(title="打印机卡纸"), desk.ticket(title="打印机卡纸 2")
        body = {"ticket_id": quiet.pk, "engineer_id": crew.novice.pk, "notify_engineer": False}
        with django_capture_on_commit_callbacks(execute=True):
            ok(api(desk.supervisor).post("/api/v1/dispatch/manual", body, format="json"))
        assert Ticket.objects.get(pk=quiet.pk).assigned_to_id == desk.other_agent.pk
        assert not Notification.objects.filter(ticket_id=quiet.pk, recipient=desk.other_agent).exists()
        body = {"ticket_id": loud.pk, "engineer_id": crew.novice.pk}  # default: notified
        ok(api(desk.supervisor).post("/api/v1/dispatch/manual", body, format="json"))
        assert Notification.objects.filter(ticket_id=loud.pk, recipient=desk.other_agent).count() == 1

    def test_notify_immediately_rule_delivers_without_the_queue(
        self, crew, api, desk, monkeypatch, django_capture_on_commit_callbacks
    ):
        from portal.notifications.models import Delivery, DeliveryStatus

        queued = []
        monkeypatch.setattr("portal.notifications.services._kick_delivery", queued.append)  # the broker path
        normal = desk.ticket(title="打印机卡纸")
        with django_capture_on_commit_callbacks(execute=True):
            ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": normal.pk}, format="json"))
        pending = Delivery.objects.filter(notification__ticket_id=normal.pk, status=DeliveryStatus.PENDING)
        assert queued and pending.exists()  # normal path: queued, not yet delivered
        DispatchRule.objects.create(
            tenant=desk.tenant, name="急", priority=1, conditions={}, actions={"notify_immediately": True}
        )
        urgent = desk.ticket(title="打印机卡纸 急")
        with django_capture_on_commit_callbacks(execute=True):
            ok(api(desk.supervisor).post("/api/v1/dispatch/intelligent", {"ticket_id": urgent.pk}, format="json"))
        rows = Delivery.objects.filter(notification__ticket_id=urgent.pk)
        assert rows.exists() and not rows.filter(status=DeliveryStatus.PENDING).exists()
