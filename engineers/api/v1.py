"""Portal API v1 adapters: ``/api/v1/engineers…`` (§6A, §4.4) and ``/api/v1/skills`` (§6A.2.1)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from engineers import selectors, services
from engineers.api import presenters as P
from engineers.api import schema as out
from engineers.api import serializers as S
from engineers.filtersets import EngineerFilterSet
from engineers.models import EngineerProfile, EngineerSkill, Skill
from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from portal.errors import DomainError, ErrorCode
from portal.timestamps import iso_utc


def _valid(serializer_class, data, *, partial=False):
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _filtered(filterset_class, params, queryset):
    from django import forms
    from rest_framework.exceptions import ValidationError

    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    try:
        return filterset.qs
    except forms.ValidationError as error:
        raise ValidationError(getattr(error, "message_dict", None) or {"non_field_errors": error.messages}) from None


def skill_row_in(data: dict) -> dict:
    """A contract skill item as the services' canonical dict."""
    names = {
        "skill_level": "level",
        "verified": "certified",
        "last_used_time": "last_used_at",
    }
    return {names.get(k, k): v for k, v in data.items()}


def profile_in(data: dict) -> dict:
    """The contract's nested profile body as the services' flat canonical dict."""
    out_data: dict = {}
    for key, value in data.items():
        if key == "employee_id":
            out_data["employee_no"] = value
        elif key in ("location", "contact_info", "employment_info"):
            out_data.update(value)
        elif key == "skills":
            out_data["skills"] = [skill_row_in(row) for row in value]
        else:
            out_data[key] = value
    return out_data


ENGINEER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Engineer (profile) id.")
SKILL_ID = OpenApiParameter(
    "skill_id",
    str,
    OpenApiParameter.PATH,
    description="The engineer-skill row id from GET engineers/{id}/skills (or the skill code).",
)


@extend_schema(tags=["engineers"])
class V1EngineerViewSet(V1ViewSet):
    """Engineer profiles (§6A.1, §6A.3), their skills (§4.4) and assessments (§6A.2.2)."""

    queryset = EngineerProfile.objects.all()  # the model, for introspection; requests use the selector
    not_found_code = ErrorCode.ENGINEER_NOT_FOUND
    lookup_value_regex = r"\d+"
    filterset_class = EngineerFilterSet
    required_permissions = {
        "list": "engineer:read",
        "retrieve": "engineer:read",
        "create": "engineer:create",
        "update": "engineer:update",
        "partial_update": "engineer:update",
        "status": "engineer:update-status",
        "workload": "engineer:read",
        "skills": "engineer:read",
        "add_skill": "engineer:update",
        "update_skill": "engineer:update",
        "remove_skill": "engineer:update",
        "assessment": "engineer:assess",
    }

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return EngineerProfile.objects.all()
        return selectors.engineers_for(request.user)

    def _engineer(self, pk, *, detail: bool = False) -> EngineerProfile:
        queryset = self.get_queryset()
        if detail:
            queryset = selectors.for_detail(queryset)
        try:
            return queryset.get(pk=int(pk))
        except (EngineerProfile.DoesNotExist, TypeError, ValueError, OverflowError):
            raise DomainError(ErrorCode.ENGINEER_NOT_FOUND, details={"engineer_id": pk}) from None

    def _detail(self, engineer: EngineerProfile) -> dict:
        engineer = self._engineer(engineer.pk, detail=True)
        forecast = selectors.capacity_forecast(engineer, open_tickets=engineer.current_workload)
        counts = selectors.team_member_counts(engineer.tenant)
        return P.engineer_detail(engineer, forecast=forecast, member_counts=counts)

    @extend_schema(
        responses=out.EngineerItemOut(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=["active", "inactive", "busy", "offline", "online", "away"]),
            OpenApiParameter("skill_codes", str, description="Comma-separated skill codes (all required)."),
            OpenApiParameter("location", str, description="City, district or address (part)."),
            OpenApiParameter("team_id", int),
            OpenApiParameter("keyword", str, description="Name, username, email, employee id or title (part)."),
            OpenApiParameter(
                "sort", str, enum=["name", "join_date", "rating", "workload", "performance", "employee_id"]
            ),
            OpenApiParameter("order", str, enum=["asc", "desc"]),
        ],
        filters=False,
    )
    def list(self, request):
        queryset = _filtered(EngineerFilterSet, request.query_params, selectors.for_list(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([P.engineer_item(e) for e in page])

    @extend_schema(
        request=S.EngineerCreateIn,
        responses={201: out.EngineerDetailOut, 409: None},
        description="Opens the profile of an existing agent user of your tenant (``user_id``); name, email "
        "and phone come from that user. ``max_workload`` is shown as ``current_status.max_workload``.",
    )
    def create(self, request):
        data = profile_in(_valid(S.EngineerCreateIn, request.data))
        engineer = services.engineer_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(self._detail(engineer), message=_("Engineer profile created."), status=201)

    @extend_schema(responses=out.EngineerDetailOut, parameters=[ENGINEER_ID])
    def retrieve(self, request, pk=None):
        return ApiResponse(self._detail(self._engineer(pk)))

    @extend_schema(
        request=S.EngineerUpdateIn,
        responses={200: out.EngineerDetailOut, 409: None},
        parameters=[ENGINEER_ID],
        description="Partial: only the fields given change. Skills and certifications given are added or "
        "changed by code; performance figures are computed from ticket history and cannot be set.",
    )
    def update(self, request, pk=None):
        engineer = self._engineer(pk)
        data = profile_in(_valid(S.EngineerUpdateIn, request.data, partial=True))
        engineer = services.engineer_update(engineer=engineer, by=request.user, data=data)
        return ApiResponse(self._detail(engineer), message=_("Engineer profile updated."))

    @extend_schema(exclude=True)
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    @extend_schema(
        request=S.StatusIn,
        responses=out.StatusOut,
        parameters=[ENGINEER_ID],
        description="An engineer sets their own status; supervisors and admins anyone's. Pushed live to the "
        "tenant as ``engineer_status_changed``.",
    )
    @action(detail=True, methods=["put"])
    def status(self, request, pk=None):
        engineer = self._engineer(pk)
        data = _valid(S.StatusIn, request.data)
        engineer = services.engineer_set_status(engineer=engineer, by=request.user, data=data)
        body = {
            "engineer_id": engineer.pk,
            "online_status": engineer.online_status,
            "availability": engineer.availability,
            "status_message": engineer.status_message,
            "location": {
                "city": engineer.city,
                "district": engineer.district,
                "address": engineer.address,
                "latitude": P._num(engineer.latitude, 6),
                "longitude": P._num(engineer.longitude, 6),
                "timezone": engineer.time_zone,
            },
            "status_updated_at": iso_utc(engineer.status_updated_at),
        }
        return ApiResponse(body, message=_("Status updated."))

    @extend_schema(
        responses=out.WorkloadOut,
        parameters=[ENGINEER_ID, OpenApiParameter("days", int, description="Trend length in days (1-31, default 7).")],
    )
    @action(detail=True, methods=["get"])
    def workload(self, request, pk=None):
        engineer = self._engineer(pk)
        try:
            days = int(request.query_params.get("days") or 7)
        except ValueError:
            days = 0
        if not 1 <= days <= selectors.MAX_TREND_DAYS:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("days must be from 1 to 31."), field="days")
        breakdown = selectors.workload_breakdown(engineer)
        trend = selectors.workload_trend(engineer, days=days)
        forecast = selectors.capacity_forecast(engineer, open_tickets=breakdown["total"])
        return ApiResponse(P.workload(engineer, breakdown=breakdown, trend=trend, forecast=forecast))

    # --- skills of an engineer ------------------------------------------------------------------

    def _skill_row(self, engineer, skill_id) -> EngineerSkill:
        rows = selectors.engineer_skills_for(engineer=engineer)
        row = None
        if str(skill_id).isdigit() and len(str(skill_id)) < 19:
            row = rows.filter(pk=int(skill_id)).first()
        if row is None:
            row = rows.filter(skill__code=str(skill_id)).first()
        if row is None:
            raise DomainError(ErrorCode.SKILL_NOT_FOUND, details={"skill_id": skill_id})
        return row

    @extend_schema(methods=["GET"], responses=out.EngineerSkillOut(many=True), parameters=[ENGINEER_ID])
    @action(detail=True, methods=["get"], pagination_class=None)
    def skills(self, request, pk=None):
        engineer = self._engineer(pk)
        return ApiResponse([P.engineer_skill(r) for r in selectors.engineer_skills_for(engineer=engineer)])

    @extend_schema(
        methods=["POST"],
        request=S.SkillCreateIn,
        responses={201: out.EngineerSkillOut},
        parameters=[ENGINEER_ID],
        description="Adds the skill (or updates the engineer's row for it). An unknown ``skill_code`` is "
        "added to the tenant's library when ``skill_name`` is given, otherwise refused with 400.",
    )
    @skills.mapping.post
    def add_skill(self, request, pk=None):
        engineer = self._engineer(pk)
        data = skill_row_in(_valid(S.SkillCreateIn, request.data))
        row = services.engineer_skill_save(engineer=engineer, by=request.user, data=data)
        row = selectors.engineer_skills_for(engineer=engineer).get(pk=row.pk)
        return ApiResponse(P.engineer_skill(row), message=_("Skill saved."), status=201)

    @extend_schema(
        methods=["PUT"], request=S.SkillUpdateIn, responses=out.EngineerSkillOut, parameters=[ENGINEER_ID, SKILL_ID]
    )
    @action(detail=True, methods=["put"], url_path=r"skills/(?P<skill_id>[^/.]+)")
    def update_skill(self, request, pk=None, skill_id=None):
        engineer = self._engineer(pk)
        row = self._skill_row(engineer, skill_id)
        data = skill_row_in(_valid(S.SkillUpdateIn, request.data))
        row = services.engineer_skill_update(row=row, by=request.user, data=data)
        row = selectors.engineer_skills_for(engineer=engineer).get(pk=row.pk)
        return ApiResponse(P.engineer_skill(row), message=_("Skill updated."))

    @extend_schema(methods=["DELETE"], responses={200: None}, parameters=[ENGINEER_ID, SKILL_ID])
    @update_skill.mapping.delete
    def remove_skill(self, request, pk=None, skill_id=None):
        engineer = self._engineer(pk)
        services.engineer_skill_remove(row=self._skill_row(engineer, skill_id), by=request.user)
        return ApiResponse(None, message=_("Skill removed."))

    @extend_schema(
        request=S.AssessmentIn,
        responses={201: out.AssessmentOut},
        parameters=[ENGINEER_ID],
        description="Records the assessment and sets the engineer's level from the practical score "
        "(>=90: 5, >=75: 4, >=60: 3, >=40: 2, else 1). Answers are stored as given. A self assessment "
        "raises a level by one step at most; other types mark the skill verified.",
    )
    @action(detail=True, methods=["post"], url_path="skills/assessment")
    def assessment(self, request, pk=None):
        engineer = self._engineer(pk)
        data = _valid(S.AssessmentIn, request.data)
        record = services.engineer_skill_assess(
            engineer=engineer,
            by=request.user,
            skill_code=data["skill_code"],
            assessment_type=data["assessment_type"],
            questions=[dict(q) for q in data.get("questions", [])],
            practical_score=data["practical_score"],
            comment=data.get("assessor_comment", ""),
        )
        body = {
            "id": record.pk,
            "engineer_id": engineer.pk,
            "skill_code": record.skill.code,
            "assessment_type": record.assessment_type,
            "score": float(record.score),
            "previous_level": record.previous_level,
            "level": record.level,
            "level_name": record.skill.level_name(record.level),
            "assessed_at": iso_utc(record.created_at),
        }
        return ApiResponse(body, message=_("Assessment recorded."), status=201)


@extend_schema(tags=["engineers"])
class V1SkillViewSet(V1ViewSet):
    """The tenant's skill library (§6A.2.1)."""

    queryset = Skill.objects.all()
    pagination_class = None
    required_permissions = {"list": "skill:read"}

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return Skill.objects.all()
        return selectors.skills_for(request.user)

    @extend_schema(
        responses=out.SkillOut(many=True),
        parameters=[
            OpenApiParameter("category", str),
            OpenApiParameter("keyword", str, description="Code, name or keyword (part)."),
            OpenApiParameter("is_active", OpenApiTypes.BOOL),
        ],
    )
    def list(self, request):
        queryset = self.get_queryset().prefetch_related(
            Prefetch("related_skills", queryset=Skill.objects.order_by("code"))
        )
        params = request.query_params
        if params.get("category"):
            queryset = queryset.filter(category=params["category"])
        if params.get("keyword"):
            word = params["keyword"].strip()[:100]
            from django.db.models import Q

            queryset = queryset.filter(Q(code__icontains=word) | Q(name__icontains=word) | Q(name_en__icontains=word))
        if params.get("is_active") in ("true", "false", "1", "0"):
            queryset = queryset.filter(is_active=params["is_active"] in ("true", "1"))
        return ApiResponse([P.skill(s, related_codes=[r.code for r in s.related_skills.all()]) for s in queryset])
