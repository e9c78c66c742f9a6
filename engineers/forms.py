"""Forms of the engineers pages. They read the posted fields into the services' canonical dicts
(the same dicts ``api/v1.profile_in`` builds) and show every error at once. The rules are not
copied here: the schedule goes through ``engineers.schedule.normalise_work_schedule``, the
coordinate pair and the employee-number clash through the services' own checks, teams and
skills come from the scoped selectors, limits from the model fields; the services check again
when they write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from engineers import selectors, services
from engineers.choices import Availability, OnlineStatus
from engineers.models import EngineerProfile, EngineerSkill
from engineers.schedule import DEFAULT_TIME_ZONE, normalise_work_schedule
from portal.errors import DomainError


class StatusForm(forms.Form):
    online_status = forms.ChoiceField(label=_("Online status"), choices=OnlineStatus.choices)
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    status_message = forms.CharField(label=_("Status message"), max_length=200, required=False)


def _model_field(model, name, **overrides):
    """The form field of a model field: its label, length, choices and range (one source; the
    model's Min/MaxValueValidators become the form field's min_value/max_value)."""
    field = model._meta.get_field(name)
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            overrides.setdefault("min_value", validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            overrides.setdefault("max_value", validator.limit_value)
    return field.formfield(**overrides)


class ProfileForm(forms.Form):
    """Team, location, contact and employment (``PUT engineers/{id}`` without skills)."""

    TEXT = ("employee_no", "title", "level")
    LOCATION = ("city", "district", "address")
    CONTACT = ("work_phone", "emergency_contact", "wechat", "preferred_contact")
    EMPLOYMENT = ("join_date", "contract_type", "employment_status", "probation_end", "next_review")

    def __init__(self, *args, engineer: EngineerProfile, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.engineer = engineer
        for name in self.TEXT:
            self.fields[name] = _model_field(EngineerProfile, name)
        self.fields["team"] = forms.ModelChoiceField(
            label=_("Team"),
            queryset=selectors.teams_for(user).filter(is_active=True),
            required=False,
            empty_label=_("No team"),
        )
        self.fields["title"].label = _("Job title")  # the model's "title" reads as a heading in Chinese
        for name in self.LOCATION:
            self.fields[name] = _model_field(EngineerProfile, name)
        self.fields["latitude"] = _model_field(
            EngineerProfile, "latitude", min_value=-90, max_value=90, widget=forms.NumberInput(attrs={"step": "any"})
        )
        self.fields["longitude"] = _model_field(
            EngineerProfile, "longitude", min_value=-180, max_value=180, widget=forms.NumberInput(attrs={"step": "any"})
        )
        for name in self.CONTACT:
            self.fields[name] = _model_field(EngineerProfile, name)
        for name in self.EMPLOYMENT:
            is_date = name in ("join_date", "probation_end", "next_review")
            widget = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")} if is_date else {}
            self.fields[name] = _model_field(EngineerProfile, name, **widget)
        self.fields["latitude"].help_text = _("Decimal degrees, e.g. 39.904200. Leave both empty to match by city.")

    @classmethod
    def initial_for(cls, engineer: EngineerProfile) -> dict:
        names = (*cls.TEXT, *cls.LOCATION, "latitude", "longitude", *cls.CONTACT, *cls.EMPLOYMENT)
        return {**{name: getattr(engineer, name) for name in names}, "team": engineer.team_id}

    def clean(self):
        data = super().clean()
        if "latitude" in data and "longitude" in data:
            try:
                services.validate_coordinates(data["latitude"], data["longitude"])
            except ValidationError as error:
                self.add_error("longitude" if data["longitude"] is None else "latitude", error)
        if data.get("employee_no"):
            try:
                services.check_employee_no(
                    tenant=self.engineer.tenant, employee_no=data["employee_no"], exclude_pk=self.engineer.pk
                )
            except DomainError as error:
                self.add_error("employee_no", str(error.message))
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "team"}
        data["team_id"] = self.cleaned_data["team"].pk if self.cleaned_data["team"] else None
        return data


class ServiceAreasForm(forms.Form):
    service_areas = forms.CharField(
        label=_("Service areas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('One per line: a city, or "city/district", e.g. 上海市/浦东新区. Empty: no limit.'),
    )
    MAX_AREAS, MAX_LENGTH = 100, 128  # as the API's service_areas list

    def clean_service_areas(self):
        areas = [line.strip() for line in self.cleaned_data["service_areas"].splitlines() if line.strip()]
        errors = []
        if len(areas) > self.MAX_AREAS:
            errors.append(_("At most %(n)s service areas.") % {"n": self.MAX_AREAS})
        errors += [
            _("“%(area)s…” is longer than %(n)s characters.") % {"area": a[:20], "n": self.MAX_LENGTH}
            for a in areas
            if len(a) > self.MAX_LENGTH
        ]
        if errors:
            raise ValidationError(errors)
        return list(dict.fromkeys(areas))

    def service_data(self) -> dict:
        return {"service_areas": self.cleaned_data["service_areas"]}


class CapacityForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_workload"] = _model_field(EngineerProfile, "max_workload")

    def service_data(self) -> dict:
        return {"max_workload": self.cleaned_data["max_workload"]}


WEEKDAY_CHOICES = [
    ("monday", _("Monday")),
    ("tuesday", _("Tuesday")),
    ("wednesday", _("Wednesday")),
    ("thursday", _("Thursday")),
    ("friday", _("Friday")),
    ("saturday", _("Saturday")),
    ("sunday", _("Sunday")),
]
TIME_ATTRS = {"placeholder": "HH:MM", "inputmode": "numeric", "maxlength": 5, "class": "input-time"}


class ScheduleForm(forms.Form):
    """Days and shift times of ``work_schedule``. Times are written HH:MM; 24:00 ends a day, so
    00:00–24:00 is a whole-day shift; an end before the start is an overnight shift. Checked by
    ``normalise_work_schedule``, the API's own validation. Per-day hours set through the API
    are kept."""

    work_days = forms.MultipleChoiceField(
        label=_("Work days"), choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    start = forms.CharField(label=_("Shift starts"), max_length=5, widget=forms.TextInput(attrs=TIME_ATTRS))
    end = forms.CharField(
        label=_("Shift ends"),
        max_length=5,
        widget=forms.TextInput(attrs=TIME_ATTRS),
        help_text=_("24:00 ends at midnight (00:00–24:00 is the whole day); an end before the start runs overnight."),
    )
    break_start = forms.CharField(
        label=_("Break starts"), max_length=5, required=False, widget=forms.TextInput(attrs=TIME_ATTRS)
    )
    break_end = forms.CharField(
        label=_("Break ends"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs=TIME_ATTRS),
        help_text=_("Leave both empty for no break."),
    )
    timezone = forms.CharField(label=_("Time zone"), max_length=64, initial=DEFAULT_TIME_ZONE)
    follow_holidays = forms.BooleanField(label=_("Follows the company calendar (holidays off)"), required=False)
    flexible_hours = forms.BooleanField(label=_("Flexible hours"), required=False)

    # normalise_work_schedule's error keys → this form's fields
    ERROR_FIELDS = {
        "work_schedule.work_hours": "end",
        "work_schedule.work_hours.start": "start",
        "work_schedule.work_hours.end": "end",
        "work_schedule.break_time": "break_end",
        "work_schedule.break_time.start": "break_start",
        "work_schedule.break_time.end": "break_end",
        "work_schedule.timezone": "timezone",
        "work_schedule.work_days": "work_days",
    }

    def __init__(self, *args, engineer: EngineerProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.engineer = engineer

    @staticmethod
    def initial_for(engineer: EngineerProfile) -> dict:
        schedule = normalise_work_schedule(engineer.work_schedule or None)
        hours, pause = schedule["work_hours"] or {}, schedule["break_time"] or {}
        return {
            "work_days": schedule["work_days"],
            "start": hours.get("start", ""),
            "end": hours.get("end", ""),
            "break_start": pause.get("start", ""),
            "break_end": pause.get("end", ""),
            "timezone": schedule["timezone"],
            "follow_holidays": schedule["follow_holidays"],
            "flexible_hours": schedule["flexible_hours"],
        }

    def clean(self):
        data = super().clean()
        text = {name: (data.get(name) or "").strip() for name in ("start", "end", "break_start", "break_end")}
        if bool(text["break_start"]) != bool(text["break_end"]):
            self.add_error("break_end" if text["break_start"] else "break_start", _("Give both ends of the break."))
        current = self.engineer.work_schedule or {}
        schedule = {
            "timezone": (data.get("timezone") or "").strip(),
            "work_hours": {"start": text["start"], "end": text["end"]},
            "work_days": data.get("work_days") or [],
            "break_time": {"start": text["break_start"], "end": text["break_end"]}
            if text["break_start"] and text["break_end"]
            else None,
            "flexible_hours": data.get("flexible_hours", False),
            "follow_holidays": data.get("follow_holidays", False),
            "day_hours": current.get("day_hours") or {},
        }
        try:
            self.schedule = normalise_work_schedule(schedule)
        except ValidationError as error:
            # every problem at once; a field that already failed (e.g. left empty) says it once
            for key, messages in error.message_dict.items():
                name = self.ERROR_FIELDS.get(key)
                if name is None or name not in self.errors:
                    for message in messages:
                        self.add_error(name, message)
        return data

    def service_data(self) -> dict:
        return {"work_schedule": self.schedule}


class SkillAddForm(forms.Form):
    """Add a library skill the engineer does not have yet (``POST engineers/{id}/skills``)."""

    def __init__(self, *args, engineer: EngineerProfile, user, **kwargs):
        super().__init__(*args, **kwargs)
        held = EngineerSkill.objects.filter(engineer=engineer).values("skill_id")
        self.fields["skill"] = forms.ModelChoiceField(
            label=_("Skill"),
            queryset=selectors.skills_for(user)
            .filter(is_active=True)
            .exclude(pk__in=held)
            .order_by("category", "name"),
        )
        self.fields["skill"].label_from_instance = lambda s: f"{s.name} ({s.code})"
        self.fields["level"] = _model_field(
            EngineerSkill, "level", widget=forms.Select(choices=[(n, n) for n in range(1, 6)])
        )
        self.fields["experience_years"] = _model_field(EngineerSkill, "experience_years", required=False)
        self.fields["certification"] = _model_field(EngineerSkill, "certification")

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SkillLevelForm(forms.Form):
    """Change the level of one of the engineer's skills (``PUT engineers/{id}/skills/{row}``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"] = _model_field(
            EngineerSkill, "level", widget=forms.Select(choices=[(n, n) for n in range(1, 6)])
        )

    def service_data(self) -> dict:
        return {"level": self.cleaned_data["level"]}
