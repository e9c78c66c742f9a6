"""Performance figures come from real ticket history, through the scheduled job only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from engineers.models import EngineerProfile
from engineers.performance import performance_recompute, score
from engineers.tasks import recompute_performance
from tickets import services as ticket_services
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db


def _done(crew, engineer, n, *, minutes, rating=None, late=False):
    now = timezone.now()
    return Ticket.objects.create(
        tenant=crew.tenant, number=f"TPERF{n:03d}", title="t", created_by=crew.requester,
        assigned_to=engineer.user, assigned_at=now - timedelta(hours=5), status="resolved",
        resolved_at=now - timedelta(hours=1), resolution_time=minutes, rating=rating,
        sla_due_date=now - timedelta(hours=2 if late else -1),
    )  # fmt: skip


def test_job_computes_resolution_sla_rating_and_rejections(crew):
    _done(crew, crew.engineer, 1, minutes=60, rating=5)
    _done(crew, crew.engineer, 2, minutes=120, rating=4, late=True)
    _done(crew, crew.colleague, 3, minutes=240, rating=3)
    ticket = ticket_services.ticket_create(tenant=crew.tenant, by=crew.requester, data={"title": "VPN 断开"})
    ticket = ticket_services.ticket_assign(ticket=ticket, by=crew.supervisor, assignee=crew.engineer.user)
    ticket_services.ticket_reject(ticket=ticket, by=crew.engineer.user, reason="不在现场")

    assert recompute_performance.apply().get() == 2

    engineer = EngineerProfile.objects.get(pk=crew.engineer.pk)
    assert engineer.resolved_count == 2 and engineer.total_tickets == 2
    assert engineer.avg_resolution_minutes == 90.0
    assert engineer.sla_compliance_rate == 50.0
    assert engineer.avg_rating == 4.5 and engineer.rated_count == 2
    assert engineer.rejection_rate == pytest.approx(33.3, abs=0.1)
    assert engineer.performance_computed_at is not None
    colleague = EngineerProfile.objects.get(pk=crew.colleague.pk)
    assert colleague.sla_compliance_rate == 100.0 and colleague.rejection_rate == 0.0
    assert engineer.performance_score is not None and colleague.performance_score is not None
    assert TicketHistory.objects.filter(action="reject", field="status").count() == 1


def test_job_is_idempotent_and_engineers_without_history_stay_empty(crew):
    performance_recompute()
    first = list(EngineerProfile.objects.values_list("performance_score", "resolved_count"))
    performance_recompute()
    assert list(EngineerProfile.objects.values_list("performance_score", "resolved_count")) == first
    assert first == [(None, 0), (None, 0)]


def test_score_weighs_present_components_only():
    assert score(sla=100, rating=5, speed=100, rejection=0) == 100.0
    assert score(sla=None, rating=None, speed=None, rejection=None) is None
    assert score(sla=50, rating=None, speed=None, rejection=None) == 50.0


def test_the_job_is_scheduled_hourly_with_an_expiry_below_the_interval():
    task = PeriodicTask.objects.get(task="engineers.recompute_performance")
    assert task.enabled and task.interval.every == 3600 and task.expire_seconds < 3600
