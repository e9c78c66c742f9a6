"""Operators manage calendars, holiday days and policies in the Django admin; demo data seeds a
calendar and a policy per demo tenant, idempotently."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from portal.demo import DemoContext
from portal.sla import demo as sla_demo
from portal.sla.models import BusinessCalendar, EscalationRule, HolidaySet, SLAPolicy, WorkingPeriod
from portal.sla.selectors import default_policy_for, load_business_calendar
from tenants import demo as tenants_demo
from tests.sla.helpers import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(django_user_model):
    operator = django_user_model.objects.create_superuser(email="op@ops.local", password="x-Passw0rd!")
    client = Client()
    client.force_login(operator)
    return client


@pytest.mark.parametrize(
    "model", ["businesscalendar", "holidayset", "calendarday", "slapolicy", "escalationrule", "slaevent"]
)
def test_admin_pages_render(operator_client, model):
    assert operator_client.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200
    if model != "slaevent":
        assert operator_client.get(reverse(f"admin:sla_{model}_add")).status_code == 200


def _calendar_form(tenant, periods):
    data = {
        "tenant": tenant.pk,
        "name": "办公",
        "time_zone": "Asia/Shanghai",
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, start, end) in enumerate(periods):
        data |= {f"periods-{i}-weekday": weekday, f"periods-{i}-start_time": start, f"periods-{i}-end_time": end}
    return data


def test_admin_refuses_overlapping_periods_and_saves_nothing(operator_client, tenant_a):
    # given two Monday periods that overlap
    form = _calendar_form(tenant_a, [(0, "09:00", "12:00"), (0, "11:00", "14:00")])
    # when an operator saves the calendar
    response = operator_client.post(reverse("admin:sla_businesscalendar_add"), form)
    # then the form comes back with the error and nothing is stored
    assert response.status_code == 200
    assert "overlap" in response.content.decode() or "重叠" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_admin_saves_a_valid_calendar_with_its_periods(operator_client, tenant_a):
    form = _calendar_form(tenant_a, [(0, "09:00", "12:00"), (0, "13:30", "18:00"), (6, "20:00", "00:00")])
    response = operator_client.post(reverse("admin:sla_businesscalendar_add"), form)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert list(calendar.periods.values_list("weekday", "start_time", "end_time")) == [
        (0, time(9), time(12)),
        (0, time(13, 30), time(18)),
        (6, time(20), time(0)),
    ]


def test_demo_seed_is_idempotent_and_usable():
    ctx = DemoContext(log=lambda *_: None)
    tenants_demo.seed(ctx)
    sla_demo.seed(ctx)
    sla_demo.seed(ctx)  # again: nothing new
    assert BusinessCalendar.objects.count() == 2
    assert SLAPolicy.objects.count() == 2
    assert WorkingPeriod.objects.count() == 2 * 10
    assert EscalationRule.objects.count() == 2 * 2
    assert HolidaySet.objects.filter(code="cn-mainland").count() == 1
    tenant = ctx.tenants["demo_company"]
    policy = default_policy_for(tenant)
    assert policy.calendar.is_default
    assert policy.targets().by_priority["critical"] == (15, 240)
    # the demo calendar follows the China set: National Day week is off
    calendar = load_business_calendar(policy.calendar)
    assert calendar.periods_on(date(2026, 10, 1)) == ()
    from portal.sla.engine import add_business_minutes

    assert add_business_minutes(calendar, sh(2026, 9, 30, 17), 120) == sh(2026, 10, 8, 10)
