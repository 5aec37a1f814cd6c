"""Changes to users: their language, their API tokens, and users and teams made in bulk."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Membership, Role, Team, User
from core.errors import NotFound


def set_language(user: User, language: str) -> None:
    """Remember the user's language, on every device they sign in from."""
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; return it with the raw secret, which is shown only once."""
    return ApiToken.objects.issue(user, name)


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; return whether it was still active (again is a no-op).

    Anyone else's token, like a missing one, is NotFound: its existence is not revealed.
    """
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("Not found."))
    if token.revoked_at is not None:
        return False
    token.revoke()
    return True


@dataclass(frozen=True)
class NewUser:
    """A user for ensure_users: sign-in name, role, the name shown, and a team to join."""

    username: str
    role: str
    first_name: str
    team: Team | None = None


def ensure_team(name: str) -> Team:
    """Return the team with this name, creating it when missing."""
    return Team.objects.get_or_create(name=name)[0]


@transaction.atomic
def ensure_users(users: Sequence[NewUser], password: str) -> dict[str, User]:
    """Return the users by username, creating the missing ones with the one password.

    Existing users keep their role, name and password; each user joins the team named for
    them if not a member yet. An admin is staff and superuser, so the Django admin opens to
    them. The new users share one password hash: hashing (Argon2, ~0.4 s on two cores) is
    the slow part and the password is the same for all of them anyway.
    """
    existing = User.objects.in_bulk([user.username for user in users], field_name="username")
    missing = [user for user in users if user.username not in existing]
    hashed = make_password(password) if missing else ""
    for new in missing:
        is_admin = new.role == Role.ADMIN
        user = User(
            username=new.username, role=new.role, first_name=new.first_name, password=hashed,
            is_staff=is_admin, is_superuser=is_admin,
        )  # fmt: skip
        user.full_clean()
        user.save()
        existing[new.username] = user
    for new in users:
        if new.team is not None:
            Membership.objects.get_or_create(user=existing[new.username], team=new.team)
    return {user.username: existing[user.username] for user in users}
