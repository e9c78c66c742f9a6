"""Serializer fields bounded to the database columns they end up in (``portal.inputs``)."""

from __future__ import annotations

from rest_framework import serializers

from portal.inputs import BIGINT_MAX, INT_MAX, INT_MIN


class IdField(serializers.IntegerField):
    """A reference to a row: a positive 64-bit integer (0, -1 and 10^30 are refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class Int32Field(serializers.IntegerField):
    """A value stored in a 32-bit integer column (``sort_order``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)
