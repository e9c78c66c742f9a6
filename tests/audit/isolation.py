"""Isolation makers for the audit log (see tests/isolation.py)."""

from tests.isolation import MARKER, maker


@maker("audit.AuditLog")
def _audit_log(tenant):
    from portal.audit.models import AuditLog

    return AuditLog.objects.create(
        tenant=tenant, username=MARKER, source="api_v1", action=MARKER, description=MARKER,
        method="POST", path=f"/api/v1/{MARKER}", status_code=200, result="success",
    )  # fmt: skip
