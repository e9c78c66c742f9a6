from celery import shared_task

from portal import realtime


@shared_task(name="portal.publish_event", ignore_result=True)
def publish_event(group: str, event_type: str, data: dict) -> None:
    """Deliver a live event to a channel group from a worker or a scheduled job.

    Used by scheduled pushes (a periodic task whose arguments name the group); idempotent in
    the sense that matters here: clients treat events as hints to refresh their state."""
    realtime.publish(group, event_type, data)


@shared_task(name="realtime.resend_live_pushes", ignore_result=True)
def resend_live_pushes() -> int:
    """Resend the live pushes the channel layer refused (Redis down); see ``portal.realtime``.
    Safe to run twice at once: each kept push is claimed under a lock and sent once."""
    return realtime.resend_live_pushes().sent
