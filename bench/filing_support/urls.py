"""The project's URLs plus the bare views under ``/bench/``, placed right after the API
include so resolving them costs about what resolving ``/api/v1/incidents/`` does."""

from __future__ import annotations

from django.urls import include, path

from bench.filing_support import views
from observation.config.urls import urlpatterns as project_urlpatterns

bench_patterns = [
    path("bare/", views.bare),
    path("bare-token/", views.bare_token),
    path("bare-session/", views.bare_session),
]

_api = next(i for i, p in enumerate(project_urlpatterns) if str(p.pattern) == "api/v1/")
urlpatterns = [
    *project_urlpatterns[: _api + 1],
    path("bench/", include(bench_patterns)),
    *project_urlpatterns[_api + 1 :],
]
