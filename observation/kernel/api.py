"""API plumbing shared by every app: pagination and error format (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(Exception):
    """A write refused because what is stored is not what the request assumed (someone
    else changed the row, the id is taken by another report, …). Services raise a
    subclass; the API answers 409 with ``response_data()``, pages show the message."""

    def response_data(self) -> dict[str, Any]:
        return {"detail": str(self)}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the errors our services raise.

    Services validate with Django's ValidationError (so forms and API share the rules);
    the API turns it into the same 400 with field messages that serializers give.
    A conflict with what is stored is a 409 rather than a 500: a service's ``Conflict``,
    or deleting something still referenced (``ProtectedError``). Every 409 is made here."""
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response(exc.response_data(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "This record is still referenced by other records and cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
