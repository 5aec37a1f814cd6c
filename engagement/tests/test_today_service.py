"""Today's service: one line per customer, ranked by value at stake, snoozes and done marks."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import User
from core.errors import Invalid, NotFound
from core.models import OutboxEvent
from customers import extensions
from customers.extensions import TodayAction, TodayItem
from customers.models import Customer
from engagement import today
from engagement.models import LineOutcome, Snooze, TodayLine
from insights.models import ChurnWarning, CustomerScore, RunStatus, ScoreRun
from insights.services import _few_owned, owner_key, warnings_for_today
from interactions.services import complete_follow_up, create_follow_up, log_interaction

DAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return DAY - datetime.timedelta(days=n)


def scoring_run() -> ScoreRun:
    """Return a finished, good scoring run (the one every page reads)."""
    return ScoreRun.objects.create(
        as_of=DAY, status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )


def score(
    run: ScoreRun, customer: Customer, clv: float, risk: float, tier: str = "A", warn: bool = False
) -> CustomerScore:
    """Store the run's score of the customer, and a churn warning when `warn`."""
    row = CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=3, first_purchase_on=days_ago(400),
        last_purchase_on=days_ago(120), revenue=Decimal("300.00"), is_returning=True,
        typical_interval_days=40.0, p_alive=1 - risk, churn_risk=risk,
        expected_purchases_30=0.2, expected_purchases_90=0.5, expected_purchases_365=1.5,
        expected_spend=100.0, clv=clv, value_tier=tier, r_score=2, f_score=3, m_score=4,
        segment="at_risk",
    )  # fmt: skip
    if warn:
        ChurnWarning.objects.create(
            run=run, customer=customer, score=row, value_at_risk=clv * risk,
            reasons=[{"code": "churn_risk", "params": {"risk": risk, "previous": None}}],
        )  # fmt: skip
    return row


def follow_up(owner: User, customer: Customer, due: datetime.date, note: str = "Call back"):
    return create_follow_up(owner, customer, due, note)


def lines_of(user: User) -> list[today.Line]:
    return today.today_list(user, DAY).lines


def names(user: User) -> list[str]:
    return [line.customer.name for line in lines_of(user)]


@pytest.fixture
def care_source() -> Iterator[list[TodayItem]]:
    """A source like the care calendar will be: items handed in by the test, kind "care"."""
    items: list[TodayItem] = []

    def source(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
        return [item for item in items if item.customer.owner_id == user.pk][:limit]

    extensions.today_sources.register("test-care", source, order=90)
    yield items
    extensions.today_sources.unregister("test-care")


def care(customer: Customer, action: TodayAction | None = None) -> TodayItem:
    return TodayItem(customer, "care", 2, DAY, "Birthday today", f"care:{customer.pk}", action)


def test_items_of_one_customer_merge_into_one_line_with_every_reason_in_words(rep, make_customer):
    wang = make_customer(rep, name="Wang Fang", mobile="13912345678")
    run = scoring_run()
    score(run, wang, clv=800.0, risk=0.6, tier="A", warn=True)
    follow_up(rep, wang, days_ago(3), "Ask about the renewal")
    follow_up(rep, wang, DAY, "Send the catalogue")

    [line] = lines_of(rep)
    assert line.customer == wang and line.rank == 1
    assert [reason.text for reason in line.reasons] == [
        "Follow-up, 3 days overdue: Ask about the renewal",
        "Follow-up, due today: Send the catalogue",
        "Churn warning: Churn risk is 60%.",
        # From the cadences' source: no contact logged since the first purchase (score row).
        "No contact since the first purchase 400 days ago; A-tier customers are called every "
        "30 days",
    ]
    assert line.phone == "139 1234 5678" and line.tier == "A"
    assert line.value_at_stake == pytest.approx(480.0) and line.overdue_days == 3
    assert [reason.action_label for reason in line.reasons] == ["Done", "Done", "", ""]


def test_lines_rank_by_urgency_then_value_at_stake_then_days_overdue_then_occasion(
    rep, make_customer, care_source
):
    run = scoring_run()
    small, big, late, later, birthday, plain = (
        make_customer(rep, name=name)
        for name in ("Small", "Big", "Late", "Later", "Birthday", "Plain")
    )
    score(run, small, clv=100.0, risk=0.5)  # 50 at stake
    score(run, big, clv=1000.0, risk=0.2)  # 200 at stake, though its CLV × risk is all it has
    for customer in (small, big):
        follow_up(rep, customer, DAY)
    follow_up(rep, late, days_ago(2))
    follow_up(rep, later, days_ago(9))
    follow_up(rep, plain, DAY)
    follow_up(rep, birthday, DAY)
    care_source.append(care(birthday))
    # Overdue promises first (most overdue first, no value at stake), then the day's work.
    assert names(rep) == ["Later", "Late", "Big", "Small", "Birthday", "Plain"]
    assert [line.rank for line in lines_of(rep)] == [1, 2, 3, 4, 5, 6]


def test_a_birthday_today_comes_before_a_more_valuable_churn_warning(
    rep, make_customer, care_source
):
    run = scoring_run()
    warned, birthday = make_customer(rep, name="Warned"), make_customer(rep, name="Birthday")
    score(run, warned, clv=5000.0, risk=0.9, warn=True)
    score(run, birthday, clv=10.0, risk=0.1)
    care_source.append(care(birthday))
    assert names(rep) == ["Birthday", "Warned"]


def test_another_reps_customer_never_appears_even_from_a_faulty_source(
    rep, other_rep, make_customer, care_source
):
    mine = make_customer(rep, name="Mine")
    theirs = make_customer(other_rep, name="Theirs")
    follow_up(rep, mine, DAY)
    follow_up(other_rep, theirs, DAY)
    run = scoring_run()
    score(run, theirs, clv=5000.0, risk=0.9, warn=True)  # the base's most valuable warning
    score(run, mine, clv=10.0, risk=0.5, warn=True)

    def faulty(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
        return [care(theirs)]  # whatever the user: a bug in some contributor

    extensions.today_sources.register("faulty", faulty, order=95)
    try:
        [line] = lines_of(rep)
        assert line.customer == mine and [r.kind for r in line.reasons] == [
            "follow_up", "churn_warning", "no_contact",
        ]  # fmt: skip
        assert names(other_rep) == ["Theirs"]
    finally:
        extensions.today_sources.unregister("faulty")


@pytest.mark.parametrize("owned", [5_000, 50_000])
def test_a_reps_warnings_read_either_way_are_the_same(rep, teammate, make_customer, owned):
    """A rep owning few of the run's customers has their warnings looked up customer by
    customer, one owning many has the run's warnings walked: the same warnings either way."""
    run = scoring_run()
    for n, owner in enumerate([rep, teammate] * 4):
        score(run, make_customer(owner, name=f"At risk {n}"), clv=100.0 + n, risk=0.5, warn=True)
    run.counts = {"customers_scored": 1_000_000}
    run.summary = {owner_key(rep.pk): {"customers": owned}}
    run.save(update_fields=["counts", "summary"])
    assert _few_owned(rep, run, 60) is (owned == 5_000)
    warnings = warnings_for_today(rep, run, 3)
    assert [w.customer.name for w in warnings] == ["At risk 6", "At risk 4", "At risk 2"]


def test_a_reps_leading_warnings_are_found_once_per_run_and_read_fresh(
    rep, teammate, make_customer, django_assert_max_num_queries
):
    run = scoring_run()
    customers = [make_customer(rep, name=f"At risk {n}") for n in range(3)]
    for n, customer in enumerate(customers):
        score(run, customer, clv=100.0 + n, risk=0.5, warn=True)
    assert [w.customer.name for w in warnings_for_today(rep, run, 3)] == [
        "At risk 2", "At risk 1", "At risk 0",
    ]  # fmt: skip
    # Handed to a teammate since: gone from the rep's list at once, without a new walk.
    Customer.objects.filter(pk=customers[2].pk).update(owner=teammate)
    with django_assert_max_num_queries(2):  # the kept ids, the warnings by key
        warnings = warnings_for_today(rep, run, 3)
    assert [w.customer.name for w in warnings] == ["At risk 1", "At risk 0"]


def test_archived_customers_are_left_out(rep, make_customer):
    gone = make_customer(rep, name="Gone")
    follow_up(rep, gone, DAY)
    Customer.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    assert names(rep) == []


def test_a_snoozed_line_is_hidden_until_its_day_and_done_today(rep, make_customer):
    customer = make_customer(rep, name="Later please")
    follow_up(rep, customer, days_ago(1))
    assert names(rep) == ["Later please"]
    snoozed = today.snooze(rep, customer, DAY + datetime.timedelta(days=2), DAY)
    event = OutboxEvent.objects.get(kind="today.snoozed")
    assert (event.customer_id, event.subject_id, event.actor_user_id) == (
        customer.pk, snoozed.pk, rep.pk,
    )  # fmt: skip
    assert event.data == {"until": (DAY + datetime.timedelta(days=2)).isoformat()}
    listed = today.today_list(rep, DAY)
    assert listed.lines == [] and (listed.done, listed.total) == (1, 1)
    assert [s.customer for s in listed.snoozed] == [customer]
    assert TodayLine.objects.get(user=rep, customer=customer).outcome == LineOutcome.SNOOZED
    assert today.today_list(rep, DAY + datetime.timedelta(days=1)).lines == []
    back = today.today_list(rep, DAY + datetime.timedelta(days=2)).lines
    assert [line.customer for line in back] == [customer]


@pytest.mark.parametrize("offset", [-1, 0])
def test_snoozing_to_a_past_day_or_today_is_refused_on_the_field(rep, make_customer, offset):
    customer = make_customer(rep)
    follow_up(rep, customer, DAY)
    today.today_list(rep, DAY)
    with pytest.raises(Invalid) as refused:
        today.snooze(rep, customer, DAY + datetime.timedelta(days=offset), DAY)
    assert refused.value.field == "until" and "Snooze until" in refused.value.message
    assert not Snooze.objects.exists()
    assert not OutboxEvent.objects.filter(kind="today.snoozed").exists()
    assert TodayLine.objects.get(customer=customer).done_at is None


def test_a_contact_logged_from_today_marks_the_line_done(rep, make_customer):
    customer = make_customer(rep, name="Called")
    follow_up(rep, customer, DAY, "Ask about the order")
    today.snapshot_day(DAY)  # recorded by the morning run, in the site's language
    summary = today.line_summary(rep, customer, DAY)
    assert summary == "Follow-up, due today: Ask about the order"
    with translation.override("zh-hans"):  # a rep who reads Chinese gets it in Chinese
        assert today.line_summary(rep, customer, DAY).startswith("回访")
    assert today.line_summary(rep, make_customer(rep), DAY) == ""  # nothing to do with them
    today.log_contact(rep, customer, {"kind": "phone", "summary": summary}, DAY)
    listed = today.today_list(rep, DAY)
    assert listed.lines == [] and (listed.done, listed.total) == (1, 1)
    line = TodayLine.objects.get(user=rep, customer=customer)
    assert line.done_at is not None and line.outcome == LineOutcome.CONTACTED


def test_a_contact_logged_elsewhere_or_an_action_taken_marks_the_line_done_on_the_next_view(
    rep, make_customer
):
    called, completed, warned = (make_customer(rep, name=n) for n in ("Called", "Done", "Warned"))
    follow_up(rep, called, DAY)
    task = follow_up(rep, completed, DAY)
    score(scoring_run(), warned, clv=100.0, risk=0.5, warn=True)
    assert sorted(names(rep)) == ["Called", "Done", "Warned"]

    log_interaction(rep, called, {"kind": "phone", "summary": "Called from the customer page"})
    complete_follow_up(rep, task)
    listed = today.today_list(rep, DAY)
    assert names(rep) == ["Warned"]  # a warning has no action: it stays until contacted
    assert (listed.done, listed.total) == (2, 3)
    outcomes = dict(TodayLine.objects.values_list("customer__name", "outcome"))
    assert outcomes == {"Called": "contacted", "Done": "action", "Warned": ""}


def test_a_line_done_stays_done_when_a_new_item_comes_the_same_day(rep, make_customer):
    customer = make_customer(rep, name="Twice")
    follow_up(rep, customer, DAY)
    today.today_list(rep, DAY)
    today.snooze(rep, customer, DAY + datetime.timedelta(days=1), DAY)
    Snooze.objects.all().delete()  # the snooze gone, the line is back but stays done today
    assert names(rep) == []
    assert TodayLine.objects.count() == 1


def test_yesterdays_completion_per_rep(rep, teammate, make_customer):
    yesterday = days_ago(1)
    customers = [make_customer(rep) for _ in range(4)]
    for customer in customers:
        follow_up(rep, customer, yesterday)
    today.today_list(rep, yesterday)
    for customer in customers[:3]:
        today.mark_done(rep, customer, yesterday, LineOutcome.CONTACTED)
    rows = today.completion([rep, teammate], yesterday)
    assert [(row.user, row.total, row.done) for row in rows] == [(rep, 4, 3), (teammate, 0, 0)]
    assert rows[0].share == 0.75 and rows[1].share is None


def test_snapshot_day_records_every_reps_lines_once(rep, teammate, other_rep, make_customer):
    for owner in (rep, rep, teammate, other_rep):
        follow_up(owner, make_customer(owner), DAY)
    assert today.snapshot_day(DAY) == 4
    assert today.snapshot_day(DAY) == 0
    today.today_list(rep, DAY)  # the first view finds the record and adds nothing
    assert TodayLine.objects.filter(day=DAY).count() == 4
    assert sorted(TodayLine.objects.filter(user=rep).values_list("rank", flat=True)) == [1, 2]


def test_who_may_open_whose_list(rep, teammate, other_rep, manager, admin_user):
    assert today.list_owner(rep, None) == rep
    assert today.list_owner(manager, teammate.pk) == teammate
    assert today.list_owner(admin_user, other_rep.pk) == other_rep
    for viewer, wanted in ((rep, teammate), (manager, other_rep), (teammate, rep)):
        with pytest.raises(NotFound):
            today.list_owner(viewer, wanted.pk)


def test_a_manager_opening_a_reps_list_sees_what_the_rep_sees(rep, manager, make_customer):
    customer = make_customer(rep, name="Rep's")
    follow_up(rep, customer, DAY)
    owner = today.list_owner(manager, rep.pk)
    assert [line.customer for line in today.today_list(owner, DAY).lines] == [customer]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("13912345678", "139 1234 5678"), ("02155551234", "02155551234"), ("+4420", "+4420"),
     ("", "")],
)  # fmt: skip
def test_mobile_numbers_are_grouped(stored, shown):
    assert today.format_mobile(stored) == shown
