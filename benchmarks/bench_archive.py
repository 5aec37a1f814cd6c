"""Benchmark the customer archive at scale: order ingestion and page latency over real HTTP.

Simulates a customer base (BG/NBD purchasing, Gamma-Gamma spend, seeded), builds it once into a
SQLite file under benchmarks/out/, and measures:

1. bulk order ingestion through sales.services.create_orders, the API's bulk path, with the
   purchase summary kept in step (target >= 20,000 orders/s): every order of the base, customer
   by customer as a shop's existing customers arrive on its first day, and then the newest
   orders as a daily feed in the order they happened;
2. the customer list (mobile-prefix search, owner filter, last-purchase range) and the 360° page,
   requested through a real server (gunicorn, else runserver) after logging in through the login
   form (targets p95 <= 100 ms and <= 150 ms);
3. that fitting BG/NBD and Gamma-Gamma to the simulator's output recovers the parameters given.

    .venv/bin/python benchmarks/bench_archive.py --customers 1000000 --orders 10000000
    .venv/bin/python benchmarks/bench_archive.py --customers 5000 --orders 50000   # ~1 minute

Customers and their activity are written with raw executemany for speed of building. A second
run reuses the file and re-measures the daily feed: the customers of the newest orders buy again
today, committed, and the orders are removed again afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SEED = 2026
PASSWORD = "bench-archive-2026"
TEAMS = ("East", "West")
REPS_PER_TEAM = 10
ACQUISITION_DAYS = 365
OBSERVATION_DAYS = 1000
PAGE_TARGETS_MS = {"list": 100.0, "detail": 150.0}
INGEST_TARGET = 20_000.0
ROWS_PER_COMMIT = 500_000

sys.path.insert(0, str(ROOT))


# --- set-up ---------------------------------------------------------------------------------


def configure_django(var_dir: Path) -> None:
    """Point Django at the benchmark's own SQLite file (never DATABASE_URL) and set it up."""
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["HUITOU_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "huitou.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def log(message: str) -> None:
    """Print a progress line with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- simulation -----------------------------------------------------------------------------


@dataclass
class Simulation:
    purchase: Any  # BGNBDParams, alpha in days
    spend: Any  # GammaGammaParams
    customer: np.ndarray  # 0-based customer index per order, sorted by customer then day
    day: np.ndarray
    amount: np.ndarray
    end_day: int

    @property
    def n_orders(self) -> int:
        return int(self.day.size)


def calibrated_purchase_params(orders_per_customer: float) -> Any:
    """Return BG/NBD parameters whose expected orders per customer match the target.

    r, a and b stay at the simulator's defaults; alpha (the scale of the purchase rate) is
    found by bisection on E[1 + X(T)] averaged over the customers' exposure times.
    """
    from insights.stats import BGNBDParams, expected_purchases
    from insights.stats.simulate import DEFAULT_BGNBD

    exposure = np.arange(OBSERVATION_DAYS - ACQUISITION_DAYS + 1, OBSERVATION_DAYS + 1, dtype=float)

    def mean_orders(alpha: float) -> float:
        params = BGNBDParams(r=DEFAULT_BGNBD.r, alpha=alpha, a=DEFAULT_BGNBD.a, b=DEFAULT_BGNBD.b)
        return 1.0 + float(expected_purchases(params, exposure).mean())

    low, high = 0.01, 1e6  # mean_orders falls as alpha grows
    for _ in range(100):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if mean_orders(middle) > orders_per_customer else (low, middle)
    alpha = math.sqrt(low * high)
    return BGNBDParams(r=DEFAULT_BGNBD.r, alpha=alpha, a=DEFAULT_BGNBD.a, b=DEFAULT_BGNBD.b)


def simulate(customers: int, orders: int, seed: int) -> Simulation:
    """Simulate the customer base: about `orders` orders from `customers` customers."""
    from insights.stats.simulate import DEFAULT_SPEND, simulate_transactions

    purchase = calibrated_purchase_params(orders / customers)
    sim = simulate_transactions(
        customers, purchase, DEFAULT_SPEND, acquisition_days=ACQUISITION_DAYS,
        observation_days=OBSERVATION_DAYS, seed=seed,
    )  # fmt: skip
    # Cents, as money is stored; at least one cent so every order is worth something.
    amount = np.maximum(np.round(sim.amount, 2), 0.01)
    return Simulation(purchase, DEFAULT_SPEND, sim.customer_id, sim.day, amount, sim.end_day)


# --- fitting check --------------------------------------------------------------------------


def fitting_check(sim: Simulation, seed: int, customers: int = 50_000) -> dict[str, Any]:
    """Fit BG/NBD and Gamma-Gamma to fresh output of the same generator; compare with truth.

    Simulated in hours (alpha x 24) so that rounding purchase times to whole ticks, which merges
    same-day purchases into one transaction, does not bias the recovery.
    """
    from insights.stats import BGNBDParams, fit_bgnbd, fit_gamma_gamma, rfm_summary
    from insights.stats.simulate import simulate_transactions

    hours = 24
    p = sim.purchase
    truth = BGNBDParams(r=p.r, alpha=p.alpha * hours, a=p.a, b=p.b)
    started = time.perf_counter()
    fresh = simulate_transactions(
        customers, truth, sim.spend, acquisition_days=ACQUISITION_DAYS * hours,
        observation_days=OBSERVATION_DAYS * hours, seed=seed + 1,
    )  # fmt: skip
    summary = rfm_summary(fresh.customer_id, fresh.day, fresh.amount, fresh.end_day)
    bg = fit_bgnbd(summary.frequency, summary.recency, summary.T)
    repeat = summary.frequency > 0
    gg = fit_gamma_gamma(summary.frequency[repeat], summary.monetary_value[repeat])
    rows = [(name, getattr(truth, name), getattr(bg, name)) for name in ("r", "alpha", "a", "b")]
    rows += [(name, getattr(sim.spend, name), getattr(gg, name)) for name in ("p", "q", "gamma")]
    errors = {name: abs(fitted / given - 1.0) for name, given, fitted in rows}
    return {
        "customers": customers,
        "orders": fresh.n_orders,
        "seconds": round(time.perf_counter() - started, 2),
        "parameters": {name: {"given": given, "fitted": fitted} for name, given, fitted in rows},
        "max_relative_error": max(errors.values()),
        "converged": bool(bg.converged and gg.converged),
        "passed": bool(bg.converged and gg.converged and max(errors.values()) < 0.10),
    }


# --- building the database ------------------------------------------------------------------


@dataclass
class Organisation:
    admin_id: int
    managers: dict[str, int]
    reps: dict[str, list[int]]  # team -> rep ids

    @property
    def all_reps(self) -> list[int]:
        return [rep for team in TEAMS for rep in self.reps[team]]


def create_organisation() -> Organisation:
    """Create an admin, a manager per team, ten reps per team and an agent (one password)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Membership, Role, Team, User

    hashed = make_password(PASSWORD)

    def user(username: str, role: str, team: Any = None) -> int:
        created = User.objects.create(
            username=username, role=role, password=hashed, is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )  # fmt: skip
        if team is not None:
            Membership.objects.create(user=created, team=team)
        return created.pk

    admin = user("admin", Role.ADMIN)
    user("agent", Role.AGENT)
    managers, reps = {}, {}
    for index, name in enumerate(TEAMS, start=1):
        team = Team.objects.create(name=name)
        managers[name] = user(f"manager{index}", Role.MANAGER, team)
        reps[name] = [
            user(f"rep{index}{n:02d}", Role.REP, team) for n in range(1, REPS_PER_TEAM + 1)
        ]
    return Organisation(admin, managers, reps)


def insert(model: Any, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows into the model's table with the raw SQLite driver, committing in chunks.

    Concrete fields not named get their model default (or the database's, for a db_default),
    so the build keeps working when a column with a default is added to the model.
    """
    from django.db import connection
    from django.db.models.expressions import DatabaseDefault

    fields = {f.attname: f for f in model._meta.concrete_fields}
    named = [fields[name] for name in names]
    rest = [
        f for f in fields.values()
        if f.attname not in names and not f.primary_key
        and not isinstance(f.get_default(), DatabaseDefault)
    ]  # fmt: skip
    extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    columns = ", ".join(f'"{f.column}"' for f in [*named, *rest])
    marks = ", ".join("?" * (len(named) + len(rest)))
    sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'
    connection.ensure_connection()
    raw = connection.connection
    count = 0
    for chunk in _chunks(rows, ROWS_PER_COMMIT):
        raw.execute("BEGIN")
        raw.executemany(sql, [(*row, *extra) for row in chunk] if extra else chunk)
        raw.execute("COMMIT")
        count += len(chunk)
    return count


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def day_strings(end_day: int) -> list[str]:
    """Return ISO dates per simulated day, the last simulated day being yesterday."""
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    return [
        (yesterday - datetime.timedelta(days=end_day - d)).isoformat() for d in range(end_day + 1)
    ]


def customer_rows(
    sim: Simulation, n: int, org: Organisation, rng: np.random.Generator
) -> Iterator[tuple[Any, ...]]:
    """Yield customer rows: unique valid mobiles, Chinese names, owners spread over the reps."""
    from huitou.demo.people import FEMALE_GIVEN, MALE_GIVEN, MOBILE_PREFIXES, REGIONS, SURNAMES

    first_order = np.searchsorted(sim.customer, np.arange(n))
    first_day = sim.day[first_order]
    dates = day_strings(sim.end_day)
    # Unique 8-digit suffixes make the mobiles unique whatever the prefixes.
    suffixes = rng.choice(10**8, size=n, replace=False)
    prefixes = rng.integers(0, len(MOBILE_PREFIXES), n)
    reps = np.array(org.all_reps)
    owners = reps[rng.integers(0, reps.size, n)]
    given = MALE_GIVEN + FEMALE_GIVEN
    surname = rng.integers(0, len(SURNAMES), n)
    given1, given2 = rng.integers(0, len(given), n), rng.integers(-len(given), len(given), n)
    regions = list(REGIONS)
    region = rng.integers(0, len(regions), n)
    birth = rng.integers(0, 365 * 50, n)
    base_birthday = datetime.date(1955, 1, 1)
    for i in range(n):
        mobile = f"{MOBILE_PREFIXES[prefixes[i]]}{suffixes[i]:08d}"
        name = (
            SURNAMES[surname[i]] + given[given1[i]] + (given[given2[i]] if given2[i] >= 0 else "")
        )
        province = regions[region[i]]
        created = f"{dates[first_day[i]]} 02:00:00"
        yield (
            i + 1, "person", name, mobile, mobile[::-1], province, REGIONS[province][0],
            (base_birthday + datetime.timedelta(days=int(birth[i]))).isoformat(), "solar",
            f"SIM-{i + 1}", int(owners[i]), created, created, "Online store",
        )  # fmt: skip


CUSTOMER_COLUMNS = (
    "id", "kind", "name", "mobile", "mobile_reversed", "region", "city", "birthday",
    "birthday_calendar", "external_id", "owner_id", "created_at", "updated_at", "source_channel",
)  # fmt: skip


def activity_rows(
    n: int, owners: dict[int, int], rng: np.random.Generator
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return interactions for 10% of the customers and follow-ups for 2%."""
    today = datetime.date.today()
    chosen = rng.choice(n, size=max(1, n // 10), replace=False) + 1
    interactions = [
        (int(c), owners[int(c)], "phone", "out",
         f"{today - datetime.timedelta(days=int(d))} 02:30:00", "Asked about new releases", "")
        for c, d in zip(chosen.tolist(), rng.integers(0, 90, chosen.size).tolist(), strict=True)
    ]  # fmt: skip
    due = chosen[: max(1, n // 50)]
    follow_ups = [
        (int(c), owners[int(c)], (today + datetime.timedelta(days=int(d))).isoformat(),
         "Call back", f"{today} 01:00:00")
        for c, d in zip(due.tolist(), rng.integers(-5, 15, due.size).tolist(), strict=True)
    ]  # fmt: skip
    return interactions, follow_ups


def build(
    sim: Simulation, n: int, ingest: int, load_chunk: int, rng: np.random.Generator
) -> tuple[np.ndarray, IngestRun]:
    """Build the database from the simulation, all but the `ingest` newest orders.

    Customers and their activity go in with raw inserts; every order goes through
    create_orders (load_history). Returns the positions of the orders left for
    ingestion, newest last, and the figures of the load.
    """
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Consent, Customer, ProfileChange, Tag, TagGroup
    from huitou.demo.catalogue import PRODUCTS, TAG_GROUPS
    from interactions.models import FollowUp, Interaction
    from sales.models import Product

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        # A large page cache keeps the indexes in memory while millions of rows go in.
        cursor.execute("PRAGMA cache_size=-1000000")
    org = create_organisation()
    for p in PRODUCTS:
        Product.objects.create(sku=p.sku, name=p.name, category=p.category, list_price=p.list_price)
    tag_ids = []
    for group_name, names in TAG_GROUPS.items():
        group = TagGroup.objects.create(name=group_name)
        tag_ids += [Tag.objects.create(group=group, name=name).pk for name in names]

    # The newest orders (by day) are kept back and later ingested through the API's bulk path.
    by_day = np.argsort(sim.day, kind="stable")
    held = np.sort(by_day[sim.n_orders - ingest :]) if ingest else np.array([], dtype=np.int64)
    keep = np.ones(sim.n_orders, dtype=bool)
    keep[held] = False
    head = np.flatnonzero(keep)
    held = held[np.argsort(sim.day[held], kind="stable")]

    step(lambda: insert(Customer, CUSTOMER_COLUMNS, customer_rows(sim, n, org, rng)), "customers")
    owners = dict(Customer.objects.values_list("id", "owner_id"))
    # Read back as stored (naive UTC text), so the history rows carry the same timestamps.
    stored = connection.connection.execute(
        f'SELECT id, created_at, name FROM "{Customer._meta.db_table}"'
    ).fetchall()
    step(lambda: insert(ProfileChange, ("customer_id", "changed_at", "field", "new_value"),
                        ((c, created, "created", name) for c, created, name in stored)),
         "history rows")  # fmt: skip
    tagged = rng.choice(n, size=int(n * 0.6), replace=False) + 1
    tags = np.array(tag_ids)[rng.integers(0, len(tag_ids), tagged.size)]
    step(lambda: insert(Customer.tags.through, ("customer_id", "tag_id"),
                        zip(tagged.tolist(), tags.tolist(), strict=True)), "tag links")  # fmt: skip
    consenting = rng.choice(n, size=n // 2, replace=False) + 1
    granted = rng.random(consenting.size) > 0.05
    step(lambda: insert(Consent, ("customer_id", "channel", "granted", "source"),
                        ((c, "sms", int(g), "Sign-up form") for c, g in
                         zip(consenting.tolist(), granted.tolist(), strict=True))),
         "consents")  # fmt: skip
    connection.close()  # the load runs on a connection as the app opens it
    load = load_history(sim, head, load_chunk)
    log(f"  {load.orders:>12,} orders with lines and summaries through create_orders, "
        f"{load_chunk:,} per call, customer by customer: {load.seconds:.1f}s in the calls = "
        f"{load.rate:,.0f} orders/s ({verdict(load.rate)}); "
        f"{load.cpu_rate:,.0f} per CPU s")  # fmt: skip
    interactions, follow_ups = activity_rows(n, owners, rng)
    interaction_columns = (
        "customer_id",
        "user_id",
        "kind",
        "direction",
        "occurred_at",
        "summary",
        "outcome",
    )
    step(lambda: insert(Interaction, interaction_columns, interactions), "interactions")
    step(lambda: insert(FollowUp, ("customer_id", "assignee_id", "due_on", "note", "created_at"),
                        follow_ups), "follow-ups")  # fmt: skip
    # Measure what follows on a connection as the app opens it, not with the build's cache.
    connection.close()
    return held, load


def forget_statistics() -> None:
    """Delete the planner statistics, to measure what a database never analysed gets."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
    log("  planner statistics deleted (--no-analyze)")


def analyze() -> None:
    """Gather the planner statistics (sqlite_stat1), as a bulk import should leave them.

    Without them SQLite guesses that an equality on an indexed column is selective, and so
    drives a mobile search or a last-purchase range through the owner index (docs/performance.md).
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"  ANALYZE in {time.perf_counter() - started:.1f}s")


def step(action: Callable[[], int], what: str) -> None:
    started = time.perf_counter()
    count = action()
    seconds = time.perf_counter() - started
    log(f"  {count:>12,} {what} in {seconds:6.1f}s ({count / max(seconds, 1e-9):,.0f}/s)")


# --- ingestion through the API's bulk path --------------------------------------------------


def order_inputs(sim: Simulation, positions: np.ndarray, numbers: Sequence[str]) -> list[Any]:
    """Return the orders as the API hands them to create_orders."""
    from huitou.demo.catalogue import PRODUCTS
    from sales.services import LineInput, OrderInput

    dates = [datetime.date.fromisoformat(d) for d in day_strings(sim.end_day)]
    skus = [p.sku for p in PRODUCTS]
    return [
        OrderInput(
            number=numbers[k], customer_id=int(sim.customer[p]) + 1, ordered_on=dates[sim.day[p]],
            lines=[LineInput(sku=skus[p % len(skus)], quantity=1,
                             unit_price=Decimal(f"{sim.amount[p]:.2f}"))],
        )
        for k, p in enumerate(positions.tolist())
    ]  # fmt: skip


@dataclass
class IngestRun:
    chunk: int
    orders: int
    seconds: float
    rate: float  # orders per wall-clock second
    cpu_rate: float  # orders per CPU second of this process (SQLite runs in it): load-independent


def load_history(sim: Simulation, positions: np.ndarray, chunk: int) -> IngestRun:
    """Write the orders at these positions through create_orders, `chunk` per call.

    The positions run customer by customer, the way a shop's existing customers and their
    purchase histories arrive on its first day; each call is one transaction. Only the calls
    are timed: the API would have parsed its request before.
    """
    from sales.services import create_orders

    elapsed = cpu = 0.0
    for start in range(0, positions.size, chunk):
        part = positions[start : start + chunk]
        inputs = order_inputs(sim, part, [f"SIM-{p + 1:09d}" for p in part.tolist()])
        started, cpu_started = time.perf_counter(), time.process_time()
        create_orders(None, inputs, validated=True)
        elapsed += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return IngestRun(
        chunk, int(positions.size), round(elapsed, 3), round(positions.size / elapsed),
        round(positions.size / cpu),
    )  # fmt: skip


def verdict(rate: float) -> str:
    return "ok" if rate >= INGEST_TARGET else "BELOW TARGET"


def ingest(inputs: Sequence[Any], chunk: int) -> IngestRun:
    """Write the orders in chunks through create_orders, each chunk one transaction."""
    from sales.services import create_orders

    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, len(inputs), chunk):
        create_orders(None, inputs[start : start + chunk], validated=True)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return IngestRun(
        chunk, len(inputs), round(elapsed, 3), round(len(inputs) / elapsed),
        round(len(inputs) / cpu),
    )  # fmt: skip


def check_summaries(customer_ids: Sequence[int]) -> bool:
    """Return whether the kept summaries of these customers equal ones computed from orders."""
    from sales.models import CustomerStats
    from sales.summary import computed

    def row(s: Any) -> tuple[Any, ...]:
        return (s.owner_id, s.first_purchase_on, s.last_purchase_on, s.purchase_days,
                s.orders_count, Decimal(s.total_spend).quantize(Decimal("0.01")))  # fmt: skip

    ids = sorted(set(customer_ids))
    kept = {s.customer_id: row(s) for s in CustomerStats.objects.filter(customer_id__in=ids)}
    fresh = {pk: row(s) for pk, s in computed(ids).items()}
    return kept == fresh


# --- pages over HTTP ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Settings proposed in docs/performance.md, tried on the server only with --proposed-settings:
# keep each worker's SQLite connection (and so its page cache) between requests, and read the
# file through a memory map shared with the operating system's cache.
PROPOSED_SETTINGS = """
from huitou.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA mmap_size=8589934592;"
"""


def start_server(
    var_dir: Path, port: int, workers: int, proposed: bool
) -> tuple[subprocess.Popen[bytes], str]:
    """Start gunicorn (or runserver when gunicorn is missing) on the benchmark database."""
    env = {**os.environ, "HUITOU_VAR_DIR": str(var_dir), "DATABASE_URL": "", "DEBUG": "false",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "ERROR"}  # fmt: skip
    if proposed:
        (OUT / "bench_proposed_settings.py").write_text(PROPOSED_SETTINGS)
        env["PYTHONPATH"] = f"{OUT}{os.pathsep}{env.get('PYTHONPATH', '')}"
        env["DJANGO_SETTINGS_MODULE"] = "bench_proposed_settings"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if gunicorn.exists():
        command = [str(gunicorn), "huitou.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
        name = f"gunicorn ({workers} sync workers)"
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        name = "runserver --noreload"
    if proposed:
        name += ", proposed settings (persistent connections, mmap)"
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, name
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


class Client:
    """A browser-like client: cookies, the login form with its CSRF token, plain GETs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read()

    def login(self, path: str, username: str, password: str) -> None:
        _status, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token.group(1).decode()})  # fmt: skip
        request = urllib.request.Request(self.base + path, data=form.encode(),
                                         headers={"Referer": self.base + path})  # fmt: skip
        with self.opener.open(request, timeout=60) as response:
            if "/login/" in response.url:
                raise RuntimeError(f"login as {username} failed")


@dataclass
class Timing:
    page: str
    scenario: str
    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    samples: list[float] = field(default_factory=list, repr=False)


def timed(client: Client, paths: Sequence[str]) -> list[float]:
    """Return the wall time of each request in milliseconds (whole body read)."""
    times = []
    for path in paths:
        started = time.perf_counter()
        status, _body = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    return times


def rejected_filters(manager: str, paths: Sequence[str]) -> int:
    """Return how many of these list URLs the list's filter form rejects, as the view builds it.

    A rejected form makes the view list without any filter, so such a figure is not the
    filtered query's; the report says so rather than passing it off as one.
    """
    from django.http import QueryDict

    from accounts.access import assignable_owners
    from accounts.models import User
    from customers.forms import CustomerFilterForm

    owners = assignable_owners(User.objects.get(username=manager))
    return sum(
        not CustomerFilterForm(QueryDict(path.split("?", 1)[1]), owners=owners).is_valid()
        for path in paths
    )


def summarise_times(page: str, scenario: str, times: Sequence[float]) -> Timing:
    values = np.array(times)
    return Timing(page, scenario, len(times), round(float(np.percentile(values, 50)), 1),
                  round(float(np.percentile(values, 95)), 1), round(float(values.max()), 1),
                  list(times))  # fmt: skip


def list_scenarios(manager: str, requests: int, rng: np.random.Generator) -> dict[str, list[str]]:
    """Return list-page URLs per scenario: mobile prefix, owner, last-purchase range, both."""
    from django.urls import reverse

    from accounts.access import team_member_ids
    from accounts.models import User
    from customers.models import Customer
    from sales.models import CustomerStats

    user = User.objects.get(username=manager)
    members = [pk for pk in team_member_ids(user) if pk != user.pk]
    url = reverse("customers:list")
    visible = Customer.objects.filter(owner_id__in=members)
    top = visible.order_by("-id").values_list("id", flat=True).first() or 1
    ids = rng.integers(1, top + 1, requests)
    mobiles = dict(visible.filter(pk__in=ids.tolist()).values_list("id", "mobile"))
    last = (
        CustomerStats.objects.order_by("-last_purchase_on")
        .values_list("last_purchase_on", flat=True)
        .first()
    )
    assert last is not None
    per = max(1, requests // 4)

    def date_range(k: int) -> tuple[str, str]:
        end = last - datetime.timedelta(days=int(rng.integers(0, 300)))
        return (end - datetime.timedelta(days=[7, 30, 90][k % 3])).isoformat(), end.isoformat()

    def query(**params: Any) -> str:
        return f"{url}?{urllib.parse.urlencode(params)}"

    prefixes = [m[: 4 + k % 4] for k, m in enumerate(mobiles.values())]
    scenarios = {
        "mobile prefix (4-7 digits)": [query(q=prefixes[k % len(prefixes)]) for k in range(per)],
        "owner": [query(owner=members[k % len(members)]) for k in range(per)],
        "last purchase range": [
            query(last_from=a, last_to=b) for a, b in (date_range(k) for k in range(per))
        ],
        "owner + last purchase range": [
            query(owner=members[k % len(members)], last_from=a, last_to=b)
            for k, (a, b) in enumerate(date_range(k) for k in range(per))
        ],
    }
    return scenarios


def detail_paths(manager: str, requests: int, rng: np.random.Generator) -> list[str]:
    """Return 360° page URLs of random customers the manager may see."""
    from django.urls import reverse

    from accounts.access import team_member_ids
    from accounts.models import User
    from customers.models import Customer

    user = User.objects.get(username=manager)
    visible = Customer.objects.filter(owner_id__in=team_member_ids(user))
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 1
    wanted = rng.integers(1, top + 1, requests * 3).tolist()
    found = set(visible.filter(pk__in=wanted).values_list("id", flat=True))
    ids = [pk for pk in wanted if pk in found][:requests]
    return [reverse("customers:detail", args=[pk]) for pk in ids]


def measure_pages(
    var_dir: Path, requests: int, workers: int, rng: np.random.Generator, proposed: bool = False
) -> tuple[str, list[Timing]]:
    """Start a server, log in as a manager and time the list and 360° pages."""
    from django.urls import reverse

    manager = "manager1"
    scenarios = list_scenarios(manager, requests, rng)
    details = detail_paths(manager, requests, rng)
    port = free_port()
    server, name = start_server(var_dir, port, workers, proposed)
    try:
        client = Client(f"http://127.0.0.1:{port}")
        client.login(reverse("accounts:login"), manager, PASSWORD)
        # Warm up: the first requests of each worker load templates and fill caches.
        timed(client, [reverse("customers:list")] * (2 * workers) + details[: 2 * workers])
        timings = []
        all_list: list[float] = []
        for scenario, paths in scenarios.items():
            times = timed(client, paths)
            all_list += times
            rejected = rejected_filters(manager, paths)
            label = f"{scenario} [FORM REJECTED {rejected}/{len(paths)}]" if rejected else scenario
            timings.append(summarise_times("list", label, times))
        timings.append(summarise_times("list", "all list requests", all_list))
        timings.append(summarise_times("detail", "360° page", timed(client, details)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return name, timings


def explain_list_queries(manager: str, rng: np.random.Generator) -> dict[str, list[dict[str, Any]]]:
    """Return, per list scenario, each SQL statement the page runs, its time and its plan.

    The filters are built directly (not through the form) so the plan is the filtered query's.
    """
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from customers.services import CustomerFilter, list_customers

    user = User.objects.get(username=manager)
    plans: dict[str, list[dict[str, Any]]] = {}
    for scenario, paths in list_scenarios(manager, 4, rng).items():
        params = dict(urllib.parse.parse_qsl(paths[0].split("?", 1)[1]))
        filters = CustomerFilter(
            query=params.get("q", ""),
            owner_id=int(params["owner"]) if "owner" in params else None,
            last_purchase_from=_date(params.get("last_from")),
            last_purchase_to=_date(params.get("last_to")),
        )
        customers, _matches = list_customers(user, filters, "name")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            list(Paginator(customers, 25).get_page(1))
            total = (time.perf_counter() - started) * 1000
        statements = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plan = [row[-1] for row in cursor.fetchall()]
            statements.append(
                {"sql": query["sql"][:400], "ms": float(query["time"]) * 1000, "plan": plan}
            )
        plans[f"{scenario} [{paths[0]}] {total:.0f} ms"] = statements
    return plans


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


# --- main -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import sqlite3

    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "os": platform.platform()}  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument(
        "--ingest",
        type=int,
        default=None,
        help="orders written through create_orders (default: 2%%, 1,000..200,000)",
    )
    parser.add_argument("--chunks", default="1000,10000", help="create_orders call sizes")
    parser.add_argument("--load-chunk", type=int, default=10_000,
                        help="orders per create_orders call while building")  # fmt: skip
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the list queries' plans")
    parser.add_argument("--pragmas", default="",
                        help='ingestion-only SQLite pragmas: "mmap_size=4294967296"')  # fmt: skip
    parser.add_argument("--proposed-settings", action="store_true",
                        help="serve pages with the proposed settings")  # fmt: skip
    parser.add_argument("--skip-ingest", action="store_true", help="reuse only: no ingestion")
    parser.add_argument("--no-analyze", action="store_true",
                        help="measure without the planner statistics (ANALYZE)")  # fmt: skip
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    var_dir = OUT / f"archive-{args.customers}-{args.orders}"
    database = var_dir / "huitou.sqlite3"
    if args.rebuild and var_dir.exists():
        shutil.rmtree(var_dir)
    fresh = not database.exists()
    configure_django(var_dir)
    rng = np.random.default_rng(args.seed)
    log(f"simulating {args.customers:,} customers, about {args.orders:,} orders (seed {args.seed})")
    sim = simulate(args.customers, args.orders, args.seed)
    log(f"  {sim.n_orders:,} orders; BG/NBD {sim.purchase}")
    ingest_count = (
        args.ingest if args.ingest is not None else min(200_000, max(1_000, sim.n_orders // 50))
    )
    chunks = [int(c) for c in args.chunks.split(",")]
    results: dict[str, Any] = {"machine": machine(), "customers": args.customers,
                               "orders": sim.n_orders, "seed": args.seed}  # fmt: skip
    results["pragmas"] = args.pragmas
    if fresh:
        log(f"building {database}")
        started = time.perf_counter()
        held, load = build(sim, args.customers, ingest_count, args.load_chunk, rng)
        results["load"] = asdict(load)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        if args.pragmas:
            apply_pragmas(args.pragmas)
        runs = ingest_held(sim, held, chunks)
    else:
        log(f"reusing {database} (--rebuild builds it again)")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)  # indexes added since the build
        if args.pragmas:
            apply_pragmas(args.pragmas)
        runs = [] if args.skip_ingest else ingest_again(sim, ingest_count, chunks)
    if args.no_analyze:
        forget_statistics()
    else:
        analyze()
    results["analyzed"] = not args.no_analyze
    results["ingestion"] = [asdict(run) for run in runs]
    for run in runs:
        log(
            f"ingestion: {run.orders:,} orders in chunks of {run.chunk:,}: {run.seconds:.2f}s = "
            f"{run.rate:,.0f} orders/s ({verdict(run.rate)}); {run.cpu_rate:,.0f} per CPU s"
        )
    log("fitting check (BG/NBD and Gamma-Gamma on 50,000 fresh simulated customers)")
    fit = fitting_check(sim, args.seed)
    results["fitting"] = fit
    for name, values in fit["parameters"].items():
        log(f"  {name:>6}: given {values['given']:10.4f}  fitted {values['fitted']:10.4f}")
    outcome = "passed" if fit["passed"] else "FAILED"
    log(f"  max relative error {fit['max_relative_error']:.3f}: {outcome}")
    if args.explain:
        for scenario, statements in explain_list_queries("manager1", rng).items():
            log(f"EXPLAIN {scenario}")
            for statement in statements:
                log(f"  {statement['ms']:7.1f} ms  {statement['sql'][:160]}")
                for line in statement["plan"]:
                    log(f"              {line}")
    if not args.skip_pages:
        server, timings = measure_pages(
            var_dir, args.requests, args.workers, rng, args.proposed_settings
        )
        results["server"] = server
        results["pages"] = [{k: v for k, v in asdict(t).items() if k != "samples"} for t in timings]
        log(f"pages through {server}, {args.requests} requests per page, logged in as manager1")
        for t in timings:
            target = PAGE_TARGETS_MS[t.page]
            mark = (
                ""
                if t.scenario != "all list requests" and t.page == "list"
                else (" ok" if t.p95_ms <= target else f" ABOVE TARGET ({target:.0f} ms)")
            )
            log(f"  {t.page:>6} {t.scenario:<30} n={t.count:<4} p50 {t.p50_ms:7.1f} ms  "
                f"p95 {t.p95_ms:7.1f} ms  max {t.max_ms:7.1f} ms{mark}")  # fmt: skip
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = OUT / f"results-{args.customers}-{args.orders}-{stamp}.json"
    report.write_text(json.dumps(results, indent=2, default=str))
    log(f"results written to {report.relative_to(ROOT)}")
    return 0


def ingest_held(sim: Simulation, held: np.ndarray, chunks: Sequence[int]) -> list[IngestRun]:
    """Ingest the held-back newest orders, a share with each chunk size; check the summaries."""
    numbers = [f"SIM-{p + 1:09d}" for p in held.tolist()]
    inputs = order_inputs(sim, held, numbers)
    runs = []
    parts = np.array_split(np.arange(len(inputs)), len(chunks))
    for chunk, part in zip(chunks, parts, strict=True):
        if part.size:
            runs.append(ingest(inputs[part[0] : part[-1] + 1], chunk))
    sample = [data.customer_id for data in inputs[:: max(1, len(inputs) // 2000)]]
    equal = check_summaries(sample)
    log(f"summaries of {len(set(sample)):,} ingested customers equal a rebuild: {equal}")
    return runs


def ingest_again(sim: Simulation, count: int, chunks: Sequence[int]) -> list[IngestRun]:
    """Re-measure the daily feed on a reused database: new orders, committed, then removed.

    The customers of the `count` newest orders buy again today, in the same order: each
    order is a new purchase day, after the customer's last, as a day of business brings.
    """
    positions = np.argsort(sim.day, kind="stable")[sim.n_orders - min(count, sim.n_orders) :]
    prefix = f"RERUN-{time.strftime('%Y%m%d%H%M%S')}-"
    numbers = [f"{prefix}{k:07d}" for k in range(positions.size)]
    today = datetime.date.today()
    inputs = [replace(data, ordered_on=today) for data in order_inputs(sim, positions, numbers)]
    parts = np.array_split(np.arange(len(inputs)), len(chunks))
    try:
        runs = [
            ingest(inputs[part[0] : part[-1] + 1], chunk)
            for chunk, part in zip(chunks, parts, strict=True)
            if part.size
        ]
        sample = [data.customer_id for data in inputs[:: max(1, len(inputs) // 2000)]]
        equal = check_summaries(sample)
        log(f"summaries of {len(set(sample)):,} ingested customers equal a rebuild: {equal}")
    finally:
        remove_orders(prefix, {data.customer_id for data in inputs})
    return runs


def remove_orders(prefix: str, customer_ids: set[int]) -> None:
    """Delete the orders numbered with the prefix and restore their customers' summaries."""
    from django.db import connection, transaction

    from sales.summary import refresh

    started = time.perf_counter()
    bounds = [prefix, prefix + "\uffff"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM sales_orderline WHERE order_id IN (SELECT id FROM sales_order "
            "WHERE number >= %s AND number < %s)",
            bounds,
        )
        cursor.execute("DELETE FROM sales_order WHERE number >= %s AND number < %s", bounds)
        refresh(customer_ids)
    log(f"  measurement orders removed again in {time.perf_counter() - started:.1f}s")


def apply_pragmas(pragmas: str) -> None:
    """Set SQLite pragmas on this process's connection (the ingestion), e.g. a bigger cache."""
    from django.db import connection

    with connection.cursor() as cursor:
        for pragma in filter(None, (p.strip() for p in pragmas.split(";"))):
            cursor.execute(f"PRAGMA {pragma}")
    log(f"pragmas for the ingestion connection: {pragmas}")


if __name__ == "__main__":
    sys.exit(main())
