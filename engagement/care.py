"""The care calendar (关怀日历): which customers have an occasion on which days, and the greeting.

`occasions_between(start, end)` answers for any window and any set of customers in a
fixed number of queries: birthdays and anniversaries are matched on their "MM-DD" in the
database, lunar birthdays on their (month, day, leap) after converting each day of the
window to the lunar calendar once (not each customer's birthday), and festivals are the
same days for everyone. The
morning run reads a million customers this way (docs/performance.md).

A customer gets at most one care occasion a day: when two fall on one day (a birthday on
Christmas) the first in RANK wins, so the greeting's idempotency key (customer, care,
day, channel) never has to choose between two texts.
"""

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from lunardate import LunarDate

from accounts.access import can_edit_owned_by, can_log_interaction
from accounts.models import Role, User
from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from customers.birthdays import lunar_to_solar, month_day, month_days
from customers.extensions import (
    HistoryWords,
    ListAction,
    Panel,
    PersonalDataSection,
    PersonalValues,
    TodayAction,
    TodayItem,
)
from customers.history import EMPTY, day_in_words
from customers.models import Calendar, Customer, ProfileChange
from customers.services import (
    RecordChange,
    get_editable_customer,
    record_changes,
    visible_customers,
)
from engagement import services, today_cache
from engagement.forms import LifeEventForm
from engagement.models import (
    Audience,
    CareOccasion,
    LifeEvent,
    LifeEventKind,
    Message,
    MessageTemplate,
    Purpose,
)
from engagement.recipients import Recipient
from insights.services import in_tiers_filter
from sales.services import first_purchase_days, returning_filter

# The longest window one call answers: a lunar birthday may fall twice in a solar year.
MAX_DAYS = 366
# The subject of a life event's rows in the customer's one history.
LIFE_EVENT_SUBJECT = "life_event"
VALUE_TIERS = ("A", "B", "C")
# The anniversary a preview shows, the customer's own being on another day.
PREVIEW_YEARS = 2


class OccasionCode(StrEnum):
    BIRTHDAY = "birthday"
    SPRING_FESTIVAL = "spring_festival"
    LANTERN = "lantern"
    DRAGON_BOAT = "dragon_boat"
    MID_AUTUMN = "mid_autumn"
    NATIONAL_DAY = "national_day"
    NEW_YEAR = "new_year"
    CHRISTMAS = "christmas"
    FIRST_PURCHASE_ANNIVERSARY = "first_purchase_anniversary"
    LIFE_EVENT = "life_event"
    SEASONAL = "seasonal"


# One greeting a customer a day: the first of these that falls on the day wins.
RANK: tuple[str, ...] = (
    OccasionCode.BIRTHDAY,
    OccasionCode.LIFE_EVENT,
    OccasionCode.FIRST_PURCHASE_ANNIVERSARY,
    OccasionCode.SPRING_FESTIVAL,
    OccasionCode.MID_AUTUMN,
    OccasionCode.DRAGON_BOAT,
    OccasionCode.LANTERN,
    OccasionCode.NATIONAL_DAY,
    OccasionCode.NEW_YEAR,
    OccasionCode.CHRISTMAS,
    OccasionCode.SEASONAL,
)
RANK_OF = {code: position for position, code in enumerate(RANK)}
# (lunar month, day) of the festivals on the Chinese calendar, and (month, day) of the others.
LUNAR_FESTIVALS = {
    OccasionCode.SPRING_FESTIVAL: (1, 1),
    OccasionCode.LANTERN: (1, 15),
    OccasionCode.DRAGON_BOAT: (5, 5),
    OccasionCode.MID_AUTUMN: (8, 15),
}
SOLAR_FESTIVALS = {
    OccasionCode.NATIONAL_DAY: (10, 1),
    OccasionCode.NEW_YEAR: (1, 1),
    OccasionCode.CHRISTMAS: (12, 25),
}
NAMES = {
    OccasionCode.BIRTHDAY: gettext_lazy("Birthday"),
    OccasionCode.SPRING_FESTIVAL: gettext_lazy("Spring Festival"),
    OccasionCode.LANTERN: gettext_lazy("Lantern Festival"),
    OccasionCode.DRAGON_BOAT: gettext_lazy("Dragon Boat Festival"),
    OccasionCode.MID_AUTUMN: gettext_lazy("Mid-Autumn Festival"),
    OccasionCode.NATIONAL_DAY: gettext_lazy("National Day"),
    OccasionCode.NEW_YEAR: gettext_lazy("New Year"),
    OccasionCode.CHRISTMAS: gettext_lazy("Christmas"),
    OccasionCode.FIRST_PURCHASE_ANNIVERSARY: gettext_lazy("Anniversary of the first purchase"),
    OccasionCode.LIFE_EVENT: gettext_lazy("Life event"),
    OccasionCode.SEASONAL: gettext_lazy("Seasonal care"),
}


class Occasion(NamedTuple):
    """One customer's occasion on one day (a tuple: the morning run makes a million)."""

    customer_id: int
    code: str
    date: datetime.date
    lunar: bool = False
    # Whole years since the first purchase or the life event (0 on the day itself).
    years: int = 0
    life_event_id: int | None = None
    life_event_kind: str = ""


def occasion_name(code: str) -> str:
    """Return the occasion's name in the active language."""
    return str(NAMES[OccasionCode(code)])


def settings_by_code() -> dict[str, CareOccasion]:
    """Return every occasion's settings by code."""
    return {occasion.code: occasion for occasion in CareOccasion.objects.all()}


def window(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Return the days in [start, end); refuse an empty or too long window."""
    days = (end - start).days
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(_("The window must hold 1 to %(max)d days.") % {"max": MAX_DAYS}, "days")
    return [start + datetime.timedelta(days=n) for n in range(days)]


def occasions_between(
    start: datetime.date,
    end: datetime.date,
    customers: QuerySet[Customer] | None = None,
    *,
    one_per_day: bool = True,
    codes: Collection[str] | None = None,
) -> list[Occasion]:
    """Return the occasions in [start, end) of the customers (default: all), by day and id.

    Archived and erased customers have none, disabled occasions are left out and each
    occasion's audience applies. With `one_per_day`, a customer's day keeps only its first
    occasion in RANK. With `codes`, only occasions of those kinds are looked for.
    """
    days = window(start, end)
    enabled = {
        code: o
        for code, o in settings_by_code().items()
        if o.enabled and (codes is None or code in codes)
    }
    base = (customers if customers is not None else Customer.objects.all()).filter(
        archived_at__isnull=True
    )
    audiences = _Audiences(base, start)
    found: list[Occasion] = []
    if OccasionCode.BIRTHDAY in enabled:
        people = audiences.of(enabled[OccasionCode.BIRTHDAY])
        found += _birthdays(people, start, end, days)
    if OccasionCode.FIRST_PURCHASE_ANNIVERSARY in enabled:
        found += _anniversaries(
            audiences.of(enabled[OccasionCode.FIRST_PURCHASE_ANNIVERSARY]), days
        )
    if OccasionCode.LIFE_EVENT in enabled:
        found += _life_events(audiences.of(enabled[OccasionCode.LIFE_EVENT]), start, end, days)
    for code, day in festival_days(start, end):
        if code in enabled:
            found += [Occasion(pk, code, day) for pk in audiences.ids(enabled[code])]
    found.sort(key=lambda o: (o.date, o.customer_id, RANK_OF[o.code]))
    return _first_per_day(found) if one_per_day else found


class _Audiences:
    """The customers of each audience, each read at most once per call."""

    def __init__(self, base: QuerySet[Customer], on: datetime.date) -> None:
        self.base, self.on = base, on
        self.id_lists: dict[str, list[int]] = {}

    def of(self, occasion: CareOccasion) -> QuerySet[Customer]:
        """Return the occasion's audience among the customers (a query, not run yet)."""
        if occasion.audience == Audience.RETURNING:
            return self.base.filter(returning_filter(self.on))
        if occasion.audience == Audience.TIERS_AB:
            return self.base.filter(in_tiers_filter(VALUE_TIERS[:2]))
        return self.base

    def ids(self, occasion: CareOccasion) -> list[int]:
        """Return the ids of the occasion's audience (read once per audience)."""
        if occasion.audience not in self.id_lists:
            query = self.of(occasion).order_by().values_list("pk", flat=True)
            self.id_lists[occasion.audience] = list(query)
        return self.id_lists[occasion.audience]


def festival_days(start: datetime.date, end: datetime.date) -> list[tuple[str, datetime.date]]:
    """Return the festivals in [start, end) with their solar days, in order of day."""
    found = []
    for year in range(start.year - 1, end.year + 1):
        for code, (month, day) in LUNAR_FESTIVALS.items():
            solar = lunar_to_solar(year, month, day, False)
            if solar is not None and start <= solar < end:
                found.append((code, solar))
        for code, (month, day) in SOLAR_FESTIVALS.items():
            solar = datetime.date(year, month, day) if year >= 1 else None
            if solar is not None and start <= solar < end:
                found.append((code, solar))
    return sorted(found, key=lambda row: (row[1], RANK_OF[row[0]]))


def _birthdays(
    people: QuerySet[Customer], start: datetime.date, end: datetime.date, days: list[datetime.date]
) -> list[Occasion]:
    """Return the solar and lunar birthdays in the window, read in one query."""
    solar_days = month_days(days)
    lunar_days = lunar_birthday_days(start, end)
    wanted = Q(birthday_calendar=Calendar.SOLAR, md__in=list(solar_days))
    for leap in (False, True):
        keys = [month * 100 + day for (month, day, is_leap) in lunar_days if is_leap == leap]
        if keys:
            wanted |= Q(birthday_calendar=Calendar.LUNAR, lunar_leap_month=leap, lunar_key__in=keys)
    rows = (
        people.alias(
            md=month_day("birthday"),
            lunar_key=F("lunar_birth_month") * 100 + F("lunar_birth_day"),
        )
        .filter(wanted)
        .order_by()
        .values_list(
            "pk", "birthday_calendar", "birthday", "lunar_birth_month", "lunar_birth_day",
            "lunar_leap_month",
        )
    )  # fmt: skip
    found = []
    for pk, calendar, birthday, month, day_of_month, leap in rows:
        # The None checks are for the type checker: the query matched only filled-in dates.
        if calendar == Calendar.LUNAR and month is not None and day_of_month is not None:
            for day in lunar_days[(month, day_of_month, leap)]:
                found.append(Occasion(pk, OccasionCode.BIRTHDAY, day, lunar=True))
        elif calendar == Calendar.SOLAR and birthday is not None:
            for day in solar_days[birthday.strftime("%m-%d")]:
                if day > birthday:
                    found.append(Occasion(pk, OccasionCode.BIRTHDAY, day))
    return found


def lunar_birthday_days(
    start: datetime.date, end: datetime.date
) -> dict[tuple[int, int, bool], list[datetime.date]]:
    """Return the lunar birthdays (month, day, leap) that fall on each day in [start, end).

    Each solar day is converted once, whatever the number of customers, and the rules of
    customers.birthdays.lunar_to_solar are read backwards: a day celebrates its own lunar
    date; in a year without this leap month, the ordinary month also celebrates those born
    in the leap month; the 29th of a 29-day month also celebrates those born on the 30th.
    """
    found: dict[tuple[int, int, bool], list[datetime.date]] = {}
    day = start
    lunar = _lunar(day)
    while day < end:
        following = _lunar(day + datetime.timedelta(days=1))
        if lunar is not None:
            month, day_of_month, leap = lunar.month, lunar.day, bool(lunar.is_leap_month)
            leap_too = not leap and LunarDate.leap_month_for_year(lunar.year) != month
            days_of_month = [day_of_month]
            if day_of_month == 29 and following is not None and following.day == 1:
                days_of_month.append(30)
            for born_on in days_of_month:
                found.setdefault((month, born_on, leap), []).append(day)
                if leap_too:
                    found.setdefault((month, born_on, True), []).append(day)
        day, lunar = day + datetime.timedelta(days=1), following
    return found


def _lunar(day: datetime.date) -> LunarDate | None:
    """Return the lunar date of a solar day, or None outside the lunar calendar's years."""
    try:
        return LunarDate.from_solar_date(day.year, day.month, day.day)
    except ValueError:
        return None


def _anniversaries(people: QuerySet[Customer], days: list[datetime.date]) -> list[Occasion]:
    by_key = month_days(days)
    return [
        Occasion(pk, OccasionCode.FIRST_PURCHASE_ANNIVERSARY, day, years=day.year - first.year)
        for pk, first in first_purchase_days(people, by_key)
        for day in by_key[first.strftime("%m-%d")]
        if day.year > first.year
    ]


def _life_events(
    people: QuerySet[Customer], start: datetime.date, end: datetime.date, days: list[datetime.date]
) -> list[Occasion]:
    by_key = month_days(days)
    once = Q(yearly=False, date__gte=start, date__lt=end)
    yearly = Q(yearly=True, md__in=list(by_key), date__lt=end)
    rows = (
        LifeEvent.objects.filter(customer__in=people.values("pk"))
        .alias(md=month_day("date"))
        .filter(once | yearly)
        .values_list("pk", "customer_id", "kind", "date", "yearly")
    )
    found = []
    for pk, customer_id, kind, date, is_yearly in rows:
        for day in by_key[date.strftime("%m-%d")] if is_yearly else [date]:
            if day >= date:
                found.append(
                    Occasion(customer_id, OccasionCode.LIFE_EVENT, day, years=day.year - date.year,
                             life_event_id=pk, life_event_kind=kind)
                )  # fmt: skip
    return found


def _first_per_day(ordered: Iterable[Occasion]) -> list[Occasion]:
    """Return one occasion per customer and day, the first in RANK, from the occasions in
    order of day, customer and rank (one pass, no dictionary of a festival's million)."""
    kept: list[Occasion] = []
    last: Occasion | None = None
    for occasion in ordered:
        if last is None or occasion.customer_id != last.customer_id or occasion.date != last.date:
            kept.append(occasion)
            last = occasion
    return kept


class PlannedGreeting(NamedTuple):
    """An occasion with the channel and template its greeting goes by."""

    customer_id: int
    occasion: str
    date: datetime.date
    channel: str
    template: str


def care_plan(as_of: datetime.date, days: int) -> list[PlannedGreeting]:
    """Return the greetings of every customer's occasions in [as_of, as_of + days)."""
    settings = settings_by_code()
    return [
        PlannedGreeting(
            o.customer_id, o.code, o.date, settings[o.code].channel, settings[o.code].template_code
        )
        for o in occasions_between(as_of, as_of + datetime.timedelta(days=days))
    ]


# Words and values ---------------------------------------------------------------------------


def reason(occasion: Occasion) -> str:
    """Return the occasion in words in the active language ("Birthday on 5 December (lunar)")."""
    day = formats.date_format(occasion.date, pgettext("day and month of an occasion", "j M"))
    if occasion.code == OccasionCode.BIRTHDAY:
        if occasion.lunar:
            return _("Birthday on %(day)s (lunar)") % {"day": day}
        return _("Birthday on %(day)s") % {"day": day}
    if occasion.code == OccasionCode.FIRST_PURCHASE_ANNIVERSARY:
        return ngettext(
            "%(years)d year with us on %(day)s", "%(years)d years with us on %(day)s",
            occasion.years,
        ) % {"years": occasion.years, "day": day}  # fmt: skip
    if occasion.code == OccasionCode.LIFE_EVENT:
        kind = LifeEvent(kind=occasion.life_event_kind).get_kind_display()
        return _("%(event)s on %(day)s") % {"event": kind.capitalize(), "day": day}
    return _("%(occasion)s on %(day)s") % {"occasion": occasion_name(occasion.code), "day": day}


def occasion_values(
    customer: Customer, code: str, years: int, language: str = ""
) -> dict[str, str]:
    """Return the occasion's placeholder values, in the language (default the customer's)."""
    return greeting_values(code, years, language or customer.language, customer.owner)


def greeting_values(code: str, years: int, language: str, owner: User) -> dict[str, str]:
    """Return the occasion's placeholder values in the language, signed by the owner."""
    with translation.override(language):
        name = occasion_name(code)
    return {"occasion": name, "years": str(years), "owner": owner.get_full_name() or owner.username}


# Sending --------------------------------------------------------------------------------------


def occasion_settings(code: str) -> CareOccasion:
    """Return the occasion's settings; refuse an unknown code."""
    occasion = CareOccasion.objects.filter(code=code).first()
    if occasion is None:
        raise Invalid(_("No care occasion with this code."), "occasion")
    return occasion


def occasion_of(customer: Customer, code: str, day: datetime.date) -> Occasion:
    """Return the customer's occasion of this kind on the day; refuse one they do not have.

    Seasonal care is whatever day a manager chooses.
    """
    if code == OccasionCode.SEASONAL:
        return Occasion(customer.pk, code, day)
    found = occasions_between(
        day, day + datetime.timedelta(days=1), Customer.objects.filter(pk=customer.pk),
        one_per_day=False,
    )  # fmt: skip
    for occasion in found:
        if occasion.code == code:
            return occasion
    raise Invalid(_("The customer has no such occasion on this day."), "occasion_date")


def send_care(
    actor: User | None,
    customer: Customer,
    occasion: str,
    occasion_date: datetime.date,
    channel: str | None = None,
) -> Message:
    """Send the occasion's greeting to the customer through the one send path; return it.

    The channel defaults to the occasion's; a gift by post becomes a task for the owner with
    the occasion's gift budget recorded as its cost. Again for the same day and channel
    returns the first message.
    """
    # Checked first (send checks again): whoever may not see the customer learns nothing of
    # their occasions from the refusals below.
    if actor is not None:
        services.check_may_send(actor, customer)
        check_person_may_greet(actor, occasion, occasion_date)
    settings = occasion_settings(occasion)
    if not settings.enabled:
        raise Invalid(_("This occasion is switched off."), "occasion")
    found = occasion_of(customer, occasion, occasion_date)
    channel = channel or settings.channel
    cost = settings.gift_budget if channel == Channel.POST else Decimal(0)
    return services.send(
        actor, customer, channel, Purpose.CARE, settings.template_code,
        cause=services.Cause(occasion, found.life_event_id), occasion_date=occasion_date,
        cost=cost, occasion=occasion_values(customer, occasion, found.years),
    )  # fmt: skip


# A person greets at most this many days after an occasion (a belated wish); ahead, as far
# as the customer's page lists occasions (PAGE_DAYS).
BELATED_DAYS = 7


def check_person_may_greet(actor: User, occasion: str, occasion_date: datetime.date) -> None:
    """Refuse a person's greeting dated far from today, and seasonal care from anyone but a
    manager or admin (it goes to a group, from the care calendar)."""
    if occasion == OccasionCode.SEASONAL and not may_plan_care(actor):
        raise Forbidden(_("Only managers and admins send seasonal care."), "occasion")
    today = timezone.localdate()
    earliest = today - datetime.timedelta(days=BELATED_DAYS)
    if not earliest <= occasion_date <= today + datetime.timedelta(days=PAGE_DAYS):
        raise Invalid(
            _("Greet from %(before)d days before the occasion to %(after)d days after it.")
            % {"before": PAGE_DAYS, "after": BELATED_DAYS},
            "occasion_date",
        )


def audience_for_seasonal(actor: User, tag_id: int | None, tier: str) -> QuerySet[Customer]:
    """Return the manager's active visible customers with the tag or in the value tier."""
    check_may_plan_care(actor)
    if (tag_id is None) == (not tier):
        raise Invalid(_("Choose either a tag or a value tier."), "tag")
    if tier not in ("", *VALUE_TIERS):
        raise Invalid(_("Choose a value tier: A, B or C."), "tier")
    people = visible_customers(actor).filter(archived_at__isnull=True)
    if tag_id is not None:
        return people.filter(tags__pk=tag_id)
    return people.filter(in_tiers_filter([tier]))


def send_seasonal(actor: User, day: datetime.date, tag_id: int | None, tier: str) -> int:
    """Send the seasonal greeting to the chosen group for the day through the bulk send
    path; return how many seasonal greetings there are now.

    Each greeting has its own key (customer, day, channel), so a second run sends nothing
    twice and finishes what a first one left.
    """
    check_person_may_greet(actor, OccasionCode.SEASONAL, day)
    settings = occasion_settings(OccasionCode.SEASONAL)
    if not settings.enabled:
        raise Invalid(_("This occasion is switched off."), "occasion")
    people = audience_for_seasonal(actor, tag_id, tier).select_related("owner").order_by("pk")
    requests = [
        greeting_request(
            Occasion(customer.pk, OccasionCode.SEASONAL, day), customer, settings,
            occasion_values(customer, OccasionCode.SEASONAL, 0),
        )
        for customer in people
    ]  # fmt: skip
    sent = services.send_many(actor, requests)
    # A customer already greeted that day on the channel gets that greeting back, not this one.
    return sum(1 for message in sent if message.cause_kind == OccasionCode.SEASONAL)


def greeting_request(
    occasion: Occasion,
    customer: Customer | Recipient,
    settings: CareOccasion,
    values: dict[str, str],
) -> services.SendRequest:
    """Return the bulk send request of the occasion's greeting to the customer, by the
    occasion's channel (a gift by post with its budget as cost)."""
    cost = settings.gift_budget if settings.channel == Channel.POST else None
    return services.SendRequest(
        customer, settings.channel, Purpose.CARE, settings.template_code,
        cause=services.Cause(occasion.code, occasion.life_event_id),
        occasion_date=occasion.date, cost=cost, occasion=values,
    )  # fmt: skip


# The care calendar page: settings and templates, previewed on a real customer -------------


def may_plan_care(user: User) -> bool:
    """Return whether the user may see the care calendar's settings and previews and send
    seasonal care (managers and admins)."""
    return user.is_active and (user.is_admin or user.role == Role.MANAGER)


def check_may_plan_care(user: User) -> None:
    """Refuse the care calendar's settings and previews to anyone but managers and admins."""
    if not may_plan_care(user):
        raise Forbidden(_("Only managers and admins may see the care calendar."), "")


def calendar_button(user: User) -> ListAction | None:
    """Return the Care calendar button above the customer list, for managers and admins."""
    if not may_plan_care(user):
        return None
    return ListAction(_("Care calendar"), reverse("engagement:care_calendar"), "care-calendar")


def preview_customer(user: User, query: str) -> tuple[Customer | None, list[Customer]]:
    """Return the customer the query names (an id, or a name only one visible customer
    matches), else None and up to 10 visible customers whose name contains it."""
    query = query.strip()
    if not query:
        return None, []
    visible = visible_customers(user).select_related("owner")
    if query.isdigit():
        customer = visible.filter(pk=int(query)).first()
        if customer is None:
            raise NotFound(_("No such customer."), "customer")
        return customer, []
    matches = list(visible.filter(name__icontains=query).order_by("name", "pk")[:10])
    if len(matches) == 1:
        return matches[0], []
    return None, matches


def check_template(text: str) -> None:
    """Refuse a template text naming a placeholder the sandbox does not know (with its name):
    rendered for a blank customer with every occasion value, as a send would render it."""
    services.render(text, Customer(), dict.fromkeys(services.OCCASION_FIELDS, ""))


class Preview(NamedTuple):
    """A template rendered for a customer, or the reason it cannot be."""

    template: MessageTemplate
    subject: str
    text: str
    error: str


def previews(code: str, customer: Customer) -> list[Preview]:
    """Return each of the occasion's templates rendered for the customer, by channel and
    language ({years} shows PREVIEW_YEARS)."""
    occasion = occasion_settings(code)
    templates = MessageTemplate.objects.filter(code=occasion.template_code)
    rendered = []
    for template in templates.order_by("channel", "language"):
        values = occasion_values(customer, code, PREVIEW_YEARS, template.language)
        try:
            rendered.append(Preview(
                template, services.render(template.subject, customer, values),
                services.render(template.body, customer, values), "",
            ))  # fmt: skip
        except Invalid as error:
            rendered.append(Preview(template, "", "", str(error.message)))
    return rendered


# Life events -------------------------------------------------------------------------------


def add_life_event(actor: User, customer_id: int, fields: Mapping[str, object]) -> LifeEvent:
    """Record a life event on a customer the actor may change, in the customer's history."""
    customer = get_editable_customer(actor, customer_id)
    event = LifeEvent(customer=customer, created_by=actor, **fields)
    if event.kind not in LifeEventKind.values:
        raise Invalid(_("Choose a valid kind of life event."), "kind")
    if not isinstance(event.date, datetime.date):
        raise Invalid(_("Enter a valid date."), "date")
    with transaction.atomic():
        event.save()
        record_changes(actor, [RecordChange(
            customer.pk, LIFE_EVENT_SUBJECT, event.pk, "created", "",
            f"{event.kind} {event.date.isoformat()}",
        )])  # fmt: skip
        _forget_owners_care_day(customer.owner_id)
    return event


def _forget_owners_care_day(owner_id: int) -> None:
    """Have the owner's Today read their care occasions again once the change is committed."""
    transaction.on_commit(lambda: today_cache.forget("care", owner_id, timezone.localdate()))


def delete_life_event(actor: User, event_id: int) -> int:
    """Delete a life event of a customer the actor may change, in the customer's history;
    return the customer's id."""
    event = LifeEvent.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("No such life event."), "event_id")
    customer_id = event.customer_id
    customer = get_editable_customer(actor, customer_id)
    with transaction.atomic():
        record_changes(actor, [RecordChange(
            event.customer_id, LIFE_EVENT_SUBJECT, event.pk, "deleted",
            f"{event.kind} {event.date.isoformat()}", "",
        )])  # fmt: skip
        event.delete()
        _forget_owners_care_day(customer.owner_id)
    return customer_id


def life_events_of(customer: Customer) -> list[LifeEvent]:
    """Return the customer's life events by date."""
    return list(customer.life_events.all())


def move_life_events(source: Customer, target: Customer) -> None:
    """Move the duplicate's life events to the survivor (inside the merge)."""
    LifeEvent.objects.filter(customer=source).update(customer=target)


# What the care calendar adds to the customer archive (registered in contributions) ---------


TODAY_KIND = "care"
# How far ahead the customer's page lists occasions.
PAGE_DAYS = 30


def _unsent(
    occasions: list[Occasion],
    customers: QuerySet[Any] | list[int],
    start: datetime.date,
    end: datetime.date,
) -> list[Occasion]:
    """Return the occasions whose greeting has not been sent yet (one query); `customers`
    are the customers' ids, as a query or a list."""
    sent = set(
        Message.objects.filter(
            customer_id__in=customers, purpose=Purpose.CARE,
            occasion_date__gte=start, occasion_date__lt=end,
        ).values_list("customer_id", "occasion_date")
    )  # fmt: skip
    return [o for o in occasions if (o.customer_id, o.date) not in sent]


def send_url(occasion: Occasion) -> str:
    """Return the address the occasion's one-click greeting posts to."""
    args = [occasion.customer_id, occasion.code, occasion.date.isoformat()]
    return reverse("engagement:care_send", args=args)


# The occasions Today lists, one line each: a person's own. Festivals fall on everyone at
# once: the morning run greets by machine on the day, and turns a greeting a person gives
# into a follow-up, which Today lists as such.
PERSONAL: tuple[str, ...] = (
    OccasionCode.BIRTHDAY,
    OccasionCode.LIFE_EVENT,
    OccasionCode.FIRST_PURCHASE_ANNIVERSARY,
)
# How many more occasions than asked for the day's cache keeps, for those greeted during
# the day to be replaced by the next ones.
CACHED_SHARE = 2


def today_care(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
    """Return the personal occasions of the user's own customers within their lead time,
    not yet greeted: on the day priority 2, before it 3; the nearest and highest ranked
    first.

    The day's occasions are found once per user and day (engagement.today_cache); each call
    then leaves out those greeted since, with one query on the messages.
    """
    due = today_cache.day_cached(
        "care", user, day, limit, lambda: _personal_due(user, day, limit * CACHED_SHARE)
    )
    if due:
        ids = [o.customer_id for o in due]
        end = max(o.date for o in due) + datetime.timedelta(days=1)
        due = _unsent(due, ids, day, end)[:limit]
    customers = Customer.objects.in_bulk([o.customer_id for o in due])
    return [
        TodayItem(
            customer=customers[o.customer_id],
            kind=TODAY_KIND,
            priority=2 if o.date == day else 3,
            due=o.date,
            reason=reason(o),
            ref=f"care:{o.code}:{o.date.isoformat()}",
            action=TodayAction(_("Send greeting"), send_url(o)),
        )
        for o in due
        if o.customer_id in customers
    ]


def _personal_due(user: User, day: datetime.date, limit: int) -> list[Occasion]:
    """Return at most `limit` personal occasions of the user's own customers within their
    lead time and not greeted yet, the nearest and highest ranked first."""
    lead = {
        code: o.lead_days
        for code, o in settings_by_code().items()
        if o.enabled and code in PERSONAL
    }
    if not lead:
        return []
    end = day + datetime.timedelta(days=max(lead.values()) + 1)
    mine = Customer.objects.filter(owner=user)
    found = occasions_between(day, end, mine, codes=PERSONAL)
    due = [o for o in found if (o.date - day).days <= lead[o.code]]
    due = _unsent(due, mine.values("pk"), day, end)
    due.sort(key=lambda o: (o.date, RANK_OF[o.code], o.customer_id))
    return due[:limit]


@dataclass(frozen=True)
class Upcoming:
    reason: str
    url: str


@dataclass(frozen=True)
class CarePanel:
    upcoming: list[Upcoming]
    events: list[LifeEvent]
    form: LifeEventForm
    may_send: bool
    may_edit: bool


def care_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the customer's coming occasions with a Send button, and their life events with
    the form to add one (for those who may change the customer)."""
    if customer.is_archived:
        return None
    end = today + datetime.timedelta(days=PAGE_DAYS)
    one = Customer.objects.filter(pk=customer.pk)
    coming = _unsent(occasions_between(today, end, one), [customer.pk], today, end)
    return Panel("side", "engagement/care/_customer_panel.html", CarePanel(
        [Upcoming(reason(o), send_url(o)) for o in coming], life_events_of(customer),
        # Its own ids: the page's log form has a "kind" field too (one #id_kind per page).
        LifeEventForm(auto_id="life-event-%s"), can_log_interaction(user, customer.owner_id),
        can_edit_owned_by(user, customer.owner_id),
    ))  # fmt: skip


LIFE_EVENT_COLUMNS = ("id", "kind", "date", "yearly", "note", "created_at")


def life_event_data(customer: Customer) -> list[PersonalDataSection]:
    """Return the customer's life events for a person's data export."""
    rows = list(LifeEvent.objects.filter(customer=customer).values(*LIFE_EVENT_COLUMNS))
    return [PersonalDataSection("life_events", LIFE_EVENT_COLUMNS, rows)]


def erase_life_events(customer: Customer, values: PersonalValues) -> list[Path]:
    """Delete the customer's life events: they are about the person, and nothing counts them."""
    LifeEvent.objects.filter(customer=customer).delete()
    return []


def describe_life_event_changes(changes: Sequence[ProfileChange]) -> list[HistoryWords]:
    """Put life events' history rows into words: recorded or deleted, its kind and day."""
    return [
        HistoryWords(
            _("life event"),
            _("recorded") if change.field == "created" else _("deleted"),
            EMPTY,
            _life_event_words(change.new_value or change.old_value),
            before_after=False,
        )
        for change in changes
    ]


def _life_event_words(raw: str) -> str:
    kind, _space, day = raw.partition(" ")
    label = LifeEvent(kind=kind).get_kind_display() if kind in LifeEventKind.values else kind
    return f"{label} · {day_in_words(day)}" if day else label
