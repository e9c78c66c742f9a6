"""Output shapes of the v1 engineers calls, for the OpenAPI document (presenters build the
plain dicts; these serializers only describe them)."""

from __future__ import annotations

from rest_framework import serializers


class TeamOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    leader = serializers.CharField(required=False, allow_null=True)
    member_count = serializers.IntegerField(required=False, allow_null=True)


class CityOut(serializers.Serializer):
    city = serializers.CharField()
    district = serializers.CharField()


class LocationOut(CityOut):
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    timezone = serializers.CharField()


class SkillBriefOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(min_value=1, max_value=5)


class EngineerItemOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="Engineer (profile) id: use it in engineers/{id} and dispatch calls.")
    user_id = serializers.IntegerField(help_text="The user a dispatched ticket is assigned to.")
    employee_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    avatar = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    level = serializers.CharField()
    team = TeamOut(allow_null=True)
    location = CityOut()
    status = serializers.CharField(help_text="active (employed, working) or inactive")
    online_status = serializers.ChoiceField(choices=["online", "busy", "away", "offline"])
    current_workload = serializers.IntegerField(help_text="Open tickets assigned to the engineer now.")
    max_workload = serializers.IntegerField()
    skills = SkillBriefOut(many=True)
    rating = serializers.FloatField(allow_null=True)
    join_date = serializers.DateField(allow_null=True)
    last_active = serializers.DateTimeField(allow_null=True)


class EngineerSkillOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="This engineer-skill row (skills/{skill_id} in PUT/DELETE).")
    skill_id = serializers.IntegerField(help_text="The library skill.")
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    proficiency_score = serializers.FloatField(allow_null=True)
    certification = serializers.CharField(allow_null=True)
    experience_years = serializers.FloatField()
    last_used = serializers.DateTimeField(allow_null=True)
    verified = serializers.BooleanField()
    last_assessed = serializers.DateTimeField(allow_null=True)
    skill_code = serializers.CharField()
    skill_name = serializers.CharField()
    skill_level = serializers.IntegerField()
    last_used_time = serializers.DateTimeField(allow_null=True)
    skill_category = serializers.CharField()


class CertificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    issued_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True)
    issuer = serializers.CharField()
    status = serializers.CharField(help_text="active or expired")
    verification_url = serializers.CharField(allow_null=True)
    verified = serializers.BooleanField()


class SpanOut(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()


class WorkScheduleOut(serializers.Serializer):
    timezone = serializers.CharField()
    work_hours = SpanOut()
    work_days = serializers.ListField(child=serializers.CharField())
    break_time = SpanOut(allow_null=True)
    flexible_hours = serializers.BooleanField()
    day_hours = serializers.DictField(child=SpanOut())
    follow_holidays = serializers.BooleanField(help_text="Off on the tenant calendar's holidays, on its 调休 days.")


class PerformanceOut(serializers.Serializer):
    rating = serializers.FloatField(allow_null=True)
    total_tickets = serializers.IntegerField()
    completed_tickets = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    avg_resolution_time = serializers.FloatField(allow_null=True, help_text="Minutes.")
    customer_satisfaction = serializers.FloatField(allow_null=True)
    sla_compliance_rate = serializers.FloatField(allow_null=True)
    rejection_rate = serializers.FloatField(allow_null=True)
    performance_score = serializers.FloatField(allow_null=True)
    knowledge_contributions = serializers.IntegerField(allow_null=True)
    mentoring_sessions = serializers.IntegerField(allow_null=True)
    last_evaluation = serializers.DateField(allow_null=True)


class CurrentStatusOut(serializers.Serializer):
    status = serializers.CharField()
    online_status = serializers.CharField()
    current_workload = serializers.IntegerField()
    max_workload = serializers.IntegerField()
    availability = serializers.ChoiceField(choices=["available", "limited", "unavailable"])
    last_active = serializers.DateTimeField(allow_null=True)
    status_message = serializers.CharField()
    status_updated_at = serializers.DateTimeField(allow_null=True)
    on_duty = serializers.BooleanField()
    estimated_free_time = serializers.DateTimeField(allow_null=True)


class ContactOut(serializers.Serializer):
    work_phone = serializers.CharField()
    emergency_contact = serializers.CharField()
    wechat = serializers.CharField()
    preferred_contact = serializers.CharField()


class EmploymentOut(serializers.Serializer):
    join_date = serializers.DateField(allow_null=True)
    contract_type = serializers.CharField()
    employment_status = serializers.CharField()
    probation_end = serializers.DateField(allow_null=True)
    next_review = serializers.DateField(allow_null=True)


class EngineerDetailOut(EngineerItemOut):
    department = serializers.CharField(allow_null=True)
    team = TeamOut(allow_null=True)
    location = LocationOut()
    service_areas = serializers.ListField(child=serializers.CharField())
    contact_info = ContactOut()
    employment_info = EmploymentOut()
    skills = EngineerSkillOut(many=True)
    certifications = CertificationOut(many=True)
    work_schedule = WorkScheduleOut()
    performance = PerformanceOut()
    current_status = CurrentStatusOut()


class LevelOut(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()


class SkillOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    levels = LevelOut(many=True)
    related_skills = serializers.ListField(child=serializers.CharField())
    certifications = serializers.ListField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()


class TrendPointOut(serializers.Serializer):
    date = serializers.DateField()
    workload = serializers.IntegerField(help_text="Open tickets held at the end of the day.")
    assigned = serializers.IntegerField()
    resolved = serializers.IntegerField()


class TicketCountsOut(serializers.Serializer):
    pending = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    paused = serializers.IntegerField()
    total = serializers.IntegerField()


class ForecastOut(serializers.Serializer):
    next_available = serializers.DateTimeField(allow_null=True)
    can_take_urgent = serializers.BooleanField()
    recommended_max_new = serializers.IntegerField()
    on_duty = serializers.BooleanField()
    avg_resolution_minutes = serializers.FloatField()


class WorkloadOut(serializers.Serializer):
    engineer_id = serializers.IntegerField()
    current_workload = serializers.IntegerField()
    max_workload = serializers.IntegerField()
    utilization_rate = serializers.FloatField(allow_null=True)
    tickets = TicketCountsOut()
    estimated_completion = serializers.DateTimeField(allow_null=True)
    workload_trend = TrendPointOut(many=True)
    capacity_forecast = ForecastOut()


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    engineer_id = serializers.IntegerField()
    skill_code = serializers.CharField()
    assessment_type = serializers.CharField()
    score = serializers.FloatField()
    previous_level = serializers.IntegerField(allow_null=True)
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    assessed_at = serializers.DateTimeField()


class StatusOut(serializers.Serializer):
    engineer_id = serializers.IntegerField()
    online_status = serializers.CharField()
    availability = serializers.CharField()
    status_message = serializers.CharField()
    location = LocationOut()
    status_updated_at = serializers.DateTimeField(allow_null=True)
