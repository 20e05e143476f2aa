"""The error pages (docs/architecture.md, "Error pages"): 400, 403, 404, CSRF failure and
500 in the site's layout, translated, with a way home. The 500 page is rendered from a
template that needs no request and no database, because the database may be what failed."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import Context, engines
from django.utils.translation import gettext as _


def _page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    try:
        return render(request, template, context, status=status)
    except Exception:  # noqa: BLE001 - the layout's context may be what is broken
        return _bare(template, status, context)


def _bare(template: str, status: int, context: dict[str, Any]) -> HttpResponse:
    django_engine = engines["django"].engine
    body = django_engine.get_template(template).render(Context(context))
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Says why: ``observation.kernel.access.require`` puts the policy's sentence in the
    exception. htmx requests get it in a header too, for static/js/site.js."""
    reason = str(exception or "") or _("Your role in the mission does not give access to this.")
    response = _page(request, "403.html", 403, reason=reason)
    response["X-Baikoo-Reason"] = quote(reason)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, "403_csrf.html", 403)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """No context processors, no session, no database: a static page."""
    body = engines["django"].engine.get_template("500.html").render(Context({}))
    return HttpResponseServerError(body)
