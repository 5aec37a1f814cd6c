"""What imports adds to the extension points: the customer list's import button, and the
rejected rows of an import as an export (registered in ready())."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from customers import extensions
from customers.extensions import ListAction
from imports import exports
from imports.models import ExportFormat
from imports.services import can_import, select_rejected_rows


def import_action(user: User) -> ListAction | None:
    """Return the customer list's "Import" button for users who may import."""
    if not can_import(user):
        return None
    return ListAction(_("Import"), reverse("imports:index"), "import-link")


def register() -> None:
    """Put the import button above the customer list."""
    extensions.list_actions.register("import", import_action, order=10)


def _anyone(user: User) -> bool:
    """A user may take back the rejected rows of any import they may see (the source checks)."""
    return True


def register_exports() -> None:
    """Offer an import's rejected rows for download, recorded like every export."""
    exports.sources.register(
        "rejected_rows",
        exports.ExportSource(
            gettext_lazy("Rejected import rows"),
            "rejected-rows",
            select_rejected_rows,
            allowed=_anyone,
            formats=(ExportFormat.CSV,),
        ),
        order=25,
    )
