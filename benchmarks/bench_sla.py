"""SLA benchmark: the sweep over 100,000 open tickets (target <= 10 s) and the agent's queue
with 1,000,000 tickets (target p95 <= 150 ms), on SQLite or PostgreSQL.

Builds its own base once (SQLite file under benchmarks/out/sla, or the empty PostgreSQL
database given): customers, 40 agents in 4 teams with a manager each, and N tickets of which
`--open` are open, opened over the last three weeks of working time before a fixed "now"
(2026-05-20 15:00 Shanghai) with their deadlines worked out by service.sla on the calendar,
a tenth waiting on the customer, a fifth with a promise; the rest closed over two years.
Then measures:

1. the sweep (service.sla.sweep) at "now" on a base never swept (every warning, breach and
   escalation due at once: the worst case, worked off SWEEP_LIMIT tickets a sweep), a
   minute later (what a minute adds), an hour later; the marks are cleared again
   afterwards so that a second run measures the same;
2. the deadlines of every open ticket worked out again (a calendar override saved);
3. the queue's query as the agent's page runs it, 200 rows, for "mine", "unassigned" and
   "all": open tickets by the stored `next_due` (index `ticket_queue`), with customer,
   owner and category; and, for comparison, ordered by a CASE over the two deadlines (not
   indexable), the form the tickets branch had before `next_due` was stored.

    .venv/bin/python benchmarks/bench_sla.py --tickets 1000000 --open 100000
    .venv/bin/python benchmarks/bench_sla.py --database-url postgres://postgres@127.0.0.1/h_sla
    .venv/bin/python benchmarks/bench_sla.py --tickets 20000 --open 5000   # a quick look
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_today as today  # configure(), insert(): SQLite executemany, PostgreSQL COPY

ROOT = today.ROOT
CST = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 5, 20, 15, 0, tzinfo=CST)
AGENTS, TEAMS = 40, 4
SWEEP_TARGET_S, QUEUE_TARGET_MS = 10.0, 150.0
QUEUE_ROWS = 200  # the queue page's rows (service/views.py on the tickets branch)
SEED = 2026


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def db_time(moment: datetime.datetime | None) -> Any:
    """Return a moment as the raw insert takes it: naive UTC text on SQLite."""
    from django.db import connection

    if moment is None or connection.vendor != "sqlite":
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")


def build_people(customers: int) -> list[int]:
    """Create the teams, their managers and agents, and the customers; return agent ids."""
    from accounts.models import Membership, Role, Team, User
    from customers.models import Customer

    agents = []
    for team_no in range(TEAMS):
        team = Team.objects.create(name=f"Service {team_no + 1}")
        lead = User.objects.create(username=f"lead{team_no + 1}", role=Role.MANAGER)
        Membership.objects.create(user=lead, team=team)
        for n in range(AGENTS // TEAMS):
            agent = User.objects.create(username=f"agent{team_no + 1}{n:02d}", role=Role.AGENT)
            Membership.objects.create(user=agent, team=team)
            agents.append(agent.pk)
    owner = User.objects.create(username="owner", role=Role.REP)
    now = db_time(datetime.datetime.now(datetime.UTC))
    rows = (
        (n, f"客户{n}", f"138{n:08d}", f"138{n:08d}"[::-1], "", owner.pk, now, now)
        for n in range(1, customers + 1)
    )
    today.insert(Customer, ("id", "name", "mobile", "mobile_reversed", "time_zone", "owner_id",
                            "created_at", "updated_at"), rows)  # fmt: skip
    return agents


TICKET_COLUMNS = (
    "id", "number", "kind", "priority", "channel", "customer_id", "subject", "description",
    "status", "assignee_id", "opened_at", "first_responded_at", "resolved_at", "closed_at",
    "waiting_since", "sla_paused_since", "sla_policy_id", "first_response_due",
    "first_response_warn_at", "resolution_due", "resolution_warn_at", "next_due",
    "promised_by", "promise_remind_at", "sla_check_at",
)  # fmt: skip


def ticket_rows(
    total: int, open_count: int, customers: int, agents: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Yield the tickets: the open ones first (deadlines by service.sla), then the closed."""
    from core.calendar import working_calendar
    from service.models import SlaPolicy
    from service.promises import remind_at
    from service.sla import deadlines

    rng = np.random.default_rng(SEED)
    calendar = working_calendar()
    policies = {p.priority: p for p in SlaPolicy.objects.filter(value_tier="")}
    priorities = rng.choice(["low", "normal", "high", "urgent"], total, p=[0.2, 0.6, 0.15, 0.05])
    customer_ids = rng.integers(1, customers + 1, total)
    assignees = rng.choice(agents, total)
    unassigned = rng.random(total) < 0.1
    minutes_back = rng.integers(0, 15 * 8 * 60, total)  # three weeks of working time
    answered, waiting, promised = (rng.random(total) for _ in range(3))
    for n in range(total):
        pk = n + 1
        priority = str(priorities[n])
        assignee = None if unassigned[n] and n < open_count else int(assignees[n])
        common = (pk, f"T{pk:08d}", "complaint", priority, "phone", int(customer_ids[n]),
                  "Lid broken", "The lid came broken.")  # fmt: skip
        if n >= open_count:
            opened = NOW - datetime.timedelta(days=30 + int(minutes_back[n]) % 700)
            done = opened + datetime.timedelta(days=2)
            yield (*common, "closed", assignee, db_time(opened), db_time(opened),
                   db_time(done), db_time(done), None, None, policies[priority].pk,
                   None, None, db_time(done), None, db_time(done), None, None, None)  # fmt: skip
            continue
        opened = _working_time_before(calendar, NOW, int(minutes_back[n]))
        policy = policies[priority]
        responded = opened + datetime.timedelta(minutes=30) if answered[n] < 0.7 else None
        targets = (policy.first_response, policy.resolution, datetime.timedelta(0))
        first = deadlines(calendar, opened, *targets)
        fixed = None if responded is None else (responded, first.first_response_due)
        due = deadlines(calendar, opened, *targets, fixed)
        waits = NOW - datetime.timedelta(hours=1) if waiting[n] < 0.1 else None
        promise = due.resolution_due if promised[n] < 0.2 else None
        reminder = remind_at(calendar, opened, promise) if promise is not None else None
        yield (*common, "acknowledged" if responded else "received", assignee, db_time(opened),
               db_time(responded), None, None, db_time(waits), db_time(waits), policy.pk,
               db_time(due.first_response_due), db_time(due.first_response_warn_at),
               db_time(due.resolution_due), db_time(due.resolution_warn_at),
               db_time(due.next_due), db_time(promise), db_time(reminder),
               db_time(opened))  # fmt: skip


def _working_time_before(calendar: Any, end: datetime.datetime, minutes: int) -> datetime.datetime:
    """Return a moment about `minutes` of working time before `end` (whole working days
    back, then the minutes within the day)."""
    days, rest = divmod(minutes, 8 * 60)
    day = end.astimezone(CST).date()
    while days:
        day -= datetime.timedelta(days=1)
        days -= calendar.is_working_day(day)
    start = datetime.datetime.combine(day, datetime.time(9), tzinfo=CST)
    return calendar.add(start, datetime.timedelta(minutes=rest % (8 * 60)))


def build(total: int, open_count: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from service.models import Ticket

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    customers = max(total // 20, 1000)
    agents = build_people(customers)
    count = today.insert(Ticket, TICKET_COLUMNS, ticket_rows(total, open_count, customers, agents))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"built {count:,} tickets ({open_count:,} open) in {time.perf_counter() - started:.1f} s")


def clear_marks() -> None:
    """Take the sweep's marks and events off again, so that the next run measures the same."""
    from django.db import transaction

    from core.models import OutboxEvent
    from interactions.models import FollowUp
    from service.models import OPEN_STATUSES, Ticket
    from service.sla import check_moment

    with transaction.atomic():
        open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
        open_tickets.update(
            sla_warned_at=None, resolution_warned_at=None, first_response_breached_at=None,
            resolution_breached_at=None, escalated_at=None, promise_kept=None,
            promise_reminded_at=None,
        )  # fmt: skip
        open_tickets.update(sla_check_at=check_moment())
        OutboxEvent.objects.filter(kind__startswith="ticket.").delete()
        FollowUp.objects.filter(origin__startswith="promise:").delete()
    tidy()


def tidy() -> None:
    """Vacuum and analyse the tickets after a mass update, as autovacuum would between two
    sweeps: the benchmark rewrites 100,000 rows several times in minutes, which a running
    system does not (PostgreSQL's index scans would wade through the dead rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE service_ticket")
        else:
            cursor.execute("ANALYZE service_ticket")


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def measure_sweep() -> dict[str, float]:
    from service import sla

    figures = {}
    clear_marks()
    # The first sweeps on a base never swept: the backlog, SWEEP_LIMIT tickets a sweep.
    backlog = 0
    while True:
        started = time.perf_counter()
        result = sla.sweep(NOW)
        seconds = time.perf_counter() - started
        done = result.warned + result.breached + result.escalated + result.promises_broken
        if not done + result.promises_reminded:
            break
        backlog += 1
        figures[f"backlog sweep {backlog}"] = seconds
        log(f"sweep {backlog} of the backlog: {seconds:.2f} s: warned {result.warned:,}, "
            f"breached {result.breached:,}, escalated {result.escalated:,}, promises "
            f"reminded {result.promises_reminded:,}, broken "
            f"{result.promises_broken:,}")  # fmt: skip
    tidy()
    for label, moment in (
        ("a minute later", NOW + datetime.timedelta(minutes=1)),
        ("an hour later", NOW + datetime.timedelta(hours=1)),
    ):
        started = time.perf_counter()
        result = sla.sweep(moment)
        seconds = time.perf_counter() - started
        figures[label] = seconds
        tidy()
        log(f"sweep, {label}: {seconds:.2f} s: warned {result.warned:,}, breached "
            f"{result.breached:,}, escalated {result.escalated:,}, promises reminded "
            f"{result.promises_reminded:,}, broken {result.promises_broken:,}; "
            f"{len(result.notices)} people to tell")  # fmt: skip
    clear_marks()
    seconds, moved = timed(sla.recompute_open_deadlines)
    figures["deadlines worked out again"] = seconds
    log(f"deadlines of the open tickets worked out again: {seconds:.2f} s, {moved:,} changed")
    return figures


def queue_queries() -> dict[str, Callable[[int], Any]]:
    from django.db.models import Case, DateTimeField, F, When

    from service.models import OPEN_STATUSES, Ticket

    def stored(scope: str) -> Callable[[int], Any]:
        def query(agent: int) -> Any:
            tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
            if scope == "mine":
                tickets = tickets.filter(assignee_id=agent)
            elif scope == "unassigned":
                tickets = tickets.filter(assignee__isnull=True)
            return tickets.select_related("customer", "assignee", "category").order_by(
                F("next_due").asc(nulls_last=True), "opened_at", "pk"
            )[:QUEUE_ROWS]

        return query

    case = Case(
        When(first_responded_at__isnull=True, first_response_due__isnull=False,
             then=F("first_response_due")),
        default=F("resolution_due"), output_field=DateTimeField(),
    )  # fmt: skip

    def by_case(agent: int) -> Any:
        tickets = Ticket.objects.filter(status__in=OPEN_STATUSES, assignee_id=agent)
        return (
            tickets.annotate(due_next=case)
            .select_related("customer", "assignee", "category")
            .order_by(F("due_next").asc(nulls_last=True), "opened_at", "pk")[:QUEUE_ROWS]
        )

    return {"mine": stored("mine"), "unassigned": stored("unassigned"), "all": stored("all"),
            "mine, ordered by CASE": by_case}  # fmt: skip


def measure_queue(samples: int) -> dict[str, dict[str, float]]:

    from accounts.models import Role, User

    agents = list(User.objects.filter(role=Role.AGENT).values_list("pk", flat=True))
    rng = np.random.default_rng(SEED)
    figures = {}
    for label, query in queue_queries().items():
        plan = " | ".join(query(agents[0]).explain().splitlines())
        times = []
        rows: list[Any] = []
        for agent in rng.choice(agents, samples):
            started = time.perf_counter()
            rows = list(query(int(agent)))
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        figures[label] = {"p50": statistics.median(times), "p95": p95, "rows": len(rows)}
        log(f"queue {label}: p50 {figures[label]['p50']:.1f} ms, p95 {p95:.1f} ms "
            f"({len(rows)} rows); plan: {plan[:300]}")  # fmt: skip
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--var-dir", type=Path, default=ROOT / "benchmarks" / "out" / "sla")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and args.var_dir.exists() and not args.database_url:
        shutil.rmtree(args.var_dir)
    today.configure(args.var_dir, args.database_url)
    from django.db import connection

    from service.models import Ticket

    if not _has_tickets():
        build(args.tickets, args.open)
    log(f"{connection.vendor} {connection.display_name}; load average "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}; {Ticket.objects.count():,} "
        "tickets")  # fmt: skip
    sweep = measure_sweep()
    queue = measure_queue(args.samples)
    worst = max(sweep.values())
    log(f"sweep worst {worst:.2f} s (target {SWEEP_TARGET_S} s); queue mine p95 "
        f"{queue['mine']['p95']:.1f} ms (target {QUEUE_TARGET_MS} ms); load average "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    return 0


def _has_tickets() -> bool:
    from django.db import connection

    from service.models import Ticket

    return Ticket._meta.db_table in connection.introspection.table_names() and (
        Ticket.objects.exists()
    )


if __name__ == "__main__":
    sys.exit(main())
