"""Recent calls and planned follow-ups, so each rep's day starts with work to do."""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from huitou.demo import SEED
from huitou.demo.users import Organisation
from interactions.models import Direction, Interaction, InteractionKind
from interactions.services import bulk_complete_follow_ups, bulk_log_interactions

CUSTOMERS_PER_REP = 24
AGENT_CONTACTS = 12
REP_CONTACTS = (
    ("来电介绍其喜欢的品类的新品", "有兴趣，请发新品清单"),
    ("感谢上次购买并询问收货情况", "对服务满意"),
    ("邀请参加春季试听会", "下周答复"),
    ("提供老客户下次购物优惠券", "请稍后再联系"),
    ("确认礼品订单是否按时送达", "已送达，下次仍要礼品包装"),
)
AGENT_CONTACTS_TEXT = (
    ("询问包裹到哪里了", "已发送快递单号"),
    ("反映光盘有划痕", "已安排换货"),
    ("索要增值税发票", "发票已发邮件"),
    ("要求修改收货地址", "地址已更新"),
)
KINDS = (InteractionKind.PHONE, InteractionKind.WECHAT, InteractionKind.SMS, InteractionKind.VISIT)


def create_activity(
    new_customers: Sequence[Customer], org: Organisation, today: datetime.date
) -> tuple[int, int]:
    """Log contacts and follow-ups on some of the customers just created; return the counts.

    Only new customers get activity, which keeps a second load from adding any.
    """
    rng = random.Random(SEED + 2)
    interactions: list[Interaction] = []
    done: list[Interaction] = []  # contacts whose follow-up has been made already
    for rep in org.reps:
        owned = [customer for customer in new_customers if customer.owner_id == rep.pk]
        for position, customer in enumerate(owned[:CUSTOMERS_PER_REP]):
            due, is_done = _plan(rng, position, today)
            contact = _rep_contact(rng, customer, rep, today, due)
            interactions.append(contact)
            if is_done:
                done.append(contact)
    for customer in rng.sample(list(new_customers), min(AGENT_CONTACTS, len(new_customers))):
        interactions.append(_agent_contact(rng, customer, org, today))
    follow_ups = bulk_log_interactions(interactions)
    # Saved contacts have primary keys, so they can be looked up in a set from here on.
    made = set(done)
    bulk_complete_follow_ups(
        [
            (follow_up, follow_up.created_at + datetime.timedelta(days=1))
            for follow_up in follow_ups
            if follow_up.source in made
        ]
    )
    return len(interactions), len(follow_ups)


def _plan(rng: random.Random, position: int, today: datetime.date) -> tuple[datetime.date, bool]:
    """Return (due date, already done): four due today, three overdue, three done, rest later."""
    if position < 4:
        return today, False
    if position < 7:
        return today - datetime.timedelta(days=rng.randint(1, 5)), False
    if position < 10:
        return today - datetime.timedelta(days=rng.randint(1, 10)), True
    return today + datetime.timedelta(days=rng.randint(1, 21)), False


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Return a time during office hours on the day, in the local time zone."""
    at = datetime.time(rng.randint(9, 17), rng.randrange(60))
    return datetime.datetime.combine(day, at, timezone.get_current_timezone())


def _rep_contact(
    rng: random.Random, customer: Customer, rep: User, today: datetime.date, due: datetime.date
) -> Interaction:
    summary, outcome = rng.choice(REP_CONTACTS)
    # The contact that planned the follow-up happened before it fell due.
    earliest = min(due, today) - datetime.timedelta(days=rng.randint(3, 30))
    return Interaction(
        customer=customer, user=rep, kind=rng.choice(KINDS), direction=Direction.OUTBOUND,
        occurred_at=_moment(rng, earliest), summary=summary, outcome=outcome,
        next_contact_on=due,
    )  # fmt: skip


def _agent_contact(
    rng: random.Random, customer: Customer, org: Organisation, today: datetime.date
) -> Interaction:
    summary, outcome = rng.choice(AGENT_CONTACTS_TEXT)
    day = today - datetime.timedelta(days=rng.randint(0, 14))
    return Interaction(
        customer=customer, user=org.agent, kind=rng.choice(KINDS[:2]),
        direction=Direction.INBOUND, occurred_at=_moment(rng, day), summary=summary,
        outcome=outcome,
    )  # fmt: skip
