"""Every write of the engineers domain: keyword-only, transactional, checking its own
permission code and relation rules (``engineers.policy``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from engineers import events, roster
from engineers.choices import AssessmentType, OnlineStatus
from engineers.models import (
    EngineerCertification,
    EngineerProfile,
    EngineerSkill,
    EngineerTeam,
    Skill,
    SkillAssessment,
)
from engineers.policy import can_be_engineer, check_status_update, is_manager, require_code
from engineers.schedule import normalise_work_schedule
from portal.errors import DomainError, ErrorCode
from tenants.models import Tenant


def validate_skill_levels(value) -> list[dict]:
    """A skill's level definitions: a list of {level 1–5, name, description}, levels unique,
    returned sorted by level."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("Level definitions are a list."))
    seen = set()
    out = []
    for row in value:
        if not isinstance(row, dict) or not isinstance(row.get("level"), int) or not 1 <= row["level"] <= 5:
            raise ValidationError(_('Each level is {"level": 1-5, "name": …, "description": …}.'))
        if row["level"] in seen:
            raise ValidationError(_("Level %(level)s is defined twice.") % {"level": row["level"]})
        seen.add(row["level"])
        out.append(
            {
                "level": row["level"],
                "name": str(row.get("name") or "")[:64],
                "description": str(row.get("description") or "")[:500],
            }
        )
    return sorted(out, key=lambda r: r["level"])


# --- helpers -----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "employee_no", "title", "level", "city", "district", "address", "latitude", "longitude", "service_areas",
    "work_phone", "emergency_contact", "wechat", "preferred_contact", "join_date", "contract_type",
    "employment_status", "probation_end", "next_review", "max_workload", "work_schedule",
)  # fmt: skip
STATUS_FIELDS = ("online_status", "availability", "status_message")


def _schedule(value) -> dict:
    try:
        return normalise_work_schedule(value)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(ErrorCode.VALIDATION_FAILED, messages[0], field=field) from None


def _team(*, tenant: Tenant, team_id) -> EngineerTeam | None:
    if team_id in (None, ""):
        return None
    team = EngineerTeam.objects.for_tenant(tenant).filter(pk=team_id).first()
    if team is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The team does not exist."), field="team_id")
    return team


def skill_by_code(*, tenant: Tenant, code: str, create_as: str = "", field: str = "skill_code") -> Skill:
    """A library skill by code; with ``create_as`` (a name) an unknown code is added to the
    library (v1 4.4.2 sends ``skill_name`` with the code), otherwise it is a 400."""
    skill = Skill.objects.for_tenant(tenant).filter(code=code).first()
    if skill is not None:
        return skill
    if create_as:
        return Skill.objects.create(tenant=tenant, code=code, name=create_as[:128])
    raise DomainError(
        ErrorCode.VALIDATION_FAILED,
        _("Unknown skill %(code)s: add it to the skill library first.") % {"code": code},
        field=field,
    )


def check_employee_no(*, tenant: Tenant, employee_no: str, exclude_pk=None) -> None:
    """Employee numbers are unique among a tenant's live profiles (409). Pages ask it too, to
    show the clash next to their other errors."""
    if not employee_no:
        return
    clash = EngineerProfile.objects.for_tenant(tenant).filter(employee_no=employee_no).exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            ErrorCode.CONFLICT,
            _("Employee number %(no)s is already used.") % {"no": employee_no},
            field="employee_id",
        )


def validate_coordinates(latitude, longitude) -> None:
    """Coordinates are a pair: a lone latitude would silently turn distance scoring off."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give latitude and longitude together."))


def _apply(profile: EngineerProfile, data: dict) -> list[str]:
    changed = []
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            if name == "work_schedule":
                value = _schedule(value)
            if name in ("latitude", "longitude") and value is not None:
                value = Decimal(str(value)).quantize(Decimal("0.000001"))
            if name == "service_areas":
                value = [str(v).strip() for v in (value or []) if str(v).strip()]
            if getattr(profile, name) != value:
                setattr(profile, name, value)
                changed.append(name)
    try:
        validate_coordinates(profile.latitude, profile.longitude)
    except ValidationError as error:
        raise DomainError(ErrorCode.VALIDATION_FAILED, error.messages[0], field="location") from None
    return changed


def _set_skills(*, engineer: EngineerProfile, rows: list[dict], by) -> None:
    for row in rows:
        engineer_skill_save(engineer=engineer, by=by, data=row, _checked=True)


def _set_certifications(*, engineer: EngineerProfile, rows: list[dict]) -> None:
    for row in rows:
        code = row["code"]
        values = {k: row[k] for k in ("name", "issuer", "issued_date", "expiry_date", "verification_url") if k in row}
        values.setdefault("name", code)
        if values.get("issued_date") and values.get("expiry_date") and values["expiry_date"] < values["issued_date"]:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("A certificate cannot expire before it is issued."),
                field="certifications",
            )
        EngineerCertification.objects.update_or_create(
            tenant_id=engineer.tenant_id, engineer=engineer, code=code, defaults=values
        )


# --- profiles ----------------------------------------------------------------------------------


@transaction.atomic
def engineer_create(*, tenant: Tenant, by, data: dict) -> EngineerProfile:
    """Open the engineer profile of an agent user of ``tenant``. ``data`` holds canonical values
    (model field names, plus ``user_id``, ``team_id``, ``skills`` and ``certifications``).

    Another tenant's user is a 404 (USER_NOT_FOUND); a user who does not handle tickets is a 400;
    a second profile for the same user is a 409. A soft-deleted profile of the user is revived."""
    require_code(by, "engineer:create")
    user = User.objects.filter(pk=data.get("user_id"), tenant=tenant).first()
    if user is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, field="user_id", details={"user_id": data.get("user_id")})
    if not can_be_engineer(user):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("%(name)s does not handle tickets (agents only) and cannot be an engineer.") % {"name": user},
            field="user_id",
        )
    existing = EngineerProfile.all_objects.select_for_update().filter(user=user).first()
    if existing is not None and not existing.is_deleted:
        raise DomainError(
            ErrorCode.ENGINEER_PROFILE_EXISTS, field="user_id", details={"user_id": user.pk, "engineer_id": existing.pk}
        )
    values = dict(data)
    values.setdefault("employee_no", user.employee_id)
    values.setdefault("join_date", user.hire_date)
    values.setdefault("title", user.job_title)
    check_employee_no(tenant=tenant, employee_no=values.get("employee_no") or "")
    profile = existing or EngineerProfile(tenant=tenant, user=user)
    if existing is not None:  # revive: start from a clean slate, keep the history rows
        profile.is_deleted, profile.deleted_at, profile.deleted_by = False, None, None
        EngineerSkill.objects.filter(engineer=profile).delete()
        EngineerCertification.objects.filter(engineer=profile).delete()
    values.setdefault("work_schedule", None)
    _apply(profile, values)
    profile.team = _team(tenant=tenant, team_id=data.get("team_id"))
    profile.created_at = timezone.now()
    profile.save()
    _set_skills(engineer=profile, rows=data.get("skills") or [], by=by)
    _set_certifications(engineer=profile, rows=data.get("certifications") or [])
    return profile


@transaction.atomic
def engineer_update(*, engineer: EngineerProfile, by, data: dict) -> EngineerProfile:
    """Change profile fields (partial). ``skills`` and ``certifications``, when given, are
    upserted by code (skills not listed stay; remove one with ``engineer_skill_remove``).
    Performance figures are not writable."""
    require_code(by, "engineer:update")
    profile = EngineerProfile.objects.select_for_update().get(pk=engineer.pk)
    if "employee_no" in data:
        check_employee_no(tenant=profile.tenant, employee_no=data["employee_no"] or "", exclude_pk=profile.pk)
    changed = _apply(profile, data)
    if "team_id" in data:
        team = _team(tenant=profile.tenant, team_id=data["team_id"])
        if team != profile.team:
            profile.team = team
            changed.append("team")
    location_changed = {"latitude", "longitude", "city", "district"} & set(changed)
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    if "skills" in data:
        _set_skills(engineer=profile, rows=data["skills"] or [], by=by)
    if "certifications" in data:
        _set_certifications(engineer=profile, rows=data["certifications"] or [])
    if location_changed:
        events.engineer_status_changed(profile)
    return profile


@transaction.atomic
def engineer_set_status(*, engineer: EngineerProfile, by, data: dict) -> EngineerProfile:
    """The engineer's live status: ``online_status``, ``availability``, ``status_message`` and
    optionally ``location`` (latitude/longitude, city/district). Pushed live after commit."""
    check_status_update(engineer, by)
    profile = EngineerProfile.objects.select_for_update().get(pk=engineer.pk)
    now = timezone.now()
    changed = []
    for name in STATUS_FIELDS:
        if name in data and getattr(profile, name) != data[name]:
            setattr(profile, name, data[name])
            changed.append(name)
    location = data.get("location") or {}
    changed += _apply(
        profile, {k: location[k] for k in ("latitude", "longitude", "city", "district", "address") if k in location}
    )
    profile.status_updated_at = now
    profile.last_active_at = now
    profile.save(update_fields=[*changed, "status_updated_at", "last_active_at", "updated_at"])
    events.engineer_status_changed(profile)
    return profile


@transaction.atomic
def engineer_delete(*, engineer: EngineerProfile, by) -> None:
    """Soft delete: the profile leaves every list and dispatch; its history stays."""
    require_code(by, "engineer:update")
    if not is_manager(by):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS)
    EngineerProfile.objects.filter(pk=engineer.pk).update(
        is_deleted=True, deleted_at=timezone.now(), deleted_by=by, online_status=OnlineStatus.OFFLINE
    )
    roster.roster_changed(engineer.tenant_id)


def touch_last_active(*, engineer: EngineerProfile) -> None:
    """Remember that the engineer was active (a cheap single UPDATE, no event)."""
    EngineerProfile.objects.filter(pk=engineer.pk).update(last_active_at=timezone.now())


# --- skills ------------------------------------------------------------------------------------


SKILL_FIELDS = ("level", "proficiency_score", "experience_years", "certification", "certified", "last_used_at")


@transaction.atomic
def engineer_skill_save(*, engineer: EngineerProfile, by, data: dict, _checked: bool = False) -> EngineerSkill:
    """Add a skill to the engineer or change it (by ``skill_code``, or ``skill`` already
    resolved). ``data`` keys: skill_code, skill_name (adds an unknown code to the library),
    level 1–5, proficiency_score, experience_years, certification, certified, last_used_at."""
    if not _checked:
        require_code(by, "engineer:update")
    skill = data.get("skill") or skill_by_code(
        tenant=engineer.tenant, code=data["skill_code"], create_as=data.get("skill_name") or ""
    )
    values = {k: data[k] for k in SKILL_FIELDS if k in data and data[k] is not None}
    row = EngineerSkill.objects.select_for_update().filter(engineer=engineer, skill=skill).first()
    if row is None:
        if "level" not in values:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("Give the skill level (1-5)."), field="skill_level")
        row = EngineerSkill(tenant_id=engineer.tenant_id, engineer=engineer, skill=skill)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


@transaction.atomic
def engineer_skill_update(*, row: EngineerSkill, by, data: dict) -> EngineerSkill:
    require_code(by, "engineer:update")
    row = EngineerSkill.objects.select_for_update().get(pk=row.pk)
    for name in SKILL_FIELDS:
        if name in data and data[name] is not None:
            setattr(row, name, data[name])
    row.save()
    return row


@transaction.atomic
def engineer_skill_remove(*, row: EngineerSkill, by) -> None:
    require_code(by, "engineer:update")
    EngineerSkill.objects.filter(pk=row.pk).delete()


# Score (0–100) → level: the lower bound of each level.
LEVEL_THRESHOLDS = ((90, 5), (75, 4), (60, 3), (40, 2), (0, 1))


def level_for_score(score: float) -> int:
    return next(level for bound, level in LEVEL_THRESHOLDS if score >= bound)


@transaction.atomic
def engineer_skill_assess(
    *,
    engineer: EngineerProfile,
    by,
    skill_code: str,
    assessment_type: str,
    questions: list[dict] | None = None,
    practical_score: float | None = None,
    comment: str = "",
) -> SkillAssessment:
    """Record an assessment and set the engineer's level in the skill from its score.

    The score is the practical score (0–100). Answers to questions are stored as given: the
    library has no answer keys, so they cannot be marked here; an assessment therefore needs a
    practical score. A self assessment may not raise a level by more than one step."""
    require_code(by, "engineer:assess")
    skill = skill_by_code(tenant=engineer.tenant, code=skill_code)
    if practical_score is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Give the practical score (0-100)."), field="practical_score")
    score = float(practical_score)
    row = EngineerSkill.objects.select_for_update().filter(engineer=engineer, skill=skill).first()
    previous = row.level if row else None
    level = level_for_score(score)
    if assessment_type == AssessmentType.SELF and previous is not None and level > previous + 1:
        level = previous + 1
    now = timezone.now()
    if row is None:
        row = EngineerSkill(tenant_id=engineer.tenant_id, engineer=engineer, skill=skill)
    row.level = level
    row.proficiency_score = Decimal(str(round(score, 1)))
    row.last_assessed_at = now
    if assessment_type != AssessmentType.SELF:
        row.certified = True
    row.save()
    return SkillAssessment.objects.create(
        tenant_id=engineer.tenant_id,
        engineer=engineer,
        skill=skill,
        assessment_type=assessment_type,
        questions=questions or [],
        practical_score=Decimal(str(round(score, 1))),
        score=Decimal(str(round(score, 1))),
        previous_level=previous,
        level=level,
        assessor=by,
        assessor_comment=comment[:1000],
        created_at=now,
    )
