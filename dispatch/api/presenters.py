"""Response bodies of the dispatch API (v1 §4), one function per entity."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dispatch import engine as E
from portal.timestamps import iso_utc
from tickets.choices import V1, priority_word


def _minutes_text(minutes: int) -> str:
    return _("%(n)s minutes") % {"n": minutes}


def engineer_brief(s, i: int) -> dict:
    row = s.pool.rows[i]
    return {
        "id": row.id,
        "name": row.name,
        "current_workload": row.workload,
        "max_workload": row.max_workload,
        "location": {"city": row.city, "district": row.district},
        "online_status": row.online_status,
        "skills": [{"code": code, "level": level} for code, level in sorted(row.skills.items(), key=lambda x: -x[1])],
    }


def match_details(a: E.Assessment, i: int) -> dict:
    c = a.components(i)
    return {
        "total_score": round(float(a.total[i]), 1),
        "skill_match_score": c["skill"],
        "workload_score": c["workload"],
        "location_score": c["location"],
        "performance_score": c["performance"],
        "calculation_details": {
            **a.weights.as_config(),
            "base_score": round(float(a.base[i]), 2),
            "rule_boost": round(a.rules.boost, 1),
            "distance_km": None if a.distance[i] != a.distance[i] else round(float(a.distance[i]), 1),
        },
    }


def intelligent(record, s) -> dict:
    profile = record.engineer
    user = profile.user
    i = s.pool.index[record.engineer_id]
    brief = engineer_brief(s, i)
    brief.update({"email": user.email, "phone": getattr(user, "phone", "") or profile.work_phone})
    return {
        "dispatch_id": record.pk,
        "ticket_id": record.ticket_id,
        "selected_engineer": brief,
        "match_details": match_details(s.assessment, i),
        "dispatch_reason": record.reason,
        "estimated_response_time": iso_utc(record.estimated_response_at),
        "confidence_level": str(E.CONFIDENCE_LEVELS[record.confidence]) if record.confidence else "",
        "alternatives": record.alternatives,
        "rules_applied": record.rules_fired,
        "required_skills": record.required_skills,
        "forced": bool(record.overridden),
        "overridden_constraints": record.overridden,
    }


def suggestions(s, *, limit: int, explain: bool) -> dict:
    a, pool = s.assessment, s.pool
    ranked = a.ranking(limit)
    chosen = ranked[0] if ranked else None
    items = []
    for rank, i in enumerate(ranked, start=1):
        minutes = E.estimated_response_minutes(a, pool, i)
        c = a.components(i)
        items.append(
            {
                "rank": rank,
                "engineer": engineer_brief(s, i),
                "match_score": round(float(a.total[i]), 1),
                "score_breakdown": {
                    "skill_match": c["skill"],
                    "workload": c["workload"],
                    "location": c["location"],
                    "performance": c["performance"],
                },
                "distance_km": None if a.distance[i] != a.distance[i] else round(float(a.distance[i]), 1),
                "estimated_response": _minutes_text(minutes),
                "confidence": str(E.CONFIDENCE_LEVELS[E.confidence(a, i)]),
                "reason": E.dispatch_reason(a, pool, i) if i == chosen else E.alternative_reason(a, pool, i, chosen),
            }
        )
    ticket = s.ticket
    body = {
        "ticket_info": {
            "id": ticket.pk,
            "ticket_number": ticket.number,
            "title": ticket.title,
            "priority": priority_word(ticket.priority, V1),
            "category": ticket.category.code if ticket.category_id else None,
            "required_skills": a.ticket.required_skills,
            "min_skill_level": a.ticket.min_skill_level,
            "location": {"city": a.ticket.city, "district": a.ticket.district},
        },
        "strategy": {"strategy_code": s.strategy.code, "weight_config": a.weights.as_config()},
        "suggestions": items,
        "rules_applied": s.rules.summary(),
        "engineers_considered": pool.size,
    }
    if explain:
        body["excluded"] = [
            {
                "engineer_id": int(pool.ids[i]),
                "engineer_name": pool.rows[i].name,
                "constraints": [
                    {
                        "constraint": code,
                        "label": str(E.CONSTRAINT_LABELS[code]),
                        "reason": E.constraint_reason(a, pool, i, code),
                    }
                    for code in a.failures(i)
                ],
            }
            for i in range(pool.size)
            if not a.eligible[i]
        ]
    return body


def batch(result) -> dict:
    pool = result.pool
    rows = []
    for item in result.items:
        ticket = item["ticket"]
        row = {"ticket_id": ticket.pk, "ticket_number": ticket.number}
        if item["position"] is not None:
            e = item["position"]
            row.update(
                {
                    "status": "assigned" if item.get("record") else "planned",
                    "engineer_id": int(pool.ids[e]),
                    "engineer_name": pool.rows[e].name,
                    "score": round(item["score"], 1),
                    "dispatch_id": item["record"].pk if item.get("record") else None,
                }
            )
        else:
            row.update(
                {"status": "failed", "engineer_id": None, "score": None, "failure_reason": item["failure_reason"]}
            )
        if "greedy_position" in item:
            g = item["greedy_position"]
            row["greedy_engineer_id"] = int(pool.ids[g]) if g is not None else None
            row["greedy_score"] = round(item["greedy_score"], 1) if item["greedy_score"] is not None else None
        rows.append(row)
    assigned = sum(1 for r in rows if r["engineer_id"] is not None)
    return {
        "batch_id": str(result.batch_id),
        "total_tickets": len(rows),
        "assigned": assigned,
        "failed": len(rows) - assigned,
        "total_score": round(result.total_score, 2),
        "greedy_total_score": round(result.greedy_total_score, 2),
        "results": rows,
    }


def strategy(obj) -> dict:
    return {
        "strategy_code": obj.code,
        "strategy_name": obj.name,
        "description": obj.description,
        "weight_config": obj.weights,
        "constraints": obj.constraints or {},
        "is_default": obj.is_default,
        "is_active": obj.is_active,
    }


def rule(obj) -> dict:
    return {
        "id": obj.pk,
        "rule_name": obj.name,
        "rule_type": obj.rule_type,
        "description": obj.description,
        "conditions": obj.conditions,
        "actions": obj.actions,
        "priority": obj.priority,
        "is_active": obj.is_active,
        "created_at": iso_utc(obj.created_at),
    }


def workload(data: dict, *, include_details: bool) -> dict:
    rows = []
    for row in data["engineers"]:
        e = row["engineer"]
        out = {
            "engineer_id": e.pk,
            "engineer_name": e.display_name,
            "current_tickets": row["current_tickets"],
            "pending_tickets": row["pending_tickets"],
            "in_progress_tickets": row["in_progress_tickets"],
            "completed_today": row["completed_today"],
            "workload_score": row["workload_score"],
            "capacity_utilization": row["capacity_utilization"],
            "max_workload": e.max_workload,
            "estimated_available_time": iso_utc(row["estimated_available_time"]),
            "status": row["status"],
        }
        if include_details:
            out.update(
                {
                    "location": row["location"],
                    "skills_summary": row["skills_summary"],
                    "performance_rating": row["performance_rating"],
                }
            )
        rows.append(out)
    return {"summary": data["summary"], "engineers": rows, "workload_distribution": data["workload_distribution"]}


def manual(record) -> dict:
    return {
        "dispatch_id": record.pk,
        "ticket_id": record.ticket_id,
        "engineer_id": record.engineer_id,
        "dispatch_type": record.dispatch_type,
        "warnings": record.warnings,
        "overridden_constraints": record.overridden,
        "dispatch_time": iso_utc(record.created_at),
    }


def revoke(record, new_record) -> dict:
    from tickets.choices import status_word

    record.ticket.refresh_from_db(fields=["status"])
    return {
        "dispatch_id": record.pk,
        "ticket_id": record.ticket_id,
        "status": record.status,
        "ticket_status": status_word(record.ticket.status, V1),
        "reassigned": new_record is not None,
        "new_dispatch": None
        if new_record is None
        else {
            "dispatch_id": new_record.pk,
            "engineer_id": new_record.engineer_id,
            "total_score": new_record.total_score,
            "dispatch_reason": new_record.reason,
        },
    }


def location(e) -> dict:
    return {
        "engineer_id": e.pk,
        "engineer_name": e.display_name,
        "current_location": {
            "city": e.city,
            "district": e.district,
            "address": e.address,
            "latitude": float(e.latitude) if e.latitude is not None else None,
            "longitude": float(e.longitude) if e.longitude is not None else None,
        },
        "service_areas": e.service_areas or [],
        "online_status": e.online_status,
        "last_updated": iso_utc(e.status_updated_at or e.updated_at),
    }


def distance_row(row) -> dict:
    e = row["engineer"]
    return {
        "engineer_id": e.pk,
        "engineer_name": e.display_name,
        "distance_km": round(row["distance_km"], 2) if row["distance_km"] is not None else None,
        "match_type": row["match"],
        "location_score": row["location_score"],
        "current_location": location(e)["current_location"],
    }
