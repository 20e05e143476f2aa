"""Who may do what (docs/roles.md), as a matrix of roles × actions."""

from __future__ import annotations

import pytest

from observation.kernel.access import role_of
from observation.kernel.roles import Role
from observation.policies import PARTY_MEETINGS, REFERENCE_DATA, USERS
from tests.factories import make_user

R, W = "read", "write"
# role -> what it may do with each kind of data observation owns
MATRIX = {
    Role.LTO: {"reference": {R}, "meetings": {R, W}, "users": set()},
    Role.COORDINATOR: {"reference": {R}, "meetings": {R, W}, "users": set()},
    Role.HEAD_OFFICE: {"reference": {R}, "meetings": {R, W}, "users": set()},
    Role.LEGAL: {"reference": {R}, "meetings": {R}, "users": set()},
    Role.ANALYST: {"reference": {R, W}, "meetings": {R, W}, "users": set()},
    Role.ADMIN: {"reference": {R, W}, "meetings": {R, W}, "users": {R, W}},
}
ACCESS = {"reference": REFERENCE_DATA, "meetings": PARTY_MEETINGS, "users": USERS}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", list(ACCESS))
@pytest.mark.parametrize("action", [R, W])
def test_role_matrix(role, kind, action):
    user = make_user(role)
    access = ACCESS[kind]
    allowed = access.can_read(user) if action == R else access.can_write(user)
    assert allowed is (action in MATRIX[role][kind])


@pytest.mark.django_db
def test_user_without_profile_has_no_role_and_may_do_nothing():
    user = make_user(None)
    assert role_of(user) is None
    assert not REFERENCE_DATA.can_read(user)


@pytest.mark.django_db
def test_superuser_without_profile_is_an_administrator():
    user = make_user(None, is_superuser=True)
    assert role_of(user) is Role.ADMIN


@pytest.mark.django_db
def test_deactivated_user_loses_their_role():
    user = make_user(Role.HEAD_OFFICE, is_active=False)
    assert role_of(user) is None
