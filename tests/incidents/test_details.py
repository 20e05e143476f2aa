"""Each form's own fields are checked on their own (docs/api.md)."""

from __future__ import annotations

import pytest

from incidents.details import clean_details, display


def test_admin_resource_needs_its_type():
    _, errors = clean_details("admin_resource", {"official": "Head of school"})
    assert list(errors) == ["type"]


def test_admin_resource_canonical_form_has_every_key():
    cleaned, errors = clean_details("admin_resource", {"type": "threats", "people_affected": "12"})
    assert errors == {}
    assert cleaned == {
        "type": "threats",
        "official": "",
        "official_position": "",
        "people_affected": 12,
    }


@pytest.mark.parametrize("value", [-1, 1.5, "many", True, 10_000_001])
def test_admin_resource_people_affected_is_a_whole_number(value):
    _, errors = clean_details("admin_resource", {"type": "threats", "people_affected": value})
    assert list(errors) == ["people_affected"]


def test_vote_buying_needs_what_and_by_whom():
    _, errors = clean_details("vote_buying", {})
    assert set(errors) == {"offered", "offered_by"}


def test_vote_buying_refuses_unknown_codes():
    _, errors = clean_details("vote_buying", {"offered": "cash", "offered_by": "candidate"})
    assert list(errors) == ["offered"]


def test_campaign_rules_needs_type_and_medium():
    _, errors = clean_details("campaign_rules", {"type": "black_pr"})
    assert list(errors) == ["medium"]


def test_a_field_of_another_form_is_refused():
    _, errors = clean_details(
        "campaign_rules", {"type": "black_pr", "medium": "print", "offered": "money"}
    )
    assert list(errors) == ["offered"]


def test_type_codes_are_per_form():
    # "threats" is an administrative-resource type, not a campaign-rules one
    _, errors = clean_details("campaign_rules", {"type": "threats", "medium": "print"})
    assert list(errors) == ["type"]


def test_text_is_trimmed_and_limited():
    cleaned, errors = clean_details(
        "vote_buying", {"offered": "money", "offered_by": "unknown", "value": "  500 som "}
    )
    assert cleaned["value"] == "500 som" and not errors
    _, errors = clean_details(
        "vote_buying", {"offered": "money", "offered_by": "unknown", "value": "x" * 201}
    )
    assert list(errors) == ["value"]


def test_details_must_be_an_object():
    _, errors = clean_details("vote_buying", ["money"])
    assert "non_field_errors" in errors


def test_display_shows_labels_not_codes():
    rows = dict(display("campaign_rules", {"type": "black_pr", "medium": "print"}))
    assert "Black PR" in str(rows["What rule was broken?"])
