"""Priority purchase and referral rewards at scale (SQLite, a fresh file each run).

Builds N customers, each with a reservation of one limited product (a tenth as many units as
reservations, tiers spread over three ranks), and N/2 referrals whose referred customer has a
paid order past the refund window; then times the one allocation and the nightly reward run.

    .venv/bin/python benchmarks/bench_priority.py --customers 100000
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
import time
from pathlib import Path

from bench_archive import configure_django, log

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(customers: int) -> int:
    """Create the schema, the customers, their reservations, referrals and orders; return the
    limited product's id."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from core.bulk import insert_columns
    from customers.models import Customer
    from loyalty.models import LimitedProduct, Referral, Reservation
    from sales.models import Order, Product

    call_command("migrate", verbosity=0)
    rep = User.objects.create(username="rep", role=Role.REP)
    now = timezone.now()
    ids = list(range(1, customers + 1))
    with transaction.atomic():
        insert_columns(Customer, ["id", "name", "mobile", "mobile_reversed", "owner_id",
                                  "created_at", "updated_at"], [
            ids, [f"客户{n}" for n in ids], [f"138{n:08d}" for n in ids],
            [f"138{n:08d}"[::-1] for n in ids], [rep.pk] * customers, [now] * customers,
            [now] * customers,
        ])  # fmt: skip
        product = Product.objects.create(sku="LTD", name="Limited", list_price=100)
        limited = LimitedProduct.objects.create(
            product=product, quantity=customers // 10, requested=customers,
            sale_starts_at=now - datetime.timedelta(days=2),
            closes_at=now - datetime.timedelta(days=1),
        )  # fmt: skip
        insert_columns(Reservation, ["limited_id", "customer_id", "quantity", "tier",
                                     "tier_rank", "reserved_at", "status", "allocated"], [
            [limited.pk] * customers, ids, [1] * customers,
            [("", "gold", "plat")[n % 3] for n in ids], [n % 3 for n in ids],
            [now - datetime.timedelta(seconds=n) for n in ids], ["waiting"] * customers,
            [0] * customers,
        ])  # fmt: skip
        pairs = [(n, n + 1) for n in range(1, customers, 2)]
        insert_columns(Referral, ["referrer_id", "referred_id", "code", "created_at", "status",
                                  "reward_kind", "reward_amount"], [
            [a for a, _b in pairs], [b for _a, b in pairs], ["X"] * len(pairs),
            [now] * len(pairs), ["pending"] * len(pairs), [""] * len(pairs), [0] * len(pairs),
        ])  # fmt: skip
        day = timezone.localdate() - datetime.timedelta(days=30)
        insert_columns(Order, ["number", "customer_id", "ordered_on", "status", "channel",
                               "amount", "created_at"], [
            [f"SO{b}" for _a, b in pairs], [b for _a, b in pairs], [day] * len(pairs),
            ["paid"] * len(pairs), [""] * len(pairs), [100] * len(pairs), [now] * len(pairs),
        ])  # fmt: skip
    return limited.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--var-dir", type=Path, default=ROOT / "benchmarks" / "out" / "priority")
    args = parser.parse_args()
    if args.var_dir.exists():
        shutil.rmtree(args.var_dir)
    configure_django(args.var_dir)
    started = time.perf_counter()
    limited_id = build(args.customers)
    log(f"built {args.customers:,} customers and reservations in "
        f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    from django.conf import settings

    from loyalty import priority, referrals

    started = time.perf_counter()
    outcome = priority.allocate(limited_id)
    log(f"allocation of {args.customers:,} reservations: {time.perf_counter() - started:.1f} s "
        f"({outcome})")  # fmt: skip
    settings.REFERRAL_MONTHLY_CAP = 0
    started = time.perf_counter()
    run = referrals.issue_due_rewards()
    log(f"reward run over {args.customers // 2:,} qualifying referrals: "
        f"{time.perf_counter() - started:.1f} s ({run})")  # fmt: skip
    started = time.perf_counter()
    again = referrals.issue_due_rewards()
    log(f"reward run again (nothing pending): {time.perf_counter() - started:.2f} s ({again})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
