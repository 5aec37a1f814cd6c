"""Which tickets a user may see: the one access rule (accounts.access) read for tickets.

An agent, a manager and an admin see every ticket (service work crosses teams); a rep sees
the tickets of the customers they may see.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.access import visible_owner_q
from accounts.models import Role, User
from core.errors import NotFound
from service.models import Ticket


def sees_every_ticket(user: User) -> bool:
    """Return whether the user sees every ticket (agents, managers, admins)."""
    return user.is_active and (user.is_admin or user.role in (Role.AGENT, Role.MANAGER))


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Return the tickets the user may see."""
    if sees_every_ticket(user):
        return Ticket.objects.all()
    return Ticket.objects.filter(visible_owner_q(user, "customer__owner"))


def get_visible_ticket(user: User, ticket_id: int) -> Ticket:
    """Return the ticket if the user may see it, else refuse as if it did not exist."""
    ticket = visible_tickets(user).select_related("customer").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("No such ticket."), "ticket_id")
    return ticket


def can_manage_service(user: User) -> bool:
    """Return whether the user may keep standard answers and decide on goodwill gifts."""
    return user.is_active and (user.is_admin or user.role == Role.MANAGER)
