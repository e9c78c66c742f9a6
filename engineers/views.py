"""Server-rendered engineers pages (directory, profile, skill library) over the same selectors,
filters and services as the v1 API."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from engineers import selectors, services
from engineers.choices import WEEKDAYS, Availability, OnlineStatus
from engineers.filtersets import EngineerFilterSet
from engineers.forms import (
    CapacityForm,
    ProfileForm,
    ScheduleForm,
    ServiceAreasForm,
    SkillAddForm,
    SkillLevelForm,
    StatusForm,
)
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
                "can_edit": request.user.has_contract_permission("engineer:update"),
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


class EngineerEditView(PortalPageMixin, View):
    """Edit one engineer in sections — profile (team, location, contact, employment), skills,
    service areas, capacity and work schedule. Each section posts on its own (``section``) and
    goes through the service the v1 API calls, with the API's permission code
    (``engineer:update``). Invalid input: the section comes back with every error and nothing
    is saved."""

    required_permissions = {"get": "engineer:update", "post": "engineer:update"}
    tenant_required = True
    SECTIONS = ("profile", "skills", "areas", "capacity", "schedule")

    def forms_for(self, request, engineer, bound=None) -> dict:
        user = request.user
        forms = {
            "profile": ProfileForm(engineer=engineer, user=user, initial=ProfileForm.initial_for(engineer)),
            "skill_add": SkillAddForm(engineer=engineer, user=user, initial={"level": 3}),
            "areas": ServiceAreasForm(initial={"service_areas": "\n".join(engineer.service_areas or [])}),
            "capacity": CapacityForm(initial={"max_workload": engineer.max_workload}),
            "schedule": ScheduleForm(engineer=engineer, initial=ScheduleForm.initial_for(engineer)),
        }
        forms.update(bound or {})
        return forms

    def get(self, request, pk, bound=None, status=200, failed_row=None):
        engineer = _engineer(request, pk)
        forms = self.forms_for(request, engineer, bound)
        rows = list(selectors.engineer_skills_for(engineer=engineer))
        for row in rows:
            row.level_form = failed_row if failed_row and failed_row.row_id == row.pk else SkillLevelForm(
                initial={"level": row.level}, prefix=f"row{row.pk}"
            )  # fmt: skip
        return render(
            request,
            "engineers/edit.html",
            {"engineer": engineer, "forms": forms, "skill_rows": rows, "levels": range(1, 6)},
            status=status,
        )

    def post(self, request, pk):
        engineer = _engineer(request, pk)
        section = request.POST.get("section", "")
        user = request.user
        if section in ("skill_level", "skill_remove"):
            return self._skill_row(request, engineer, section)
        form = {
            "profile": lambda: ProfileForm(request.POST, engineer=engineer, user=user),
            "skill_add": lambda: SkillAddForm(request.POST, engineer=engineer, user=user),
            "areas": lambda: ServiceAreasForm(request.POST),
            "capacity": lambda: CapacityForm(request.POST),
            "schedule": lambda: ScheduleForm(request.POST, engineer=engineer),
        }.get(section)
        if form is None:
            raise Http404
        form = form()
        if form.is_valid():
            try:
                if section == "skill_add":
                    services.engineer_skill_save(engineer=engineer, by=user, data=form.service_data())
                else:
                    services.engineer_update(engineer=engineer, by=user, data=form.service_data())
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, SAVED[section])
                return redirect(f"{reverse('engineers:edit', args=[engineer.pk])}#{ANCHORS[section]}")
        return self.get(request, pk, bound={section: form}, status=400)

    def _skill_row(self, request, engineer, section):
        row = selectors.engineer_skills_for(engineer=engineer).filter(pk=_int(request.POST.get("row"))).first()
        if row is None:
            raise Http404
        if section == "skill_remove":
            services.engineer_skill_remove(row=row, by=request.user)
            messages.success(request, _("Skill %(name)s removed.") % {"name": row.skill.name})
            return redirect(f"{reverse('engineers:edit', args=[engineer.pk])}#skills")
        form = SkillLevelForm(request.POST, prefix=f"row{row.pk}")
        if form.is_valid():
            services.engineer_skill_update(row=row, by=request.user, data=form.service_data())
            messages.success(request, _("Skill %(name)s saved.") % {"name": row.skill.name})
            return redirect(f"{reverse('engineers:edit', args=[engineer.pk])}#skills")
        form.row_id = row.pk
        return self.get(request, engineer.pk, status=400, failed_row=form)


SAVED = {
    "profile": gettext_lazy("Profile saved."),
    "skill_add": gettext_lazy("Skill added."),
    "areas": gettext_lazy("Service areas saved."),
    "capacity": gettext_lazy("Capacity saved."),
    "schedule": gettext_lazy("Work schedule saved."),
}
ANCHORS = {
    "profile": "profile", "skill_add": "skills", "areas": "areas", "capacity": "capacity", "schedule": "schedule",
}  # fmt: skip
# the services' field names → the page forms' fields
FORM_FIELDS = {"employee_id": "employee_no", "team_id": "team", "location": "latitude", "skill_level": "level"}


def _form_error(form, error: DomainError) -> None:
    """A service refusal on the field it names, else on the form as a whole."""
    name = FORM_FIELDS.get(error.field, error.field)
    form.add_error(name if name in form.fields else None, str(error.message))


def _int(value):
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


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
