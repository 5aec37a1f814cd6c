"""The care the demo's reps have given and have coming: the monthly calls, six months of
greetings with replies and responses (the care-effect page, the sink), life events on some
profiles, and the last week's morning runs (Today's greetings, overdue cadence calls).

Every write goes through the engagement and interactions services: a greeting through the
one send path with `now=` in the past, then the real delivery at that moment (to the local
sink, `make run` having no SMS or email provider); a reply as a logged inbound contact; a
response as the rep's mark. Seeded like the rest of the demo; each part is done only when
missing (see the `*_missing` functions).
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from core.channels import Channel
from customers.models import Customer
from engagement import care
from engagement.effect import mark_response
from engagement.models import (
    CareOccasion,
    LifeEvent,
    LifeEventKind,
    Message,
    Purpose,
    ResponseMark,
    Status,
    TodayLine,
)
from engagement.morning import MorningReport, run_morning
from engagement.policy import AUTOMATIC_CHANNELS
from engagement.services import Cause, SendRequest, deliver_many, send_many
from huitou.demo import SEED
from huitou.demo.cdnow import PREFIX
from huitou.demo.users import DEMO_USERS
from insights.models import ChurnWarning, CustomerScore
from insights.services import latest_run
from interactions.models import Direction, Interaction, InteractionKind
from interactions.services import bulk_log_interactions

# The greetings of the last HISTORY_DAYS before the morning runs' week.
HISTORY_DAYS = 183
# The morning runs replayed before today's: a cadence call planned a week ago is overdue.
MORNING_DAYS = 7
# Each rep greeted this many of their customers on their birthdays; every FESTIVE_EVERY-th
# of them on the festivals too (a sample: the sends are delivered one by one).
CARED_PER_REP = 240
FESTIVE_EVERY = 3
# A birthday greeting goes by email to this share of the customers who have an address.
EMAIL_SHARE = 0.4
# This share of the delivered greetings got a reply within the week; of the replies, the
# rep marked these shares positive, neutral and negative.
REPLY_SHARE = 0.25
MARKS: tuple[str, ...] = (ResponseMark.POSITIVE, ResponseMark.NEUTRAL, ResponseMark.NEGATIVE)
MARK_WEIGHTS = (0.6, 0.3, 0.1)
# The A-tier cadence's interval, plus the week: the steady customers' last calls spread over it.
A_TIER = "A"
CALLED_WITHIN = 30 + MORNING_DAYS - 1
MONTHLY_CALLS = (
    "每月回访：近况良好，对上次的唱片很满意",
    "每月回访：介绍了本月新品",
    "每月回访：询问是否需要预订限量版",
    "每月回访：确认会员信息无误",
)
REPLIES = (
    "回复：谢谢，也祝您一切顺利！",
    "回复：谢谢惦记，最近有新的爵士专辑吗？",
    "回复：收到，谢谢！",
    "回复：谢谢！下周去店里看看。",
    "回复：感谢祝福，请把新品清单发给我。",
)
# (kind, days from today, every year, years ago, note): a handful on each rep's customers,
# three of them within the greetings' lead time so that Today shows them.
LIFE_EVENTS = (
    (LifeEventKind.WEDDING, 1, False, 0, "下周六举行婚礼，已邀请我们"),
    (LifeEventKind.COMPANY_ANNIVERSARY, 2, True, 5, "公司成立周年"),
    (LifeEventKind.OPENING, 3, False, 0, "新门店开业"),
    (LifeEventKind.NEW_BABY, -20, False, 0, "女儿出生"),
    (LifeEventKind.OTHER, 16, True, 3, "结婚纪念日"),
)
COMPANY_KINDS = frozenset({LifeEventKind.COMPANY_ANNIVERSARY, LifeEventKind.OPENING})
FESTIVALS = frozenset(care.LUNAR_FESTIVALS) | frozenset(care.SOLAR_FESTIVALS)
REP_USERNAMES = tuple(demo.username for demo in DEMO_USERS if demo.role == Role.REP)


@dataclass(frozen=True)
class CareHistory:
    calls: int
    greetings: int
    delivered: int
    replies: int
    positive: int


def demo_reps() -> list[User]:
    """Return the demo's reps, in the order their customers were shared out."""
    found = User.objects.in_bulk(REP_USERNAMES, field_name="username")
    return [found[name] for name in REP_USERNAMES if name in found]


def demo_customers() -> QuerySet[Customer]:
    """Return the demo's active customers."""
    return Customer.objects.filter(external_id__startswith=PREFIX, archived_at__isnull=True)


# Care history ------------------------------------------------------------------------------


def history_missing(today: datetime.date) -> bool:
    """Return whether the care history has still to be made: no care message older than
    the morning runs' week (the morning runs make the newer ones)."""
    before = _local(today - datetime.timedelta(days=MORNING_DAYS), datetime.time())
    return not Message.objects.filter(purpose=Purpose.CARE, created_at__lt=before).exists()


@transaction.atomic
def create_care_history(today: datetime.date) -> CareHistory:
    """Log the steady A-tier customers' monthly calls; send and deliver the sampled
    customers' birthday and festival greetings of the six months before the morning runs'
    week, day by day; log some replies and mark them.

    One transaction: a thousand deliveries, each a few statements, commit once.
    """
    rng = random.Random(SEED + 3)
    calls = _regular_calls(rng, today)
    cared, festive = _cared_customers(rng)
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    end = today - datetime.timedelta(days=MORNING_DAYS)
    occasions = [
        o
        for o in care.occasions_between(start, end, Customer.objects.filter(pk__in=cared))
        if o.code == care.OccasionCode.BIRTHDAY
        or (o.code in FESTIVALS and o.customer_id in festive)
    ]
    settings = care.settings_by_code()
    customers = Customer.objects.select_related("owner").in_bulk(cared)
    by_day: dict[datetime.date, list[care.Occasion]] = defaultdict(list)
    for occasion in occasions:
        by_day[occasion.date].append(occasion)
    delivered: list[int] = []
    for day in sorted(by_day):
        moment = _local(day, datetime.time(rng.randint(9, 11), rng.randrange(60)))
        requests = [
            _greeting(rng, o, customers[o.customer_id], settings[o.code]) for o in by_day[day]
        ]
        queued = [m.pk for m in send_many(None, requests, now=moment) if m.status == Status.QUEUED]
        deliver_many(queued, now=moment)
        delivered += queued
    sent = list(
        Message.objects.filter(pk__in=delivered, status=Status.SENT)
        .select_related("customer__owner")
        .order_by("pk")
    )
    replied = _replies(rng, sent)
    positive = _mark(rng, replied)
    return CareHistory(calls, len(occasions), len(sent), len(replied), positive)


def _regular_calls(rng: random.Random, today: datetime.date) -> int:
    """Log the monthly call the A-tier cadence asks for on the A-tier customers who are not
    slipping away, on a day in the month before the morning runs' week; return how many.

    The reps kept up with the customers who are doing well and let the others slip: so the
    morning runs plan a call a week ago for each A-tier customer with a churn warning (both
    reasons on one Today line, overdue) and, day by day, for the others as their month ends.
    """
    run = latest_run()
    if run is None:
        return 0
    warned = ChurnWarning.objects.filter(run=run).values("customer_id")
    steady = (
        CustomerScore.objects.of_run(run.pk)
        .filter(value_tier=A_TIER, customer__in=demo_customers())
        .exclude(customer_id__in=warned)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
    )
    customers = Customer.objects.select_related("owner").in_bulk(list(steady))
    calls = [_monthly_call(rng, customer, today) for _pk, customer in sorted(customers.items())]
    bulk_log_interactions(calls)
    return len(calls)


def _monthly_call(rng: random.Random, customer: Customer, today: datetime.date) -> Interaction:
    day = today - datetime.timedelta(days=rng.randint(MORNING_DAYS + 1, CALLED_WITHIN))
    return Interaction(
        customer=customer, user=customer.owner, kind=InteractionKind.PHONE,
        direction=Direction.OUTBOUND, summary=rng.choice(MONTHLY_CALLS),
        occurred_at=_local(day, datetime.time(rng.randint(9, 17), rng.randrange(60))),
    )  # fmt: skip


def _cared_customers(rng: random.Random) -> tuple[list[int], set[int]]:
    """Return the customers greeted (a sample of each rep's) and those of them also greeted
    on festivals."""
    cared: list[int] = []
    festive: set[int] = set()
    for rep in demo_reps():
        ids = list(demo_customers().filter(owner=rep).order_by("pk").values_list("pk", flat=True))
        chosen = rng.sample(ids, min(CARED_PER_REP, len(ids)))
        cared += chosen
        festive.update(chosen[::FESTIVE_EVERY])
    return cared, festive


def _greeting(
    rng: random.Random, occasion: care.Occasion, customer: Customer, settings: CareOccasion
) -> SendRequest:
    """Return the occasion's greeting as the morning run sends it, by a machine's channel:
    the past's gifts and calls are not replayed (they would be follow-ups still open)."""
    channel = settings.channel if settings.channel in AUTOMATIC_CHANNELS else Channel.SMS
    if occasion.code == care.OccasionCode.BIRTHDAY and customer.email:
        channel = Channel.EMAIL if rng.random() < EMAIL_SHARE else channel
    return SendRequest(
        customer, channel, Purpose.CARE, settings.template_code,
        cause=Cause(occasion.code, occasion.life_event_id), occasion_date=occasion.date,
        occasion=care.occasion_values(customer, occasion.code, occasion.years),
    )  # fmt: skip


def _replies(rng: random.Random, sent: Sequence[Message]) -> list[Message]:
    """Log a reply, within the week after it, to some of the greetings; return those."""
    replied = [message for message in sent if rng.random() < REPLY_SHARE]
    bulk_log_interactions([_reply(rng, message) for message in replied])
    return replied


def _reply(rng: random.Random, message: Message) -> Interaction:
    assert message.sent_at is not None  # only sent messages are replied to
    after = datetime.timedelta(hours=rng.randint(1, 6 * 24))
    kind = InteractionKind.EMAIL if message.channel == Channel.EMAIL else InteractionKind.SMS
    return Interaction(
        customer=message.customer, user=message.customer.owner, kind=kind,
        direction=Direction.INBOUND, occurred_at=message.sent_at + after,
        summary=rng.choice(REPLIES),
    )  # fmt: skip


def _mark(rng: random.Random, replied: Sequence[Message]) -> int:
    """Mark how each replied customer took the greeting, as their rep; return the positive."""
    positive = 0
    for message in replied:
        mark = rng.choices(MARKS, MARK_WEIGHTS)[0]
        mark_response(message.customer.owner, message, mark)
        positive += mark == ResponseMark.POSITIVE
    return positive


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, timezone.get_current_timezone())


# Life events -------------------------------------------------------------------------------


def life_events_missing() -> bool:
    """Return whether no demo customer has a life event yet."""
    return not LifeEvent.objects.filter(customer__in=demo_customers()).exists()


def create_life_events(today: datetime.date) -> int:
    """Record a handful of life events on each rep's customers, as that rep; return how
    many. Company events go to customers with a company."""
    rng = random.Random(SEED + 4)
    created = 0
    for rep in demo_reps():
        mine = demo_customers().filter(owner=rep).order_by("pk")
        people = list(mine.filter(company="").values_list("pk", flat=True)[:500])
        companies = list(mine.exclude(company="").values_list("pk", flat=True)[:500])
        for kind, offset, yearly, years, note in LIFE_EVENTS:
            pool = companies if kind in COMPANY_KINDS and companies else people or companies
            if not pool:
                continue
            customer_id = pool.pop(rng.randrange(len(pool)))
            day = _years_before(today + datetime.timedelta(days=offset), years)
            care.add_life_event(
                rep, customer_id, {"kind": kind, "date": day, "yearly": yearly, "note": note}
            )
            created += 1
    return created


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """Return the same day `years` earlier (28 February for a 29th in an ordinary year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# Morning runs ------------------------------------------------------------------------------


def morning_missing(today: datetime.date) -> bool:
    """Return whether today's morning run has still to run: it records every rep's Today
    (engagement.today.snapshot_day), so a demo rep without a Today line for the day says so.

    A rep's own first view of Today records their lines too; with all three reps having
    looked before a run, a missed run would go unnoticed until the scheduled one.
    """
    reps = {rep.pk for rep in demo_reps()}
    recorded = set(
        TodayLine.objects.filter(day=today, user_id__in=reps)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return bool(reps) and recorded != reps


def run_mornings(today: datetime.date) -> list[MorningReport]:
    """Run the morning run for each day of the week before today, then today."""
    return [
        run_morning(today - datetime.timedelta(days=back)) for back in range(MORNING_DAYS, -1, -1)
    ]
