"""Benchmark the morning run (engagement.morning.run_morning) on a 1,000,000-customer base.

Works on a fresh copy of the base bench_today.py builds (customers with birthdays and valid
mobiles, a scoring run with tiers and warnings, follow-ups and contacts; never on that base
itself), and measures, each step's time as the run reports it:

1. an ordinary day: the day's birthday greetings, the cadences' first plan over the whole base,
   and every rep's Today recorded (target <= 60 s on SQLite);
2. the same day again, which must change nothing (the rows of messages, follow-ups, Today
   lines and outbox events are counted before and after);
3. the next day, the steady state: one day's birthdays and the cadences' new follow-ups;
4. with --festival, Spring Festival: the greeting goes by SMS to every customer in its
   audience (all customers by default), a million messages through the bulk send path; then
   Spring Festival again, which must change nothing either. --festival-only skips 1-3.

    .venv/bin/python benchmarks/bench_today.py --customers 1000000    # builds the base once
    .venv/bin/python benchmarks/bench_morning.py [--customers 1000000] [--festival]

On PostgreSQL, --database-url names the database bench_today.py built the base in
(`bench_today.py --database-url ...`); the runs go on a copy of it, the database named
with "_morning" added, made from it as a template (dropped first if it is there).

Figures are printed and written as JSON to benchmarks/out/morning-results-*.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_archive as archive
import bench_today

OUT = archive.OUT
ROOT = archive.ROOT
TARGET_SECONDS = 60.0
ORDINARY_DAY = datetime.date(2026, 12, 8)  # a Tuesday with no festival near
SPRING_FESTIVAL_2027 = datetime.date(2027, 2, 6)


def fresh_copy(base: Path, target: Path) -> None:
    """Copy the base's database (and its secret key) to the target directory."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("huitou.sqlite3", "secret_key"):
        if (base / name).exists():
            shutil.copy2(base / name, target / name)


def fresh_database(base_url: str) -> str:
    """Copy the base's PostgreSQL database (as a template) to a new one; return its URL."""
    import psycopg

    parts = urlsplit(base_url)
    base, copy = parts.path.lstrip("/"), parts.path.lstrip("/") + "_morning"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        connection.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{base}"')
    return urlunsplit(parts._replace(path=f"/{copy}"))


def counts() -> dict[str, int]:
    """Return the rows a morning run writes, table by table."""
    from core.models import OutboxEvent
    from engagement.models import Message, TodayLine
    from interactions.models import FollowUp

    return {
        "messages": Message.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "today_lines": TodayLine.objects.count(),
        "outbox_rows": OutboxEvent.objects.count(),
    }


def cpu_seconds() -> float:
    """Return the CPU time of this process and, on PostgreSQL, of its server process: on a
    shared machine the wall time says more about the others' load than about the run."""
    from django.db import connection

    spent = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        spent += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return spent


def timed_run(day: datetime.date, label: str) -> dict[str, Any]:
    """Run the morning run for the day and return its report, wall and CPU time."""
    from engagement.morning import run_morning

    before = counts()
    cpu = cpu_seconds()
    started = time.perf_counter()
    report = run_morning(day)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    after = counts()
    result = {
        "label": label, "day": day.isoformat(), "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "steps": {k: round(v, 2) for k, v in report.seconds.items()},
        "greetings": report.greetings, "follow_ups": report.follow_ups,
        "today_lines": report.today_lines,
        "rows_added": {k: after[k] - before[k] for k in after},
        "load_average": os.getloadavg()[0],
    }  # fmt: skip
    mark = "ok" if seconds <= TARGET_SECONDS else f"ABOVE TARGET ({TARGET_SECONDS:.0f} s)"
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    archive.log(
        f"{label:<28} {seconds:6.1f} s, CPU {cpu:.1f} s, load {result['load_average']:.1f} "
        f"({steps}); {report.greetings:,} greetings, "
        f"{report.follow_ups:,} follow-ups, {report.today_lines:,} Today lines; rows added "
        f"{result['rows_added']}  {mark}"
    )
    return result


def unchanged(run: dict[str, Any]) -> bool:
    """Return whether the run added no row of any kind (and say so)."""
    nothing = all(v == 0 for v in run["rows_added"].values())
    archive.log(f"{run['label']}: changed nothing: {nothing}")
    return nothing


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--festival", action="store_true", help="also run Spring Festival")
    parser.add_argument("--festival-only", action="store_true",
                        help="run Spring Festival (twice) only")  # fmt: skip
    parser.add_argument("--database-url", default="", help="the PostgreSQL base's database")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    base = OUT / f"today-{engine}-{args.customers}"
    if not (base / "built.json").exists():
        sys.exit(f"No base in {base}: run bench_today.py --customers {args.customers} first.")
    var_dir = OUT / f"morning-{engine}-{args.customers}"
    fresh_copy(base, var_dir)
    bench_today.configure(var_dir, fresh_database(args.database_url) if args.database_url else "")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    results: dict[str, Any] = {
        "machine": archive.machine(), "engine": engine, "customers": args.customers,
    }  # fmt: skip
    runs = []
    if not args.festival_only:
        runs += [
            timed_run(ORDINARY_DAY, "ordinary day, first run"),
            timed_run(ORDINARY_DAY, "same day again"),
            timed_run(ORDINARY_DAY + datetime.timedelta(days=1), "next day (steady state)"),
        ]
        results["second_run_changed_nothing"] = unchanged(runs[1])
    if args.festival or args.festival_only:
        runs += [
            timed_run(SPRING_FESTIVAL_2027, "Spring Festival"),
            timed_run(SPRING_FESTIVAL_2027, "Spring Festival again"),
        ]
        results["festival_again_changed_nothing"] = unchanged(runs[-1])
    results["runs"] = runs
    report = (
        OUT / f"morning-results-{engine}-{args.customers}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    report.write_text(json.dumps(results, indent=2, default=str))
    archive.log(f"results written to {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
