"""Queueing Celery work safely from request code.

Work is published only after the surrounding transaction commits (a worker must never
see a task before its row exists), and a broker that is down never fails or blocks the
request: the error is logged and the periodic sweep of the owning app picks the work up.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def publish_quietly(task: Task, *args: Any, **kwargs: Any) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:
        logger.warning(
            "Could not publish %s%r; the periodic sweep will pick it up.",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: publish_quietly(task, *args, **kwargs))
