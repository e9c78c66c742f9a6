"""Models of the engineers domain: teams, the tenant skill library, engineer profiles (one per
agent user) with their skills, certifications and skill assessments.

Every write goes through ``engineers.services``; every read through ``engineers.selectors``.
Performance figures on the profile are computed from ticket history by a scheduled job
(``engineers.tasks.recompute_performance``) and are never written through the API.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engineers.choices import (
    SKILL_LEVEL_NAMES,
    AssessmentType,
    Availability,
    ContractType,
    EmploymentStatus,
    EngineerLevel,
    OnlineStatus,
    PreferredContact,
)
from engineers.schedule import DEFAULT_WORK_SCHEDULE
from tenants.models import TenantOwnedModel, TenantQuerySet

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def default_work_schedule() -> dict:
    return {**DEFAULT_WORK_SCHEDULE, "work_days": list(DEFAULT_WORK_SCHEDULE["work_days"]), "day_hours": {}}


class EngineerTeam(TenantOwnedModel):
    """A group of engineers with a leader (v1 ``team``: id, name, leader, member_count). Teams
    are a dispatch notion (who covers what); the HR department stays on the user."""

    code = models.SlugField(_("code"), max_length=64, allow_unicode=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=500, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("leader"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("engineer team")
        verbose_name_plural = _("engineer teams")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="engineer_team_code_unique")]

    def __str__(self) -> str:
        return self.name


class Skill(TenantOwnedModel):
    """A skill of a tenant's library (``linux``, ``network``, ``打印机``…). ``levels`` describes
    what each level 1–5 means; ``keywords`` (Chinese and English) let dispatch infer the skills a
    ticket needs from its text; ``certifications`` lists the certificate codes that prove it."""

    code = models.SlugField(_("code"), max_length=64, allow_unicode=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    category = models.CharField(_("category"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    levels = models.JSONField(
        _("level definitions"),
        default=list,
        blank=True,
        help_text=_('A list of {"level": 1-5, "name": …, "description": …}.'),
    )
    related_skills = models.ManyToManyField("self", blank=True, verbose_name=_("related skills"))
    certifications = models.JSONField(
        _("certifications"), default=list, blank=True, help_text=_("Certificate codes, e.g. RHCE, CCNA.")
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_("Words in ticket text that show this skill is needed (Chinese and English)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "code", "id"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="engineer_skill_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def level_name(self, level: int) -> str:
        for row in self.levels or ():
            if isinstance(row, dict) and row.get("level") == level and row.get("name"):
                return str(row["name"])
        return str(SKILL_LEVEL_NAMES.get(level, level))


class EngineerProfileQuerySet(TenantQuerySet):
    def online(self):
        return self.filter(online_status=OnlineStatus.ONLINE)


class AliveEngineerManager(models.Manager.from_queryset(EngineerProfileQuerySet)):
    """Soft-deleted profiles are gone for every reader but the Django admin (``all_objects``)."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class EngineerProfile(TenantOwnedModel):
    """The engineer side of one agent user: where they work, what they can do, how much they can
    take, when they are on duty and how they are doing. The v1 engineer ``id`` is this row's id;
    a ticket dispatched to the engineer is assigned to ``user``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engineer_profile", verbose_name=_("user")
    )
    employee_no = models.CharField(_("employee number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=128, blank=True)
    level = models.CharField(
        _("level"), max_length=16, choices=EngineerLevel.choices, default=EngineerLevel.INTERMEDIATE
    )
    team = models.ForeignKey(
        EngineerTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("team")
    )
    # Location: coordinates for distance, city/district as the fallback when they are missing.
    city = models.CharField(_("city"), max_length=64, blank=True)
    district = models.CharField(_("district"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    service_areas = models.JSONField(
        _("service areas"),
        default=list,
        blank=True,
        help_text=_('Cities or "city/district" codes the engineer serves, e.g. ["北京市", "上海市/浦东新区"].'),
    )
    # Contact.
    work_phone = models.CharField(_("work phone"), max_length=32, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=64, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=16, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    # Employment.
    join_date = models.DateField(_("join date"), null=True, blank=True)
    contract_type = models.CharField(
        _("contract type"), max_length=16, choices=ContractType.choices, default=ContractType.FULL_TIME
    )
    employment_status = models.CharField(
        _("employment status"), max_length=16, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    probation_end = models.DateField(_("probation ends"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    # Capacity and schedule.
    max_workload = models.PositiveSmallIntegerField(
        _("maximum workload"), default=8, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Open tickets the engineer can hold at once."),
    )  # fmt: skip
    work_schedule = models.JSONField(_("work schedule"), default=default_work_schedule, blank=True)
    # Live status.
    online_status = models.CharField(
        _("online status"), max_length=16, choices=OnlineStatus.choices, default=OnlineStatus.OFFLINE
    )
    availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    status_message = models.CharField(_("status message"), max_length=200, blank=True)
    status_updated_at = models.DateTimeField(_("status updated at"), null=True, blank=True)
    last_active_at = models.DateTimeField(_("last active"), null=True, blank=True)
    # Performance, written only by ``engineers.services.performance_recompute`` (scheduled job).
    total_tickets = models.PositiveIntegerField(_("tickets handled"), default=0, editable=False)
    resolved_count = models.PositiveIntegerField(_("tickets resolved"), default=0, editable=False)
    avg_resolution_minutes = models.FloatField(_("average resolution (minutes)"), null=True, editable=False)
    sla_compliance_rate = models.FloatField(_("SLA compliance (%)"), null=True, editable=False)
    avg_rating = models.FloatField(_("average rating"), null=True, editable=False)
    rated_count = models.PositiveIntegerField(_("ratings"), default=0, editable=False)
    rejection_rate = models.FloatField(_("rejection rate (%)"), null=True, editable=False)
    performance_score = models.FloatField(_("performance score"), null=True, editable=False)
    performance_computed_at = models.DateTimeField(_("performance computed at"), null=True, editable=False)
    # Soft delete.
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    skills = models.ManyToManyField(Skill, through="EngineerSkill", related_name="engineers", blank=True)

    objects = AliveEngineerManager()
    all_objects = EngineerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["employee_no", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("engineer profile")
        verbose_name_plural = _("engineer profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "employee_no"],
                condition=~Q(employee_no="") & Q(is_deleted=False),
                name="engineer_employee_no_unique",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="engineer_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="engineer_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(max_workload__gte=1, max_workload__lte=200), name="engineer_max_workload_range"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "is_deleted", "online_status"], name="engineer_t_online"),
            models.Index(fields=["tenant", "city", "district"], name="engineer_t_city"),
            models.Index(fields=["tenant", "team"], name="engineer_t_team"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_no or self.pk})"

    @property
    def display_name(self) -> str:
        user = self.user
        return user.real_name or f"{user.last_name}{user.first_name}" or user.username

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if not self.has_coordinates:
            return None
        return float(self.latitude), float(self.longitude)

    @property
    def time_zone(self) -> str:
        return (self.work_schedule or {}).get("timezone") or "Asia/Shanghai"


class EngineerSkill(TenantOwnedModel):
    """An engineer's level (1–5) in one skill of the library, with experience and proof."""

    engineer = models.ForeignKey(
        EngineerProfile, on_delete=models.CASCADE, related_name="skill_rows", verbose_name=_("engineer")
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="engineer_rows", verbose_name=_("skill"))
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    proficiency_score = models.DecimalField(
        _("proficiency score"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    experience_years = models.DecimalField(
        _("years of experience"), max_digits=4, decimal_places=1, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(60))],
    )  # fmt: skip
    certification = models.CharField(_("certification"), max_length=128, blank=True)
    certified = models.BooleanField(_("verified"), default=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_assessed_at = models.DateTimeField(_("last assessed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["engineer_id", "-level", "skill_id"]
        verbose_name = _("engineer skill")
        verbose_name_plural = _("engineer skills")
        constraints = [
            models.UniqueConstraint(fields=["engineer", "skill"], name="engineer_skill_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="engineer_skill_level_1_5"),
            models.CheckConstraint(
                condition=Q(proficiency_score__isnull=True) | Q(proficiency_score__gte=0, proficiency_score__lte=100),
                name="engineer_skill_proficiency_0_100",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "skill", "level"], name="engineer_skill_t_skill")]

    def __str__(self) -> str:
        return f"{self.engineer_id}: {self.skill_id} L{self.level}"


class EngineerCertification(TenantOwnedModel):
    """A certificate an engineer holds (RHCE, CCNA…), optionally tied to a library skill."""

    engineer = models.ForeignKey(
        EngineerProfile, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("engineer")
    )
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("skill")
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    issuer = models.CharField(_("issuer"), max_length=128, blank=True)
    issued_date = models.DateField(_("issued on"), null=True, blank=True)
    expiry_date = models.DateField(_("expires on"), null=True, blank=True)
    verification_url = models.URLField(_("verification URL"), max_length=500, blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["engineer_id", "-issued_date", "id"]
        verbose_name = _("engineer certification")
        verbose_name_plural = _("engineer certifications")
        constraints = [
            models.UniqueConstraint(fields=["engineer", "code"], name="engineer_certification_unique"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(issued_date__isnull=True)
                | Q(expiry_date__gte=models.F("issued_date")),
                name="engineer_certification_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.engineer_id})"

    def status_on(self, day) -> str:
        return "expired" if self.expiry_date is not None and self.expiry_date < day else "active"


class SkillAssessment(TenantOwnedModel):
    """One assessment of an engineer's skill (``POST engineers/{id}/skills/assessment``): the
    input as given, the score it produced and the level it set."""

    engineer = models.ForeignKey(
        EngineerProfile, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("engineer")
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill"))
    assessment_type = models.CharField(_("assessment type"), max_length=16, choices=AssessmentType.choices)
    questions = models.JSONField(_("answers"), default=list, blank=True)
    practical_score = models.DecimalField(_("practical score"), max_digits=5, decimal_places=1, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    previous_level = models.PositiveSmallIntegerField(_("previous level"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("resulting level"), validators=LEVEL_VALIDATORS)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("assessor")
    )
    assessor_comment = models.CharField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("skill assessment")
        verbose_name_plural = _("skill assessments")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="skill_assessment_level_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.engineer_id}/{self.skill_id}: {self.score}"


class RosterStamp(models.Model):
    """A token that changes whenever something dispatch reads of a tenant's roster changes: an
    engineer profile, an engineer's skill, the skill library, or an engineer's user (name,
    status). Readers that build something costly from the roster (dispatch's candidate pool)
    keep it under the token and rebuild when it moves. It lives in the database, so it is right in
    every process and run mode, and moves with the writer's transaction (a rollback restores the
    old token along with the old data). Written only by ``engineers.roster``."""

    tenant = models.OneToOneField(
        "tenants.Tenant", primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    token = models.UUIDField(_("token"))

    class Meta:
        verbose_name = _("roster stamp")
        verbose_name_plural = _("roster stamps")

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.token}"
