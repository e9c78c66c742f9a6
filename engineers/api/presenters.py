"""How engineers look in the v1 contract. Plain functions over already-loaded rows (selectors
load user, team, skills, certifications and workload up front; presenting never queries)."""

from __future__ import annotations

from django.utils import timezone

from engineers.choices import EmploymentStatus
from engineers.selectors import current_workload
from portal.timestamps import iso_utc

ACTIVE_EMPLOYMENT = (EmploymentStatus.ACTIVE, EmploymentStatus.PROBATION)


def _date(value):
    return value.isoformat() if value else None


def _num(value, digits=1):
    return None if value is None else round(float(value), digits)


def display_name(user) -> str:
    return user.real_name or f"{user.last_name}{user.first_name}" or user.username


def status_word(engineer) -> str:
    """v1 ``status``: active (employed, working) or inactive (on leave, left)."""
    return "active" if engineer.employment_status in ACTIVE_EMPLOYMENT else "inactive"


def last_active(engineer):
    return iso_utc(engineer.last_active_at or engineer.user.last_login)


def team(engineer, *, full: bool = False, member_counts: dict | None = None) -> dict | None:
    t = engineer.team
    if t is None:
        return None
    data = {"id": t.pk, "name": t.name}
    if full:
        data["leader"] = display_name(t.leader) if t.leader_id else None
        data["member_count"] = (member_counts or {}).get(t.pk)
    return data


def skill_brief(row) -> dict:
    return {"code": row.skill.code, "name": row.skill.name, "level": row.level}


def engineer_skill(row) -> dict:
    """One skill of an engineer: the 4.4.1 fields and the detail's (6A.1.2) together."""
    skill = row.skill
    return {
        "id": row.pk,
        "skill_id": skill.pk,
        "code": skill.code,
        "name": skill.name,
        "category": skill.category,
        "level": row.level,
        "level_name": skill.level_name(row.level),
        "proficiency_score": _num(row.proficiency_score),
        "certification": row.certification or None,
        "experience_years": _num(row.experience_years),
        "last_used": iso_utc(row.last_used_at),
        "verified": row.certified,
        "last_assessed": iso_utc(row.last_assessed_at),
        # 4.4.1 names
        "skill_code": skill.code,
        "skill_name": skill.name,
        "skill_level": row.level,
        "last_used_time": iso_utc(row.last_used_at),
        "skill_category": skill.category,
    }


def engineer_item(engineer) -> dict:
    """A row of GET engineers (6A.1.1)."""
    user = engineer.user
    rows = list(engineer.skill_rows.all())
    return {
        "id": engineer.pk,
        "user_id": user.pk,
        "employee_id": engineer.employee_no,
        "name": display_name(user),
        "email": user.email,
        "phone": user.phone,
        "avatar": user.avatar or None,
        "title": engineer.title,
        "level": engineer.level,
        "team": team(engineer),
        "location": {"city": engineer.city, "district": engineer.district},
        "status": status_word(engineer),
        "online_status": engineer.online_status,
        "current_workload": current_workload(engineer),
        "max_workload": engineer.max_workload,
        "skills": [skill_brief(r) for r in rows],
        "rating": _num(engineer.avg_rating, 2),
        "join_date": _date(engineer.join_date),
        "last_active": last_active(engineer),
    }


def certification(cert, *, today) -> dict:
    return {
        "id": cert.pk,
        "name": cert.name,
        "code": cert.code,
        "issued_date": _date(cert.issued_date),
        "expiry_date": _date(cert.expiry_date),
        "issuer": cert.issuer,
        "status": cert.status_on(today),
        "verification_url": cert.verification_url or None,
        "verified": cert.is_verified,
    }


def performance(engineer) -> dict:
    total, done = engineer.total_tickets, engineer.resolved_count
    return {
        "rating": _num(engineer.avg_rating, 2),
        "total_tickets": total,
        "completed_tickets": done,
        "success_rate": _num(done / total * 100) if total else None,
        "avg_resolution_time": _num(engineer.avg_resolution_minutes),
        "customer_satisfaction": _num(engineer.avg_rating, 2),
        "sla_compliance_rate": _num(engineer.sla_compliance_rate),
        "rejection_rate": _num(engineer.rejection_rate),
        "performance_score": _num(engineer.performance_score),
        "knowledge_contributions": None,
        "mentoring_sessions": None,
        "last_evaluation": _date(timezone.localdate(engineer.performance_computed_at))
        if engineer.performance_computed_at
        else None,
    }


def engineer_detail(engineer, *, forecast: dict, member_counts: dict | None = None) -> dict:
    """GET engineers/{id} (6A.1.2 and the Mock example)."""
    user = engineer.user
    schedule = engineer.work_schedule or {}
    today = timezone.localdate()
    data = engineer_item(engineer)
    data.update(
        {
            "department": user.department.name if user.department_id else None,
            "team": team(engineer, full=True, member_counts=member_counts),
            "location": {
                "city": engineer.city,
                "district": engineer.district,
                "address": engineer.address,
                "latitude": _num(engineer.latitude, 6),
                "longitude": _num(engineer.longitude, 6),
                "timezone": engineer.time_zone,
            },
            "service_areas": list(engineer.service_areas or []),
            "contact_info": {
                "work_phone": engineer.work_phone,
                "emergency_contact": engineer.emergency_contact,
                "wechat": engineer.wechat,
                "preferred_contact": engineer.preferred_contact,
            },
            "employment_info": {
                "join_date": _date(engineer.join_date),
                "contract_type": engineer.contract_type,
                "employment_status": engineer.employment_status,
                "probation_end": _date(engineer.probation_end),
                "next_review": _date(engineer.next_review),
            },
            "skills": [engineer_skill(r) for r in engineer.skill_rows.all()],
            "certifications": [certification(c, today=today) for c in engineer.certifications.all()],
            "work_schedule": schedule,
            "performance": performance(engineer),
            "current_status": {
                "status": status_word(engineer),
                "online_status": engineer.online_status,
                "current_workload": current_workload(engineer),
                "max_workload": engineer.max_workload,
                "availability": engineer.availability,
                "last_active": last_active(engineer),
                "status_message": engineer.status_message,
                "status_updated_at": iso_utc(engineer.status_updated_at),
                "on_duty": forecast["on_duty"],
                "estimated_free_time": iso_utc(forecast["next_available"]),
            },
        }
    )
    return data


def skill(skill_row, *, related_codes: list[str]) -> dict:
    """A skill of the library (6A.2.1)."""
    return {
        "id": skill_row.pk,
        "code": skill_row.code,
        "name": skill_row.name,
        "name_en": skill_row.name_en,
        "category": skill_row.category,
        "description": skill_row.description,
        "levels": [
            {"level": lvl, "name": skill_row.level_name(lvl), "description": _level_description(skill_row, lvl)}
            for lvl in range(1, 6)
        ],
        "related_skills": related_codes,
        "certifications": list(skill_row.certifications or []),
        "keywords": list(skill_row.keywords or []),
        "is_active": skill_row.is_active,
    }


def _level_description(skill_row, level: int) -> str:
    for row in skill_row.levels or ():
        if isinstance(row, dict) and row.get("level") == level:
            return str(row.get("description") or "")
    return ""


def workload(engineer, *, breakdown: dict, trend: list[dict], forecast: dict) -> dict:
    """GET engineers/{id}/workload (6A.3.2)."""
    current = breakdown["total"]
    return {
        "engineer_id": engineer.pk,
        "current_workload": current,
        "max_workload": engineer.max_workload,
        "utilization_rate": round(current / engineer.max_workload * 100, 1) if engineer.max_workload else None,
        "tickets": {
            "pending": breakdown["pending"],
            "in_progress": breakdown["in_progress"],
            "paused": breakdown["paused"],
            "total": current,
        },
        "estimated_completion": iso_utc(forecast["estimated_completion"]),
        "workload_trend": trend,
        "capacity_forecast": {
            "next_available": iso_utc(forecast["next_available"]),
            "can_take_urgent": forecast["can_take_urgent"],
            "recommended_max_new": forecast["recommended_max_new"],
            "on_duty": forecast["on_duty"],
            "avg_resolution_minutes": forecast["avg_resolution_minutes"],
        },
    }
