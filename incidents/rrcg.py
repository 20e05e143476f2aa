"""The RRCG channel (docs/escalation.md): what an escalation sends, how it is signed, and the
two ways it travels (a signed JSON webhook, an e-mail).

Nothing here touches the database: ``incidents.services.escalation`` decides when to send and
records what happened. The HTTP client is the standard library's, with a timeout on
every call and no redirects (a moved endpoint is a configuration error to fix, not
something to follow with a signed body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

PAYLOAD_SCHEMA = "baikoo.escalation/1"
SIGNATURE_HEADER = "X-Baikoo-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_RESPONSE_BYTES = 16 * 1024
"""Enough of the RRCG's answer to show head office what went wrong."""
RETRY_STATUSES = frozenset({408, 429})


# --- payload ---------------------------------------------------------------------------------


def evidence_entries(incident: Any) -> list[dict[str, Any]]:
    """The evidence files as the RRCG sees them: what they are and their SHA-256, so a
    file handed over later can be matched. Never the files themselves or who took them."""
    return _jsonable(
        [
            {
                "id": str(e.pk),
                "file_name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at,
            }
            for e in incident.evidence.order_by("uploaded_at", "id")
        ]
    )


def _jsonable(data: Any) -> Any:
    # Through JSON once, so what is stored is exactly what will be sent.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def build_payload(*, escalation: Any, incident: Any, reason: str) -> dict[str, Any]:
    """The JSON the RRCG receives, frozen when head office escalates.

    Witness names and contacts and the identity of the observer are left out on
    purpose: docs/roles.md keeps them inside the mission."""
    data = {
        "schema": PAYLOAD_SCHEMA,
        "escalation_id": str(escalation.pk),
        "escalated_at": escalation.created_at,
        "reason": reason,
        "acknowledge_path": reverse("escalation-acknowledge", args=[escalation.pk]),
        "incident": {
            "id": str(incident.pk),
            "ref": incident.ref,
            "election": {"id": incident.election_id, "name": incident.election.name},
            "district": {"code": incident.district.code, "name": incident.district.name},
            "kind": incident.kind,
            "details": incident.details,
            "occurred_at": incident.occurred_at,
            "reported_at": incident.reported_at,
            "location": incident.location,
            "pec": incident.pec.name if incident.pec_id else None,
            "latitude": incident.latitude,
            "longitude": incident.longitude,
            "party": incident.party.name if incident.party_id else None,
            "candidate": incident.candidate.full_name if incident.candidate_id else None,
            "description": incident.description,
            "source": incident.source,
            "severity": incident.severity,
        },
        "evidence": evidence_entries(incident),
        "evidence_expected": incident.evidence_expected,
    }
    return _jsonable(data)


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (stable key order, UTF-8)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# --- signatures ------------------------------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(body: bytes, secret: str, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())


# --- channels --------------------------------------------------------------------------------


def webhook_configured() -> bool:
    # A webhook without a secret could not be verified by the RRCG; it does not count.
    return bool(settings.RRCG_WEBHOOK_URL and settings.RRCG_WEBHOOK_SECRET)


def email_configured() -> bool:
    return bool(settings.RRCG_EMAIL_TO)


def channel_configured() -> bool:
    return webhook_configured() or email_configured()


def channel_problem() -> str:
    """Why escalations cannot leave, for the incident page; empty when they can."""
    from django.utils.translation import gettext as _

    if channel_configured():
        return ""
    if settings.RRCG_WEBHOOK_URL and not settings.RRCG_WEBHOOK_SECRET:
        return _(
            "No channel to the RRCG works: the server setting RRCG_WEBHOOK_URL is set but "
            "RRCG_WEBHOOK_SECRET is empty, so the webhook cannot be signed. Nothing is sent; "
            "escalations wait and leave as soon as whoever runs the server sets it (or "
            "RRCG_EMAIL_TO) in the environment (docs/configuration.md)."
        )
    return _(
        "No channel to the RRCG is configured: the server settings RRCG_WEBHOOK_URL and "
        "RRCG_EMAIL_TO are empty. Nothing is sent; escalations wait and leave as soon as "
        "whoever runs the server sets one in the environment (docs/configuration.md)."
    )


@dataclass(frozen=True)
class Answer:
    """What one delivery attempt got back."""

    outcome: str  # "delivered", "retry" or "failed"
    response_code: int | None = None
    error: str = ""
    retry_after: int | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _retry_after(headers: Any) -> int | None:
    value = (headers.get("Retry-After") or "").strip() if headers is not None else ""
    return int(value) if value.isdigit() else None


def classify(code: int, body: str = "", headers: Any = None) -> Answer:
    """2xx delivered; 408, 429 and 5xx worth trying again; any other answer is final
    (the RRCG refused this payload, or the endpoint is wrong) and is not retried."""
    if 200 <= code < 300:
        return Answer("delivered", code)
    error = f"HTTP {code}" + (f": {body.strip()[:500]}" if body.strip() else "")
    if code in RETRY_STATUSES or code >= 500:
        return Answer("retry", code, error, _retry_after(headers))
    return Answer("failed", code, error)


def post_webhook(*, escalation_id: str, body: bytes) -> Answer:
    """POST ``body`` to the RRCG once. Never raises for network trouble: a timeout, a
    refused connection or a reset is an ``Answer`` to retry."""
    request = urllib.request.Request(
        settings.RRCG_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Baikoo escalation",
            IDEMPOTENCY_HEADER: escalation_id,
            SIGNATURE_HEADER: sign(body, settings.RRCG_WEBHOOK_SECRET),
        },
    )
    try:
        with _opener.open(request, timeout=settings.RRCG_WEBHOOK_TIMEOUT) as response:
            text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
            return classify(response.status, text, response.headers)
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
        except (OSError, ValueError):
            text = ""
        return classify(exc.code, text, exc.headers)
    except TimeoutError:
        return Answer("retry", None, f"No answer within {settings.RRCG_WEBHOOK_TIMEOUT} s")
    except urllib.error.URLError as exc:
        return Answer("retry", None, f"Could not connect: {exc.reason}")
    except (OSError, ValueError) as exc:  # connection reset, bad status line, …
        return Answer("retry", None, f"{type(exc).__name__}: {exc}")


def send_email(*, escalation_id: str, payload: dict[str, Any], body: bytes) -> None:
    """The escalation as an e-mail to ``RRCG_EMAIL_TO``: a readable summary, and the
    signed JSON attached. Raises on SMTP trouble (the caller decides what that means)."""
    incident = payload["incident"]
    lines = [
        f"Escalation {escalation_id}",
        f"Incident {incident['ref']} ({incident['kind']}), {incident['district']['name']}",
        f"When: {incident['occurred_at']}",
        f"Where: {incident['location']}",
        f"Party: {incident['party'] or 'unknown'}",
        "",
        incident["description"],
        "",
        f"Reason for escalating: {payload['reason']}",
        f"Evidence files: {len(payload['evidence'])}",
    ]
    headers = {IDEMPOTENCY_HEADER: escalation_id}
    if settings.RRCG_WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = sign(body, settings.RRCG_WEBHOOK_SECRET)
    message = EmailMessage(
        subject=f"[Baikoo] Escalation {incident['ref']}",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=settings.RRCG_EMAIL_TO,
        headers=headers,
    )
    message.attach(f"escalation-{escalation_id}.json", body, "application/json")
    message.send(fail_silently=False)
