"""Models of the tickets domain: tickets, their history, comments and attachments, categories
and the per-tenant-per-day ticket number counter. Every write goes through ``tickets.services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from portal.tenancy import TenantOwnedModel, TenantQuerySet
from portal.uploads import stored_name
from tickets.choices import (
    OPEN_STATUSES,
    AttachmentKind,
    TicketPriority,
    TicketSource,
    TicketStatus,
    TicketType,
)


class Category(MPTTModel, TenantOwnedModel):
    """A node of a tenant's ticket category tree. ``sla_hours`` drives ``sla_due_date`` (see
    ``tickets.sla``) and ``auto_assign_user`` receives new tickets filed under it. Written only
    through ``tickets.services.category_*`` which serialise tree writes per tenant."""

    code = models.SlugField(_("code"), max_length=64, allow_unicode=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=500, blank=True)
    color = models.CharField(_("color"), max_length=16, blank=True, default="#3b82f6")
    icon = models.CharField(_("icon"), max_length=64, blank=True)
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    sla_hours = models.PositiveIntegerField(_("SLA hours"), null=True, blank=True)
    auto_assign_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auto-assign to"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class MPTTMeta:
        order_insertion_by = ["sort_order", "name"]

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="ticket_category_code_unique")]

    def __str__(self) -> str:
        return self.name


#: A filtered ticket list counts its matches exactly up to this many; beyond, ``total`` says
#: this number (docs/performance.md). Unfiltered and status-only lists are always exact.
COUNT_CAP = 10_000
#: From this offset on a page is read as ids first (off the sort index), then the rows.
DEFERRED_PAGE_FROM = 200


class TicketQuerySet(TenantQuerySet):
    """Ticket querysets; lists paginate through ``page_total()`` / ``page_window()``."""

    _count_plan = None

    def _clone(self):
        clone = super()._clone()
        clone._count_plan = self._count_plan
        return clone

    def with_count_plan(self, plan):
        """Attach how this list's exact total is computed cheaply (a callable returning an
        int, e.g. from the roll-up counters). Set it last: a later filter would not be in it."""
        clone = self._chain()
        clone._count_plan = plan
        return clone

    def page_total(self) -> int:
        """The list's ``total``: the attached plan, or a count capped at ``COUNT_CAP``."""
        if self._count_plan is not None:
            return self._count_plan()
        return min(self.order_by().values("pk")[: COUNT_CAP + 1].count(), COUNT_CAP)

    def page_window(self, start: int, size: int) -> list:
        """Rows ``start`` to ``start + size``. Deep pages first read the ids alone, which the
        sort's index answers without visiting the rows it skips, then load those rows."""
        if start < DEFERRED_PAGE_FROM:
            return list(self[start : start + size])
        ids = list(self.values_list("pk", flat=True)[start : start + size])
        rows = {row.pk: row for row in self.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(due_date__lt=now, status__in=OPEN_STATUSES)


def sla_breached_q(now=None) -> Q:
    now = now or timezone.now()
    open_late = Q(sla_due_date__lt=now, status__in=OPEN_STATUSES)
    finished_late = Q(sla_due_date__isnull=False, resolved_at__gt=models.F("sla_due_date"))
    return Q(sla_breached=True) | open_late | finished_late


class AliveTicketManager(models.Manager.from_queryset(TicketQuerySet)):
    """Soft-deleted tickets are gone for every reader but the Django admin (``all_objects``)."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class Ticket(TenantOwnedModel):
    """A support ticket of one tenant. ``number`` (``T`` + local date + daily sequence) is what
    the desk calls ``ticket_number`` and v1 ``ticket_id``. Status moves only through
    ``tickets.services.ticket_transition`` (one transition table)."""

    number = models.CharField(_("ticket number"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.CharField(
        _("priority"), max_length=16, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    # Integer rank of priority so that sorting by priority is sorting by urgency, on an index.
    priority_rank = models.PositiveSmallIntegerField(_("priority rank"), default=1, editable=False)
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices, default=TicketType.INCIDENT)
    source = models.CharField(_("source"), max_length=16, choices=TicketSource.choices, default=TicketSource.WEB)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_created", verbose_name=_("requester")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets_assigned",
        verbose_name=_("assignee"),
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets", verbose_name=_("category")
    )
    # The customer: an external reference (v1 ``customer_id``), the organisation name and the
    # contact person (desk ``customer_*`` = v1 ``contact_*``).
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    customer_company = models.CharField(_("customer organisation"), max_length=128, blank=True)
    customer_name = models.CharField(_("contact name"), max_length=128, blank=True)
    customer_email = models.EmailField(_("contact email"), blank=True)
    customer_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    due_date = models.DateTimeField(_("due date"), null=True, blank=True)
    # Stored SLA results (``tickets.sla.refresh``; the check task keeps them current).
    sla_due_date = models.DateTimeField(_("SLA due date"), null=True, blank=True)
    sla_response_due_at = models.DateTimeField(_("response due at"), null=True, blank=True)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    sla_next_check_at = models.DateTimeField(_("next SLA check at"), null=True, blank=True, editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    response_time = models.PositiveIntegerField(_("response time (minutes)"), null=True, blank=True)
    resolution_time = models.PositiveIntegerField(_("resolution time (minutes)"), null=True, blank=True)
    resolution_notes = models.TextField(_("solution"), blank=True)
    resolution_type = models.CharField(_("resolution type"), max_length=32, blank=True)
    time_spent = models.PositiveIntegerField(_("time spent (minutes)"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    is_escalated = models.BooleanField(_("escalated"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AliveTicketManager()
    all_objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_objects"
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="ticket_number_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="ticket_rating_1_5"
            ),
        ]
        # One index per documented filter and sort, led by tenant (every query is tenant-scoped);
        # sort indexes end with the ``id`` tie-breaker so that a page is read straight off the index.
        indexes = [
            models.Index(fields=["tenant", "is_deleted", "-created_at", "-id"], name="ticket_t_created"),
            models.Index(fields=["tenant", "is_deleted", "-updated_at", "-id"], name="ticket_t_updated"),
            models.Index(fields=["tenant", "is_deleted", "due_date", "id"], name="ticket_t_due"),
            models.Index(fields=["tenant", "is_deleted", "sla_due_date", "id"], name="ticket_t_sla_due"),
            models.Index(fields=["tenant", "is_deleted", "priority_rank", "id"], name="ticket_t_prio_rank"),
            models.Index(fields=["tenant", "is_deleted", "status", "id"], name="ticket_t_status_sort"),
            models.Index(fields=["tenant", "is_deleted", "number", "id"], name="ticket_t_number_sort"),
            models.Index(fields=["tenant", "is_deleted", "id"], name="ticket_t_id_sort"),
            models.Index(fields=["tenant", "status", "-created_at"], name="ticket_t_status"),
            models.Index(fields=["tenant", "priority", "-created_at"], name="ticket_t_priority"),
            models.Index(fields=["tenant", "type", "-created_at"], name="ticket_t_type"),
            models.Index(fields=["tenant", "assigned_to", "status"], name="ticket_t_assignee"),
            models.Index(fields=["tenant", "created_by", "-created_at"], name="ticket_t_requester"),
            models.Index(fields=["tenant", "category", "status"], name="ticket_t_category"),
            models.Index(fields=["tenant", "customer_id"], name="ticket_t_customer"),
            models.Index(fields=["tenant", "resolved_at"], name="ticket_t_resolved"),
            models.Index(fields=["sla_next_check_at"], name="ticket_sla_next_check"),
            # The search's exact-title rank (``title__iexact``): the trigram index answers it
            # only by re-reading every title that contains the word.
            models.Index(F("tenant"), Upper("title"), name="ticket_t_title_upper"),
            # The figures' "overdue now" is a roll-up count minus the open tickets whose deadline
            # is still ahead: a short range on these partial indexes.
            models.Index(
                fields=["tenant", "due_date"],
                condition=Q(status__in=sorted(OPEN_STATUSES), is_deleted=False),
                name="ticket_open_due",
            ),
            models.Index(
                fields=["tenant", "sla_due_date"],
                condition=Q(status__in=sorted(OPEN_STATUSES), is_deleted=False),
                name="ticket_open_sla_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        from tickets.choices import PRIORITY_RANK

        self.priority_rank = PRIORITY_RANK.get(self.priority, 1)
        if kwargs.get("update_fields") is not None and "priority" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "priority_rank"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketNumberSequence(TenantOwnedModel):
    """The last ticket number handed out for one tenant on one (local) day. Incremented with an
    atomic upsert inside the creating transaction, so two creations never get the same number."""

    day = models.DateField(_("day"))
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        ordering = ["tenant_id", "day"]
        verbose_name = _("ticket number sequence")
        verbose_name_plural = _("ticket number sequences")
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="ticket_sequence_unique_day")]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.day}: {self.last_value}"


class TicketHistory(TenantOwnedModel):
    """One changed field of a ticket: who, when, old → new. Rows written by one service call
    share ``batch`` (the desk history groups them into one entry with ``field_changes``)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="history", verbose_name=_("ticket"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    field = models.CharField(_("field"), max_length=64, blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    batch = models.UUIDField(_("batch"), default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket history entry")
        verbose_name_plural = _("ticket history")
        indexes = [models.Index(fields=["ticket", "-created_at"], name="ticket_history_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.field}"


class TicketComment(TenantOwnedModel):
    """A reply on a ticket. Internal comments are staff notes a requester never sees."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments", verbose_name=_("ticket"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("content"))
    is_internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_comment_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.content[:40]}"


def attachment_path(instance, filename: str) -> str:
    return stored_name("tickets", instance.tenant_id, instance.extension)


class AliveAttachmentManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class TicketAttachment(TenantOwnedModel):
    """An uploaded file (stored under a generated name in MEDIA_ROOT, served only through the
    authenticated download views) or an external link given at ticket creation."""

    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    comment = models.ForeignKey(
        TicketComment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, blank=True)
    external_url = models.URLField(_("external URL"), max_length=1000, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("extension"), max_length=16, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    mime_type = models.CharField(_("MIME type"), max_length=128, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.ATTACHMENT)
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = AliveAttachmentManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["created_at", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self) -> str:
        return self.original_name


class TicketStateCount(TenantOwnedModel):
    """How many alive tickets of a tenant are in one combination of the dimensions the desk
    figures and the list counts need. Maintained by ``tickets.rollups`` in the same transaction
    as every ticket change; ``manage.py rebuild_ticket_rollups`` recomputes it from the tickets.

    ``category_ref`` / ``assignee_ref`` are ids with 0 for none (plain integers: a unique key
    over nullable columns would let two rows hold the same combination). ``sla_fixed`` is the
    part of "SLA breached" that does not move with the clock (the stored flag, or resolved
    after the deadline); ``due_set`` / ``sla_due_set`` say whether a deadline exists, so that
    "overdue now" is this count minus the few open tickets whose deadline is still ahead."""

    status = models.CharField(_("status"), max_length=16)
    priority = models.CharField(_("priority"), max_length=16)
    category_ref = models.BigIntegerField(_("category id"), default=0)
    assignee_ref = models.BigIntegerField(_("assignee id"), default=0)
    is_escalated = models.BooleanField(_("escalated"), default=False)
    sla_fixed = models.BooleanField(_("SLA breached (fixed part)"), default=False)
    due_set = models.BooleanField(_("has a due date"), default=False)
    sla_due_set = models.BooleanField(_("has an SLA due date"), default=False)
    n = models.BigIntegerField(_("tickets"), default=0)

    class Meta:
        ordering = ["tenant_id", "status", "priority", "category_ref", "assignee_ref"]
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "tenant",
                    "status",
                    "priority",
                    "category_ref",
                    "assignee_ref",
                    "is_escalated",
                    "sla_fixed",
                    "due_set",
                    "sla_due_set",
                ],
                name="ticket_state_count_key",
            )
        ]


class RollupKind(models.IntegerChoices):
    CREATED = 1, _("created, by status and priority")
    CATEGORY = 2, _("created, by category")
    ASSIGNEE = 3, _("created, by assignee")
    RESOLVED = 4, _("resolved")


class TicketDailyCount(TenantOwnedModel):
    """Per tenant and local day: tickets created that day by status × priority (with the sums
    behind the average response/resolution time and rating), by category, by assignee, and
    tickets resolved that day. The v1 statistics and the workbench read these, not the tickets.
    Maintained with ``TicketStateCount`` (same transaction, same rebuild command). Days are
    local dates in ``settings.TIME_ZONE``: rebuild after changing it."""

    day = models.DateField(_("day"))
    kind = models.PositiveSmallIntegerField(_("kind"), choices=RollupKind.choices)
    status = models.CharField(_("status"), max_length=16, blank=True)
    priority = models.CharField(_("priority"), max_length=16, blank=True)
    ref = models.BigIntegerField(_("category or assignee id"), default=0)
    n = models.BigIntegerField(_("tickets"), default=0)
    response_sum = models.BigIntegerField(default=0)
    response_n = models.BigIntegerField(default=0)
    resolution_sum = models.BigIntegerField(default=0)
    resolution_n = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    rating_n = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["tenant_id", "day", "kind"]
        verbose_name = _("daily ticket count")
        verbose_name_plural = _("daily ticket counts")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "day", "kind", "status", "priority", "ref"], name="ticket_daily_count_key"
            )
        ]
