"""Models of the dispatch domain: strategies (weights), rules (conditions → actions) and the
record of every dispatch. Writes go through ``dispatch.services``; reads through
``dispatch.selectors``; the scoring itself is ``dispatch.engine`` (no ORM)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispatch.choices import DispatchStatus, DispatchType, RuleType
from tenants.models import TenantOwnedModel, TenantQuerySet

WEIGHT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class DispatchStrategy(TenantOwnedModel):
    """A named set of weights for the four scores (v1 ``weight_config``), plus optional
    constraints (``min_skill_match``: minimum skill score; ``max_workload``: a cap on open
    tickets stricter than the profiles'). Exactly one strategy per tenant is the default;
    ``best_match`` and ``load_balance`` exist in every tenant."""

    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=500, blank=True)
    skill_weight = models.PositiveSmallIntegerField(_("skill weight"), default=40, validators=WEIGHT_VALIDATORS)
    workload_weight = models.PositiveSmallIntegerField(_("workload weight"), default=25, validators=WEIGHT_VALIDATORS)
    location_weight = models.PositiveSmallIntegerField(_("location weight"), default=20, validators=WEIGHT_VALIDATORS)
    performance_weight = models.PositiveSmallIntegerField(
        _("performance weight"), default=15, validators=WEIGHT_VALIDATORS
    )
    constraints = models.JSONField(_("constraints"), default=dict, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_builtin = models.BooleanField(_("built in"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "code", "id"]
        verbose_name = _("dispatch strategy")
        verbose_name_plural = _("dispatch strategies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="dispatch_strategy_code_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="dispatch_strategy_one_default"
            ),
            models.CheckConstraint(
                condition=Q(skill_weight__gt=0)
                | Q(workload_weight__gt=0)
                | Q(location_weight__gt=0)
                | Q(performance_weight__gt=0),
                name="dispatch_strategy_some_weight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def weights(self) -> dict:
        return {
            "skill_weight": self.skill_weight,
            "workload_weight": self.workload_weight,
            "location_weight": self.location_weight,
            "performance_weight": self.performance_weight,
        }


class AliveRuleManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class DispatchRule(TenantOwnedModel):
    """When a ticket matches ``conditions`` (priority, category, customer level, time), apply
    ``actions`` (boost, required skill level, response limit, notify, escalate). Rules are
    applied in ``priority`` order, highest first. Deleting a rule hides it (soft delete)."""

    name = models.CharField(_("name"), max_length=128)
    rule_type = models.CharField(_("rule type"), max_length=16, choices=RuleType.choices, default=RuleType.PRIORITY)
    description = models.CharField(_("description"), max_length=500, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    priority = models.IntegerField(_("priority"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AliveRuleManager()
    all_objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        indexes = [models.Index(fields=["tenant", "is_deleted", "is_active"], name="dispatch_rule_t_active")]

    def __str__(self) -> str:
        return self.name


class DispatchRecord(TenantOwnedModel):
    """One dispatch of one ticket to one engineer: how (intelligent/manual/batch/auto), with
    which strategy, weights and scores, who did it, why, with which warnings, and what became
    of it (active, or revoked with a reason). Statistics and effectiveness are computed from
    these rows joined to the tickets' outcomes."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="dispatch_records", verbose_name=_("ticket")
    )
    engineer = models.ForeignKey(
        "engineers.EngineerProfile",
        on_delete=models.PROTECT,
        related_name="dispatch_records",
        verbose_name=_("engineer"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assignee")
    )
    dispatch_type = models.CharField(_("dispatch type"), max_length=16, choices=DispatchType.choices)
    strategy = models.ForeignKey(
        DispatchStrategy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("strategy")
    )
    strategy_code = models.CharField(_("strategy code"), max_length=64, blank=True)
    weights = models.JSONField(_("weights used"), default=dict, blank=True)
    total_score = models.FloatField(_("total score"), null=True, blank=True)
    skill_score = models.FloatField(_("skill score"), null=True, blank=True)
    workload_score = models.FloatField(_("workload score"), null=True, blank=True)
    location_score = models.FloatField(_("location score"), null=True, blank=True)
    performance_score = models.FloatField(_("performance score"), null=True, blank=True)
    skills_matched = models.BooleanField(_("had every required skill"), default=True)
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    rules_fired = models.JSONField(_("rules fired"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    overridden = models.JSONField(_("constraints overridden"), default=list, blank=True)
    alternatives = models.JSONField(_("alternatives"), default=list, blank=True)
    confidence = models.CharField(_("confidence"), max_length=8, blank=True)
    batch_id = models.UUIDField(_("batch"), null=True, blank=True)
    estimated_response_at = models.DateTimeField(_("estimated response"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalate if not accepted by"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dispatched by"),
    )
    status = models.CharField(_("status"), max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.ACTIVE)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("revoke reason"), max_length=500, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("replaced by")
    )
    created_at = models.DateTimeField(_("dispatched at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispatch record")
        verbose_name_plural = _("dispatch records")
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="dispatch_rec_t_created"),
            models.Index(fields=["tenant", "engineer", "created_at"], name="dispatch_rec_t_engineer"),
            models.Index(fields=["ticket", "status"], name="dispatch_rec_ticket"),
            models.Index(
                fields=["escalate_at"], condition=Q(escalate_at__isnull=False, escalated_at__isnull=True),
                name="dispatch_rec_escalate_due",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"#{self.pk} {self.ticket_id} → {self.engineer_id} ({self.dispatch_type})"
