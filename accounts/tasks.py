from celery import shared_task


@shared_task(name="accounts.apply_due_status_changes", ignore_result=False)
def apply_due_status_changes() -> int:
    """Periodic job (django-celery-beat, every minute): apply user status changes whose
    ``effective_time`` has come. Idempotent; rows are claimed with SKIP LOCKED."""
    from accounts.services import apply_due_status_changes as apply

    return apply()
