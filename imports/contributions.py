"""What imports adds to the customer archive's extension points (registered in ready())."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from customers import extensions
from customers.extensions import ListAction
from imports.services import can_import


def import_action(user: User) -> ListAction | None:
    """Return the customer list's "Import" button for users who may import."""
    if not can_import(user):
        return None
    return ListAction(_("Import"), reverse("imports:index"), "import-link")


def register() -> None:
    """Put the import button above the customer list."""
    extensions.list_actions.register("import", import_action, order=10)
