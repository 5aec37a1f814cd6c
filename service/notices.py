"""Notices to the team about the SLA: a short email to the owner of a warned or breached
ticket, and to the team leads of an escalated one, in the reader's language.

These go to colleagues, not customers, so they do not take the send path (engagement),
which is for contacting customers under consent and contact caps.
"""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from service.models import Ticket

# The most tickets one notice lists by number; the rest are counted.
LISTED = 50


def send_sla_notice(user_id: int, items: list[list[Any]]) -> int:
    """Email one person the [ticket id, what happened, clock] items; return 1 if sent."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not items:
        return 0
    numbers = dict(
        Ticket.objects.filter(pk__in=[item[0] for item in items[:LISTED]]).values_list(
            "pk", "number"
        )
    )
    with translation.override(user.language or settings.LANGUAGE_CODE):
        lines = [_line(numbers.get(pk, str(pk)), kind, clock) for pk, kind, clock in items[:LISTED]]
        if len(items) > LISTED:
            lines.append(_("… and %(count)d more.") % {"count": len(items) - LISTED})
        subject = ngettext(
            "SLA: %(count)d ticket needs attention",
            "SLA: %(count)d tickets need attention",
            len(items),
        ) % {"count": len(items)}
    send_mail(subject, "\n".join(lines), None, [user.email])
    return 1


def _line(number: str, kind: str, clock: str) -> str:
    what = {
        ("warned", "first_response"): _("first response due soon"),
        ("warned", "resolution"): _("resolution due soon"),
        ("breached", "first_response"): _("first response overdue"),
        ("breached", "resolution"): _("resolution overdue"),
    }.get((kind, clock), _("escalated to you: a deadline was missed"))
    return f"{number}: {what}"
