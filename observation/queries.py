from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from observation.models import District, Election
from observation.policies import visible_districts


def elections_with_counts() -> QuerySet[Election]:
    return Election.objects.annotate(
        district_count=Count("districts", distinct=True),
    ).order_by("-election_day")


def districts_for_user(user: Any) -> QuerySet[District]:
    districts = District.objects.select_related("election").annotate(
        registered_candidates=Count(
            "party_lists__candidates",
            filter=Q(party_lists__candidates__status="registered"),
        )
    )
    return visible_districts(user, districts).order_by("election__name", "name")
