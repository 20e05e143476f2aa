from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from tests.commissions.builders import make_cec, make_tec
from tests.factories import make_district, make_election, make_party, make_party_list, make_user


@pytest.fixture
def election():
    return make_election(name="Repeat local elections")


@pytest.fixture
def bishkek(election):
    return make_district(election, name="Bishkek", code="BSK")


@pytest.fixture
def cec(election):
    return make_cec(election, name="CEC")


@pytest.fixture
def tec(cec, bishkek):
    return make_tec(cec, bishkek, name="Bishkek TEC", pec_count=228)


@pytest.fixture
def party(bishkek):
    """A party with a list in Bishkek."""
    party = make_party(name="Reform")
    make_party_list(party, bishkek)
    return party


@pytest.fixture
def headoffice():
    return make_user(Role.HEAD_OFFICE)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(api, headoffice):
    api.force_authenticate(headoffice)
    return api


@pytest.fixture
def structure_api(db):
    """An analyst's client: analysts keep the commissions themselves (docs/roles.md)."""
    client = APIClient()
    client.force_authenticate(make_user(Role.ANALYST))
    return client


@pytest.fixture
def writer_api(editor_api, structure_api):
    """The client of a role that may write ``endpoint``."""
    return lambda endpoint: structure_api if endpoint == "commissions" else editor_api
