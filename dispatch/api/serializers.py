"""Input and response serializers of the dispatch API (v1 §4). Response serializers describe
what ``presenters`` return, so the OpenAPI schema shows real fields."""

from __future__ import annotations

from rest_framework import serializers

from dispatch.choices import RuleType

Dict = serializers.DictField
AnyList = serializers.ListField


class Constraints(serializers.Serializer):
    skill_required = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    min_skill_level = serializers.IntegerField(min_value=1, max_value=5, required=False)
    location_preference = serializers.ChoiceField(choices=["same_city", "nearest", "any"], required=False)
    exclude_engineers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=1000
    )
    max_distance = serializers.FloatField(min_value=0, max_value=20000, required=False)
    max_tickets_per_engineer = serializers.IntegerField(min_value=1, max_value=200, required=False)
    skill_match_threshold = serializers.FloatField(min_value=0, max_value=100, required=False)


class IntelligentInput(serializers.Serializer):
    ticket_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    strategy = serializers.CharField(max_length=64, required=False, allow_blank=True)
    constraints = Constraints(required=False)
    force_dispatch = serializers.BooleanField(required=False, default=False)


class BatchInput(serializers.Serializer):
    ticket_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=500
    )
    strategy = serializers.CharField(max_length=64, required=False, allow_blank=True)
    constraints = Constraints(required=False)


class SuggestionsQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=5)
    strategy = serializers.CharField(max_length=64, required=False, allow_blank=True)
    explain = serializers.BooleanField(required=False, default=False)
    skill_weight = serializers.FloatField(min_value=0, max_value=100, required=False)
    workload_weight = serializers.FloatField(min_value=0, max_value=100, required=False)
    location_weight = serializers.FloatField(min_value=0, max_value=100, required=False)
    performance_weight = serializers.FloatField(min_value=0, max_value=100, required=False)


class WeightConfig(serializers.Serializer):
    skill_weight = serializers.IntegerField(min_value=0, max_value=100)
    workload_weight = serializers.IntegerField(min_value=0, max_value=100)
    location_weight = serializers.IntegerField(min_value=0, max_value=100)
    performance_weight = serializers.IntegerField(min_value=0, max_value=100)


class StrategyInput(serializers.Serializer):
    strategy_code = serializers.SlugField(max_length=64)
    strategy_name = serializers.CharField(max_length=128)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    weight_config = WeightConfig()
    constraints = serializers.DictField(required=False)
    is_default = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class StrategyUpdate(serializers.Serializer):
    strategy_name = serializers.CharField(max_length=128, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    weight_config = WeightConfig(required=False, partial=True)
    constraints = serializers.DictField(required=False)
    is_default = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class RuleInput(serializers.Serializer):
    rule_name = serializers.CharField(max_length=128)
    rule_type = serializers.ChoiceField(choices=RuleType.choices, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    conditions = serializers.DictField(required=False)
    actions = serializers.DictField(required=False)
    priority = serializers.IntegerField(min_value=-100000, max_value=100000, required=False)
    is_active = serializers.BooleanField(required=False)


class RuleListQuery(serializers.Serializer):
    rule_type = serializers.ChoiceField(choices=RuleType.choices, required=False)
    status = serializers.ChoiceField(choices=["active", "inactive"], required=False)


class ManualInput(serializers.Serializer):
    ticket_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    engineer_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    override_constraints = serializers.BooleanField(required=False, default=False)
    notify_engineer = serializers.BooleanField(
        required=False,
        default=True,
        help_text="false: the engineer gets no assignment notification.",
    )
    priority_boost = serializers.FloatField(min_value=0, max_value=100, required=False, default=0)


class RevokeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    reassign = serializers.BooleanField(required=False, default=False)
    reassign_strategy = serializers.CharField(max_length=64, required=False, allow_blank=True)


class WorkloadQuery(serializers.Serializer):
    engineer_ids = serializers.CharField(required=False, help_text="Comma-separated engineer ids.")
    include_details = serializers.BooleanField(required=False, default=False)


class StatisticsQuery(serializers.Serializer):
    time_range = serializers.ChoiceField(choices=["1d", "7d", "30d"], required=False, default="7d")
    group_by = serializers.ChoiceField(choices=["strategy", "engineer", "priority"], required=False, default="strategy")


class Place(serializers.Serializer):
    city = serializers.CharField(max_length=64, required=False, allow_blank=True)
    district = serializers.CharField(max_length=64, required=False, allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)


class DistanceMatchInput(serializers.Serializer):
    ticket_location = Place()
    engineer_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=1000
    )
    max_distance = serializers.FloatField(min_value=0, max_value=20000, required=False)


# --- responses ------------------------------------------------------------------------------------


class MatchDetails(serializers.Serializer):
    total_score = serializers.FloatField()
    skill_match_score = serializers.FloatField()
    workload_score = serializers.FloatField()
    location_score = serializers.FloatField()
    performance_score = serializers.FloatField()
    calculation_details = Dict(help_text="The weights used, the base (weighted mean) and the rules' boost.")


class IntelligentResult(serializers.Serializer):
    dispatch_id = serializers.IntegerField()
    ticket_id = serializers.IntegerField()
    selected_engineer = Dict()
    match_details = MatchDetails()
    dispatch_reason = serializers.CharField()
    estimated_response_time = serializers.DateTimeField()
    confidence_level = serializers.CharField()
    alternatives = AnyList(child=Dict())
    rules_applied = AnyList(child=Dict())
    required_skills = AnyList(child=serializers.CharField())
    forced = serializers.BooleanField()
    overridden_constraints = AnyList(child=Dict(), help_text="With force_dispatch: what was overridden.")


class SuggestionsResult(serializers.Serializer):
    ticket_info = Dict()
    strategy = Dict()
    suggestions = AnyList(child=Dict())
    rules_applied = AnyList(child=Dict())
    excluded = AnyList(child=Dict(), required=False, help_text="explain=true: engineers removed by a hard constraint.")
    engineers_considered = serializers.IntegerField()


class BatchResultSerializer(serializers.Serializer):
    batch_id = serializers.CharField()
    total_tickets = serializers.IntegerField()
    assigned = serializers.IntegerField()
    failed = serializers.IntegerField()
    total_score = serializers.FloatField()
    greedy_total_score = serializers.FloatField()
    results = AnyList(child=Dict())


class StrategySerializer(serializers.Serializer):
    strategy_code = serializers.CharField()
    strategy_name = serializers.CharField()
    description = serializers.CharField()
    weight_config = WeightConfig()
    constraints = Dict()
    is_default = serializers.BooleanField()
    is_active = serializers.BooleanField()


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule_name = serializers.CharField()
    rule_type = serializers.CharField()
    description = serializers.CharField()
    conditions = Dict()
    actions = Dict()
    priority = serializers.IntegerField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WorkloadResult(serializers.Serializer):
    summary = Dict()
    engineers = AnyList(child=Dict())
    workload_distribution = Dict()


class LoadBalanceResult(serializers.Serializer):
    balance_score = serializers.FloatField()
    suggestions = AnyList(child=Dict())
    overloaded_engineers = AnyList(child=Dict())
    underloaded_engineers = AnyList(child=Dict())


class StatisticsResult(serializers.Serializer):
    summary = Dict()
    by_strategy = Dict(required=False)
    by_engineer = Dict(required=False)
    by_priority = Dict(required=False)
    trends = AnyList(child=Dict())


class EffectivenessResult(serializers.Serializer):
    accuracy_metrics = Dict()
    performance_metrics = Dict()
    improvement_suggestions = AnyList(child=Dict())
    sample_size = serializers.IntegerField()


class ManualResult(serializers.Serializer):
    dispatch_id = serializers.IntegerField()
    ticket_id = serializers.IntegerField()
    engineer_id = serializers.IntegerField()
    dispatch_type = serializers.CharField()
    warnings = AnyList(child=serializers.CharField())
    overridden_constraints = AnyList(child=Dict())
    dispatch_time = serializers.DateTimeField()


class RevokeResult(serializers.Serializer):
    dispatch_id = serializers.IntegerField()
    ticket_id = serializers.IntegerField()
    status = serializers.CharField()
    ticket_status = serializers.CharField()
    reassigned = serializers.BooleanField()
    new_dispatch = Dict(allow_null=True)


class LocationSerializer(serializers.Serializer):
    engineer_id = serializers.IntegerField()
    engineer_name = serializers.CharField()
    current_location = Dict()
    service_areas = AnyList(child=serializers.CharField())
    online_status = serializers.CharField()
    last_updated = serializers.DateTimeField(allow_null=True)


class DistanceMatchSerializer(serializers.Serializer):
    engineer_id = serializers.IntegerField()
    engineer_name = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    match_type = serializers.CharField(help_text="coordinates, same_district, same_city or other_city")
    location_score = serializers.FloatField()
    current_location = Dict()
