from celery import shared_task


@shared_task(name="accounts.apply_due_status_changes", ignore_result=False)
def apply_due_status_changes() -> int:
    """Periodic job (django-celery-beat, every minute): apply user status changes whose
    ``effective_time`` has come. Idempotent; rows are claimed with SKIP LOCKED."""
    from accounts.services import apply_due_status_changes as apply

    return apply()


@shared_task(name="accounts.cleanup_expired_credentials", ignore_result=False)
def cleanup_expired_credentials() -> dict:
    """Periodic job (django-celery-beat, hourly): delete expired tokens, old sessions, expired
    trusted devices and reset links. Idempotent and safe to run twice at once."""
    from accounts.services import cleanup_expired_credentials as cleanup

    return cleanup()
