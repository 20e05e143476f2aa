"""The sign-in backend reads the observer profile with the user (docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observation.kernel.access import role_of
from observation.kernel.backends import ProfileModelBackend
from observation.kernel.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_its_profile_in_one_query(django_assert_num_queries):
    user = make_user("headoffice", "ho")
    with django_assert_num_queries(1):
        loaded = ProfileModelBackend().get_user(user.pk)
        assert role_of(loaded) == Role.HEAD_OFFICE


def test_a_superuser_without_a_profile_and_an_inactive_user(django_assert_num_queries):
    root = get_user_model().objects.create_superuser("root", password="x" * 12)
    with django_assert_num_queries(1):
        assert role_of(ProfileModelBackend().get_user(root.pk)) == Role.ADMIN
    gone = make_user("lto", "gone")
    get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    assert ProfileModelBackend().get_user(gone.pk) is None
    assert ProfileModelBackend().get_user(987654) is None


def test_a_signed_in_request_reads_no_profile_on_its_own(client):
    client.force_login(make_user("analyst", "an"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    alone = [q["sql"] for q in queries if 'FROM "observation_observerprofile" WHERE' in q["sql"]]
    assert alone == []
