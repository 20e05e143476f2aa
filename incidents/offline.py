"""The server's side of offline filing: the settings and the words of
``static/incidents/offline.js`` (which has no catalogue of its own), in the user's
language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from incidents.models import Incident


def offline_strings() -> dict[str, str]:
    return {
        "waiting": gettext("Waiting to send"),
        "sending": gettext("Sending…"),
        "sent": gettext("Sent"),
        "saved_offline": gettext(
            "No connection. Your report is saved on this phone and will be sent when the "
            "connection returns. Do not clear the browser data."
        ),
        "needs_fixing": gettext("Not accepted. Please check:"),
        "conflict": gettext(
            "The server already has a different report with this id. It was not sent again."
        ),
        "sign_in": gettext("Please sign in again. The report stays on this phone."),
        "files_waiting": gettext("Report sent; files waiting"),
        "discard": gettext("Remove from this phone"),
        "confirm_discard": gettext("Remove this report from the phone? It has not been sent."),
        "evidence_failed": gettext("A file was not accepted:"),
        "location_unavailable": gettext("Location is not available."),
        "too_many_files": gettext("Too many files."),
        "too_large": gettext("This file is too large:"),
        "open": gettext("Open"),
    }


def offline_config(user: Any) -> dict[str, Any]:
    """Everything offline.js needs, rendered into the page with ``json_script``."""
    return {
        "user": user.get_username(),
        "api": reverse("incident-list"),
        "reference": reverse("incidents:reference"),
        "detail": reverse("incidents:detail", args=["00000000-0000-0000-0000-000000000000"]),
        "worker": reverse("incidents:service-worker"),
        "max_files": settings.EVIDENCE_MAX_FILES,
        "max_bytes": settings.EVIDENCE_MAX_BYTES,
        "kinds": {kind.value: str(kind.label) for kind in Incident.Kind},
        "strings": offline_strings(),
    }
