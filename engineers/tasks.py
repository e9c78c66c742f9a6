"""Jobs of the engineers domain (thin: they call a service)."""

from celery import shared_task


@shared_task(name="engineers.recompute_performance", ignore_result=False)
def recompute_performance(tenant_id: int | None = None) -> int:
    """Recompute engineers' performance figures from ticket history (idempotent)."""
    from engineers.performance import performance_recompute

    return performance_recompute(tenant_id=tenant_id)
