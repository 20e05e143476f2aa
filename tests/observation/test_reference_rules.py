"""Each rule of the reference data is refused alike by the page's form, the API and the
database, with a message on the field it is about, and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, models, transaction
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import (
    AuditEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_party_meeting,
    make_user,
)


@pytest.fixture
def world(db):
    election = make_election(name="Repeat elections 2021", election_day=dt.date(2021, 7, 11))
    bishkek = make_district(election, name="Bishkek", code="BSK")
    emgek = make_party(name="Emgek")
    turan = make_party(name="Turan")
    emgek_bishkek = make_party_list(emgek, bishkek)
    make_candidate(emgek_bishkek, position=1)
    make_party_meeting(emgek, bishkek, date=dt.date(2021, 6, 2))
    return {
        "election": election,
        "district": bishkek,
        "party": emgek,
        "other_party": turan,
        "party_list": emgek_bishkek,
    }


@dataclass(frozen=True)
class Entity:
    model: type[models.Model]
    endpoint: str
    form_url: Callable[[dict], str]
    payload: Callable[[dict], dict[str, Any]]
    from_url: tuple[str, ...] = ()  # fields the page takes from its URL, not the form


ELECTION = Entity(
    Election,
    "elections",
    lambda w: "/elections/new/",
    lambda w: {
        "name": "Local elections",
        "kind": "local",
        "election_day": dt.date(2021, 7, 11),
        "observation_start": dt.date(2021, 6, 21),
        "observation_end": dt.date(2021, 7, 4),
    },
)
DISTRICT = Entity(
    District,
    "districts",
    lambda w: f"/elections/{w['election'].pk}/districts/new/",
    lambda w: {
        "election": w["election"],
        "name": "Osh",
        "code": "OSH",
        "mandates": 45,
        "threshold_percent": Decimal("7.00"),
    },
    from_url=("election",),
)
PARTY = Entity(
    Party, "parties", lambda w: "/parties/new/", lambda w: {"name": "Nur", "short_name": "Nur"}
)
PARTY_LIST = Entity(
    PartyList,
    "party-lists",
    lambda w: f"/districts/{w['district'].pk}/lists/new/",
    lambda w: {"party": w["other_party"], "district": w["district"], "nominated_count": 60},
    from_url=("district",),
)
CANDIDATE = Entity(
    Candidate,
    "candidates",
    lambda w: f"/party-lists/{w['party_list'].pk}/candidates/new/",
    lambda w: {
        "party_list": w["party_list"],
        "full_name": "Aida Bekova",
        "gender": "F",
        "position": 2,
        "status": "registered",
        "denial_reason": "",
    },
    from_url=("party_list",),
)
MEETING = Entity(
    PartyMeeting,
    "party-meetings",
    lambda w: "/party-meetings/new/",
    lambda w: {
        "party": w["party"],
        "district": w["district"],
        "date": dt.date(2021, 6, 3),
        "attendees": "",
        "concerns": "Low voter awareness.",
    },
)


@dataclass(frozen=True)
class Rule:
    name: str
    entity: Entity
    bad: Callable[[dict], dict[str, Any]]
    field: str
    in_database: bool = True
    extra: dict = field(default_factory=dict)


RULES = [
    Rule("observation period ordered", ELECTION,
         lambda w: {"observation_end": dt.date(2021, 6, 1)}, "observation_end"),
    Rule("election kind is a known code", ELECTION, lambda w: {"kind": "coup"}, "kind"),
    Rule("election name and day unique", ELECTION,
         lambda w: {"name": "Repeat elections 2021"}, "name"),
    Rule("election needs a name", ELECTION, lambda w: {"name": ""}, "name"),
    Rule("district code format", DISTRICT, lambda w: {"code": "osh"}, "code"),
    Rule("district code unique in the election", DISTRICT, lambda w: {"code": "BSK"}, "code"),
    Rule("district name unique in the election", DISTRICT,
         lambda w: {"name": "Bishkek"}, "name"),
    Rule("district elects at least one deputy", DISTRICT, lambda w: {"mandates": 0}, "mandates"),
    Rule("threshold at most 100", DISTRICT,
         lambda w: {"threshold_percent": Decimal("100.50")}, "threshold_percent"),
    Rule("threshold not negative", DISTRICT,
         lambda w: {"threshold_percent": Decimal("-1.00")}, "threshold_percent"),
    Rule("party name unique", PARTY, lambda w: {"name": "Emgek"}, "name"),
    Rule("party needs a name", PARTY, lambda w: {"name": ""}, "name"),
    Rule("one list per party and district", PARTY_LIST,
         lambda w: {"party": w["party"]}, "party"),
    Rule("nominated count not negative", PARTY_LIST,
         lambda w: {"nominated_count": -1}, "nominated_count"),
    Rule("position unique within the list", CANDIDATE, lambda w: {"position": 1}, "position"),
    Rule("positions start at 1", CANDIDATE, lambda w: {"position": 0}, "position"),
    Rule("gender is M or F", CANDIDATE, lambda w: {"gender": "X"}, "gender"),
    Rule("status is a known code", CANDIDATE, lambda w: {"status": "elected"}, "status"),
    Rule("denied needs a reason", CANDIDATE,
         lambda w: {"status": "denied", "denial_reason": ""}, "denial_reason"),
    Rule("only the denied have a reason", CANDIDATE,
         lambda w: {"status": "registered", "denial_reason": "Late papers"}, "denial_reason"),
    Rule("candidate needs a name", CANDIDATE, lambda w: {"full_name": ""}, "full_name"),
    Rule("meeting recorded once a day", MEETING,
         lambda w: {"date": dt.date(2021, 6, 2)}, "date"),
    Rule("meeting records concerns", MEETING, lambda w: {"concerns": ""}, "concerns"),
]  # fmt: skip


def _api_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _data(world: dict, rule: Rule) -> dict[str, Any]:
    return {**rule.entity.payload(world), **rule.bad(world)}


def _snapshot(model: type[models.Model]) -> tuple[int, int]:
    return model.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_refused_by_the_database(world, rule):
    data = _data(world, rule)
    before = _snapshot(rule.entity.model)
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.entity.model(**data).save()
    assert _snapshot(rule.entity.model) == before


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_refused_by_the_api_on_its_field(world, rule):
    api = APIClient()
    api.force_authenticate(make_user(Role.ANALYST))
    data = {key: _api_value(value) for key, value in _data(world, rule).items()}
    before = _snapshot(rule.entity.model)
    response = api.post(f"/api/v1/{rule.entity.endpoint}/", data, format="json")
    assert response.status_code == 400, response.content
    assert rule.field in response.json(), response.json()
    assert _snapshot(rule.entity.model) == before


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_refused_by_the_form_on_its_field(world, client, rule):
    client.force_login(make_user(Role.ANALYST))
    data = {
        key: "" if value is None else _api_value(value)
        for key, value in _data(world, rule).items()
        if key not in rule.entity.from_url
    }
    before = _snapshot(rule.entity.model)
    response = client.post(rule.entity.form_url(world), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert rule.field in form.errors, form.errors
    assert 'class="error-summary"' in response.content.decode()
    assert _snapshot(rule.entity.model) == before


@pytest.mark.parametrize(
    "entity", [ELECTION, DISTRICT, PARTY, PARTY_LIST, CANDIDATE, MEETING], ids=lambda e: e.endpoint
)
def test_valid_data_is_accepted_by_the_api_and_the_form(world, client, entity):
    """The rules above are the only reason for refusal: the same data, unbroken, passes."""
    analyst = make_user(Role.ANALYST)
    api = APIClient()
    api.force_authenticate(analyst)
    data = entity.payload(world)
    response = api.post(
        f"/api/v1/{entity.endpoint}/", {k: _api_value(v) for k, v in data.items()}, format="json"
    )
    assert response.status_code == 201, response.content
    entity.model.objects.get(pk=response.json()["id"]).delete()

    client.force_login(analyst)
    form_data = {k: _api_value(v) for k, v in data.items() if k not in entity.from_url}
    response = client.post(entity.form_url(world), form_data)
    assert response.status_code == 302, response.context["form"].errors
