"""The rules of a voter-list snapshot, at the database and in ``full_clean``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.voters.conftest import make_snapshot
from voters.models import VoterListSnapshot

AGES = {
    "age_18_29": 10,
    "age_30_39": 10,
    "age_40_49": 10,
    "age_50_59": 10,
    "age_60_69": 10,
    "age_70_plus": 50,
}


def refused_by_database(**fields) -> bool:
    try:
        with transaction.atomic():
            VoterListSnapshot.objects.create(**fields)
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
def test_database_refuses_gender_that_does_not_add_up(bishkek):
    assert refused_by_database(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=100, male=40,
        female=59,
    )  # fmt: skip


@pytest.mark.django_db
def test_database_refuses_only_one_gender(bishkek):
    assert refused_by_database(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=100, male=100
    )


@pytest.mark.django_db
def test_database_refuses_ages_that_do_not_add_up(bishkek):
    assert refused_by_database(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=99, **AGES
    )


@pytest.mark.django_db
def test_database_refuses_some_ages_missing(bishkek):
    partial = {**AGES, "age_70_plus": None}
    assert refused_by_database(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=50, **partial
    )


@pytest.mark.django_db
def test_database_refuses_a_second_snapshot_of_a_stage(bishkek):
    make_snapshot(bishkek, "control")
    assert refused_by_database(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 21), total=100
    )


@pytest.mark.django_db
def test_database_refuses_an_unknown_stage(bishkek):
    assert refused_by_database(
        commission=bishkek, stage="draft", as_of=dt.date(2021, 6, 21), total=100
    )


@pytest.mark.django_db
def test_database_accepts_total_only_and_full_breakdowns(bishkek):
    make_snapshot(bishkek, "preliminary", total=424_847)
    make_snapshot(bishkek, "control", total=100, male=40, female=60, **AGES)
    assert VoterListSnapshot.objects.count() == 2


def clean_errors(**fields) -> dict[str, list[str]]:
    snapshot = VoterListSnapshot(**fields)
    with pytest.raises(ValidationError) as caught:
        snapshot.full_clean()
    return caught.value.message_dict


@pytest.mark.django_db
def test_full_clean_names_total_when_gender_does_not_add_up(bishkek):
    errors = clean_errors(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=100, male=40,
        female=59,
    )  # fmt: skip
    assert list(errors) == ["total"]
    assert "40 + 59 = 99" in errors["total"][0] and "(100)" in errors["total"][0]


@pytest.mark.django_db
def test_full_clean_names_the_missing_gender(bishkek):
    errors = clean_errors(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=100, male=100
    )
    assert list(errors) == ["female"]


@pytest.mark.django_db
def test_full_clean_names_total_when_ages_do_not_add_up(bishkek):
    errors = clean_errors(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=99, **AGES
    )
    assert list(errors) == ["total"]
    assert "100" in errors["total"][0]


@pytest.mark.django_db
def test_full_clean_names_each_missing_age_bracket(bishkek):
    partial = {**AGES, "age_60_69": None, "age_70_plus": None}
    errors = clean_errors(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=40, **partial
    )
    assert sorted(errors) == ["age_60_69", "age_70_plus"]


@pytest.mark.django_db
def test_full_clean_reports_both_sums_on_total(bishkek):
    errors = clean_errors(
        commission=bishkek, stage="control", as_of=dt.date(2021, 6, 20), total=7, male=1,
        female=1, **AGES,
    )  # fmt: skip
    assert list(errors) == ["total"] and len(errors["total"]) == 2


@pytest.mark.django_db
def test_full_clean_refuses_the_cec(cec):
    errors = clean_errors(commission=cec, stage="control", as_of=dt.date(2021, 6, 20), total=1)
    assert list(errors) == ["commission"]
    assert "CEC" in errors["commission"][0]


@pytest.mark.django_db
def test_full_clean_names_stage_for_a_second_snapshot(bishkek):
    make_snapshot(bishkek, "control")
    errors = clean_errors(commission=bishkek, stage="control", as_of=dt.date(2021, 6, 21), total=5)
    assert list(errors) == ["stage"]


@pytest.mark.django_db
def test_full_clean_accepts_a_pec(bishkek):
    from tests.factories import make_commission

    pec = make_commission(
        "PEC", election=bishkek.election, district=bishkek.district, parent=bishkek
    )
    VoterListSnapshot(
        commission=pec, stage="final", as_of=dt.date(2021, 7, 9), total=3
    ).full_clean()
