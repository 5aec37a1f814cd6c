"""The demo organisation: one user per role, a sales team, one shared password."""

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.hashers import make_password

from accounts.models import Membership, Role, Team, User

PASSWORD = "huitou-demo-2026"
TEAM = "华东销售组"


class DemoUser(NamedTuple):
    username: str
    role: str
    name: str
    in_team: bool


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, "管理员", False),
    DemoUser("manager", Role.MANAGER, "周敏", True),
    DemoUser("rep1", Role.REP, "李娜", True),
    DemoUser("rep2", Role.REP, "王强", True),
    DemoUser("rep3", Role.REP, "陈静", True),
    DemoUser("agent", Role.AGENT, "赵磊", False),
)


@dataclass(frozen=True)
class Organisation:
    admin: User
    manager: User
    reps: list[User]
    agent: User


def ensure_organisation() -> Organisation:
    """Create the demo users and team that are missing; leave existing ones untouched."""
    team, _created = Team.objects.get_or_create(name=TEAM)
    # One Argon2 hash (~0.4 s on two cores) shared by all demo users instead of six: the
    # password is printed for everyone anyway, so a shared salt gives nothing away.
    hashed = make_password(PASSWORD)
    users = {demo.username: _ensure_user(demo, team, hashed) for demo in DEMO_USERS}
    return Organisation(
        admin=users["admin"],
        manager=users["manager"],
        reps=[users["rep1"], users["rep2"], users["rep3"]],
        agent=users["agent"],
    )


def _ensure_user(demo: DemoUser, team: Team, hashed_password: str) -> User:
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        is_admin = demo.role == Role.ADMIN
        user = User.objects.create_user(
            username=demo.username, password=None, role=demo.role, first_name=demo.name,
            is_staff=is_admin, is_superuser=is_admin,
        )  # fmt: skip
        user.password = hashed_password
        user.save(update_fields=["password"])
    if demo.in_team:
        Membership.objects.get_or_create(user=user, team=team)
    return user
