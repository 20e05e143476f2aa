"""The API's sign-in and sign-out (docs/api.md#tokens): a token for a user name and
password (and the ``otp`` code for the roles that need a second factor), and the
revocation of the caller's token."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from observation import accounts
from observation.kernel.tokens import token_expires_at
from observation.policies import requires_second_factor
from observation.security import lockout_response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="The code of your authenticator app (or a recovery code); required for "
        "the roles in TWO_FACTOR_ROLES.",
    )


TokenSerializer = inline_serializer(
    "Token",
    {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
)


def _refused(message: Any, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"non_field_errors": [str(message)]}, status=code)


@extend_schema(
    summary="Get an API token",
    request=TokenRequestSerializer,
    responses={
        200: TokenSerializer,
        400: OpenApiResponse(description="Wrong user name, password or second-factor code"),
        429: OpenApiResponse(description="Too many failed sign-ins: locked for a while"),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def obtain_token(request: Request) -> Response:
    form = TokenRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    django_request = request._request
    user = authenticate(django_request, username=data["username"], password=data["password"])
    if getattr(django_request, "axes_locked_out", False):
        return lockout_response(django_request)
    if user is None:
        return _refused(_("Unable to log in with provided credentials."))
    if requires_second_factor(user):
        if not accounts.has_second_factor(user):
            return _refused(
                _(
                    "Your role signs in with a second factor: sign in on the web page once "
                    "to set up your authenticator, then ask for a token with its code in `otp`."
                )
            )
        try:
            accounts.second_factor_check(
                actor=user, code=data.get("otp", ""), request=django_request
            )
        except ValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    AxesProxyHandler.reset_attempts(username=user.get_username())  # as a page sign-in does
    token = accounts.token_issue(actor=user, request=django_request)
    return Response({"token": token.key, "expires_at": token_expires_at(token)})


@extend_schema(
    summary="Revoke your API token (sign out)",
    request=None,
    responses={204: OpenApiResponse(description="The token no longer works")},
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def logout(request: Request) -> Response:
    accounts.token_revoke(actor=request.user, reason="sign-out")
    return Response(status=status.HTTP_204_NO_CONTENT)
