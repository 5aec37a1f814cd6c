"""The demo organisation: one user per role, a sales team, one shared password."""

from dataclasses import dataclass
from typing import NamedTuple

from accounts.models import Role, User
from accounts.services import NewUser, ensure_team, ensure_users

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
    team = ensure_team(TEAM)
    users = ensure_users(
        [
            NewUser(demo.username, demo.role, demo.name, team if demo.in_team else None)
            for demo in DEMO_USERS
        ],
        PASSWORD,
    )
    return Organisation(
        admin=users["admin"],
        manager=users["manager"],
        reps=[users["rep1"], users["rep2"], users["rep3"]],
        agent=users["agent"],
    )
