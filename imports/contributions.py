"""What imports adds to the extension points: the customer list's import button, the
personal-data buttons and erasure, and the rejected rows of an import as an export
(registered in ready())."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import can_erase, can_export
from accounts.models import User
from customers import extensions
from customers.extensions import ListAction, Panel
from customers.models import Customer, Erasure
from imports import exports, privacy
from imports.models import ExportFormat
from imports.services import can_import, select_rejected_rows


def import_action(user: User) -> ListAction | None:
    """Return the customer list's "Import" button for users who may import."""
    if not can_import(user):
        return None
    return ListAction(_("Import"), reverse("imports:index"), "import-link")


def personal_data_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the export and erase buttons for managers and admins; nothing for others."""
    may_export, may_erase = can_export(user), can_erase(user)
    if not (may_export or may_erase):
        return None
    erasure = Erasure.objects.filter(customer=customer).select_related("erased_by").first()
    data = {"may_export": may_export, "may_erase": may_erase, "erasure": erasure}
    return Panel("side", "imports/_customer_personal_data.html", data)


def register() -> None:
    """Put the import button above the customer list, the personal-data buttons on the
    customer page, and the imports' copies of a person into an erasure."""
    extensions.list_actions.register("import", import_action, order=10)
    extensions.page_panels.register("personal-data", personal_data_panel, order=90)
    extensions.erasure_participants.register("imports", privacy.erase_customer_data, order=30)


def register_exports() -> None:
    """Offer an import's rejected rows for download, recorded like every export."""
    exports.sources.register(
        "rejected_rows",
        exports.ExportSource(
            gettext_lazy("Rejected import rows"),
            "rejected-rows",
            select_rejected_rows,
            allowed=exports.any_role,
            formats=(ExportFormat.CSV,),
        ),
        order=25,
    )
