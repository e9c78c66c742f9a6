"""Portal API v1 §4 智能派单 (``/api/v1/dispatch/…``): thin adapters over dispatch.services and
dispatch.selectors. Every view names its permission code; every lookup is tenant-scoped (another
tenant's ticket, engineer, rule, strategy or dispatch is a 404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from dispatch import selectors, services
from dispatch.api import presenters as P
from dispatch.api import serializers as S
from dispatch.models import DispatchRule, DispatchStrategy
from engineers import selectors as engineer_selectors
from engineers.models import EngineerProfile
from portal.api.responses import ApiResponse
from portal.api.views import V1APIView
from portal.errors import DomainError, ErrorCode
from tickets import selectors as ticket_selectors
from tickets.models import Ticket

TAGS = ["dispatch"]
ERRORS = {400: None, 401: None, 403: None, 404: None}


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _ticket(request, pk) -> Ticket:
    try:
        return ticket_selectors.tickets_for(request.user).select_related("category", "tenant").get(pk=int(pk))
    except (Ticket.DoesNotExist, TypeError, ValueError, OverflowError):
        raise DomainError(ErrorCode.TICKET_NOT_FOUND, details={"ticket_id": pk}) from None


def _engineer(request, pk) -> EngineerProfile:
    try:
        return engineer_selectors.engineers_for(request.user).select_related("user").get(pk=int(pk))
    except (EngineerProfile.DoesNotExist, TypeError, ValueError, OverflowError):
        raise DomainError(ErrorCode.ENGINEER_NOT_FOUND, field="engineer_id", details={"engineer_id": pk}) from None


def _ids(raw, field="engineer_ids"):
    try:
        return selectors.parse_ids(raw)
    except (ValueError, OverflowError):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("Give comma-separated engineer ids, e.g. 1,2,3."), field=field
        ) from None


def _request(data: dict) -> services.Request:
    c = data.get("constraints") or {}
    return services.Request(
        strategy=data.get("strategy") or None,
        skill_required=c.get("skill_required", []),
        min_skill_level=c.get("min_skill_level", 1),
        location_preference=c.get("location_preference", ""),
        exclude_engineers=c.get("exclude_engineers", []),
        max_distance=c.get("max_distance"),
        skill_match_threshold=c.get("skill_match_threshold"),
        max_tickets_per_engineer=c.get("max_tickets_per_engineer"),
    )


class IntelligentDispatchView(V1APIView):
    required_permissions = "dispatch:execute"

    @extend_schema(
        tags=TAGS, request=S.IntelligentInput, responses={200: S.IntelligentResult, 409: None, 422: None, **ERRORS},
        description="Picks the best eligible engineer and assigns the ticket through the ticket workflow. No eligible "
        "engineer: 422 NO_ELIGIBLE_ENGINEER (data.removed_by_constraint) and the ticket is unchanged, unless "
        "force_dispatch=true (then overridden_constraints says what was overridden). Also accepts "
        "constraints.max_distance (km). Only unassigned open tickets (409 otherwise).",
    )  # fmt: skip
    def post(self, request):
        data = _valid(S.IntelligentInput, request.data)
        ticket = _ticket(request, data["ticket_id"])
        record, s = services.dispatch_intelligent(
            ticket=ticket, by=request.user, request=_request(data), force=data["force_dispatch"]
        )
        return ApiResponse(P.intelligent(record, s), message=_("Dispatched."))


class SuggestionsView(V1APIView):
    required_permissions = "dispatch:read"

    def get_base_queryset(self):
        return Ticket.objects.all()

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("ticket_id", int, OpenApiParameter.PATH), S.SuggestionsQuery],
        responses={200: S.SuggestionsResult, **ERRORS},
        description="Ranked eligible engineers with score breakdown, reason and confidence. explain=true lists every "
        "engineer removed by a hard constraint with the constraint and a reason; skill_weight, workload_weight, "
        "location_weight and performance_weight override the strategy's weights for a what-if.",
    )  # fmt: skip
    def get(self, request, ticket_id):
        query = _valid(S.SuggestionsQuery, request.query_params)
        ticket = _ticket(request, ticket_id)
        weights = {k: query[k] for k in services.WEIGHT_KEYS if k in query}
        s = services.suggest(
            ticket=ticket, request=services.Request(strategy=query.get("strategy") or None, weights=weights)
        )
        return ApiResponse(
            P.suggestions(s, limit=query["limit"], explain=query["explain"]), message=_("Fetched successfully.")
        )


class BatchDispatchView(V1APIView):
    required_permissions = "dispatch:batch"

    @extend_schema(
        tags=TAGS, request=S.BatchInput, responses={200: S.BatchResultSerializer, **ERRORS},
        description="One optimisation over all the tickets: the assignment with the highest total score within each "
        "engineer's remaining capacity (max_workload) and constraints.max_tickets_per_engineer. Per ticket: the "
        "engineer and score, or failure_reason. greedy_total_score is what one greedy pick after another would "
        "have scored on the same input. Any ticket id not visible: 404 and nothing is dispatched.",
    )  # fmt: skip
    def post(self, request):
        data = _valid(S.BatchInput, request.data)
        visible = set(
            ticket_selectors.tickets_for(request.user).filter(pk__in=data["ticket_ids"]).values_list("pk", flat=True)
        )
        missing = [pk for pk in data["ticket_ids"] if pk not in visible]
        if missing:
            raise DomainError(ErrorCode.TICKET_NOT_FOUND, field="ticket_ids", details={"ticket_ids": missing})
        result = services.dispatch_batch(
            tenant=request.user.tenant, by=request.user, ticket_ids=data["ticket_ids"], request=_request(data)
        )
        return ApiResponse(P.batch(result), message=_("Batch dispatch finished."))


class StrategyListView(V1APIView):
    required_permissions = "dispatch:config"
    pagination_class = None  # the documented data is a plain array

    def get_base_queryset(self):
        return DispatchStrategy.objects.all()

    @extend_schema(tags=TAGS, responses={200: S.StrategySerializer(many=True), **ERRORS})
    def get(self, request):
        return ApiResponse(
            [P.strategy(s) for s in selectors.strategies_for(request.user)], message=_("Fetched successfully.")
        )

    @extend_schema(tags=TAGS, request=S.StrategyInput, responses={200: S.StrategySerializer, 409: None, **ERRORS})
    def post(self, request):
        data = _valid(S.StrategyInput, request.data)
        strategy = services.strategy_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.strategy(strategy), message=_("Strategy created."))


class StrategyDetailView(V1APIView):
    required_permissions = "dispatch:config"

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("strategy_code", str, OpenApiParameter.PATH)],
        request=S.StrategyUpdate, responses={200: S.StrategySerializer, **ERRORS},
        description="Partial update. Making a strategy the default unsets the previous default (exactly one).",
    )  # fmt: skip
    def put(self, request, strategy_code):
        strategy = selectors.strategies_for(request.user).filter(code=strategy_code).first()
        if strategy is None:
            raise DomainError(ErrorCode.DISPATCH_STRATEGY_NOT_FOUND)
        data = _valid(S.StrategyUpdate, request.data)
        strategy = services.strategy_update(strategy=strategy, by=request.user, data=data)
        return ApiResponse(P.strategy(strategy), message=_("Strategy updated."))


def _rule_data(data: dict) -> dict:
    out = dict(data)
    if "rule_name" in out:
        out["name"] = out.pop("rule_name")
    return out


class RuleListView(V1APIView):
    required_permissions = "dispatch:config"

    def get_base_queryset(self):
        return DispatchRule.objects.all()

    @extend_schema(
        tags=TAGS, parameters=[S.RuleListQuery, OpenApiParameter("page", int), OpenApiParameter("size", int)],
        responses={200: S.RuleSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request):
        query = _valid(S.RuleListQuery, request.query_params)
        rules = selectors.rules_for(request.user)
        if query.get("rule_type"):
            rules = rules.filter(rule_type=query["rule_type"])
        if query.get("status"):
            rules = rules.filter(is_active=query["status"] == "active")
        page = self.paginator.paginate_queryset(rules, request, view=self)
        return self.paginator.get_paginated_response([P.rule(r) for r in page], message=_("Fetched successfully."))

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            self._paginator = self.pagination_class()
        return self._paginator

    @extend_schema(tags=TAGS, request=S.RuleInput, responses={200: S.RuleSerializer, **ERRORS})
    def post(self, request):
        data = _rule_data(_valid(S.RuleInput, request.data))
        rule = services.rule_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.rule(rule), message=_("Rule created."))


class RuleDetailView(V1APIView):
    required_permissions = "dispatch:config"

    def _rule(self, request, pk):
        rule = selectors.rules_for(request.user).filter(pk=pk).first()
        if rule is None:
            raise DomainError(ErrorCode.DISPATCH_RULE_NOT_FOUND)
        return rule

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], request=S.RuleInput(partial=True),
        responses={200: S.RuleSerializer, **ERRORS},
    )  # fmt: skip
    def put(self, request, pk):
        rule = self._rule(request, pk)
        serializer = S.RuleInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.rule_update(rule=rule, by=request.user, data=_rule_data(serializer.validated_data))
        return ApiResponse(P.rule(rule), message=_("Rule updated."))

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], responses={200: None, **ERRORS}
    )
    def delete(self, request, pk):
        services.rule_delete(rule=self._rule(request, pk), by=request.user)
        return ApiResponse(None, message=_("Rule deleted."))


class WorkloadView(V1APIView):
    required_permissions = "dispatch:read"

    @extend_schema(tags=TAGS, parameters=[S.WorkloadQuery], responses={200: S.WorkloadResult, **ERRORS})
    def get(self, request):
        query = _valid(S.WorkloadQuery, request.query_params)
        data = selectors.workload(request.user, engineer_ids=_ids(query.get("engineer_ids")))
        return ApiResponse(
            P.workload(data, include_details=query["include_details"]), message=_("Fetched successfully.")
        )


class LoadBalanceView(V1APIView):
    required_permissions = "dispatch:read"

    @extend_schema(tags=TAGS, responses={200: S.LoadBalanceResult, **ERRORS})
    def get(self, request):
        return ApiResponse(selectors.load_balance_suggestions(request.user), message=_("Fetched successfully."))


class StatisticsOverviewView(V1APIView):
    required_permissions = "dispatch:statistics"

    @extend_schema(tags=TAGS, parameters=[S.StatisticsQuery], responses={200: S.StatisticsResult, **ERRORS})
    def get(self, request):
        query = _valid(S.StatisticsQuery, request.query_params)
        data = selectors.statistics_overview(request.user, time_range=query["time_range"], group_by=query["group_by"])
        return ApiResponse(data, message=_("Fetched successfully."))


class EffectivenessView(V1APIView):
    required_permissions = "dispatch:statistics"

    @extend_schema(tags=TAGS, responses={200: S.EffectivenessResult, **ERRORS})
    def get(self, request):
        return ApiResponse(selectors.effectiveness(request.user), message=_("Fetched successfully."))


class ManualDispatchView(V1APIView):
    required_permissions = "dispatch:manual"

    @extend_schema(
        tags=TAGS, request=S.ManualInput, responses={200: S.ManualResult, 409: None, **ERRORS},
        description="Assigns the ticket to the chosen engineer through the ticket workflow. At capacity or missing a "
        "skill: succeeds with warnings. Offline, off duty or outside the service area: 400 unless "
        "override_constraints=true.",
    )  # fmt: skip
    def post(self, request):
        data = _valid(S.ManualInput, request.data)
        ticket = _ticket(request, data["ticket_id"])
        engineer = _engineer(request, data["engineer_id"])
        record = services.dispatch_manual(
            ticket=ticket, engineer=engineer, by=request.user, reason=data.get("reason", ""),
            override_constraints=data["override_constraints"], priority_boost=data["priority_boost"],
            notify_engineer=data["notify_engineer"],
        )  # fmt: skip
        return ApiResponse(P.manual(record), message=_("Manual dispatch done."))


class RevokeView(V1APIView):
    required_permissions = "dispatch:revoke"

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("dispatch_id", int, OpenApiParameter.PATH)], request=S.RevokeInput,
        responses={200: S.RevokeResult, 409: None, 422: None, **ERRORS},
        description="The ticket goes back to the unassigned queue, or with reassign=true to the next best engineer "
        "(never the revoked one; reassign also needs dispatch:execute). If nobody is eligible, nothing changes.",
    )  # fmt: skip
    def post(self, request, dispatch_id):
        record = selectors.records_for(request.user).filter(pk=dispatch_id).first()
        if record is None:
            raise DomainError(ErrorCode.DISPATCH_NOT_FOUND)
        data = _valid(S.RevokeInput, request.data)
        record, new_record = services.dispatch_revoke(
            record=record, by=request.user, reason=data["reason"], reassign=data["reassign"],
            reassign_strategy=data.get("reassign_strategy") or None,
        )  # fmt: skip
        return ApiResponse(P.revoke(record, new_record), message=_("Dispatch revoked."))


class LocationsView(V1APIView):
    required_permissions = "dispatch:read"
    pagination_class = None  # the documented data is a plain array

    @extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("engineer_ids", str, description="Comma-separated engineer ids.")],
        responses={200: S.LocationSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request):
        ids = _ids(request.query_params.get("engineer_ids"))
        rows = selectors.locations(request.user, engineer_ids=ids)
        return ApiResponse([P.location(e) for e in rows], message=_("Fetched successfully."))


class DistanceMatchView(V1APIView):
    required_permissions = "dispatch:read"

    @extend_schema(
        tags=TAGS, request=S.DistanceMatchInput, responses={200: S.DistanceMatchSerializer(many=True), **ERRORS},
        description="Engineers by distance in km from ticket_location (haversine; city/district when coordinates "
        "are missing), nearest first; max_distance removes the farther ones.",
    )  # fmt: skip
    def post(self, request):
        data = _valid(S.DistanceMatchInput, request.data)
        rows = selectors.distance_match(
            request.user, place=dict(data["ticket_location"]), engineer_ids=data.get("engineer_ids"),
            max_distance=data.get("max_distance"),
        )  # fmt: skip
        return ApiResponse([P.distance_row(r) for r in rows], message=_("Fetched successfully."))
