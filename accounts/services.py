"""Changes to users: their language and their API tokens."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
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
