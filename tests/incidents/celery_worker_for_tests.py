"""The project's Celery worker, as ``test_escalation_worker`` starts it.

One test-only concern: pytest-django empties the database after each transactional test
and recreates the content types, possibly with other ids, so a long-lived worker would
write audit entries with a content type id that no longer exists. The worker forgets its
cached content types before each task; nothing else differs from ``celery -A observation
worker``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observation.config.settings")

import django  # noqa: E402

django.setup()

from celery.signals import task_prerun  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402

from observation.config.celery import app  # noqa: E402

task_prerun.connect(lambda **kwargs: ContentType.objects.clear_cache(), weak=False)

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
