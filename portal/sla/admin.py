from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.sla.models import (
    BusinessCalendar,
    CalendarDay,
    EscalationRule,
    HolidaySet,
    SLAEvent,
    SLAPolicy,
    WorkingPeriod,
)
from portal.sla.validation import validate_working_periods


class WorkingPeriodFormSet(forms.BaseInlineFormSet):
    """Validates the periods of a calendar together: no overlaps within a weekday."""

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if (
                not data
                or data.get("DELETE")
                or not all(data.get(k) is not None for k in ("weekday", "start_time", "end_time"))
            ):
                continue
            rows.append((data["weekday"], data["start_time"], data["end_time"]))
        try:
            validate_working_periods(rows)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0
    fields = ["weekday", "start_time", "end_time"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "time_zone", "is_default", "updated_at"]
    list_filter = ["is_default", "tenant"]
    search_fields = ["name", "tenant__code", "tenant__name"]
    filter_horizontal = ["holiday_sets"]
    inlines = [WorkingPeriodInline]
    readonly_fields = ["created_at", "updated_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar = form.instance
        foreign = calendar.holiday_sets.exclude(tenant__isnull=True).exclude(tenant=calendar.tenant)
        if foreign.exists():  # never follow another tenant's days
            calendar.holiday_sets.remove(*foreign)
            self.message_user(request, _("Holiday sets of other tenants were removed from the calendar."), "warning")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "kind", "name", "works_as_weekday", "provisional", "note"]


@admin.register(HolidaySet)
class HolidaySetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "tenant", "updated_at"]
    list_filter = [("tenant", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["name", "code"]
    inlines = [CalendarDayInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "works_as_weekday", "provisional", "holiday_set"]
    list_filter = ["kind", "provisional", "holiday_set"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    list_select_related = ["holiday_set"]


class EscalationRuleInline(admin.TabularInline):
    model = EscalationRule
    extra = 0
    fields = [
        "trigger",
        "applies_to",
        "raise_priority",
        "set_escalated",
        "reassign_to",
        "notify_supervisor",
        "is_active",
    ]
    raw_id_fields = ["reassign_to"]

    def save_new_instance(self, parent, instance):  # pragma: no cover - admin plumbing
        instance.tenant = parent.tenant
        return instance


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "calendar", "is_default", "is_active", "warning_share"]
    list_filter = ["is_default", "is_active", "tenant"]
    search_fields = ["name", "tenant__code", "tenant__name"]
    list_select_related = ["tenant", "calendar"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["tenant", "name", "description", "calendar", "is_default", "is_active", "warning_share"]}),
        (
            _("Targets (business minutes)"),
            {
                "fields": [
                    ("critical_response_minutes", "critical_resolution_minutes"),
                    ("urgent_response_minutes", "urgent_resolution_minutes"),
                    ("high_response_minutes", "high_resolution_minutes"),
                    ("normal_response_minutes", "normal_resolution_minutes"),
                    ("low_response_minutes", "low_resolution_minutes"),
                ]
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["tenant", "policy", "trigger", "applies_to", "is_active"]
    list_filter = ["trigger", "applies_to", "is_active", "tenant"]
    raw_id_fields = ["reassign_to"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SLAEvent)
class SLAEventAdmin(admin.ModelAdmin):
    list_display = ["ticket_id", "target", "kind", "due_at", "flagged_at", "processed_at", "tenant"]
    list_filter = ["kind", "target", "tenant"]
    search_fields = ["ticket_id"]
    readonly_fields = ["tenant", "ticket_id", "target", "kind", "due_at", "flagged_at", "processed_at"]

    def has_add_permission(self, request):
        return False  # events are flagged by the SLA machinery only
