"""Operators' view of the engineers domain: profiles (including soft-deleted ones) with their
skills and certifications inline, the skill library, teams and assessments. Forms validate the
work schedule and refuse rows that would mix tenants."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from engineers.models import (
    EngineerCertification,
    EngineerProfile,
    EngineerSkill,
    EngineerTeam,
    Skill,
    SkillAssessment,
)
from engineers.schedule import normalise_work_schedule


def _same_tenant(tenant, **related) -> None:
    errors = {
        name: _("Belongs to another tenant.")
        for name, obj in related.items()
        if obj is not None and tenant is not None and obj.tenant_id != tenant.pk
    }
    if errors:
        raise ValidationError(errors)


class EngineerProfileForm(forms.ModelForm):
    class Meta:
        model = EngineerProfile
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin decides which fields the form shows

    def clean_work_schedule(self):
        return normalise_work_schedule(self.cleaned_data.get("work_schedule"))

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant")
        _same_tenant(tenant, user=data.get("user"), team=data.get("team"))
        return data


class EngineerSkillInline(admin.TabularInline):
    model = EngineerSkill
    extra = 0
    fields = ["skill", "level", "proficiency_score", "experience_years", "certification", "certified", "last_used_at"]
    raw_id_fields = ["skill"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["skill"].required = True
        return formset


class CertificationInline(admin.TabularInline):
    model = EngineerCertification
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["code", "name", "issuer", "issued_date", "expiry_date", "is_verified", "verification_url"]


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes")), ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.value() or "no"
        return queryset if value == "all" else queryset.filter(is_deleted=value == "yes")


@admin.register(EngineerProfile)
class EngineerProfileAdmin(admin.ModelAdmin):
    form = EngineerProfileForm
    list_display = [
        "__str__",
        "tenant",
        "title",
        "level",
        "team",
        "city",
        "district",
        "online_status",
        "max_workload",
        "performance_score",
        "is_deleted",
    ]
    list_filter = [DeletedFilter, "tenant", "online_status", "level", "employment_status", "city"]
    search_fields = ["employee_no", "user__username", "user__real_name", "user__email", "city", "district"]
    list_select_related = ["tenant", "user", "team"]
    raw_id_fields = ["user", "team", "deleted_by"]
    inlines = [EngineerSkillInline, CertificationInline]
    readonly_fields = [
        "status_updated_at",
        "last_active_at",
        "total_tickets",
        "resolved_count",
        "avg_resolution_minutes",
        "sla_compliance_rate",
        "avg_rating",
        "rated_count",
        "rejection_rate",
        "performance_score",
        "performance_computed_at",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return EngineerProfile.all_objects.select_related("tenant", "user", "team")

    def save_formset(self, request, form, formset, change):
        # Inline rows take the profile's tenant (the inline forms do not show it).
        for obj in formset.save(commit=False):
            obj.tenant_id = form.instance.tenant_id
            skill = getattr(obj, "skill", None)
            if skill is not None and skill.tenant_id != obj.tenant_id:
                raise ValidationError(_("The skill belongs to another tenant."))
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin decides which fields the form shows

    def clean_levels(self):
        from engineers.services import validate_skill_levels

        return validate_skill_levels(self.cleaned_data.get("levels"))

    def clean_keywords(self):
        value = self.cleaned_data.get("keywords") or []
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ValidationError(_("Keywords are a list of words."))
        return [w.strip() for w in value if w.strip()]

    def clean_certifications(self):
        value = self.cleaned_data.get("certifications") or []
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ValidationError(_("Certifications are a list of codes."))
        return value

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant")
        for related in data.get("related_skills") or ():
            if tenant is not None and related.tenant_id != tenant.pk:
                raise ValidationError({"related_skills": _("Belongs to another tenant.")})
        return data


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    form = SkillForm
    list_display = ["code", "name", "category", "tenant", "is_active", "sort_order"]
    list_filter = ["tenant", "category", "is_active"]
    search_fields = ["code", "name", "name_en", "category"]
    filter_horizontal = ["related_skills"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(EngineerTeam)
class EngineerTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "tenant", "leader", "is_active"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["leader"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(EngineerSkill)
class EngineerSkillAdmin(admin.ModelAdmin):
    list_display = ["engineer", "skill", "level", "experience_years", "certified", "tenant"]
    list_filter = ["tenant", "level", "certified"]
    search_fields = ["engineer__user__username", "engineer__user__real_name", "skill__code", "skill__name"]
    list_select_related = ["engineer__user", "skill", "tenant"]
    raw_id_fields = ["engineer", "skill"]


@admin.register(EngineerCertification)
class EngineerCertificationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "name", "engineer", "issuer", "issued_date", "expiry_date", "is_verified"]
    list_filter = ["tenant", "is_verified"]
    search_fields = ["code", "name", "engineer__user__username"]
    list_select_related = ["engineer__user"]
    raw_id_fields = ["engineer", "skill"]


@admin.register(SkillAssessment)
class SkillAssessmentAdmin(admin.ModelAdmin):
    list_display = ["engineer", "skill", "assessment_type", "score", "previous_level", "level", "created_at"]
    list_filter = ["tenant", "assessment_type"]
    list_select_related = ["engineer__user", "skill"]
    raw_id_fields = ["engineer", "skill", "assessor"]
    readonly_fields = [f.name for f in SkillAssessment._meta.fields]

    def has_add_permission(self, request):
        return False
