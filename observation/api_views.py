from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from observation.kernel.access import role_of
from observation.queries import districts_for_user
from observation.serializers import MeSerializer


@extend_schema(responses=MeSerializer, summary="The signed-in user, their role and districts")
@api_view(["GET"])
def me(request: Request) -> Response:
    role = role_of(request.user)
    data = {
        "username": request.user.get_username(),
        "full_name": request.user.get_full_name(),
        "role": role.value if role else None,
        "districts": districts_for_user(request.user),
    }
    return Response(MeSerializer(data).data)
