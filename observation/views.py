from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from observation.registry import panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page: the panels its apps registered for that role."""
    return render(request, "observation/home.html", {"panels": panels_for(request)})
