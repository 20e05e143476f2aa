"""API plumbing shared by every app: pagination and error format (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import cached_property
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from observation.kernel import errors

MAX_TEXT = 10_000
"""The longest free text the API and the services accept in one field (docs/api.md#errors):
a description, witnesses, a note, a comment, a meeting's concerns."""
MAX_LONG_TEXT = 100_000
"""The longest narrative: a report section's Markdown."""


def text_limits(*names: str, limit: int = MAX_TEXT) -> dict[str, dict[str, int]]:
    """``extra_kwargs`` for a ModelSerializer: each named text field at most ``limit``
    characters (a model ``TextField`` has no length of its own)."""
    return {name: {"max_length": limit} for name in names}


class Conflict(Exception):
    """A write refused because what is stored is not what the request assumed (someone
    else changed the row, the id is taken by another report, …). Services raise a
    subclass; the API answers 409 with ``response_data()``, pages show the message."""

    def response_data(self) -> dict[str, Any]:
        return {"detail": str(self)}


class CountedPaginator(Paginator):
    """A paginator told how many items there are, when the caller already knows (the
    triage queue's counts per status, from the kept counts: docs/incidents.md#kept-counts),
    so a page costs no COUNT over every matching row."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    @classmethod
    def counted(cls, count: int) -> Pagination:
        """This pagination for a list whose length is already known (``CountedPaginator``)."""
        pagination = cls()
        pagination.django_paginator_class = lambda items, size: CountedPaginator(items, size, count)
        return pagination


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the errors our services raise.

    Services validate with Django's ValidationError (so forms and API share the rules);
    the API turns it into the same 400 with field messages that serializers give.
    A conflict with what is stored is a 409 rather than a 500: a service's ``Conflict``,
    or deleting something still referenced (``ProtectedError``). Every 409 is made here."""
    # A conflict first: some are also ValidationErrors, for the forms (a published report).
    if isinstance(exc, Conflict):
        return Response(exc.response_data(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "This record is still referenced by other records and cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


# --- bad requests ---------------------------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Baikoo's 400 page for pages (observation/kernel/errors.py); for the API a JSON
    answer like every other error: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413,
    any other bad request a 400."""
    if not request.path.startswith("/api/"):
        return errors.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            {"detail": "The request body is larger than this server accepts."}, status=413
        )
    return JsonResponse({"detail": "Bad request."}, status=400)


class ApiErrorMiddleware:
    """Answers the API's oversized bodies in JSON even where Django would show its 400
    page (in DEBUG, the technical page): ``bad_request`` for the exception a view raises
    while reading ``request.body``/``request.data``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if request.path.startswith("/api/") and isinstance(exception, RequestDataTooBig):
            return bad_request(request, exception)
        return None
