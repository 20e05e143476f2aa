from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from observation.models import ObserverProfile


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"observation", "commissions", "voters", "incidents", "reports"}
        and model._meta.label != "observation.AuditEntry"
        # the incident tallies exist on PostgreSQL only (docs/incidents.md#kept-counts)
        and model._meta.can_migrate(connection)
    }


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_data():
    call_command("load_demo", stdout=io.StringIO())
    first = table_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert table_counts() == first


@pytest.mark.django_db
def test_demo_sign_ins_exist_for_every_role_with_the_demo_password(settings):
    call_command("load_demo", stdout=io.StringIO())
    for username in ["lto-bishkek-1", "lto-bishkek-4", "lto-osh-3", "lto-tokmok-1",
                     "coordinator-bishkek", "headoffice", "legal", "analyst", "admin"]:  # fmt: skip
        assert authenticate(username=username, password=settings.DEMO_PASSWORD), username
    ltos = ObserverProfile.objects.filter(role="lto")
    assert ltos.filter(districts__code="BSK").count() == 4
    assert ltos.filter(districts__code="OSH").count() == 3
    assert ltos.filter(districts__code="TKM").count() == 1


def test_load_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(SystemExit):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
