"""OpenAPI generation for the two contracts (drf-spectacular)."""

from drf_spectacular.openapi import AutoSchema


class ContractAutoSchema(AutoSchema):
    """Schema of one contract operation. Envelopes and error responses are described by the
    contract (see ``portal.api.schema_contract``)."""
