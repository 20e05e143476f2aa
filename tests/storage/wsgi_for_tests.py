"""The project's WSGI application, as ``test_nodes`` serves it with gunicorn.

One test-only concern, as in ``tests/incidents/celery_worker_for_tests.py``: pytest-django
empties the database after each transactional test and recreates the content types with
other ids, so a long-lived web process forgets its cached content types before each
request. Nothing else differs from ``observation.config.wsgi``.
"""

from __future__ import annotations

from observation.config.wsgi import application as project_application  # sets Django up first


def application(environ, start_response):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    return project_application(environ, start_response)
