"""Users and teams made in bulk: only the missing ones, one password, admins as superusers."""

import pytest

from accounts.models import Membership, Role, Team, User
from accounts.services import NewUser, ensure_team, ensure_users

pytestmark = pytest.mark.django_db


def test_ensure_team_creates_once() -> None:
    first = ensure_team("East")
    assert ensure_team("East") == first
    assert Team.objects.count() == 1


def test_missing_users_are_created_with_the_password_and_join_their_team() -> None:
    team = ensure_team("East")
    users = ensure_users(
        [NewUser("boss", Role.ADMIN, "Boss"), NewUser("rep1", Role.REP, "Li Na", team)], "pw-1"
    )
    assert list(users) == ["boss", "rep1"]
    assert all(user.check_password("pw-1") for user in users.values())
    assert users["boss"].is_superuser and users["boss"].is_staff
    assert not users["rep1"].is_superuser and not users["rep1"].is_staff
    assert (users["rep1"].role, users["rep1"].first_name) == (Role.REP, "Li Na")
    assert list(Membership.objects.values_list("user__username", "team__name")) == [
        ("rep1", "East")
    ]


def test_existing_users_are_kept_as_they_are_and_only_join_the_team() -> None:
    team = ensure_team("East")
    kept = User.objects.create_user(username="rep1", password="own", role=Role.MANAGER)
    users = ensure_users([NewUser("rep1", Role.REP, "Li Na", team)], "pw-1")
    assert users["rep1"].pk == kept.pk
    kept.refresh_from_db()
    assert kept.check_password("own") and kept.role == Role.MANAGER and kept.first_name == ""
    assert Membership.objects.filter(user=kept, team=team).exists()
    ensure_users([NewUser("rep1", Role.REP, "Li Na", team)], "pw-1")
    assert Membership.objects.count() == 1
