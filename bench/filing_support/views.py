"""The bare views. Each reads the same JSON body the filing API gets, inserts one row
and answers 201 with a small JSON object; they differ only in how the caller is
authenticated, so the bench can report the filing API against each:

- ``bare``: nobody is authenticated (docs/benchmarks.md taken literally);
- ``bare_token``: ``Authorization: Token ...`` looked up exactly as DRF's
  ``TokenAuthentication`` does (one query, the user joined);
- ``bare_session``: Django's session and user (two queries, through
  ``AuthenticationMiddleware``) and the CSRF check, as the browser's offline queue posts.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from bench.filing_support.models import BareRow

UNAUTHORIZED = {"detail": "Authentication credentials were not provided."}


def _insert(request: HttpRequest, user: Any) -> JsonResponse:
    try:
        body = json.loads(request.body)
        row = BareRow.objects.create(
            client_id=body["id"], created_by=user, note=str(body.get("location", ""))[:300]
        )
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return JsonResponse({"id": str(row.client_id), "row": row.pk}, status=201)


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    return _insert(request, None)


@csrf_exempt  # DRF's views are CSRF-exempt too; token clients send no cookie
def bare_token(request: HttpRequest) -> JsonResponse:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "token" or not key:
        return JsonResponse(UNAUTHORIZED, status=401)
    token = Token.objects.select_related("user").filter(key=key.strip()).first()
    if token is None or not token.user.is_active:
        return JsonResponse(UNAUTHORIZED, status=401)
    return _insert(request, token.user)


def bare_session(request: HttpRequest) -> JsonResponse:
    # CsrfViewMiddleware has checked the token already (this view is not exempt).
    if not request.user.is_authenticated:
        return JsonResponse(UNAUTHORIZED, status=403)
    return _insert(request, request.user)
