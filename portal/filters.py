"""Filters for every filterset (APIs and pages), bounded as ``portal.inputs`` says.

``IdFilter`` takes a positive 64-bit id, ``MomentFilter`` a date or datetime the database can
store (``0519-12-03T07:20:36-20:24`` is refused, not a 500), ``IPAddressFilter`` an IPv4/IPv6
address (``ip_address=x`` reached PostgreSQL's ``inet`` cast). A bad value is a validation
error of the filterset: a 400/422 in the contract's envelope.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from portal.inputs import BIGINT_MAX, parse_id, parse_id_list, parse_moment


class IdField(forms.Field):
    default_error_messages = {"invalid": _("Enter a positive integer id.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_id(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class IdListField(forms.Field):
    """Comma-separated ids (``role_ids=1,2``)."""

    default_error_messages = {"invalid": _("Enter comma-separated positive integer ids.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_id_list(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class MomentField(forms.Field):
    default_error_messages = {"invalid": _("Enter a valid date or ISO-8601 date-time.")}

    def __init__(self, *args, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_moment(str(value), end_of_day=self.end_of_day)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": BIGINT_MAX})
class IdFilter(django_filters.Filter):
    field_class = IdField


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,19}(,[0-9]{1,19})*$"})
class IdListFilter(django_filters.Filter):
    field_class = IdListField


@extend_schema_field({"type": "string", "description": "YYYY-MM-DD or an ISO-8601 date-time"})
class MomentFilter(django_filters.Filter):
    """A date (whole day: ``lte`` bounds take its end) or an ISO-8601 datetime."""

    field_class = MomentField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("end_of_day", kwargs.get("lookup_expr") in ("lte", "lt"))
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "description": "an IPv4 or IPv6 address"})
class IPAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField
