"""API filters of observation's collections: each by its foreign keys and coded fields
(docs/api.md). ``election``, ``district`` and ``party`` reach through the list a record
belongs to, so a client can ask e.g. for the female candidates of one city."""

from __future__ import annotations

import django_filters as filters

from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)


def _election(field_name: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=Election.objects.all(), field_name=field_name, label="election", **kwargs
    )


def _district(field_name: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=District.objects.all(), field_name=field_name, label="district", **kwargs
    )


def _party(field_name: str) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=Party.objects.all(), field_name=field_name, label="party"
    )


class ElectionFilter(filters.FilterSet):
    class Meta:
        model = Election
        fields = ["kind"]


class DistrictFilter(filters.FilterSet):
    class Meta:
        model = District
        fields = ["election", "code"]


class PartyFilter(filters.FilterSet):
    election = _election("lists__district__election", distinct=True)
    district = _district("lists__district", distinct=True)

    class Meta:
        model = Party
        fields = ["election", "district"]


class PartyListFilter(filters.FilterSet):
    election = _election("district__election")

    class Meta:
        model = PartyList
        fields = ["election", "district", "party"]


class CandidateFilter(filters.FilterSet):
    election = _election("party_list__district__election")
    district = _district("party_list__district")
    party = _party("party_list__party")

    class Meta:
        model = Candidate
        fields = ["election", "district", "party", "party_list", "gender", "status", "is_demo"]


class PartyMeetingFilter(filters.FilterSet):
    election = _election("district__election")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label="date from")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label="date until")

    class Meta:
        model = PartyMeeting
        fields = ["election", "district", "party", "date", "date_after", "date_before"]


class CalendarEntryFilter(filters.FilterSet):
    class Meta:
        model = CalendarEntry
        fields = ["election", "kind"]
