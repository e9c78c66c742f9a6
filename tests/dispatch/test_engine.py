"""The pure dispatch engine: constraints, scores, weights, rules, and batch optimality."""

from __future__ import annotations

import itertools
import math
from datetime import datetime

import numpy as np
import pytest
from django.utils import translation

from dispatch import engine as E
from dispatch.optimizer import greedy, optimal


def row(id, **kw):
    base = {"name": f"e{id}", "skills": {"linux": 3}, "workload": 2, "max_workload": 8}
    base.update({"city": "北京市", "district": "朝阳区"})
    base.update(kw)
    return E.EngineerRow(id=id, **base)


def ticket(**kw):
    base = {"id": 1, "priority": "normal", "required_skills": ["linux"], "city": "北京市", "district": "朝阳区"}
    base.update(kw)
    return E.TicketFacts(**base)


def run(rows, t=None, weights=None, rules=None):
    pool = E.Pool(rows)
    return pool, E.assess(pool, t or ticket(), weights or E.Weights(), rules)


def eligible_ids(pool, a):
    return [int(pool.ids[i]) for i in a.ranking()]


# --- hard constraints ------------------------------------------------------------------------------


class TestConstraints:
    def test_missing_skill_removes_the_engineer(self):
        pool, a = run([row(1), row(2, skills={"network": 5})])
        assert eligible_ids(pool, a) == [1]
        assert a.failures(1) == [E.SKILL_MISSING]
        assert "linux" in E.constraint_reason(a, pool, 1, E.SKILL_MISSING)

    def test_minimum_level(self):
        pool, a = run([row(1, skills={"linux": 2}), row(2, skills={"linux": 4})], ticket(min_skill_level=3))
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.SKILL_MISSING]

    def test_every_required_skill_is_needed(self):
        pool, a = run(
            [row(1, skills={"linux": 5}), row(2, skills={"linux": 3, "database": 2})],
            ticket(required_skills=["linux", "database"]),
        )
        assert eligible_ids(pool, a) == [2]

    def test_excluded(self):
        pool, a = run([row(1), row(2)], ticket(exclude=frozenset({1})))
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.EXCLUDED]

    def test_offline(self):
        pool, a = run([row(1, online_status="offline"), row(2, online_status="busy")])
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.OFFLINE]

    def test_off_duty(self):
        pool, a = run([row(1, on_duty=False), row(2)])
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.OFF_DUTY]

    def test_at_max_workload(self):
        pool, a = run([row(1, workload=8, max_workload=8), row(2, workload=7, max_workload=8)])
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.AT_CAPACITY]
        assert "8/8" in E.constraint_reason(a, pool, 0, E.AT_CAPACITY)

    def test_strategy_workload_cap_is_stricter(self):
        pool, a = run([row(1, workload=5), row(2, workload=3)], ticket(workload_cap=5))
        assert eligible_ids(pool, a) == [2]

    def test_outside_service_area(self):
        rows = [
            row(1, service_areas=["上海市"]),
            row(2, service_areas=["北京市"]),
            row(3, service_areas=["北京市/朝阳区"]),
            row(4),  # no declared areas: serves everywhere
        ]
        pool, a = run(rows)
        assert sorted(eligible_ids(pool, a)) == [2, 3, 4]
        assert a.failures(0) == [E.OUTSIDE_SERVICE_AREA]

    def test_beyond_max_distance_by_haversine(self):
        rows = [
            row(1, latitude=39.9042, longitude=116.4074),  # Tiananmen
            row(2, latitude=31.2304, longitude=121.4737),  # Shanghai, ~1,068 km
        ]
        t = ticket(latitude=39.9889, longitude=116.3056, max_distance_km=50)
        pool, a = run(rows, t)
        assert eligible_ids(pool, a) == [1]
        assert a.failures(1) == [E.TOO_FAR]
        assert 12 < a.distance[0] < 14
        assert 1000 < a.distance[1] < 1100

    def test_max_distance_falls_back_to_the_city_without_coordinates(self):
        rows = [row(1, city="北京市"), row(2, city="天津市", district="")]
        pool, a = run(rows, ticket(latitude=39.9, longitude=116.4, max_distance_km=50))
        assert eligible_ids(pool, a) == [1]
        assert "天津市" in E.constraint_reason(a, pool, 1, E.TOO_FAR)

    def test_same_city_preference(self):
        pool, a = run([row(1), row(2, city="天津市")], ticket(same_city_only=True))
        assert eligible_ids(pool, a) == [1]
        assert a.failures(1) == [E.NOT_SAME_CITY]

    def test_skill_threshold(self):
        pool, a = run([row(1, skills={"linux": 2}), row(2, skills={"linux": 5})], ticket(skill_threshold=80))
        assert eligible_ids(pool, a) == [2]
        assert a.failures(0) == [E.SKILL_BELOW_THRESHOLD]

    def test_all_failures_are_listed(self):
        _pool, a = run([row(1, online_status="offline", workload=9, skills={})])
        assert a.failures(0) == [E.OFFLINE, E.AT_CAPACITY, E.SKILL_MISSING]
        assert a.ranking() == []


# --- scores and weights ----------------------------------------------------------------------------


class TestScores:
    def test_components(self):
        r = row(1, skills={"linux": 4}, workload=2, max_workload=8, latitude=39.9, longitude=116.4, performance=88)
        _pool, a = run([r], ticket(latitude=39.9, longitude=116.4))
        assert a.components(0) == {"skill": 80.0, "workload": 75.0, "location": 100.0, "performance": 88.0}

    def test_total_is_the_weighted_mean(self):
        r = row(1, skills={"linux": 4}, workload=2, max_workload=8, performance=88)
        w = E.Weights(skill=60, workload=20, location=10, performance=10)
        _pool, a = run([r], weights=w)
        c = a.components(0)  # same district without coordinates: 90
        expected = (60 * 80 + 20 * 75 + 10 * 90 + 10 * 88) / 100
        assert c["location"] == 90.0
        assert a.total[0] == pytest.approx(expected)

    def test_weights_change_the_winner(self):
        skilled_busy = row(1, skills={"linux": 5}, workload=6)
        idle_junior = row(2, skills={"linux": 2}, workload=0)
        rows = [skilled_busy, idle_junior]
        pool, by_skill = run(rows, weights=E.Weights(skill=80, workload=10, location=5, performance=5))
        assert eligible_ids(pool, by_skill)[0] == 1
        pool, by_load = run(rows, weights=E.Weights(skill=20, workload=70, location=5, performance=5))
        assert eligible_ids(pool, by_load)[0] == 2

    def test_location_fallbacks(self):
        rows = [
            row(1, district="朝阳区"),
            row(2, district="海淀区"),
            row(3, city="天津市", district="", service_areas=["北京市", "天津市"]),
            row(4, city="上海市", district=""),
        ]
        _pool, a = run(rows)
        assert [a.components(i)["location"] for i in range(3)] == [90.0, 75.0, 60.0]
        _pool, a = run(rows[:3], ticket(city="", district=""))
        assert a.components(0)["location"] == 50.0

    def test_no_required_skill_scores_everyone_full(self):
        _pool, a = run([row(1, skills={})], ticket(required_skills=[]))
        assert a.components(0)["skill"] == 100.0

    def test_no_history_is_neutral(self):
        _pool, a = run([row(1, performance=None)])
        assert a.components(0)["performance"] == E.NO_HISTORY_PERFORMANCE

    def test_bad_weights_refused(self):
        with pytest.raises(ValueError):
            E.Weights(0, 0, 0, 0)
        with pytest.raises(ValueError):
            E.Weights(-1, 50, 25, 25)

    def test_reason_is_in_the_callers_language(self):
        r = row(1, skills={"linux": 5}, workload=3, latitude=39.9, longitude=116.4, performance=92)
        pool, a = run([r], ticket(latitude=39.93, longitude=116.43))
        with translation.override("en"):
            assert "strong skill match (100%)" in E.dispatch_reason(a, pool, 0).lower()
        with translation.override("zh-hans"):
            text = E.dispatch_reason(a, pool, 0)
            assert "技能" in text and "3/8" in text

    def test_haversine(self):
        assert E.haversine_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067, abs=5)


# --- rules ----------------------------------------------------------------------------------------


def rule(id, priority, conditions, actions, name=None):
    return E.Rule(id=id, name=name or f"r{id}", priority=priority, conditions=conditions, actions=actions)


class TestRules:
    def test_conditions(self):
        urgent = ticket(priority="urgent", category="hardware", customer_level="VIP")
        assert E.rule_matches(rule(1, 1, {"ticket_priority": "urgent"}, {}), urgent)
        assert not E.rule_matches(rule(1, 1, {"ticket_priority": ["low", "medium"]}, {}), urgent)
        assert E.rule_matches(rule(1, 1, {"ticket_priority": "medium"}, {}), ticket(priority="normal"))
        assert E.rule_matches(rule(1, 1, {"ticket_category": ["hardware", "software"]}, {}), urgent)
        assert E.rule_matches(rule(1, 1, {"customer_level": "vip"}, {}), urgent)
        assert not E.rule_matches(rule(1, 1, {"customer_level": "vip"}, {}), ticket())

    def test_time_conditions_incl_overnight(self):
        night = rule(1, 1, {"time_range": {"start": "18:00", "end": "08:00"}}, {})
        assert E.rule_matches(night, ticket(local_time=datetime(2026, 11, 30, 23, 0)))
        assert E.rule_matches(night, ticket(local_time=datetime(2026, 11, 30, 7, 59)))
        assert not E.rule_matches(night, ticket(local_time=datetime(2026, 11, 30, 12, 0)))
        weekend = rule(2, 1, {"weekdays": ["saturday", "sunday"]}, {})
        assert E.rule_matches(weekend, ticket(local_time=datetime(2026, 11, 29, 12)))  # Sunday
        assert not E.rule_matches(weekend, ticket(local_time=datetime(2026, 11, 30, 12)))  # Monday

    def test_priority_order_and_boosts(self):
        rules = [
            rule(1, 10, {}, {"require_skill_level": 2, "boost_score": 5, "max_response_time": 60}),
            rule(2, 100, {"ticket_priority": "urgent"}, {"require_skill_level": 4, "boost_score": 20}),
            rule(3, 50, {"ticket_priority": "low"}, {"boost_score": 99}),
        ]
        out = E.evaluate_rules(rules, ticket(priority="urgent"))
        assert [r.id for r in out.fired] == [2, 1]
        assert out.boost == 25
        assert out.min_skill_level == 4  # the higher-priority rule wins
        assert out.response_limit_minutes == 60

    def test_required_level_action_becomes_a_constraint(self):
        rules = [rule(1, 90, {"customer_level": "vip"}, {"require_skill_level": 4, "boost_score": 15})]
        t = ticket(customer_level="vip")
        outcome = E.evaluate_rules(rules, t)
        E.apply_rules(t, outcome)
        pool, a = run([row(1, skills={"linux": 3}), row(2, skills={"linux": 4})], t, rules=outcome)
        assert eligible_ids(pool, a) == [2]
        assert a.total[1] == pytest.approx(a.base[1] + 15)

    def test_response_limit_caps_the_estimate(self):
        t = ticket(priority="low")
        outcome = E.evaluate_rules([rule(1, 1, {"response_time_limit": 15}, {"notify_immediately": True})], t)
        pool, a = run([row(1)], t, rules=outcome)
        assert E.estimated_response_minutes(a, pool, 0) == 15
        assert outcome.notify_immediately


# --- batch ----------------------------------------------------------------------------------------


def brute_force(scores, capacity):
    n_t, n_e = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, n_e), repeat=n_t):
        used = np.zeros(n_e, dtype=int)
        total, ok = 0.0, True
        for t, e in enumerate(choice):
            if e < 0:
                continue
            if np.isnan(scores[t, e]):
                ok = False
                break
            used[e] += 1
            total += scores[t, e]
        if ok and (used <= capacity).all():
            best = max(best, total)
    return best


class TestBatch:
    @pytest.mark.parametrize("seed", range(60))
    def test_optimal_matches_brute_force_and_beats_greedy(self, seed):
        rng = np.random.default_rng(seed)
        n_t, n_e = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        scores = np.round(rng.uniform(0, 100, (n_t, n_e)), 1)
        scores[rng.random((n_t, n_e)) < 0.3] = np.nan
        capacity = rng.integers(0, 3, n_e)
        plan = optimal(scores, capacity)
        assert plan.total == pytest.approx(brute_force(scores, capacity), abs=1e-6)
        assert greedy(scores, capacity).total <= plan.total + 1e-9
        used = np.bincount([e for e in plan.assignment if e is not None], minlength=n_e)
        assert (used <= capacity).all()
        for t, e in enumerate(plan.assignment):
            assert e is None or not math.isnan(scores[t, e])

    def test_optimal_beats_greedy_on_the_classic_trap(self):
        # greedy gives ticket 0 its favourite (engineer 0), leaving ticket 1 with a poor match
        scores = np.array([[90.0, 85.0], [88.0, 20.0]])
        plan, base = optimal(scores, np.array([1, 1])), greedy(scores, np.array([1, 1]))
        assert plan.assignment == [1, 0] and plan.total == pytest.approx(173)
        assert base.assignment == [0, 1] and base.total == pytest.approx(110)

    def test_capacity_copies(self):
        scores = np.array([[90.0, 10.0], [80.0, 10.0], [70.0, 10.0]])
        plan = optimal(scores, np.array([2, 5]))
        assert sorted(plan.assignment[:2]) == [0, 0] and plan.assignment[2] == 1

    def test_unassignable_ticket(self):
        scores = np.array([[np.nan, np.nan], [50.0, 60.0]])
        plan = optimal(scores, np.array([1, 1]))
        assert plan.assignment == [None, 1]
