"""Every write of the dispatch domain, plus the loading that feeds the engine.

A dispatch is: load the tenant's candidate engineers into an ``engine.Pool`` (a handful of
queries, no per-engineer query), describe the ticket as ``engine.TicketFacts`` (required skills
from its category, its text and the request), apply the rules, score, pick — and then assign
THROUGH ``tickets.services.ticket_assign`` (history row, notification, SLA refresh, live
update) and write a ``DispatchRecord``, all in one transaction. A refusal raises
``DomainError`` before anything is written.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import numpy as np
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import engine as E
from dispatch import optimizer
from dispatch.choices import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, DispatchStatus, DispatchType
from dispatch.models import DispatchRecord, DispatchRule, DispatchStrategy
from engineers import selectors as engineer_selectors
from engineers.choices import EmploymentStatus
from engineers.models import EngineerProfile, EngineerSkill, Skill
from engineers.roster import roster_token
from portal.config import config_snapshot, get_config
from portal.errors import DomainError, ErrorCode
from portal.notifications.models import Notification, NotificationType
from portal.notifications.services import deliver_notification_now
from tickets import services as ticket_services
from tickets.choices import OPEN_STATUSES, TicketStatus
from tickets.models import Ticket
from tickets.policy import require_code

MAX_BATCH = 500
WEIGHT_KEYS = ("skill_weight", "workload_weight", "location_weight", "performance_weight")
WORKING = (EmploymentStatus.ACTIVE, EmploymentStatus.PROBATION)


# --- strategies --------------------------------------------------------------------------------------


def ensure_builtin_strategies(tenant) -> None:
    """``best_match`` and ``load_balance`` with the documented weights; ``best_match`` is the
    default unless the tenant already has one. Idempotent (tenant provisioning, migrations)."""
    for code, (name, description, weights) in BUILTIN_STRATEGIES.items():
        DispatchStrategy.objects.get_or_create(
            tenant=tenant,
            code=code,
            defaults={"name": name, "description": description, "is_builtin": True, **weights},
        )
    if not DispatchStrategy.objects.filter(tenant=tenant, is_default=True).exists():
        DispatchStrategy.objects.filter(tenant=tenant, code=DEFAULT_STRATEGY).update(is_default=True)


def strategy_for(tenant, code: str | None) -> DispatchStrategy:
    """The tenant's strategy ``code`` (active), or its default one."""
    queryset = DispatchStrategy.objects.for_tenant(tenant).filter(is_active=True)
    if code:
        found = queryset.filter(code=code).first()
        if found is None:
            raise DomainError(ErrorCode.DISPATCH_STRATEGY_NOT_FOUND, field="strategy", details={"strategy": code})
        return found
    found = queryset.filter(is_default=True).first() or queryset.first()
    if found is None:
        ensure_builtin_strategies(tenant)
        return DispatchStrategy.objects.get(tenant=tenant, is_default=True)
    return found


def _validate_weights(data: dict, *, partial: dict | None = None) -> dict:
    weights = dict(partial or {})
    errors = []
    for key in WEIGHT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
                errors.append(key)
            else:
                weights[key] = round(value)
    if errors:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Weights are numbers from 0 to 100."),
            field=f"weight_config.{errors[0]}",
        )
    if set(WEIGHT_KEYS) - set(weights):
        missing = sorted(set(WEIGHT_KEYS) - set(weights))[0]
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("All four weights are required."), field=f"weight_config.{missing}"
        )
    if sum(weights.values()) <= 0:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("At least one weight must be above 0."), field="weight_config")
    return weights


def _validate_strategy_constraints(value) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or set(value) - {"min_skill_match", "max_workload"}:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Strategy constraints may set min_skill_match (0-100) and max_workload (1-200)."),
            field="constraints",
        )
    out = {}
    if value.get("min_skill_match") is not None:
        v = value["min_skill_match"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, _("Use a number from 0 to 100."), field="constraints.min_skill_match"
            )
        out["min_skill_match"] = v
    if value.get("max_workload") is not None:
        v = value["max_workload"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 200:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, _("Use a whole number from 1 to 200."), field="constraints.max_workload"
            )
        out["max_workload"] = v
    return out


def _make_default(strategy: DispatchStrategy) -> None:
    DispatchStrategy.objects.filter(tenant_id=strategy.tenant_id, is_default=True).exclude(pk=strategy.pk).update(
        is_default=False
    )


@transaction.atomic
def strategy_create(*, tenant, by, data: dict) -> DispatchStrategy:
    require_code(by, "dispatch:config")
    code = data["strategy_code"]
    if DispatchStrategy.objects.filter(tenant=tenant, code=code).exists():
        raise DomainError(ErrorCode.DISPATCH_STRATEGY_CODE_TAKEN, field="strategy_code")
    weights = _validate_weights(data.get("weight_config") or {})
    strategy = DispatchStrategy(
        tenant=tenant,
        code=code,
        name=data["strategy_name"],
        description=data.get("description", ""),
        constraints=_validate_strategy_constraints(data.get("constraints")),
        is_active=data.get("is_active", True),
        **weights,
    )
    if data.get("is_default"):
        if not strategy.is_active:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, _("The default strategy must be active."), field="is_default"
            )
        DispatchStrategy.objects.filter(tenant=tenant, is_default=True).update(is_default=False)
        strategy.is_default = True
    strategy.save()
    return strategy


@transaction.atomic
def strategy_update(*, strategy: DispatchStrategy, by, data: dict) -> DispatchStrategy:
    require_code(by, "dispatch:config")
    strategy = DispatchStrategy.objects.select_for_update().get(pk=strategy.pk)
    if "weight_config" in data:
        for key, value in _validate_weights(data["weight_config"] or {}, partial=strategy.weights).items():
            setattr(strategy, key, value)
    if "strategy_name" in data:
        strategy.name = data["strategy_name"]
    if "description" in data:
        strategy.description = data["description"]
    if "constraints" in data:
        strategy.constraints = _validate_strategy_constraints(data["constraints"])
    if "is_active" in data:
        strategy.is_active = bool(data["is_active"])
    if "is_default" in data:
        if data["is_default"]:
            _make_default(strategy)
            strategy.is_default = True
        elif strategy.is_default:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("Exactly one strategy is the default: make another one the default instead."),
                field="is_default",
            )
    if strategy.is_default and not strategy.is_active:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The default strategy must be active."), field="is_active")
    strategy.save()
    return strategy


# --- rules -------------------------------------------------------------------------------------------

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _rule_error(field: str, message) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_FAILED, message, field=field)


def validate_rule(conditions, actions) -> tuple[dict, dict]:
    """The rule's conditions and actions, checked key by key (unknown keys are refused)."""
    if not isinstance(conditions, dict):
        raise _rule_error("conditions", _("Conditions must be an object."))
    if not isinstance(actions, dict):
        raise _rule_error("actions", _("Actions must be an object."))
    unknown = sorted(set(conditions) - E.RULE_CONDITION_KEYS)
    if unknown:
        raise _rule_error(
            f"conditions.{unknown[0]}",
            _("Unknown condition; use %(keys)s.") % {"keys": ", ".join(sorted(E.RULE_CONDITION_KEYS))},
        )
    unknown = sorted(set(actions) - E.RULE_ACTION_KEYS)
    if unknown:
        raise _rule_error(
            f"actions.{unknown[0]}",
            _("Unknown action; use %(keys)s.") % {"keys": ", ".join(sorted(E.RULE_ACTION_KEYS))},
        )
    from tickets.choices import TicketPriority

    priorities = set(TicketPriority.values) | set(E.PRIORITY_ALIASES)
    for key in ("ticket_priority", "ticket_category", "customer_level", "weekdays"):
        if key in conditions:
            values = E._as_list(conditions[key])
            if not values or not all(isinstance(v, str) and v for v in values):
                raise _rule_error(f"conditions.{key}", _("Give a word or a list of words."))
            if key == "ticket_priority" and set(values) - priorities:
                raise _rule_error(f"conditions.{key}", _("Unknown priority."))
            if key == "weekdays" and {v.lower() for v in values} - set(E.WEEKDAY_NAMES):
                raise _rule_error(f"conditions.{key}", _("Weekdays are monday … sunday."))
    if "time_range" in conditions:
        span = conditions["time_range"]
        if (
            not isinstance(span, dict)
            or not all(isinstance(span.get(k), str) and _HHMM.match(span[k]) for k in ("start", "end"))
            or span["start"] == span["end"]
        ):
            raise _rule_error("conditions.time_range", _('Give {"start": "HH:MM", "end": "HH:MM"}.'))
    for key, low, high in (("response_time_limit", 1, 100000),):
        if key in conditions and (
            isinstance(conditions[key], bool)
            or not isinstance(conditions[key], int)
            or not low <= conditions[key] <= high
        ):
            raise _rule_error(f"conditions.{key}", _("Give a whole number of minutes."))
    numbers = {"boost_score": (-100, 100), "require_skill_level": (1, 5), "max_response_time": (1, 100000),
               "escalate_if_no_response": (1, 100000)}  # fmt: skip
    for key, (low, high) in numbers.items():
        if key in actions:
            value = actions[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise _rule_error(
                    f"actions.{key}", _("Use a number from %(low)s to %(high)s.") % {"low": low, "high": high}
                )
            if key != "boost_score" and value != int(value):
                raise _rule_error(f"actions.{key}", _("Use a whole number."))
    if "notify_immediately" in actions and not isinstance(actions["notify_immediately"], bool):
        raise _rule_error("actions.notify_immediately", _("Must be true or false."))
    if "require_skills" in actions:
        values = E._as_list(actions["require_skills"])
        if not all(isinstance(v, str) and v for v in values):
            raise _rule_error("actions.require_skills", _("Give skill codes."))
    return conditions, actions


RULE_FIELDS = ("name", "rule_type", "description", "priority", "is_active")


@transaction.atomic
def rule_create(*, tenant, by, data: dict) -> DispatchRule:
    require_code(by, "dispatch:config")
    conditions, actions = validate_rule(data.get("conditions") or {}, data.get("actions") or {})
    values = {k: data[k] for k in RULE_FIELDS if k in data}
    return DispatchRule.objects.create(tenant=tenant, created_by=by, conditions=conditions, actions=actions, **values)


@transaction.atomic
def rule_update(*, rule: DispatchRule, by, data: dict) -> DispatchRule:
    require_code(by, "dispatch:config")
    rule = DispatchRule.objects.select_for_update().get(pk=rule.pk)
    conditions, actions = validate_rule(data.get("conditions", rule.conditions), data.get("actions", rule.actions))
    rule.conditions, rule.actions = conditions, actions
    for key in RULE_FIELDS:
        if key in data:
            setattr(rule, key, data[key])
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, rule: DispatchRule, by) -> None:
    """Soft delete: the rule stops applying and disappears from lists; its row stays."""
    require_code(by, "dispatch:config")
    DispatchRule.objects.filter(pk=rule.pk).update(is_deleted=True, is_active=False, deleted_at=timezone.now())


# --- loading the engine's input -------------------------------------------------------------------


def _decoded(cache: dict, text: str | None):
    """JSON columns arrive as text and are decoded once per distinct value: a thousand
    engineers share a handful of schedules and service-area lists."""
    if text not in cache:
        try:
            cache[text] = None if text is None else json.loads(text)
        except ValueError:
            cache[text] = None
    return cache[text]


def _on_duty_by_schedule(schedules: dict[str, dict | None], tenant, at: datetime) -> dict[str, bool]:
    """Duty per distinct schedule (keyed by its stored text): one calendar each."""
    days = engineer_selectors.tenant_days(tenant)
    out: dict[str, bool] = {}
    for key, schedule in schedules.items():
        try:
            out[key] = engineer_selectors.is_on_duty(SimpleNamespace(work_schedule=schedule), at, days=days)
        except ValidationError:  # a malformed stored schedule: the default office hours
            out[key] = engineer_selectors.is_on_duty(SimpleNamespace(work_schedule=None), at, days=days)
    return out


def _roster_rows(tenant, engineer_ids=None) -> tuple[list[E.EngineerRow], list, list]:
    """The roster as engine rows, without the figures that change by the minute (workload 0,
    on duty): (rows, user ids, each row's stored schedule text). Three small queries whatever the
    number of engineers; JSON columns are read as text and decoded once per distinct value."""
    queryset = EngineerProfile.objects.for_tenant(tenant).filter(employment_status__in=WORKING, user__status="active")
    if engineer_ids is not None:
        queryset = queryset.filter(pk__in=list(engineer_ids))
    profiles = list(
        queryset.order_by("id")
        .annotate(schedule_text=Cast("work_schedule", TextField()), areas_text=Cast("service_areas", TextField()))
        .values_list(
            "id", "user_id", "user__real_name", "user__username", "city", "district", "latitude", "longitude",
            "areas_text", "max_workload", "online_status", "schedule_text", "performance_score",
        )
    )  # fmt: skip
    skills: dict[int, dict[str, int]] = {p[0]: {} for p in profiles}
    rows = EngineerSkill.objects.filter(tenant=tenant, engineer__is_deleted=False)
    if engineer_ids is not None:
        rows = rows.filter(engineer_id__in=list(skills))
    rows = list(rows.values_list("engineer_id", "skill_id", "level"))
    codes = dict(Skill._base_manager.filter(pk__in={r[1] for r in rows}).values_list("id", "code"))
    for engineer_id, skill_id, level in rows:
        if engineer_id in skills:
            skills[engineer_id][codes[skill_id]] = level
    json_values: dict = {}
    engineers = [
        E.EngineerRow(
            id=pk,
            name=real_name or username,
            skills=skills[pk],
            max_workload=max_workload,
            online_status=online_status,
            city=city,
            district=district,
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
            service_areas=_decoded(json_values, areas_text) or [],
            performance=performance,
        )
        for (
            pk, user_id, real_name, username, city, district, latitude, longitude,
            areas_text, max_workload, online_status, schedule_text, performance,
        ) in profiles
    ]  # fmt: skip
    return engineers, [p[1] for p in profiles], [p[11] for p in profiles]


@dataclass(frozen=True)
class _Roster:
    """A tenant's pool without workload and duty, as cached under its roster token."""

    pool: E.Pool
    user_ids: np.ndarray
    schedule_of: np.ndarray  # row -> index into ``schedules``
    schedules: tuple[tuple[str | None, dict | None], ...]


_ROSTERS: OrderedDict[tuple, _Roster] = OrderedDict()
_ROSTERS_LOCK = threading.Lock()
#: Tenants whose roster a process keeps (least recently used goes first).
ROSTER_CACHE_SIZE = 64


def _build_roster(tenant, engineer_ids=None) -> _Roster:
    rows, user_ids, schedule_texts = _roster_rows(tenant, engineer_ids)
    keys = list(dict.fromkeys(schedule_texts))
    position = {key: k for k, key in enumerate(keys)}
    json_values: dict = {}
    pool = E.Pool(rows)
    pool.user_ids = dict(zip((r.id for r in rows), user_ids, strict=True))
    return _Roster(
        pool=pool,
        user_ids=np.array(user_ids, dtype=np.int64),
        schedule_of=np.array([position[t] for t in schedule_texts], dtype=np.int64),
        schedules=tuple((key, _decoded(json_values, key)) for key in keys),
    )


def _roster(tenant) -> _Roster:
    """The tenant's roster, from this process's cache while the roster token has not moved."""
    # created_at tells a tenant from an earlier one with the same id (rolled-back tests reuse ids)
    key = (connection.alias, tenant.pk, tenant.created_at, roster_token(tenant.pk))
    with _ROSTERS_LOCK:
        cached = _ROSTERS.get(key)
        if cached is not None:
            _ROSTERS.move_to_end(key)
            return cached
    built = _build_roster(tenant)
    with _ROSTERS_LOCK:
        for stale in [k for k in _ROSTERS if k[:3] == key[:3]]:
            del _ROSTERS[stale]
        _ROSTERS[key] = built
        while len(_ROSTERS) > ROSTER_CACHE_SIZE:
            _ROSTERS.popitem(last=False)
    return built


def load_pool(tenant, *, at: datetime | None = None, engineer_ids=None) -> E.Pool:
    """The tenant's dispatchable engineers (alive profile, working, active user) as a Pool.

    The roster part (who, skills, places, capacity, status) is cached per process under the
    tenant's roster token (``engineers.roster``), which every roster write moves; what changes
    by the minute is read on every call: open tickets per engineer (one GROUP BY) and duty at
    ``at`` (one calendar per distinct schedule). ``engineer_ids``: just those, uncached."""
    at = at or timezone.now()
    roster = _roster(tenant) if engineer_ids is None else _build_roster(tenant, engineer_ids)
    # Open tickets per assignee in one GROUP BY (the count engineers.selectors.with_workload makes)
    open_tickets = Ticket.objects.filter(tenant=tenant, status__in=list(OPEN_STATUSES), assigned_to__isnull=False)
    if engineer_ids is not None:
        open_tickets = open_tickets.filter(assigned_to_id__in=roster.user_ids.tolist())
    load = dict(open_tickets.order_by().values_list("assigned_to_id").annotate(n=Count("id")))
    workload = np.fromiter((load.get(u, 0) for u in roster.user_ids.tolist()), dtype=float, count=roster.user_ids.size)
    duty = _on_duty_by_schedule(dict(roster.schedules), tenant, at)
    by_schedule = np.array([duty[key] for key, _schedule in roster.schedules], dtype=bool)
    on_duty = by_schedule[roster.schedule_of] if roster.schedules else np.zeros(0, dtype=bool)
    return roster.pool.with_state(workload, on_duty)


def ticket_location(ticket: Ticket) -> dict:
    """Where the ticket is: ``custom_fields.location`` ({city, district, latitude, longitude})
    or the same keys at the top of ``custom_fields``."""
    custom = ticket.custom_fields if isinstance(ticket.custom_fields, dict) else {}
    source = custom.get("location") if isinstance(custom.get("location"), dict) else custom
    out = {"city": "", "district": "", "latitude": None, "longitude": None}
    for key in ("city", "district"):
        if isinstance(source.get(key), str):
            out[key] = source[key]
    for key in ("latitude", "longitude"):
        try:
            value = float(source.get(key))
        except (TypeError, ValueError):
            continue
        if np.isfinite(value):
            out[key] = value
    if out["latitude"] is not None and not -90 <= out["latitude"] <= 90:
        out["latitude"] = None
    if out["longitude"] is not None and not -180 <= out["longitude"] <= 180:
        out["longitude"] = None
    return out


def customer_level(ticket: Ticket) -> str:
    custom = ticket.custom_fields if isinstance(ticket.custom_fields, dict) else {}
    level = custom.get("customer_level")
    if isinstance(level, str) and level:
        return level
    tags = ticket.tags if isinstance(ticket.tags, list) else []
    return "vip" if any(isinstance(t, str) and t.lower() == "vip" for t in tags) else ""


class SkillMatcher:
    """The tenant's skill library loaded once, matched against many texts the way
    ``engineers.selectors.infer_skill_codes`` does (code as a word, name, keywords)."""

    def __init__(self, tenant):
        self.library = [
            (code, (name or "").lower(), [w.strip().lower() for w in (words or []) if isinstance(w, str) and w.strip()])
            for code, name, words in Skill.objects.for_tenant(tenant)
            .filter(is_active=True)
            .values_list("code", "name", "keywords")
        ]

    def match(self, text: str) -> list[str]:
        haystack = (text or "").lower()
        found = []
        if not haystack:
            return found
        contains = engineer_selectors.contains_word
        for code, name, words in self.library:
            if contains(haystack, code.lower()) or (name and name in haystack):
                found.append(code)
                continue
            for word in words:
                if (word.isascii() and contains(haystack, word)) or (not word.isascii() and word in haystack):
                    found.append(code)
                    break
        return found


def required_skills(ticket: Ticket, extra=(), *, matcher: SkillMatcher | None = None) -> list[str]:
    """Skill codes the ticket needs: from its category (code and name) and its text, through
    the library's codes, names and keywords (Chinese and English), plus ``extra``."""
    category = ticket.category
    parts = (category.code if category else "", category.name if category else "", ticket.title, ticket.description)
    codes = (matcher or SkillMatcher(ticket.tenant)).match(" ".join(x for x in parts if x))
    for code in extra or ():
        if code not in codes:
            codes.append(code)
    return codes


@dataclass
class Request:
    """A dispatch request's options, as the API and pages give them."""

    strategy: str | None = None
    weights: dict = field(default_factory=dict)  # ad-hoc overrides (what-if)
    skill_required: list[str] = field(default_factory=list)
    min_skill_level: int = 1
    location_preference: str = ""
    exclude_engineers: list[int] = field(default_factory=list)
    max_distance: float | None = None
    skill_match_threshold: float | None = None
    max_tickets_per_engineer: int | None = None


def active_rules(tenant) -> list[E.Rule]:
    return [
        E.Rule(id=r.pk, name=r.name, priority=r.priority, conditions=r.conditions or {}, actions=r.actions or {})
        for r in DispatchRule.objects.for_tenant(tenant).filter(is_active=True)
    ]


def facts_for(
    ticket: Ticket, request: Request, strategy: DispatchStrategy, rules: list[E.Rule], *, now=None, matcher=None
):
    """The ticket as the engine sees it, with the fired rules already applied."""
    place = ticket_location(ticket)
    constraints = strategy.constraints or {}
    facts = E.TicketFacts(
        id=ticket.pk,
        priority=ticket.priority,
        category=ticket.category.code if ticket.category_id else "",
        customer_level=customer_level(ticket),
        local_time=timezone.localtime(now or timezone.now()),
        required_skills=required_skills(ticket, request.skill_required, matcher=matcher),
        min_skill_level=max(1, int(request.min_skill_level or 1)),
        exclude=frozenset(int(x) for x in request.exclude_engineers),
        max_distance_km=request.max_distance,
        same_city_only=request.location_preference == "same_city",
        skill_threshold=request.skill_match_threshold
        if request.skill_match_threshold is not None
        else constraints.get("min_skill_match"),
        workload_cap=constraints.get("max_workload"),
        **place,
    )
    outcome = E.evaluate_rules(rules, facts)
    E.apply_rules(facts, outcome)
    return facts, outcome


def weights_for(strategy: DispatchStrategy, overrides: dict | None = None) -> E.Weights:
    values = {**strategy.weights, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    values = _validate_weights(values)
    return E.Weights(
        skill=values["skill_weight"],
        workload=values["workload_weight"],
        location=values["location_weight"],
        performance=values["performance_weight"],
    )


@dataclass
class Suggestion:
    """What the engine made of one ticket (read-only)."""

    ticket: Ticket
    strategy: DispatchStrategy
    pool: E.Pool
    assessment: E.Assessment
    rules: E.RuleOutcome

    def engineer_id(self, i: int) -> int:
        return int(self.pool.ids[i])

    def user_id(self, i: int) -> int:
        """The user a ticket dispatched to engineer ``i`` is assigned to."""
        return self.pool.user_ids[self.engineer_id(i)]


def suggest(*, ticket: Ticket, request: Request, pool: E.Pool | None = None, now=None) -> Suggestion:
    """Score every engineer of the ticket's tenant for ``ticket`` (no write)."""
    tenant = ticket.tenant
    strategy = strategy_for(tenant, request.strategy)
    weights = weights_for(strategy, request.weights)
    facts, outcome = facts_for(ticket, request, strategy, active_rules(tenant), now=now)
    pool = pool if pool is not None else load_pool(tenant, at=now)
    assessment = E.assess(pool, facts, weights, outcome)
    return Suggestion(ticket, strategy, pool, assessment, outcome)


# --- dispatching --------------------------------------------------------------------------------------


def _dispatchable(ticket: Ticket) -> None:
    if ticket.status != TicketStatus.NEW or ticket.assigned_to_id is not None:
        raise DomainError(
            ErrorCode.TICKET_NOT_DISPATCHABLE,
            _("Only unassigned open tickets can be dispatched; revoke the current dispatch first."),
            details={"ticket_id": ticket.pk, "status": ticket.status},
        )


def _record(*, s: Suggestion, i: int, by, kind: str, warnings=(), overridden=(), batch_id=None, reason=None, now=None):
    a, pool = s.assessment, s.pool
    now = now or timezone.now()
    chosen_ranking = [j for j in a.ranking(4) if j != i][:3]
    alternatives = [
        {
            "engineer_id": int(pool.ids[j]),
            "engineer_name": pool.rows[j].name,
            "total_score": round(float(a.total[j]), 1),
            "reason": E.alternative_reason(a, pool, j, i),
        }
        for j in chosen_ranking
    ]
    c = a.components(i)
    minutes = E.estimated_response_minutes(a, pool, i)
    return DispatchRecord(
        tenant_id=s.ticket.tenant_id,
        ticket=s.ticket,
        engineer_id=int(pool.ids[i]),
        assignee_id=s.user_id(i),
        dispatch_type=kind,
        strategy=s.strategy,
        strategy_code=s.strategy.code,
        weights=a.weights.as_config(),
        total_score=round(float(a.total[i]), 2),
        skill_score=c["skill"],
        workload_score=c["workload"],
        location_score=c["location"],
        performance_score=c["performance"],
        skills_matched=E.SKILL_MISSING not in a.failures(i),
        required_skills=list(a.ticket.required_skills),
        rules_fired=s.rules.summary(),
        reason=reason if reason is not None else E.dispatch_reason(a, pool, i),
        warnings=list(warnings),
        overridden=list(overridden),
        alternatives=alternatives,
        confidence=E.confidence(a, i),
        batch_id=batch_id,
        estimated_response_at=now + timedelta(minutes=minutes),
        escalate_at=now + timedelta(minutes=s.rules.escalate_after_minutes) if s.rules.escalate_after_minutes else None,
        dispatched_by=by,
        created_at=now,
    )


@contextmanager
def _new_assignment_notices(pairs: set[tuple[int, int]]):
    """Yields a list that, after the block, holds the ids of the assignment notices the block
    wrote for ``pairs`` (ticket id, engineer's user id)."""
    created: list[int] = []
    if not pairs:
        yield created
        return
    mine = Notification.objects.filter(
        ticket_id__in={ticket_id for ticket_id, _user in pairs}, type=NotificationType.TICKET_ASSIGNED
    ).values_list("pk", "ticket_id", "recipient_id")

    def current() -> set[int]:
        return {pk for pk, ticket_id, user_id in mine.all() if (ticket_id, user_id) in pairs}  # fresh each time

    before = current()
    yield created
    created.extend(sorted(current() - before))


def _deliver_after_commit(notification_ids: list[int]) -> None:
    """A fired ``notify_immediately`` rule: deliver right after commit in this process instead
    of the normal queued path (the queued task then finds the outbox already done)."""
    for notification_id in notification_ids:
        transaction.on_commit(lambda n=notification_id: deliver_notification_now(n), robust=True)


def _assign(*, s: Suggestion, i: int, by, note: str, notify_engineer: bool = True, assignee=None) -> None:
    """Assign through the ticket service. ``notify_engineer=False``: the assignment notice the
    ticket workflow wrote for the engineer is withdrawn before commit (nothing is delivered).
    ``assignee``: the engineer's user when the caller loaded it already."""
    if assignee is None:
        assignee = get_user_model().objects.get(pk=s.user_id(i))
    if notify_engineer and not s.rules.notify_immediately:  # the workflow's own notice, queued as usual
        ticket_services.ticket_assign(ticket=s.ticket, by=by, assignee=assignee, note=note)
        return
    with _new_assignment_notices({(s.ticket.pk, assignee.pk)}) as created:
        ticket_services.ticket_assign(ticket=s.ticket, by=by, assignee=assignee, note=note)
    if not notify_engineer:
        Notification.objects.filter(pk__in=created).delete()
    else:
        _deliver_after_commit(created)


def _no_engineer(s: Suggestion) -> DomainError:
    a = s.assessment
    removed = {code: int(mask.sum()) for code, mask in a.failed.items() if mask.any()}
    return DomainError(
        ErrorCode.NO_ELIGIBLE_ENGINEER,
        _("No engineer meets the constraints (%(engineers)s considered). Use force_dispatch to override.")
        % {"engineers": s.pool.size},
        details={"ticket_id": s.ticket.pk, "removed_by_constraint": removed, "engineers_considered": s.pool.size},
    )


@transaction.atomic
def dispatch_intelligent(
    *, ticket: Ticket, by, request: Request, force: bool = False, kind: str = DispatchType.INTELLIGENT
):
    """Pick the best eligible engineer and assign through the ticket service. Without an
    eligible engineer: ``NO_ELIGIBLE_ENGINEER`` and nothing changes — unless ``force``, which
    takes the best-scoring engineer anyway (never an excluded one) and records which
    constraints it overrode. ``by=None``: the system (automatic dispatch)."""
    if by is not None:
        require_code(by, "dispatch:execute")
    ticket = ticket_services.lock_ticket(ticket)
    _dispatchable(ticket)
    s = suggest(ticket=ticket, request=request)
    ranking = s.assessment.ranking(1)
    overridden: list[dict] = []
    if ranking:
        i = ranking[0]
    elif force:
        keep = ~s.assessment.failed.get(E.EXCLUDED, np.zeros(s.pool.size, dtype=bool))
        candidates = s.assessment.best_overall(keep)
        if not candidates:
            raise _no_engineer(s)
        i = candidates[0]
        overridden = [
            {"constraint": code, "reason": E.constraint_reason(s.assessment, s.pool, i, code)}
            for code in s.assessment.failures(i)
        ]
    else:
        raise _no_engineer(s)
    record = _record(
        s=s, i=i, by=by, kind=kind, overridden=overridden,
        warnings=[o["reason"] for o in overridden],
    )  # fmt: skip
    _assign(
        s=s,
        i=i,
        by=by,
        note=_("Dispatched (%(strategy)s): %(reason)s") % {"strategy": s.strategy.name, "reason": record.reason},
    )
    record.save()
    return record, s


def _manual_blockers(codes: list[str]) -> list[str]:
    """Constraints that refuse a manual dispatch unless ``override_constraints``. Capacity and
    skills never refuse: the dispatcher knows something the profile does not."""
    return [c for c in codes if c not in (E.AT_CAPACITY, E.SKILL_MISSING, E.SKILL_BELOW_THRESHOLD)]


@transaction.atomic
def dispatch_manual(
    *, ticket: Ticket, engineer: EngineerProfile, by, reason: str = "", override_constraints: bool = False,
    priority_boost: float = 0, notify_engineer: bool = True,
):  # fmt: skip
    """Assign ``ticket`` to the engineer a person chose. At capacity or missing a skill: done,
    with warnings. Offline, off duty or outside the service area: refused unless
    ``override_constraints`` (then warnings too)."""
    require_code(by, "dispatch:manual")
    ticket = ticket_services.lock_ticket(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise DomainError(
            ErrorCode.TICKET_NOT_DISPATCHABLE,
            _("Only open tickets can be dispatched."),
            details={"ticket_id": ticket.pk, "status": ticket.status},
        )
    if ticket.assigned_to_id == engineer.user_id:
        raise DomainError(ErrorCode.TICKET_NOT_DISPATCHABLE, _("The ticket is already assigned to this engineer."))
    pool = load_pool(ticket.tenant, engineer_ids=[engineer.pk])
    if pool.size == 0:
        raise DomainError(
            ErrorCode.ASSIGNMENT_FAILED,
            _("This engineer is not working (left, on leave or deactivated) and cannot take tickets."),
            field="engineer_id",
        )
    s = suggest(ticket=ticket, request=Request(), pool=pool)
    codes = s.assessment.failures(0)
    blockers = _manual_blockers(codes)
    if blockers and not override_constraints:
        raise DomainError(
            ErrorCode.ASSIGNMENT_FAILED,
            _("%(reason)s Set override_constraints to dispatch anyway.")
            % {"reason": E.constraint_reason(s.assessment, pool, 0, blockers[0])},
            field="engineer_id",
            details={"constraints": blockers},
        )
    warnings = [E.constraint_reason(s.assessment, pool, 0, code) for code in codes]
    row = pool.rows[0]
    if E.AT_CAPACITY not in codes and pool.load(0) + 1 >= row.max_workload:
        warnings.append(
            _("The engineer's workload is high (%(current)s/%(max)s).")
            % {"current": pool.load(0), "max": row.max_workload}
        )
    if E.SKILL_MISSING not in codes and s.assessment.ticket.required_skills and float(s.assessment.skill[0]) < 60:
        warnings.append(_("Skill match is below the recommended %(pct)s%%.") % {"pct": 60})
    record = _record(
        s=s, i=0, by=by, kind=DispatchType.MANUAL, warnings=warnings,
        overridden=[{"constraint": c, "reason": E.constraint_reason(s.assessment, pool, 0, c)} for c in blockers],
        reason=reason or _("Chosen by %(name)s.") % {"name": by.real_name or by.username},
    )  # fmt: skip
    record.alternatives = []
    if priority_boost:
        record.rules_fired = [*record.rules_fired, {"priority_boost": priority_boost}]
    _assign(s=s, i=0, by=by, note=record.reason, notify_engineer=notify_engineer)
    record.save()
    return record


@dataclass
class BatchResult:
    batch_id: uuid.UUID
    items: list[dict]
    total_score: float
    greedy_total_score: float
    assigned: int
    plan: optimizer.Plan
    greedy_plan: optimizer.Plan


def plan_batch(*, tickets: list[Ticket], tenant, request: Request, now=None):
    """Score every (ticket, engineer) pair and solve the assignment (no write). Returns the
    suggestions, the score matrix, capacities, the optimal plan and the greedy plan."""
    now = now or timezone.now()
    strategy = strategy_for(tenant, request.strategy)
    weights = weights_for(strategy, request.weights)
    rules = active_rules(tenant)
    pool = load_pool(tenant, at=now)
    matcher = SkillMatcher(tenant)
    suggestions, matrix = [], np.full((len(tickets), pool.size), np.nan)
    for t, ticket in enumerate(tickets):
        facts, outcome = facts_for(ticket, request, strategy, rules, now=now, matcher=matcher)
        a = E.assess(pool, facts, weights, outcome)
        suggestions.append(Suggestion(ticket, strategy, pool, a, outcome))
        matrix[t, a.eligible] = a.total[a.eligible]
    cap = pool.max_workload
    if strategy.constraints.get("max_workload"):
        cap = np.minimum(cap, strategy.constraints["max_workload"])
    capacity = np.maximum(cap - pool.workload, 0).astype(np.int64)
    if request.max_tickets_per_engineer is not None:
        capacity = np.minimum(capacity, int(request.max_tickets_per_engineer))
    return suggestions, matrix, capacity, optimizer.optimal(matrix, capacity), optimizer.greedy(matrix, capacity)


def _batch_items(suggestions, plan, matrix, capacity) -> list[dict]:
    items = []
    for t, s in enumerate(suggestions):
        e = plan.assignment[t]
        if e is not None:
            items.append({"ticket": s.ticket, "position": e, "score": float(matrix[t, e])})
            continue
        a = s.assessment
        if not a.eligible.any():
            removed = {code: int(mask.sum()) for code, mask in a.failed.items() if mask.any()}
            top = max(removed, key=removed.get) if removed else None
            reason = _("No eligible engineer (most often: %(constraint)s).") % {
                "constraint": E.CONSTRAINT_LABELS[top] if top else _("no engineers")
            }
        else:
            reason = _("Every eligible engineer's capacity went to better-matching tickets.")
        items.append({"ticket": s.ticket, "position": None, "score": None, "failure_reason": reason})
    return items


def _load_tickets(tenant, ticket_ids: list[int]) -> list[Ticket]:
    found = {
        t.pk: t for t in Ticket.objects.filter(tenant=tenant, pk__in=ticket_ids).select_related("category", "tenant")
    }
    missing = [pk for pk in ticket_ids if pk not in found]
    if missing:
        raise DomainError(ErrorCode.TICKET_NOT_FOUND, field="ticket_ids", details={"ticket_ids": missing})
    return [found[pk] for pk in ticket_ids]


def batch_preview(*, tenant, by, ticket_ids: list[int], request: Request) -> BatchResult:
    """The optimal plan and the greedy plan for these tickets, without assigning anything."""
    require_code(by, "dispatch:batch")
    tickets = _load_tickets(tenant, ticket_ids)
    dispatchable = [t for t in tickets if t.status == TicketStatus.NEW and t.assigned_to_id is None]
    dispatchable_ids = {t.pk for t in dispatchable}
    suggestions, matrix, capacity, plan, base = plan_batch(tickets=dispatchable, tenant=tenant, request=request)
    items = _batch_items(suggestions, plan, matrix, capacity)
    for t, item in enumerate(items):
        g = base.assignment[t]
        item["greedy_position"] = g
        item["greedy_score"] = float(matrix[t, g]) if g is not None else None
    skipped = [
        {"ticket": t, "position": None, "score": None, "failure_reason": _("Not an unassigned open ticket.")}
        for t in tickets if t.pk not in dispatchable_ids
    ]  # fmt: skip
    pool = suggestions[0].pool if suggestions else None
    result = BatchResult(uuid.uuid4(), items + skipped, plan.total, base.total, plan.assigned_count(), plan, base)
    result.pool = pool
    result.suggestions = suggestions
    return result


@transaction.atomic
def dispatch_batch(*, tenant, by, ticket_ids: list[int], request: Request) -> BatchResult:
    """ONE optimisation over the tickets (maximum total score within capacities), then each
    planned pair assigned through the ticket service and recorded, in one transaction. Tickets
    that are not unassigned open tickets are reported, not dispatched."""
    require_code(by, "dispatch:batch")
    if not ticket_ids:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Give at least one ticket."), field="ticket_ids")
    if len(ticket_ids) > MAX_BATCH:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("At most %(n)s tickets at once.") % {"n": MAX_BATCH}, field="ticket_ids"
        )
    ticket_ids = list(dict.fromkeys(ticket_ids))
    # lock the tickets (in id order, so concurrent batches cannot deadlock) before planning
    list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(tenant=tenant, pk__in=ticket_ids)
        .order_by("pk")
        .values_list("pk")
    )
    result = batch_preview(tenant=tenant, by=by, ticket_ids=ticket_ids, request=request)
    now = timezone.now()
    by_ticket = {x.ticket.pk: x for x in result.suggestions}
    planned = [item for item in result.items if item["position"] is not None]
    users = get_user_model().objects.in_bulk(
        {by_ticket[item["ticket"].pk].user_id(item["position"]) for item in planned}
    )
    records, assignments, immediate = [], [], set()
    with config_snapshot():  # one read of each setting for the whole batch, not one per ticket
        for item in planned:
            s, i = by_ticket[item["ticket"].pk], item["position"]
            record = _record(s=s, i=i, by=by, kind=DispatchType.BATCH, batch_id=result.batch_id, now=now)
            note = _("Batch dispatch: %(reason)s") % {"reason": record.reason}
            assignments.append((s.ticket, users[s.user_id(i)], note))
            if s.rules.notify_immediately:
                immediate.add((s.ticket.pk, s.user_id(i)))
            item["record"] = record
            records.append(record)
        with _new_assignment_notices(immediate) as created:
            ticket_services.tickets_assign_all(by=by, assignments=assignments)
        _deliver_after_commit(created)
    DispatchRecord.objects.bulk_create(records)
    return result


@transaction.atomic
def dispatch_revoke(
    *, record: DispatchRecord, by, reason: str, reassign: bool = False, reassign_strategy: str | None = None
):
    """Take the ticket back from the dispatched engineer: to the unassigned queue, or (with
    ``reassign``) straight to the next best engineer, never the same one. If the re-dispatch
    finds nobody, nothing changes."""
    require_code(by, "dispatch:revoke")
    record = DispatchRecord.objects.select_for_update().get(pk=record.pk)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=record.ticket_id)
    if (
        record.status != DispatchStatus.ACTIVE
        or ticket.assigned_to_id != record.assignee_id
        or ticket.status not in OPEN_STATUSES
    ):
        raise DomainError(
            ErrorCode.DISPATCH_NOT_REVOCABLE,
            _("The ticket is no longer with this dispatch's engineer, or the dispatch was already revoked."),
            details={"dispatch_id": record.pk},
        )
    ticket_services.ticket_transition(
        ticket=ticket, to=TicketStatus.NEW, by=by, note=_("Dispatch revoked: %(reason)s") % {"reason": reason}
    )
    record.status = DispatchStatus.REVOKED
    record.revoked_at = timezone.now()
    record.revoked_by = by
    record.revoke_reason = reason[:500]
    new_record = None
    if reassign:
        require_code(by, "dispatch:execute")
        new_record, _s = dispatch_intelligent(
            ticket=ticket,
            by=by,
            request=Request(
                strategy=reassign_strategy or record.strategy_code or None, exclude_engineers=[record.engineer_id]
            ),
        )
        record.replaced_by = new_record
    record.save()
    return record, new_record


def auto_dispatch(*, ticket_id: int) -> DispatchRecord | None:
    """Automatic dispatch of a newly created ticket when its tenant enables it
    (``dispatch.auto_dispatch.enabled``; strategy ``dispatch.auto_dispatch.strategy``). Quietly
    does nothing when the ticket is already assigned or nobody is eligible."""
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("tenant").first()
    if ticket is None or not get_config("dispatch.auto_dispatch.enabled", tenant=ticket.tenant):
        return None
    if ticket.status != TicketStatus.NEW or ticket.assigned_to_id is not None:
        return None
    strategy = get_config("dispatch.auto_dispatch.strategy", tenant=ticket.tenant) or None
    try:
        record, _s = dispatch_intelligent(
            ticket=ticket, by=None, request=Request(strategy=strategy), kind=DispatchType.AUTO
        )
    except DomainError:
        return None
    return record


def escalate_unaccepted(*, now: datetime | None = None) -> int:
    """Rule action ``escalate_if_no_response``: dispatches whose engineer has not accepted by
    ``escalate_at`` are escalated through the ticket service (once). Returns how many."""
    now = now or timezone.now()
    done = 0
    due = DispatchRecord.objects.filter(
        status=DispatchStatus.ACTIVE, escalate_at__lte=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due[:500]):
        with transaction.atomic():
            record = (
                DispatchRecord.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, escalated_at__isnull=True)
                .first()
            )
            if record is None:
                continue
            record.escalated_at = now
            record.save(update_fields=["escalated_at"])
            ticket = record.ticket
            if (
                ticket.assigned_to_id == record.assignee_id
                and ticket.accepted_at is None
                and ticket.status == TicketStatus.ASSIGNED
            ):
                try:
                    ticket_services.ticket_escalate(
                        ticket=ticket, by=None, reason=_("Not accepted within the dispatch rule's time limit.")
                    )
                    done += 1
                except DomainError:
                    pass
    return done


def ensure_strategies_on_create(tenant) -> None:
    try:
        with transaction.atomic():
            ensure_builtin_strategies(tenant)
    except IntegrityError:  # a concurrent provisioning created them first
        pass
