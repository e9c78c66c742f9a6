"""Embedded mode: the server process also runs the beat schedule, in a thread.

Tasks run eagerly (``CELERY_TASK_ALWAYS_EAGER``), so a due periodic task executes in this
thread, and what it publishes reaches sockets through ``portal.realtime``.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)
_started = threading.Lock()
_service = None


def start_embedded_beat() -> None:
    global _service
    with _started:
        if _service is not None:
            return
        from celery.beat import EmbeddedService

        from portal.celery import app

        _service = EmbeddedService(app, thread=True)
        _service.daemon = True
        _service.start()
        logger.info("Embedded beat started (%s)", app.conf.beat_scheduler)
