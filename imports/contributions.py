"""What imports adds to the customer archive's extension points (registered in ready())."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import can_erase, can_export
from accounts.models import User
from customers import extensions
from customers.extensions import ListAction, Panel
from customers.models import Customer, Erasure
from imports import privacy
from imports.services import can_import


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
