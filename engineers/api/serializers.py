"""Input validation of the v1 engineers calls. Serializers check shapes and words; the view
flattens them into the services' canonical dicts; business rules live in the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from engineers.choices import (
    AssessmentType,
    Availability,
    ContractType,
    EmploymentStatus,
    EngineerLevel,
    OnlineStatus,
    PreferredContact,
)
from engineers.schedule import normalise_work_schedule

MAX_ID = 2**63 - 1


class WorkScheduleField(serializers.JSONField):
    """The contract's ``work_schedule`` object (see ``engineers.schedule``), validated whole."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalise_work_schedule(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class LocationIn(serializers.Serializer):
    city = serializers.CharField(required=False, allow_blank=True, max_length=64)
    district = serializers.CharField(required=False, allow_blank=True, max_length=64)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError(_("Give latitude and longitude together."))
        return attrs


class ContactIn(serializers.Serializer):
    work_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    emergency_contact = serializers.CharField(required=False, allow_blank=True, max_length=64)
    wechat = serializers.CharField(required=False, allow_blank=True, max_length=64)
    preferred_contact = serializers.ChoiceField(choices=PreferredContact.values, required=False)


class EmploymentIn(serializers.Serializer):
    join_date = serializers.DateField(required=False, allow_null=True)
    contract_type = serializers.ChoiceField(choices=ContractType.values, required=False)
    employment_status = serializers.ChoiceField(choices=EmploymentStatus.values, required=False)
    probation_end = serializers.DateField(required=False, allow_null=True)
    next_review = serializers.DateField(required=False, allow_null=True)


class SkillIn(serializers.Serializer):
    """v1 4.4.2 (and the ``skills`` items of POST/PUT engineers)."""

    skill_code = serializers.SlugField(max_length=64, allow_unicode=True)
    skill_name = serializers.CharField(
        required=False, allow_blank=True, max_length=128,
        help_text="Adds the code to the tenant's skill library under this name when it is not there yet.",
    )  # fmt: skip
    skill_level = serializers.IntegerField(min_value=1, max_value=5, required=False)
    proficiency_score = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )
    certification = serializers.CharField(required=False, allow_blank=True, max_length=128)
    experience_years = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=60, required=False
    )
    verified = serializers.BooleanField(required=False)
    last_used_time = serializers.DateTimeField(required=False, allow_null=True)


class SkillCreateIn(SkillIn):
    skill_level = serializers.IntegerField(min_value=1, max_value=5)


class SkillUpdateIn(serializers.Serializer):
    """v1 4.4.3: the fields of 4.4.2 except the skill itself (named in the path)."""

    skill_level = serializers.IntegerField(min_value=1, max_value=5, required=False)
    proficiency_score = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )
    certification = serializers.CharField(required=False, allow_blank=True, max_length=128)
    experience_years = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=60, required=False
    )
    verified = serializers.BooleanField(required=False)
    last_used_time = serializers.DateTimeField(required=False, allow_null=True)


class CertificationIn(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(required=False, max_length=128)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=128)
    issued_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)
    verification_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class EngineerUpdateIn(serializers.Serializer):
    """PUT engineers/{id}: every field optional; ``name``, ``email`` and ``phone`` belong to
    the user account and are changed through the user APIs."""

    employee_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    title = serializers.CharField(required=False, allow_blank=True, max_length=128)
    level = serializers.ChoiceField(choices=EngineerLevel.values, required=False)
    team_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    location = LocationIn(required=False)
    service_areas = serializers.ListField(
        child=serializers.CharField(max_length=128), required=False, max_length=100,
        help_text='Cities or "city/district" the engineer serves.',
    )  # fmt: skip
    contact_info = ContactIn(required=False)
    employment_info = EmploymentIn(required=False)
    max_workload = serializers.IntegerField(required=False, min_value=1, max_value=200)
    work_schedule = WorkScheduleField(required=False)
    skills = SkillCreateIn(many=True, required=False, max_length=100)
    certifications = CertificationIn(many=True, required=False, max_length=100)


class EngineerCreateIn(EngineerUpdateIn):
    """POST engineers: the profile of an existing agent user of the same tenant."""

    user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An agent user of your tenant.")


class StatusIn(serializers.Serializer):
    online_status = serializers.ChoiceField(choices=OnlineStatus.values, required=False)
    availability = serializers.ChoiceField(choices=Availability.values, required=False)
    location = LocationIn(required=False)
    status_message = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                _("Give at least one of online_status, availability, location, status_message.")
            )
        return attrs


class AnswerIn(serializers.Serializer):
    question_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    answer = serializers.CharField(max_length=1000, allow_blank=True)


class AssessmentIn(serializers.Serializer):
    skill_code = serializers.SlugField(max_length=64, allow_unicode=True)
    assessment_type = serializers.ChoiceField(choices=AssessmentType.values)
    questions = AnswerIn(many=True, required=False, max_length=200)
    practical_score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)
    assessor_comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
