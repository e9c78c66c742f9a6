"""Server-rendered engineers pages (directory, profile, skill library) over the same selectors,
filters and services as the v1 API."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from engineers import selectors, services
from engineers.choices import WEEKDAYS, Availability, OnlineStatus
from engineers.filtersets import EngineerFilterSet
from engineers.forms import StatusForm
from engineers.models import EngineerProfile, Skill
from engineers.policy import may_update_status
from portal.errors import DomainError
from portal.page_views import PortalPageMixin

WEEKDAY_LABELS = {
    "monday": gettext_lazy("Mon"),
    "tuesday": gettext_lazy("Tue"),
    "wednesday": gettext_lazy("Wed"),
    "thursday": gettext_lazy("Thu"),
    "friday": gettext_lazy("Fri"),
    "saturday": gettext_lazy("Sat"),
    "sunday": gettext_lazy("Sun"),
}
STATUS_WORDS = [
    ("active", gettext_lazy("Active")),
    ("inactive", gettext_lazy("Inactive")),
    ("online", OnlineStatus.ONLINE.label),
    ("busy", OnlineStatus.BUSY.label),
    ("away", OnlineStatus.AWAY.label),
    ("offline", OnlineStatus.OFFLINE.label),
]
SORT_LABELS = [
    ("employee_id", gettext_lazy("Employee number")),
    ("name", gettext_lazy("Name")),
    ("workload", gettext_lazy("Workload")),
    ("rating", gettext_lazy("Rating")),
    ("performance", gettext_lazy("Performance")),
    ("join_date", gettext_lazy("Join date")),
]


def _engineer(request, pk) -> EngineerProfile:
    engineer = selectors.for_detail(selectors.engineers_for(request.user)).filter(pk=pk).first()
    if engineer is None:
        raise Http404
    return engineer


def status_labels() -> dict:
    return {
        **{value: str(label) for value, label in OnlineStatus.choices},
        **{value: str(label) for value, label in Availability.choices},
    }


class EngineerDirectoryView(PortalPageMixin, View):
    """Every engineer of the tenant with filters (status, skill, place, team, keyword) and sort."""

    required_permission = "engineer:read"

    def get(self, request):
        base = selectors.for_list(selectors.engineers_for(request.user))
        filterset = EngineerFilterSet(request.GET, queryset=base)
        errors = None
        if filterset.is_valid():
            try:
                queryset = filterset.qs
            except django_forms.ValidationError as error:
                errors, queryset = error.messages, base.none()
        else:
            errors, queryset = [m for ms in filterset.errors.values() for m in ms], base.none()
        page = Paginator(queryset, 20).get_page(request.GET.get("page"))
        return render(
            request,
            "engineers/directory.html",
            {
                "page_obj": page,
                "engineers": list(page),
                "errors": errors,
                "skills": selectors.skills_for(request.user).filter(is_active=True),
                "teams": selectors.teams_for(request.user),
                "status_words": STATUS_WORDS,
                "sorts": SORT_LABELS,
                "status_labels": status_labels(),
            },
        )


class EngineerProfileView(PortalPageMixin, View):
    """One engineer: live status, skills with levels, certifications, schedule, workload chart
    and performance."""

    required_permission = "engineer:read"

    def get(self, request, pk, form=None):
        engineer = _engineer(request, pk)
        days = selectors.tenant_days(engineer.tenant)
        breakdown = selectors.workload_breakdown(engineer)
        forecast = selectors.capacity_forecast(engineer, open_tickets=breakdown["total"], days=days)
        trend = selectors.workload_trend(engineer, days=14)
        peak = max([engineer.max_workload, *(p["workload"] for p in trend)]) or 1
        for point in trend:
            point["percent"] = round(point["workload"] / peak * 100)
            point["over"] = point["workload"] >= engineer.max_workload
        schedule = engineer.work_schedule or {}
        can_set_status = may_update_status(engineer, request.user)
        return render(
            request,
            "engineers/profile.html",
            {
                "engineer": engineer,
                "skills": list(engineer.skill_rows.all()),
                "certifications": list(engineer.certifications.all()),
                "today": timezone.localdate(),
                "breakdown": breakdown,
                "forecast": forecast,
                "utilization": round(breakdown["total"] / engineer.max_workload * 100) if engineer.max_workload else 0,
                "trend": trend,
                "peak": peak,
                "capacity_percent": round(engineer.max_workload / peak * 100),
                "schedule": schedule,
                "week": [(d, WEEKDAY_LABELS[d], d in schedule.get("work_days", ())) for d in WEEKDAYS],
                "can_set_status": can_set_status,
                "status_form": form
                or StatusForm(
                    initial={
                        "online_status": engineer.online_status,
                        "availability": engineer.availability,
                        "status_message": engineer.status_message,
                    }
                ),
                "status_labels": status_labels(),
                "levels": range(1, 6),
            },
        )


class EngineerStatusView(PortalPageMixin, View):
    """POST: set an engineer's status (their own; supervisors anyone's) through the service."""

    required_permission = "engineer:update-status"

    def post(self, request, pk):
        engineer = _engineer(request, pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            return EngineerProfileView().get(request, pk, form=form)
        try:
            services.engineer_set_status(engineer=engineer, by=request.user, data=form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Status updated."))
        return redirect("engineers:detail", pk=engineer.pk)


class SkillLibraryView(PortalPageMixin, View):
    """The tenant's skill library: levels, related skills, certifications, who has each skill."""

    required_permission = "skill:read"

    def get(self, request):
        skills = (
            selectors.skills_for(request.user)
            .annotate(engineer_count=Count("engineer_rows", distinct=True))
            .prefetch_related(Prefetch("related_skills", queryset=Skill.objects.order_by("code")))
        )
        categories: dict[str, list] = {}
        for skill in skills:
            skill.level_rows = [(level, skill.level_name(level), _description(skill, level)) for level in range(1, 6)]
            categories.setdefault(skill.category or _("Other"), []).append(skill)
        return render(request, "engineers/skills.html", {"categories": categories, "total": len(skills)})


def _description(skill, level) -> str:
    for row in skill.levels or ():
        if isinstance(row, dict) and row.get("level") == level:
            return str(row.get("description") or "")
    return ""
