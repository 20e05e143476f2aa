"""Queueing Celery work safely from request code: the one way the apps publish a task.

Work is published only after the surrounding transaction commits (a worker must never
see a task before its row exists), and a broker that is down never fails or blocks the
request: the error is logged and the periodic sweep of the owning app picks the work up.

Services name the task (``"incidents.tasks.deliver_escalation"``) rather than import it,
so a ``tasks`` module may import the services it calls without an import circle.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def _task(task: Task | str) -> Task:
    if not isinstance(task, str):
        return task
    app = current_app
    if task not in app.tasks:
        # Celery imports the apps' ``tasks`` modules when a worker starts; a web process
        # imports them at its first publish.
        app.loader.import_default_modules()
    return app.tasks[task]


def publish_quietly(task: Task | str, *args: Any, **options: Any) -> bool:
    """Queue ``task`` (the task or its name) now with positional ``args`` and Celery's
    options (``countdown``, ``expires``). Returns False, having logged why, when the
    broker cannot take it; it never raises."""
    task = _task(task)
    try:
        task.apply_async(args=args, retry=False, **options)
    except Exception:
        logger.warning(
            "Could not publish %s%r; the periodic sweep will pick it up.",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Task | str, *args: Any, **options: Any) -> None:
    """``publish_quietly`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish_quietly(task, *args, **options))
