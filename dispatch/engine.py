"""The dispatch engine: candidate engineers in, eligibility and scores out. No ORM here.

The services (``dispatch.services``) load a ``Pool`` (one array per engineer attribute) and
one ``TicketFacts`` per ticket, then ask this module:

- ``evaluate_rules`` — which dispatch rules (§4.3) fire for a ticket and what they demand;
- ``assess`` — for one ticket: the hard constraints each engineer fails (removed before
  scoring), the four component scores (0–100), the weighted total and the ranking;
- ``score_matrix`` — the same for many tickets at once (batch dispatch, ``dispatch.optimizer``).

Scores, all 0–100:
- skill: mean over the required skills of ``level × 20`` (level 1–5); 100 when the ticket
  needs no particular skill (everyone matches an empty requirement);
- workload: ``100 × (1 − open tickets / max_workload)``;
- location: ``100 × exp(−km / 100)`` from coordinates (haversine); without coordinates on
  either side: same district 90, same city 75, city in the service areas 60, elsewhere 30;
  unknown ticket location 50 for everyone;
- performance: the engineer's computed performance score; 60 when there is no history yet.

``total = Σ weight_i × score_i / Σ weight_i + rule boost``. Everything is vectorised with numpy
so that one ticket over 1,000 engineers and a 500 × 1,000 matrix stay in milliseconds.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from datetime import datetime, time

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EARTH_RADIUS_KM = 6371.0088
NO_HISTORY_PERFORMANCE = 60.0
LOCATION_DECAY_KM = 100.0
SAME_DISTRICT, SAME_CITY, IN_SERVICE_AREA, ELSEWHERE, UNKNOWN_LOCATION = 90.0, 75.0, 60.0, 30.0, 50.0
COMPONENTS = ("skill", "workload", "location", "performance")

# Hard constraints, in the order they are checked (the first one is the headline reason).
EXCLUDED = "excluded"
OFFLINE = "offline"
OFF_DUTY = "off_duty"
AT_CAPACITY = "at_capacity"
SKILL_MISSING = "skill_missing"
OUTSIDE_SERVICE_AREA = "outside_service_area"
TOO_FAR = "too_far"
NOT_SAME_CITY = "not_same_city"
SKILL_BELOW_THRESHOLD = "skill_below_threshold"
CONSTRAINTS = (
    EXCLUDED,
    OFFLINE,
    OFF_DUTY,
    AT_CAPACITY,
    SKILL_MISSING,
    OUTSIDE_SERVICE_AREA,
    TOO_FAR,
    NOT_SAME_CITY,
    SKILL_BELOW_THRESHOLD,
)
CONSTRAINT_LABELS = {
    EXCLUDED: gettext_lazy("Excluded by the request"),
    OFFLINE: gettext_lazy("Offline"),
    OFF_DUTY: gettext_lazy("Off duty"),
    AT_CAPACITY: gettext_lazy("At maximum workload"),
    SKILL_MISSING: gettext_lazy("Missing a required skill or level"),
    OUTSIDE_SERVICE_AREA: gettext_lazy("Outside the service area"),
    TOO_FAR: gettext_lazy("Beyond the maximum distance"),
    NOT_SAME_CITY: gettext_lazy("Not in the same city"),
    SKILL_BELOW_THRESHOLD: gettext_lazy("Skill match below the threshold"),
}


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Relative weights of the four scores (the strategy's ``weight_config``, 0–100 each)."""

    skill: float = 40
    workload: float = 25
    location: float = 20
    performance: float = 15

    def __post_init__(self):
        values = self.as_tuple()
        if any(v < 0 or not math.isfinite(v) for v in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative and not all zero")

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (float(self.skill), float(self.workload), float(self.location), float(self.performance))

    def normalised(self) -> np.ndarray:
        values = np.array(self.as_tuple())
        return values / values.sum()

    def as_config(self) -> dict:
        """The v1 ``weight_config`` / ``calculation_details`` shape."""
        return {f"{name}_weight": _number(value) for name, value in zip(COMPONENTS, self.as_tuple(), strict=True)}


@dataclass
class EngineerRow:
    """One candidate as the services load it."""

    id: int
    name: str = ""
    skills: dict[str, int] = field(default_factory=dict)  # skill code -> level 1..5
    workload: int = 0
    max_workload: int = 8
    online_status: str = "online"
    on_duty: bool = True
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    service_areas: list[str] = field(default_factory=list)
    performance: float | None = None


class Pool:
    """The candidate engineers of one tenant as column arrays (built once per request)."""

    def __init__(self, rows: list[EngineerRow]):
        self.rows = rows
        n = len(rows)
        self.size = n
        self.ids = np.array([r.id for r in rows], dtype=np.int64)
        self.index = {r.id: i for i, r in enumerate(rows)}
        self.workload = np.array([r.workload for r in rows], dtype=float)
        self.max_workload = np.array([max(1, r.max_workload) for r in rows], dtype=float)
        self.offline = np.array([r.online_status == "offline" for r in rows], dtype=bool)
        self.on_duty = np.array([bool(r.on_duty) for r in rows], dtype=bool)
        self.city = np.array([r.city or "" for r in rows], dtype=object)
        self.district = np.array([r.district or "" for r in rows], dtype=object)
        lat = [np.nan if r.latitude is None else float(r.latitude) for r in rows]
        lon = [np.nan if r.longitude is None else float(r.longitude) for r in rows]
        self.lat_rad = np.radians(np.array(lat, dtype=float)) if n else np.zeros(0)
        self.lon_rad = np.radians(np.array(lon, dtype=float)) if n else np.zeros(0)
        self.has_coords = ~(np.isnan(self.lat_rad) | np.isnan(self.lon_rad))
        self.service_areas = [frozenset(a for a in (r.service_areas or []) if isinstance(a, str)) for r in rows]
        self.has_areas = np.array([bool(a) for a in self.service_areas], dtype=bool)
        perf = [NO_HISTORY_PERFORMANCE if r.performance is None else float(r.performance) for r in rows]
        self.performance = np.clip(np.array(perf, dtype=float), 0, 100)
        self.has_performance = np.array([r.performance is not None for r in rows], dtype=bool)
        codes = sorted({code for r in rows for code in r.skills})
        self.skill_index = {code: j for j, code in enumerate(codes)}
        self.levels = np.zeros((n, len(codes)), dtype=np.int8)
        for i, r in enumerate(rows):
            for code, level in r.skills.items():
                self.levels[i, self.skill_index[code]] = max(0, min(5, int(level)))
        self._area_cache: dict[tuple[str, str], np.ndarray] = {}

    def with_state(self, workload: np.ndarray, on_duty: np.ndarray) -> Pool:
        """This pool with the figures that change by the minute (open tickets, duty) replaced:
        the static columns are shared, never copied or mutated, so one loaded pool can serve
        every request until the roster changes."""
        pool = copy.copy(self)
        pool.workload = np.asarray(workload, dtype=float)
        pool.on_duty = np.asarray(on_duty, dtype=bool)
        return pool

    def load(self, i: int) -> int:
        """Engineer ``i``'s open tickets (the words quote it; ``rows`` may be a cached template)."""
        return int(self.workload[i])

    def skill_columns(self, codes) -> np.ndarray:
        """Levels of every engineer in ``codes`` (0 = lacks it), shape (n, len(codes))."""
        out = np.zeros((self.size, len(codes)), dtype=np.int8)
        for k, code in enumerate(codes):
            j = self.skill_index.get(code)
            if j is not None:
                out[:, k] = self.levels[:, j]
        return out

    def serves(self, city: str, district: str) -> np.ndarray:
        """Engineers whose service areas cover the place (or who declare none)."""
        key = (city, district)
        if key not in self._area_cache:
            wanted = {city, f"{city}/{district}", district} - {"", "/"}
            covered = np.array([bool(areas & wanted) for areas in self.service_areas], dtype=bool)
            self._area_cache[key] = ~self.has_areas | covered
        return self._area_cache[key]


@dataclass
class TicketFacts:
    """What the engine needs to know about one ticket (and the request's constraints)."""

    id: int = 0
    priority: str = "normal"
    category: str = ""
    customer_level: str = ""
    local_time: datetime | None = None
    required_skills: list[str] = field(default_factory=list)
    min_skill_level: int = 1
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    exclude: frozenset[int] = frozenset()
    max_distance_km: float | None = None
    same_city_only: bool = False
    skill_threshold: float | None = None  # minimum skill score (batch ``skill_match_threshold``)
    workload_cap: int | None = None  # strategy constraint ``max_workload``: stricter than the profile's

    @property
    def has_coords(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# --- rules -------------------------------------------------------------------------------------

PRIORITY_ALIASES = {"medium": "normal"}
RULE_CONDITION_KEYS = frozenset(
    {"ticket_priority", "ticket_category", "customer_level", "time_range", "weekdays", "response_time_limit"}
)
RULE_ACTION_KEYS = frozenset(
    {
        "boost_score",
        "require_skill_level",
        "require_skills",
        "max_response_time",
        "notify_immediately",
        "escalate_if_no_response",
    }
)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    priority: int
    conditions: dict
    actions: dict


@dataclass
class RuleOutcome:
    """What the fired rules demand. Boosts add up; for every other action the rule with the
    highest priority that sets it wins."""

    fired: list[Rule] = field(default_factory=list)
    boost: float = 0.0
    min_skill_level: int | None = None
    extra_skills: list[str] = field(default_factory=list)
    response_limit_minutes: int | None = None
    notify_immediately: bool = False
    escalate_after_minutes: int | None = None

    def summary(self) -> list[dict]:
        return [
            {"rule_id": r.id, "rule_name": r.name, "priority": r.priority, "actions": r.actions} for r in self.fired
        ]


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def _parse_hhmm(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


def rule_matches(rule: Rule, ticket: TicketFacts) -> bool:
    """Every condition the rule states must hold (a rule without conditions always fires)."""
    cond = rule.conditions or {}
    if "ticket_priority" in cond:
        wanted = {PRIORITY_ALIASES.get(str(p), str(p)) for p in _as_list(cond["ticket_priority"])}
        if ticket.priority not in wanted:
            return False
    if "ticket_category" in cond and ticket.category not in {str(c) for c in _as_list(cond["ticket_category"])}:
        return False
    if "customer_level" in cond:
        wanted = {str(c).lower() for c in _as_list(cond["customer_level"])}
        if (ticket.customer_level or "").lower() not in wanted:
            return False
    at = ticket.local_time
    days = {str(d).lower() for d in _as_list(cond.get("weekdays"))}
    if "weekdays" in cond and (at is None or WEEKDAY_NAMES[at.weekday()] not in days):
        return False
    if "time_range" in cond:
        span = cond["time_range"] or {}
        if at is None:
            return False
        start, end, now = _parse_hhmm(span["start"]), _parse_hhmm(span["end"]), at.time()
        inside = start <= now < end if start < end else (now >= start or now < end)  # overnight range
        if not inside:
            return False
    return True


def evaluate_rules(rules: list[Rule], ticket: TicketFacts) -> RuleOutcome:
    """Apply the active rules to ``ticket`` in priority order (highest first)."""
    out = RuleOutcome()
    seen: set[str] = set()
    for rule in sorted(rules, key=lambda r: (-r.priority, r.id)):
        if not rule_matches(rule, ticket):
            continue
        out.fired.append(rule)
        actions = dict(rule.actions or {})
        if "response_time_limit" in (rule.conditions or {}) and "max_response_time" not in actions:
            actions["max_response_time"] = rule.conditions["response_time_limit"]
        out.boost += float(actions.get("boost_score") or 0)
        for skill in _as_list(actions.get("require_skills")):
            if skill not in out.extra_skills:
                out.extra_skills.append(str(skill))
        if "require_skill_level" in actions and "require_skill_level" not in seen:
            seen.add("require_skill_level")
            out.min_skill_level = int(actions["require_skill_level"])
        if "max_response_time" in actions and "max_response_time" not in seen:
            seen.add("max_response_time")
            out.response_limit_minutes = int(actions["max_response_time"])
        if actions.get("notify_immediately") and "notify_immediately" not in seen:
            seen.add("notify_immediately")
            out.notify_immediately = True
        if "escalate_if_no_response" in actions and "escalate_if_no_response" not in seen:
            seen.add("escalate_if_no_response")
            out.escalate_after_minutes = int(actions["escalate_if_no_response"])
    return out


def apply_rules(ticket: TicketFacts, outcome: RuleOutcome) -> TicketFacts:
    """The ticket's requirements once the fired rules are applied."""
    skills = list(ticket.required_skills)
    for code in outcome.extra_skills:
        if code not in skills:
            skills.append(code)
    level = ticket.min_skill_level
    if outcome.min_skill_level is not None:
        level = max(level, outcome.min_skill_level)
    ticket.required_skills = skills
    ticket.min_skill_level = max(1, min(5, int(level)))
    return ticket


# --- geometry ----------------------------------------------------------------------------------


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distances_km(pool: Pool, latitude: float, longitude: float) -> np.ndarray:
    """Haversine distance from the point to every engineer (NaN without coordinates)."""
    lat, lon = math.radians(latitude), math.radians(longitude)
    a = (
        np.sin((pool.lat_rad - lat) / 2) ** 2
        + math.cos(lat) * np.cos(pool.lat_rad) * np.sin((pool.lon_rad - lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


# --- one ticket --------------------------------------------------------------------------------


@dataclass
class Assessment:
    """Everything the engine decided for one ticket over a pool."""

    ticket: TicketFacts
    weights: Weights
    rules: RuleOutcome
    skill: np.ndarray
    workload: np.ndarray
    location: np.ndarray
    performance: np.ndarray
    base: np.ndarray
    total: np.ndarray
    distance: np.ndarray  # km, NaN when not computable
    failed: dict[str, np.ndarray]  # constraint code -> bool per engineer
    eligible: np.ndarray
    order: np.ndarray  # eligible engineer positions, best first

    def failures(self, i: int) -> list[str]:
        return [code for code in CONSTRAINTS if code in self.failed and self.failed[code][i]]

    def components(self, i: int) -> dict[str, float]:
        return {
            "skill": round(float(self.skill[i]), 1),
            "workload": round(float(self.workload[i]), 1),
            "location": round(float(self.location[i]), 1),
            "performance": round(float(self.performance[i]), 1),
        }

    def ranking(self, limit: int | None = None) -> list[int]:
        order = [int(i) for i in self.order]
        return order[:limit] if limit is not None else order

    def best_overall(self, keep: np.ndarray | None = None, pool: Pool | None = None) -> list[int]:
        """Positions by total, eligibility ignored (``force_dispatch``); ``keep`` masks."""
        candidates = np.arange(len(self.total)) if keep is None else np.flatnonzero(keep)
        return [int(i) for i in candidates[np.argsort(-np.round(self.total[candidates], 6), kind="stable")]]


def _component_scores(pool: Pool, ticket: TicketFacts):
    """(skill, workload, location, performance, distance, skill level matrix)."""
    n = pool.size
    levels = pool.skill_columns(ticket.required_skills)
    skill = levels.mean(axis=1) * 20.0 if ticket.required_skills else np.full(n, 100.0)
    workload = np.clip(100.0 * (1.0 - pool.workload / pool.max_workload), 0, 100)
    distance = np.full(n, np.nan)
    if ticket.has_coords and n:
        distance = distances_km(pool, float(ticket.latitude), float(ticket.longitude))
    location = np.where(np.isnan(distance), 0.0, 100.0 * np.exp(-np.nan_to_num(distance) / LOCATION_DECAY_KM))
    fallback = np.isnan(distance)
    if fallback.any():
        if ticket.city:
            same_city = pool.city == ticket.city
            same_district = same_city & (pool.district == ticket.district) & bool(ticket.district)
            served = pool.has_areas & pool.serves(ticket.city, ticket.district)
            guess = np.where(
                same_district,
                SAME_DISTRICT,
                np.where(same_city, SAME_CITY, np.where(served, IN_SERVICE_AREA, ELSEWHERE)),
            )
        else:
            guess = np.full(n, UNKNOWN_LOCATION)
        location = np.where(fallback, guess, location)
    return skill, workload, location, pool.performance, distance, levels


def assess(pool: Pool, ticket: TicketFacts, weights: Weights, rules: RuleOutcome | None = None) -> Assessment:
    """Constraints, scores and ranking of every engineer in ``pool`` for ``ticket``."""
    rules = rules or RuleOutcome()
    skill, workload, location, performance, distance, levels = _component_scores(pool, ticket)
    w = weights.normalised()
    base = w[0] * skill + w[1] * workload + w[2] * location + w[3] * performance
    total = base + rules.boost
    failed = _constraints(pool, ticket, levels, skill, distance)
    eligible = np.ones(pool.size, dtype=bool)
    for mask in failed.values():
        eligible &= ~mask
    positions = np.flatnonzero(eligible)
    # best total first; ties: lower workload, then lower id (stable and explainable)
    order = positions[np.lexsort((pool.ids[positions], pool.workload[positions], -np.round(total[positions], 6)))]
    return Assessment(
        ticket, weights, rules, skill, workload, location, performance, base, total, distance, failed, eligible, order
    )


def _constraints(pool: Pool, ticket: TicketFacts, levels, skill, distance) -> dict[str, np.ndarray]:
    n = pool.size
    failed: dict[str, np.ndarray] = {}
    if ticket.exclude:
        failed[EXCLUDED] = np.isin(pool.ids, np.fromiter(ticket.exclude, dtype=np.int64))
    failed[OFFLINE] = pool.offline.copy()
    failed[OFF_DUTY] = ~pool.on_duty
    cap = pool.max_workload
    if ticket.workload_cap is not None:
        cap = np.minimum(cap, float(ticket.workload_cap))
    failed[AT_CAPACITY] = pool.workload >= cap
    if ticket.required_skills:
        failed[SKILL_MISSING] = (levels < max(1, ticket.min_skill_level)).any(axis=1)
    if ticket.city:
        failed[OUTSIDE_SERVICE_AREA] = ~pool.serves(ticket.city, ticket.district)
    if ticket.max_distance_km is not None:
        if ticket.has_coords:
            far = np.where(np.isnan(distance), False, distance > ticket.max_distance_km)
            # no coordinates on the engineer: the city decides (another city counts as too far)
            unknown = np.isnan(distance) & bool(ticket.city) & (pool.city != ticket.city)
            failed[TOO_FAR] = far | unknown
        elif ticket.city:
            failed[TOO_FAR] = pool.city != ticket.city
    if ticket.same_city_only and ticket.city:
        failed[NOT_SAME_CITY] = pool.city != ticket.city
    if ticket.skill_threshold is not None:
        failed[SKILL_BELOW_THRESHOLD] = skill < float(ticket.skill_threshold)
    return {k: np.asarray(v, dtype=bool).reshape(n) for k, v in failed.items()}


# --- words ---------------------------------------------------------------------------------------


def _number(value: float):
    value = float(value)
    return int(value) if value.is_integer() else round(value, 1)


def constraint_reason(a: Assessment, pool: Pool, i: int, code: str) -> str:
    """A sentence saying why engineer ``i`` fails constraint ``code``."""
    row = pool.rows[i]
    t = a.ticket
    if code == EXCLUDED:
        return _("Excluded by the request.")
    if code == OFFLINE:
        return _("The engineer is offline.")
    if code == OFF_DUTY:
        return _("Off duty now by the work schedule and the business calendar.")
    if code == AT_CAPACITY:
        cap = row.max_workload if t.workload_cap is None else min(row.max_workload, t.workload_cap)
        return _("At maximum workload (%(current)s/%(max)s open tickets).") % {"current": pool.load(i), "max": cap}
    if code == SKILL_MISSING:
        lacking = []
        for code_ in t.required_skills:
            level = row.skills.get(code_, 0)
            if level < t.min_skill_level:
                lacking.append(
                    _("%(skill)s level %(level)s") % {"skill": code_, "level": level}
                    if level
                    else _("no %(skill)s") % {"skill": code_}
                )
        return _("Needs %(skills)s at level %(level)s or above; has %(has)s.") % {
            "skills": ", ".join(t.required_skills),
            "level": t.min_skill_level,
            "has": ", ".join(lacking),
        }
    if code == OUTSIDE_SERVICE_AREA:
        return _("%(place)s is outside the service areas (%(areas)s).") % {
            "place": "/".join(x for x in (t.city, t.district) if x),
            "areas": ", ".join(row.service_areas),
        }
    if code == TOO_FAR:
        d = a.distance[i]
        if not np.isnan(d):
            return _("%(km)s km away, beyond the maximum of %(max)s km.") % {
                "km": round(float(d), 1),
                "max": _number(t.max_distance_km),
            }
        return _("In %(city)s, not %(wanted)s, and no coordinates to measure the distance.") % {
            "city": row.city or "—",
            "wanted": t.city,
        }
    if code == NOT_SAME_CITY:
        return _("In %(city)s, not %(wanted)s.") % {"city": row.city or "—", "wanted": t.city}
    if code == SKILL_BELOW_THRESHOLD:
        return _("Skill match %(score)s%% is below the threshold of %(min)s%%.") % {
            "score": round(float(a.skill[i]), 1),
            "min": _number(t.skill_threshold),
        }
    return str(CONSTRAINT_LABELS.get(code, code))


def _skill_phrase(a: Assessment, pool: Pool, i: int) -> tuple[int, str]:
    s = float(a.skill[i])
    if not a.ticket.required_skills:
        return 1, _("no particular skill required")
    if s >= 80:
        return 2, _("strong skill match (%(pct)s%%)") % {"pct": round(s)}
    if s >= 60:
        return 1, _("good skill match (%(pct)s%%)") % {"pct": round(s)}
    return 0, _("modest skill match (%(pct)s%%)") % {"pct": round(s)}


def _workload_phrase(a: Assessment, pool: Pool, i: int) -> tuple[int, str]:
    row = pool.rows[i]
    load = {"current": pool.load(i), "max": row.max_workload}
    utilisation = pool.load(i) / max(1, row.max_workload)
    if utilisation < 0.4:
        return 2, _("light workload (%(current)s/%(max)s)") % load
    if utilisation < 0.75:
        return 1, _("moderate workload (%(current)s/%(max)s)") % load
    return 0, _("heavy workload (%(current)s/%(max)s)") % load


def _location_phrase(a: Assessment, pool: Pool, i: int) -> tuple[int, str]:
    d = a.distance[i]
    if not np.isnan(d):
        km = {"km": round(float(d), 1) if d < 10 else round(float(d))}
        if d <= 10:
            return 2, _("nearby (%(km)s km)") % km
        if d <= 50:
            return 1, _("within reach (%(km)s km)") % km
        return 0, _("far away (%(km)s km)") % km
    loc = float(a.location[i])
    if loc >= SAME_DISTRICT:
        return 2, _("same district")
    if loc >= SAME_CITY:
        return 2, _("same city")
    if loc >= IN_SERVICE_AREA:
        return 1, _("serves this area")
    if loc == UNKNOWN_LOCATION:
        return 1, _("ticket location unknown")
    return 0, _("in another city")


def _performance_phrase(a: Assessment, pool: Pool, i: int) -> tuple[int, str]:
    p = float(a.performance[i])
    if not pool.has_performance[i]:
        return 1, _("no track record yet")
    if p >= 85:
        return 2, _("excellent track record (%(pct)s%%)") % {"pct": round(p)}
    if p >= 70:
        return 1, _("good track record (%(pct)s%%)") % {"pct": round(p)}
    return 0, _("weaker track record (%(pct)s%%)") % {"pct": round(p)}


_PHRASES = {
    "skill": _skill_phrase,
    "workload": _workload_phrase,
    "location": _location_phrase,
    "performance": _performance_phrase,
}


def _phrases(a: Assessment, pool: Pool, i: int, wanted=COMPONENTS) -> dict[str, tuple[int, str]]:
    """Per wanted component: (quality 2 good / 1 fair / 0 weak, phrase). Only those asked for
    are translated (a batch's records phrase thousands)."""
    return {c: _PHRASES[c](a, pool, i) for c in wanted}


def dispatch_reason(a: Assessment, pool: Pool, i: int) -> str:
    """Why engineer ``i`` was picked, in the active language, strongest weighted factor first."""
    w = dict(zip(COMPONENTS, a.weights.as_tuple(), strict=True))
    ordered = [c for c in sorted(COMPONENTS, key=lambda c: (-w[c], COMPONENTS.index(c))) if w[c] > 0]
    phrases = _phrases(a, pool, i, ordered)
    text = _(", ").join(phrases[c][1] for c in ordered)
    if a.rules.fired:
        text += _("; rules applied: %(names)s") % {"names": _(", ").join(r.name for r in a.rules.fired)}
    return text[:1].upper() + text[1:]


def alternative_reason(a: Assessment, pool: Pool, i: int, chosen: int | None) -> str:
    """A short comparison of an alternative with the chosen engineer."""
    w = dict(zip(COMPONENTS, a.weights.as_tuple(), strict=True))
    scores = {c: float(getattr(a, c)[i]) for c in COMPONENTS}
    weighted = [c for c in COMPONENTS if w[c] > 0] or list(COMPONENTS)
    best = max(weighted, key=lambda c: (scores[c], w[c]))
    if chosen is None:
        worst = min(weighted, key=lambda c: (scores[c], -w[c]))
    else:
        worst = min(weighted, key=lambda c: (scores[c] - float(getattr(a, c)[chosen]), -w[c]))
    phrases = _phrases(a, pool, i, {best, worst})
    good, bad = phrases[best][1], phrases[worst][1]
    if best == worst or phrases[worst][0] == 2:
        text = _("Close alternative: %(good)s") % {"good": good}
    else:
        text = _("%(good)s, but %(bad)s") % {"good": good, "bad": bad}
    return text[:1].upper() + text[1:]


CONFIDENCE_LEVELS = {"high": gettext_lazy("High"), "medium": gettext_lazy("Medium"), "low": gettext_lazy("Low")}


def confidence(a: Assessment, i: int) -> str:
    """``high`` when the score is high and clearly ahead of the runner-up; ``low`` when weak."""
    score = float(a.base[i])
    ranked = [int(x) for x in a.order]
    gap = None
    if i in ranked and len(ranked) > 1:
        pos = ranked.index(i)
        other = ranked[1] if pos == 0 else ranked[0]
        gap = float(a.total[i] - a.total[other])
    if score >= 80 and (gap is None or gap >= 2):
        return "high"
    if score >= 60:
        return "medium"
    return "low"


PRIORITY_RESPONSE_MINUTES = {"critical": 10, "urgent": 15, "high": 30, "normal": 60, "low": 120}


def estimated_response_minutes(a: Assessment, pool: Pool, i: int) -> int:
    """The priority's response target stretched by how busy the engineer is, within any rule's
    response limit."""
    base = PRIORITY_RESPONSE_MINUTES.get(a.ticket.priority, 60)
    row = pool.rows[i]
    minutes = base * (1 + pool.load(i) / max(1, row.max_workload))
    if a.rules.response_limit_minutes is not None:
        minutes = min(minutes, a.rules.response_limit_minutes)
    return max(1, round(minutes))
