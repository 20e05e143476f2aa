"""An expired session never eats typed work (docs/architecture.md, "Signed out while
working").

- An htmx request that meets the sign-in redirect gets ``401`` instead of the sign-in page
  (which htmx would otherwise paste into the page); static/js/site.js says "signed out,
  sign in again" and leaves the page as it is.
- A plain form ``POST`` that meets the sign-in redirect is kept in the session (not its
  files); after signing in, the person lands on a page that shows what they typed and
  sends it again with one button, to the same address, so an incident form resends its
  own id and is filed once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

KEPT = "baikoo_kept_post"
KEEP_SECONDS = 2 * 60 * 60
KEEP_MAX_CHARS = 100_000
NOT_KEPT = {"csrfmiddlewaretoken"}
NOT_SHOWN = {"id", "tz", "next"}  # technical fields: sent again, not shown


def _typed(name: str, value: str) -> bool:
    """Text a person typed (shown back to them), not a code or an id a list sent."""
    value = value.strip()
    return name not in NOT_SHOWN and bool(value) and (" " in value or len(value) > 40)


def _is_sign_in_redirect(response: HttpResponse) -> bool:
    if response.status_code not in (301, 302) or "Location" not in response:
        return False
    return urlparse(response["Location"]).path == resolve_url(settings.LOGIN_URL)


class SignedOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kept = self._kept_for(request)
        if kept is not None:
            return kept
        response = self.get_response(request)
        if not _is_sign_in_redirect(response):
            return response
        if getattr(request, "htmx", False):
            signed_out = HttpResponse(
                _("You were signed out. Sign in again."), status=401, content_type="text/plain"
            )
            signed_out["HX-Reswap"] = "none"
            return signed_out
        if request.method == "POST" and not request.user.is_authenticated:
            self._keep(request)
        return response

    def _keep(self, request: HttpRequest) -> None:
        fields = [[name, values] for name, values in request.POST.lists() if name not in NOT_KEPT]
        if not fields or sum(len(v) for _n, vs in fields for v in vs) > KEEP_MAX_CHARS:
            return
        request.session[KEPT] = {
            "path": request.get_full_path(),
            "fields": fields,
            "files": bool(request.FILES),
            "at": time.time(),
        }
        messages.warning(
            request,
            _(
                "You were signed out, so what you sent was not saved. Sign in again: "
                "what you typed is kept, and you can send it after signing in."
            ),
        )

    def _kept_for(self, request: HttpRequest) -> HttpResponse | None:
        """After signing in: the kept form, on the address it was sent to."""
        session = getattr(request, "session", None)
        if session is None or request.method != "GET" or KEPT not in session:
            return None
        if not request.user.is_authenticated:
            return None
        kept = session[KEPT]
        if time.time() - kept.get("at", 0) > KEEP_SECONDS:
            del session[KEPT]
            return None
        if kept.get("path") != request.get_full_path():
            return None
        del session[KEPT]
        fields: list[dict[str, Any]] = [
            {"name": name, "value": value, "label": name.replace("_", " ").capitalize()}
            for name, values in kept["fields"]
            for value in values
        ]
        return render(
            request,
            "errors/resend.html",
            {
                "action": kept["path"],
                "fields": fields,
                "shown": [f for f in fields if _typed(f["name"], f["value"])],
                "files_lost": kept.get("files", False),
            },
        )
