"""The one access rule: which customers a user may see and change.

Every place where customer data leaves the database (pages, API, exports, search,
autocomplete) filters through `visible_owner_q`, so the rule cannot drift between them.
The rule speaks only of a customer's owner, which is why it can live here without
knowing the customer model: callers pass the lookup path from their model to the owner.

- admin: everything
- manager: customers owned by members of the manager's teams (and their own)
- sales rep: customers they own
- service agent: every customer, read-only, and may log interactions
- service tickets: agents, managers and admins see every ticket; a rep their customers'
"""

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import Membership, Role, User


def team_member_ids(user: User) -> list[int]:
    """Return the ids of every user who shares a team with the user, the user included."""
    team_ids = Membership.objects.filter(user=user).values("team_id")
    member_ids = set(
        Membership.objects.filter(team_id__in=team_ids).values_list("user_id", flat=True)
    )
    member_ids.add(user.pk)
    return sorted(member_ids)


def sees_every_customer(user: User) -> bool:
    """Return whether the rule lets the user see all customers (admins and service agents)."""
    return user.is_active and (user.is_admin or user.role == Role.AGENT)


def visible_owner_q(user: User, owner_path: str = "owner") -> Q:
    """Return a filter on `owner_path` that keeps only what the user may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_every_customer(user):
        return Q()
    if user.role == Role.MANAGER:
        return Q(**{f"{owner_path}_id__in": team_member_ids(user)})
    return Q(**{f"{owner_path}_id": user.pk})


def can_edit_owned_by(user: User, owner_id: int | None) -> bool:
    """Return whether the user may change a customer owned by `owner_id`."""
    if user.is_admin:
        return True
    if user.role == Role.MANAGER:
        return owner_id in team_member_ids(user)
    if user.role == Role.REP:
        return owner_id == user.pk
    return False


def can_log_interaction(user: User, owner_id: int | None) -> bool:
    """Return whether the user may log an interaction with a customer they can see."""
    return user.role == Role.AGENT or can_edit_owned_by(user, owner_id)


def sees_every_ticket(user: User) -> bool:
    """Return whether the user sees every service ticket (agents, managers and admins);
    a rep sees only the tickets of customers they may see."""
    return user.is_active and (user.is_admin or user.role in (Role.AGENT, Role.MANAGER))


def can_work_ticket(user: User, owner_id: int | None) -> bool:
    """Return whether the user may take a ticket of a customer owned by `owner_id` through
    its steps: whoever sees every ticket, and a rep on their own customers'."""
    return sees_every_ticket(user) or (user.is_active and owner_id == user.pk)


def can_route_tickets(user: User) -> bool:
    """Return whether the user may give a ticket to another owner (not a rep)."""
    return sees_every_ticket(user)


def can_reassign(user: User) -> bool:
    """Return whether the user may move customers between owners."""
    return user.is_admin or user.role == Role.MANAGER


def can_export(user: User) -> bool:
    """Return whether the user's role may take customer data out as a file."""
    return user.is_admin or user.role == Role.MANAGER


def can_refund(user: User) -> bool:
    """Return whether the user's role may refund orders and reinstate refunds (REFUND_ROLES).

    An admin's role is "admin" (a superuser counts as one); which customers' orders the
    user may change at all is can_edit_owned_by's rule, checked besides this one.
    """
    role = Role.ADMIN if user.is_admin else user.role
    return user.is_active and role in settings.REFUND_ROLES


def can_erase(user: User) -> bool:
    """Return whether the user may erase a customer's personal data (admins only)."""
    return user.is_active and user.is_admin


def assignable_owners(user: User) -> list[User]:
    """Return the users the user may make owner of a customer (a rep: only themselves)."""
    reps = User.objects.filter(is_active=True, role__in=[Role.REP, Role.MANAGER])
    if user.is_admin:
        return list(reps.order_by("username"))
    if user.role == Role.MANAGER:
        return list(reps.filter(pk__in=team_member_ids(user)).order_by("username"))
    if user.role == Role.REP:
        return [user]
    return []


def request_user(request: HttpRequest) -> User:
    """Return the signed-in user of a view or API call that requires one."""
    assert isinstance(request.user, User)
    return request.user
