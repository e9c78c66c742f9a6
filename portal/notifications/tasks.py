"""Thin, idempotent delivery tasks. Running one twice (``acks_late`` redelivery after a worker
died, or the retry job racing the on-commit task) delivers nothing twice: each outbox row is
claimed under a lock and only while it is pending."""

from celery import shared_task

from portal.notifications import services


@shared_task(name="notifications.deliver_notification", ignore_result=True)
def deliver_notification(notification_id: int) -> None:
    services.deliver_notification_now(notification_id)


@shared_task(name="notifications.retry_pending_deliveries", ignore_result=True)
def retry_pending_deliveries() -> int:
    return services.retry_due_deliveries()
