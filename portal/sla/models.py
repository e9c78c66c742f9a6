"""Business calendars, holiday data, SLA policies, escalation rules and the "flag once" record
of SLA warnings and breaches. The arithmetic lives in ``portal.sla.engine``."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.sla.choices import DayKind, Priority, SLAEventKind, SLATarget, Weekday
from portal.tenancy import TENANT_MODEL, TenantOwnedModel


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that this machine's tz database knows (``Asia/Shanghai``)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}, code="time_zone") from None


class HolidaySetQuerySet(models.QuerySet):
    def visible_to(self, tenant: models.Model | None):
        """Shared (platform) sets plus the tenant's own."""
        return self.filter(Q(tenant__isnull=True) | Q(tenant=tenant)) if tenant else self.filter(tenant__isnull=True)


class HolidaySetManager(models.Manager.from_queryset(HolidaySetQuerySet)):
    def get_by_natural_key(self, code: str, tenant_code: str | None = None):
        if tenant_code is None:
            return self.get(code=code, tenant__isnull=True)
        return self.get(code=code, tenant__code=tenant_code)


class HolidaySet(models.Model):
    """A named list of special days: holidays and make-up workdays.

    ``tenant`` empty = a shared, platform-maintained set (e.g. ``cn-mainland``: mainland-China
    public holidays and 调休 days) that any tenant's calendar may subscribe to. A tenant adds its
    own days (company anniversary, a local holiday) in a set of its own; where both define a date,
    the tenant's set wins (see ``selectors.load_business_calendar``)."""

    tenant = models.ForeignKey(
        TENANT_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tenant"),
        help_text=_("Empty for a shared set maintained by the platform."),
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the dates come from (provenance)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HolidaySetManager()

    class Meta:
        ordering = ["tenant_id", "code"]
        verbose_name = _("holiday set")
        verbose_name_plural = _("holiday sets")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(tenant__isnull=True), name="sla_holidayset_shared_code_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "code"], condition=Q(tenant__isnull=False), name="sla_holidayset_tenant_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (self.code, self.tenant.code if self.tenant_id else None)

    natural_key.dependencies = ["tenants.tenant"]

    @property
    def is_shared(self) -> bool:
        return self.tenant_id is None


class CalendarDayManager(models.Manager):
    def get_by_natural_key(self, code: str, tenant_code: str | None, day: str):
        return self.get(holiday_set=HolidaySet.objects.get_by_natural_key(code, tenant_code), date=day)


class CalendarDay(models.Model):
    """One special date of a holiday set: a holiday (no work at all) or a make-up workday (调休:
    usually a Saturday or Sunday that is worked, with the hours of ``works_as_weekday``, or of the
    regular weekday schedule when empty). ``provisional`` marks dates not yet confirmed by the
    official source (e.g. derived from the law before the yearly schedule is published)."""

    holiday_set = models.ForeignKey(
        HolidaySet, on_delete=models.CASCADE, related_name="days", verbose_name=_("holiday set")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("e.g. 春节, 国庆节"))
    works_as_weekday = models.PositiveSmallIntegerField(
        _("works as weekday"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("For a make-up workday: whose working hours apply. Empty: the regular weekday schedule."),
    )
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Not yet confirmed by the official schedule.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = CalendarDayManager()

    class Meta:
        ordering = ["holiday_set_id", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(fields=["holiday_set", "date"], name="sla_calendarday_set_date_unique"),
            models.CheckConstraint(
                condition=Q(kind=DayKind.WORKDAY) | Q(works_as_weekday__isnull=True),
                name="sla_calendarday_weekday_only_for_workdays",
            ),
            models.CheckConstraint(
                condition=Q(works_as_weekday__isnull=True) | Q(works_as_weekday__lte=6),
                name="sla_calendarday_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"

    def natural_key(self) -> tuple:
        return (*self.holiday_set.natural_key(), self.date.isoformat())

    natural_key.dependencies = ["sla.holidayset"]

    def clean(self) -> None:
        if self.kind != DayKind.WORKDAY and self.works_as_weekday is not None:
            raise ValidationError({"works_as_weekday": _("Only a make-up workday uses another weekday's hours.")})


class BusinessCalendar(TenantOwnedModel):
    """When a tenant works: a time zone, working periods per weekday (breaks are the gaps between
    periods) and the holiday sets it follows. An SLA policy without a calendar runs 24×7."""

    name = models.CharField(_("name"), max_length=128)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Shanghai or Europe/Berlin."),
    )  # fmt: skip
    is_default = models.BooleanField(_("default calendar"), default=False)
    holiday_sets = models.ManyToManyField(
        HolidaySet,
        blank=True,
        related_name="calendars",
        verbose_name=_("holiday sets"),
        help_text=_("Shared sets (e.g. mainland China) and the tenant's own sets."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sla_calendar_tenant_name_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="sla_calendar_one_default_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingPeriod(models.Model):
    """One stretch of working time on a weekday of a calendar, ``[start_time, end_time)`` in the
    calendar's time zone. An end of 00:00 means midnight at the end of the day (24:00). Periods of
    one weekday must not overlap (checked by ``portal.sla.validation``)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="periods", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"), help_text=_("00:00 means the end of the day (24:00)."))

    class Meta:
        ordering = ["calendar_id", "weekday", "start_time"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sla_workingperiod_weekday_range"),
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")) | Q(end_time=time(0)),
                name="sla_workingperiod_start_before_end",
            ),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start_time"], name="sla_workingperiod_calendar_weekday_start_unique"
            ),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end_time == time(0) else f"{self.end_time:%H:%M}"
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{end}"

    def clean(self) -> None:
        known = self.start_time is not None and self.end_time is not None
        if known and not (self.start_time < self.end_time or self.end_time == time(0)):
            raise ValidationError({"end_time": _("A working period must end after it starts.")})


def _minutes_field(verbose_name):
    return models.PositiveIntegerField(verbose_name, validators=[MinValueValidator(1)])


class SLAPolicy(TenantOwnedModel):
    """Per-tenant response and resolution targets (business minutes) for each priority, counted
    on ``calendar`` (empty: 24×7). A ticket category's ``sla_hours`` replaces the resolution target.
    A warning is raised when ``warning_share`` of a target has run."""

    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("business calendar"),
        help_text=_("Empty: the clock runs 24×7."),
    )
    is_default = models.BooleanField(_("default policy"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    warning_share = models.DecimalField(
        _("warning share"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("Share of a target after which a warning is raised, e.g. 0.80."),
    )
    low_response_minutes = _minutes_field(_("low: response (minutes)"))
    low_resolution_minutes = _minutes_field(_("low: resolution (minutes)"))
    normal_response_minutes = _minutes_field(_("normal: response (minutes)"))
    normal_resolution_minutes = _minutes_field(_("normal: resolution (minutes)"))
    high_response_minutes = _minutes_field(_("high: response (minutes)"))
    high_resolution_minutes = _minutes_field(_("high: resolution (minutes)"))
    urgent_response_minutes = _minutes_field(_("urgent: response (minutes)"))
    urgent_resolution_minutes = _minutes_field(_("urgent: resolution (minutes)"))
    critical_response_minutes = _minutes_field(_("critical: response (minutes)"))
    critical_resolution_minutes = _minutes_field(_("critical: resolution (minutes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sla_policy_tenant_name_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="sla_policy_one_default_per_tenant"
            ),
            models.CheckConstraint(
                condition=Q(warning_share__gt=0) & Q(warning_share__lt=1), name="sla_policy_warning_share_range"
            ),
            *[
                models.CheckConstraint(condition=Q(**{f"{p}_{t}_minutes__gte": 1}), name=f"sla_policy_{p}_{t}_positive")
                for p in Priority.values
                for t in ("response", "resolution")
            ],
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.calendar_id and self.tenant_id and self.calendar.tenant_id != self.tenant_id:
            raise ValidationError({"calendar": _("The calendar belongs to another tenant.")})

    def targets(self):
        """The policy as an ``engine.PolicyTargets`` value."""
        from portal.sla.engine import PolicyTargets

        return PolicyTargets(
            by_priority={
                p: (getattr(self, f"{p}_response_minutes"), getattr(self, f"{p}_resolution_minutes"))
                for p in Priority.values
            },
            warning_share=float(self.warning_share),
        )


class EscalationRule(TenantOwnedModel):
    """What happens when an SLA clock reaches its warning or breach: raise the priority one step,
    set ``is_escalated``, reassign to a user, notify the assignee's supervisor. A rule with a
    policy applies to that policy's tickets and wins over the tenant-wide rule (policy empty) for
    the same trigger and target. Executing the actions belongs to the ticket integration."""

    class AppliesTo(models.TextChoices):
        RESPONSE = SLATarget.RESPONSE.value, SLATarget.RESPONSE.label
        RESOLUTION = SLATarget.RESOLUTION.value, SLATarget.RESOLUTION.label
        BOTH = "both", _("Response and resolution")

    policy = models.ForeignKey(
        SLAPolicy,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_rules",
        verbose_name=_("SLA policy"),
        help_text=_("Empty: every policy of the tenant."),
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=SLAEventKind.choices)
    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    raise_priority = models.BooleanField(_("raise priority one step"), default=False)
    set_escalated = models.BooleanField(_("mark as escalated"), default=False)
    reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reassign to"),
    )
    notify_supervisor = models.BooleanField(_("notify supervisor"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tenant_id", "policy_id", "trigger", "applies_to", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "trigger", "applies_to"],
                condition=Q(policy__isnull=True),
                name="sla_escalation_tenant_trigger_unique",
            ),
            models.UniqueConstraint(
                fields=["policy", "trigger", "applies_to"],
                condition=Q(policy__isnull=False),
                name="sla_escalation_policy_trigger_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} / {self.get_applies_to_display()}"

    def clean(self) -> None:
        if self.policy_id and self.tenant_id and self.policy.tenant_id != self.tenant_id:
            raise ValidationError({"policy": _("The policy belongs to another tenant.")})
        if self.reassign_to_id and self.tenant_id and self.reassign_to.tenant_id != self.tenant_id:
            raise ValidationError({"reassign_to": _("The user belongs to another tenant.")})

    @property
    def actions(self) -> list[str]:
        return [
            name
            for name, on in (
                ("raise_priority", self.raise_priority),
                ("set_escalated", self.set_escalated),
                ("reassign", self.reassign_to_id is not None),
                ("notify_supervisor", self.notify_supervisor),
            )
            if on
        ]


class SLAEvent(TenantOwnedModel):
    """A warning or breach of one ticket's SLA target, recorded exactly once: the unique
    ``(ticket_id, target, kind)`` row is the lock that makes flagging idempotent when the
    scheduled task, a retry and the safety-net sweep race.

    ``ticket`` is a foreign key on the original ``ticket_id`` column (it was a plain integer
    while the Ticket model was built in parallel)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="sla_events",
        db_column="ticket_id",
        verbose_name=_("ticket"),
    )
    target = models.CharField(_("target"), max_length=16, choices=SLATarget.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=SLAEventKind.choices)
    due_at = models.DateTimeField(_("deadline"), help_text=_("The warning or breach time the event refers to."))
    flagged_at = models.DateTimeField(_("flagged at"))
    processed_at = models.DateTimeField(
        _("processed at"), null=True, blank=True, help_text=_("When notifications and escalations were done.")
    )

    class Meta:
        ordering = ["-flagged_at", "-id"]
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "kind"], name="sla_event_once_per_ticket_target_kind")
        ]
        indexes = [models.Index(fields=["tenant", "flagged_at"]), models.Index(fields=["processed_at"])]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_target_display()} {self.get_kind_display()}"
