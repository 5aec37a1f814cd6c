"""Campaign benchmark: prepare a campaign (snapshot, holdout, caps, queued sends) and read
its return report.

Builds its own database with N customers (valid mobiles; one in twenty opted out of SMS;
each with one paid order and its purchase summary: by default 10 % in the campaign's 30-day
window, 10 % in the two months after it, the rest in the year before it), then:

1. `--send`: a campaign to every customer (a segment with no conditions, read by an admin)
   is prepared by `engagement.campaigns.prepare`: the recipients drawn with a 10 % holdout
   and every treated customer's SMS decided and queued through `send_many` (target for
   200,000 customers: ≤ 30 s);
2. the report (`engagement.campaign_report.campaign_report`) over the campaign's recipients
   (target for 1,000,000 customers: ≤ 2 s). Without `--send` the recipients are inserted
   directly with the campaign's own draw, so that the report can be measured at a size whose
   sending would take minutes.

    .venv/bin/python benchmarks/bench_campaign.py --customers 200000 --send
    .venv/bin/python benchmarks/bench_campaign.py --customers 1000000
    .venv/bin/python benchmarks/bench_campaign.py --customers 1000000 \
        --database-url postgres://postgres@127.0.0.1/h_campaign
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

from bench_archive import log

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEND_ON = datetime.date(2026, 3, 10)
ROWS = 100_000


def configure(var_dir: Path, database_url: str) -> None:
    """Set Django up on the benchmark's SQLite file, or on the PostgreSQL database given."""
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["HUITOU_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "huitou.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def build(customers: int, window_share: float) -> None:
    """Create the schema, an admin, the customers, opt-outs and the window's orders."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from core.bulk import insert_columns
    from core.channels import Channel
    from customers.models import Consent, Customer
    from sales.models import CustomerStats, Order

    call_command("migrate", verbosity=0)
    admin = User.objects.create(username="admin", role=Role.ADMIN)
    now = timezone.now()
    rng = random.Random(2026)
    for start in range(1, customers + 1, ROWS):
        ids = list(range(start, min(start + ROWS, customers + 1)))
        with transaction.atomic():
            insert_columns(Customer, ["id", "name", "mobile", "mobile_reversed", "owner_id",
                                      "created_at", "updated_at"], [
                ids, [f"客户{n}" for n in ids], [f"138{n:08d}" for n in ids],
                [f"138{n:08d}"[::-1] for n in ids], [admin.pk] * len(ids),
                [now] * len(ids), [now] * len(ids),
            ])  # fmt: skip
            opted = [n for n in ids if n % 20 == 0]
            insert_columns(Consent, ["customer_id", "channel", "granted", "source"],
                           [opted, [Channel.SMS] * len(opted), [False] * len(opted),
                            ["benchmark"] * len(opted)])  # fmt: skip
            # A share buy in the window, as many only after it (candidates by their summary
            # that bought nothing in it), the others only before it.
            days = [_purchase_day(rng, window_share) for _ in ids]
            amounts = [f"{rng.randrange(2_000, 90_000) / 100:.2f}" for _ in ids]
            insert_columns(Order, ["number", "customer_id", "ordered_on", "status", "amount",
                                   "created_at"], [
                [f"SO-{n}" for n in ids], ids, days, ["paid"] * len(ids), amounts,
                [now] * len(ids),
            ])  # fmt: skip
            insert_columns(CustomerStats, ["customer_id", "owner_id", "first_purchase_on",
                                           "last_purchase_on", "purchase_days", "orders_count",
                                           "total_spend"], [
                ids, [admin.pk] * len(ids), days, days, [1] * len(ids), [1] * len(ids), amounts,
            ])  # fmt: skip
    _analyze()


def _purchase_day(rng: random.Random, window_share: float) -> datetime.date:
    draw = rng.random()
    if draw < window_share:
        offset = rng.randrange(30)
    elif draw < 2 * window_share:
        offset = 30 + rng.randrange(60)
    else:
        offset = -1 - rng.randrange(300)
    return SEND_ON + datetime.timedelta(days=offset)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def campaign(admin: object) -> object:
    from engagement import campaigns

    segment = campaigns.save_segment(admin, None, "Everyone", {})  # type: ignore[arg-type]
    return campaigns.create_campaign(admin, {  # type: ignore[arg-type]
        "name": f"Benchmark {time.time():.0f}", "segment": segment, "channel": "sms",
        "text": "{name}，春季新品到店", "send_on": SEND_ON, "seed": 7,
    })  # fmt: skip


def prepare(customers: int) -> object:
    """Time preparing a campaign to every customer; return it."""
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from engagement import campaigns
    from engagement.models import Message, Recipient

    settings.CAMPAIGN_APPROVAL_SIZE = customers + 1
    forget_earlier_runs()
    admin = User.objects.get(username="admin")
    chosen = campaign(admin)
    campaigns.request_send(admin, chosen, SEND_ON)  # type: ignore[arg-type]
    cpu, started = time.process_time(), time.perf_counter()
    recorded = campaigns.prepare(chosen.pk, today=SEND_ON)  # type: ignore[attr-defined]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    recipients = Recipient.objects.filter(campaign=chosen).count()
    queued = Message.objects.filter(cause_id=chosen.pk, status="queued").count()  # type: ignore[attr-defined]
    log(f"prepared ({connection.vendor}): {recipients:,} recipients, {recorded:,} sends "
        f"decided, {queued:,} queued, in {wall:.1f} s (CPU {cpu:.1f} s); target 30 s at "
        "200,000")  # fmt: skip
    return chosen


def forget_earlier_runs() -> None:
    """Delete earlier runs' campaigns and messages: their sends would hold this run's keys."""
    from django.db import connection

    from engagement.models import Campaign, Message, Recipient, Segment

    for model in (Recipient, Message, Campaign, Segment):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def inserted_recipients(customers: int) -> object:
    """Insert a campaign's recipients with its own draw, without sending; return it."""
    import numpy as np
    from django.db import transaction

    from accounts.models import User
    from core.bulk import insert_columns
    from engagement import campaigns
    from engagement.models import CampaignStatus, Recipient

    chosen = campaign(User.objects.get(username="admin"))
    ids = np.arange(1, customers + 1, dtype=np.int64)
    groups = campaigns.draw_groups(ids, ["x"] * customers, 10, seed=7)
    with transaction.atomic():
        for start in range(0, customers, ROWS):
            part = slice(start, start + ROWS)
            count = len(groups[part])
            insert_columns(Recipient, ["campaign_id", "customer_id", "group", "stratum"], [
                [chosen.pk] * count, ids[part].tolist(), groups[part], ["x"] * count,  # type: ignore[attr-defined]
            ])  # fmt: skip
    type(chosen).objects.filter(pk=chosen.pk).update(status=CampaignStatus.SENT)  # type: ignore[attr-defined]
    _analyze()
    return chosen


def report(chosen: object, repeats: int) -> None:
    from django.db import connection

    from engagement.campaign_report import campaign_report

    times, cpus = [], []
    for _ in range(repeats):
        cpu, started = time.process_time(), time.perf_counter()
        figures = campaign_report(chosen)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    log(f"report ({connection.vendor}): treated {figures.treated.size:,} / control "
        f"{figures.control.size:,} customers, {figures.treated.buyers + figures.control.buyers:,} "
        f"buyers; report and chart in {min(times):.2f} s best, {max(times):.2f} s worst of "
        f"{repeats} (CPU {min(cpus):.2f} s best); target 2 s at 1,000,000")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--send", action="store_true", help="prepare and send, then report")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--window-share",
        type=float,
        default=0.1,
        help="share of customers who buy in the window (as many buy after it)",
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--var-dir", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    name = f"campaign-{args.customers}-{args.window_share}"
    var_dir = args.var_dir or ROOT / "benchmarks" / "out" / name
    if args.rebuild and var_dir.exists():
        shutil.rmtree(var_dir)
    fresh = not (var_dir / "built").exists()
    configure(var_dir, args.database_url)
    if fresh:
        started = time.perf_counter()
        build(args.customers, args.window_share)
        (var_dir / "built").touch()
        log(f"built {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    chosen = prepare(args.customers) if args.send else inserted_recipients(args.customers)
    report(chosen, args.repeats)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"peak memory {peak:,.0f} MiB; load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
