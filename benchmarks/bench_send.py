"""Bulk send benchmark (SQLite): a festival greeting to every customer through send_many.

Builds its own SQLite file with N customers (valid mobiles; a share with an email, an
opt-out, an earlier care message this month, or a Berlin time zone), then times
`engagement.services.send_many` for one SMS each, as the morning run will, and once more
(the second run finds every key and sends nothing).

    .venv/bin/python benchmarks/bench_send.py --customers 300000
"""

from __future__ import annotations

import argparse
import datetime
import gc
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from bench_archive import configure_django, log

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(customers: int) -> None:
    """Create the schema, a rep, the customers and some consents and earlier messages."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from core.bulk import insert_columns
    from core.channels import Channel
    from customers.models import Consent, Customer
    from engagement.models import Message, MessageTemplate, Purpose

    call_command("migrate", verbosity=0)
    rep = User.objects.create(username="rep", role=Role.REP)
    now = timezone.now()
    ids = list(range(1, customers + 1))
    with transaction.atomic():
        insert_columns(Customer, ["id", "name", "mobile", "mobile_reversed", "email", "time_zone",
                                  "owner_id", "created_at", "updated_at"], [
            ids, [f"客户{n}" for n in ids], [f"138{n:08d}" for n in ids],
            [f"138{n:08d}"[::-1] for n in ids],
            [f"c{n}@example.com" if n % 3 == 0 else "" for n in ids],
            ["Europe/Berlin" if n % 50 == 0 else "" for n in ids],
            [rep.pk] * customers, [now] * customers, [now] * customers,
        ])  # fmt: skip
        opted = [n for n in ids if n % 20 == 0]
        insert_columns(Consent, ["customer_id", "channel", "granted", "source"],
                       [opted, [Channel.SMS] * len(opted), [False] * len(opted),
                        ["benchmark"] * len(opted)])  # fmt: skip
        earlier = [n for n in ids if n % 10 == 1]
        day = (now - datetime.timedelta(days=3)).date()
        insert_columns(Message, ["customer_id", "channel", "purpose", "occasion_date", "text",
                                 "status", "created_at", "scheduled_for"],
                       [earlier, [Channel.SMS] * len(earlier), [Purpose.CARE] * len(earlier),
                        [day] * len(earlier), ["Earlier"] * len(earlier),
                        ["sent"] * len(earlier), [now] * len(earlier),
                        [now - datetime.timedelta(days=3)] * len(earlier)])  # fmt: skip
        MessageTemplate.objects.create(
            code="spring_festival", channel=Channel.SMS, body="{name}，新春快乐！"
        )


def run(label: str, chunk: int) -> dict[str, float]:
    """Load the customers, time send_many for one SMS each; return the figures."""
    from core.channels import Channel
    from customers.models import Customer
    from engagement import services
    from engagement.models import Message, Purpose

    started = time.perf_counter()
    customers = list(Customer.objects.all())
    loaded = time.perf_counter() - started
    requests = [
        services.SendRequest(c, Channel.SMS, Purpose.CARE, template_code="spring_festival")
        for c in customers
    ]
    before = Message.objects.count()
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    messages = services.send_many(None, requests, chunk=chunk)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    written = Message.objects.count() - before
    statuses: dict[str, int] = {}
    for message in messages:
        statuses[message.status] = statuses.get(message.status, 0) + 1
    log(
        f"{label}: {len(requests):,} requests, {written:,} new messages in {wall:.1f} s "
        f"(CPU {cpu:.1f} s): {len(requests) / wall:,.0f} requests/s; loading the customers "
        f"{loaded:.1f} s; statuses {statuses}; SQLite {sqlite3.sqlite_version}"
    )
    return {"wall": wall, "cpu": cpu, "requests": len(requests), "written": written}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--var-dir", type=Path, default=ROOT / "benchmarks" / "out" / "send")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and args.var_dir.exists():
        shutil.rmtree(args.var_dir)
    fresh = not args.var_dir.exists()
    configure_django(args.var_dir)
    if fresh:
        started = time.perf_counter()
        build(args.customers)
        log(f"built {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    else:
        log("database exists: run with --rebuild for a fresh one")
    run("first run", args.chunk)
    run("second run (every key exists)", args.chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"peak memory {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
