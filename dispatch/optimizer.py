"""Batch dispatch as ONE optimisation: maximise the total score of the plan subject to each
engineer's capacity and every ticket's hard constraints.

It is an assignment problem with capacities (a transportation problem). We solve it exactly
with the Hungarian method (``scipy.optimize.linear_sum_assignment``, a Jonker–Volgenant
variant) on a matrix where an engineer with room for ``c`` more tickets appears as ``c`` copies
of one column, plus one "leave unassigned" column per ticket (worth 0), so the problem is
always feasible and a ticket stays unassigned only when that is what the optimum wants (or it
has no eligible engineer at all).

Pruning that keeps the answer exact: a ticket is never optimally given to an engineer ranked
below the point where the better-ranked engineers' combined capacity already reaches the number
of tickets — one of them would still have room and score at least as much. So each ticket keeps
only that head of its ranking, and each engineer keeps only as many copies as tickets that
kept it. This shrinks a 500 × 1,000 problem to a few hundred columns per ticket.

``greedy`` is the baseline the API reports next to the optimum: the tickets one after another
(in the given order), each taking the best engineer who still has room.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

#: Added to every real pairing so that, among plans of equal score, assigning beats leaving a
#: ticket unassigned (a zero-score pairing is still a pairing). Far below display precision.
EPSILON = 1e-6


@dataclass
class Plan:
    """Per ticket the chosen engineer position (``None``: unassigned) and the plan's total."""

    assignment: list[int | None]
    total: float

    def assigned_count(self) -> int:
        return sum(1 for x in self.assignment if x is not None)


def _check(scores: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=float)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    if scores.ndim != 2 or scores.shape[1] != capacity.shape[0]:
        raise ValueError("scores must be (tickets, engineers) and capacity (engineers,)")
    return scores, capacity


def optimal(scores: np.ndarray, capacity: np.ndarray) -> Plan:
    """The plan with the highest total score. ``scores[t, e]`` is NaN where engineer ``e`` is not
    eligible for ticket ``t``; ``capacity[e]`` is how many of these tickets ``e`` may take."""
    scores, capacity = _check(scores, capacity)
    n_tickets, n_engineers = scores.shape
    assignment: list[int | None] = [None] * n_tickets
    if n_tickets == 0 or n_engineers == 0:
        return Plan(assignment, 0.0)
    feasible = ~np.isnan(scores) & (capacity > 0)[None, :]
    rows = np.flatnonzero(feasible.any(axis=1))
    if rows.size == 0:
        return Plan(assignment, 0.0)
    demand = rows.size
    # Each ticket's head: its best engineers until their capacity covers every ticket.
    keep = np.zeros((n_tickets, n_engineers), dtype=bool)
    masked = np.where(feasible, scores, -np.inf)
    for t in rows:
        candidates = np.flatnonzero(feasible[t])
        ranked = candidates[np.argsort(-masked[t, candidates], kind="stable")]
        covered = np.cumsum(capacity[ranked])
        cut = int(np.searchsorted(covered, demand)) + 1  # include the engineer that reaches demand
        keep[t, ranked[:cut]] = True
    used = np.flatnonzero(keep.any(axis=0))
    copies = np.minimum(capacity[used], keep[:, used].sum(axis=0))
    column_engineer = np.repeat(used, copies)
    # Profit matrix: kept pairings score + EPSILON, others -inf; then one 0-column per ticket.
    sub = np.where(keep[np.ix_(rows, column_engineer)], scores[np.ix_(rows, column_engineer)] + EPSILON, -np.inf)
    profit = np.hstack([sub, np.zeros((demand, demand))])
    r, c = linear_sum_assignment(profit, maximize=True)
    total = 0.0
    for row, col in zip(r, c, strict=True):
        if col < column_engineer.size:
            t, e = int(rows[row]), int(column_engineer[col])
            assignment[t] = e
            total += float(scores[t, e])
    return Plan(assignment, total)


def greedy(scores: np.ndarray, capacity: np.ndarray) -> Plan:
    """Tickets in order, each to the best engineer that still has room."""
    scores, capacity = _check(scores, capacity)
    room = capacity.copy()
    assignment: list[int | None] = []
    total = 0.0
    for t in range(scores.shape[0]):
        row = np.where(np.isnan(scores[t]) | (room <= 0), -np.inf, scores[t])
        if row.size == 0 or not np.isfinite(row.max()):
            assignment.append(None)
            continue
        e = int(np.argmax(row))
        room[e] -= 1
        assignment.append(e)
        total += float(scores[t, e])
    return Plan(assignment, total)
