"""Benchmark browsing while a long import commits, on SQLite with the app's own settings.

Twenty signed-in users read pages through gunicorn (2 processes x 10 threads) while one
200,000-row order import checks and commits in another process. Issue 10 asked for no
errors (a page read must not write; a write that must wait answers 503 "busy" within the
busy timeout) and the p95 of the reads. Every request's status and time is recorded; one
sign-in per user every 25 requests adds the writes a working office makes.

    .venv/bin/python benchmarks/bench_busy.py [--orders 200000] [--users 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

from bench_imports import write_orders  # the same orders file the import benchmark reads

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"
PORT = 8765

SETUP = """
from accounts.models import Role, User
from customers.models import Customer
from customers.services import bulk_create_customers
from sales.models import Product
Product.objects.create(sku="CD-ROCK", name="Rock CD", list_price=15)
User.objects.create_user("boss", password="{password}", role=Role.ADMIN)
reps = [User.objects.create_user(f"rep{{n}}", password="{password}", role=Role.REP)
        for n in range({users})]
bulk_create_customers(None, [
    Customer(name=f"Customer {{n}}", external_id=f"C-{{n:07d}}", owner=reps[n % len(reps)])
    for n in range({customers})
])
"""


class Browser:
    """One user's cookies; GETs and the login form, each timed, never raising on a status."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def login(self, username: str) -> int:
        _status, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, "no CSRF token on the login page"
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1).decode()})  # fmt: skip
        url = self.base + "/accounts/login/"
        request = urllib.request.Request(url, data=form.encode(), headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status if "/login/" not in response.url else 401
        except urllib.error.HTTPError as error:
            return error.code


def browse(
    user: str, browser: Browser, stop: threading.Event, log: list[tuple[str, int, float]]
) -> None:
    """Read the list, a customer page and the follow-ups until told to stop."""
    pages = ["/customers/", "/customers/?q=Customer%201", "/interactions/follow-ups/"]
    _status, body = browser.get("/customers/")
    first = re.search(rb'href="/customers/(\d+)/"', body)
    if first:
        pages.append(f"/customers/{first.group(1).decode()}/")
    count = 0
    while not stop.is_set():
        path = pages[count % len(pages)]
        started = time.perf_counter()
        if count % 25 == 24:
            status, kind = browser.login(user), "login"
        else:
            status, kind = browser.get(path)[0], "read"
        log.append((kind, status, (time.perf_counter() - started) * 1000))
        count += 1


def wait_for_port(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def percentile(values: list[float], share: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(share) - 1], 1) if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        # No DATABASE_URL: the app's own SQLite settings (WAL, IMMEDIATE, busy timeout).
        env = {**os.environ, "HUITOU_VAR_DIR": str(home), "DATABASE_URL": "", "DEBUG": "false",
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}  # fmt: skip
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        setup = SETUP.format(users=args.users, customers=args.customers, password=PASSWORD)
        subprocess.run([*manage, "shell", "-c", setup], env=env, cwd=ROOT, check=True)
        orders_csv = home / "orders.csv"
        write_orders(orders_csv, args.orders, args.customers)

        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(
            [str(gunicorn), "huitou.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", "2", "--threads", "10", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            wait_for_port(PORT)
            users = [f"rep{n}" for n in range(args.users)]
            browsers = [Browser(f"http://127.0.0.1:{PORT}") for _ in users]
            for user, browser in zip(users, browsers, strict=True):
                assert browser.login(user) == 200, f"could not sign in as {user}"
            log: list[tuple[str, int, float]] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=browse, args=(user, browser, stop, log))
                for user, browser in zip(users, browsers, strict=True)
            ]
            for thread in threads:
                thread.start()
            started = time.perf_counter()
            done = subprocess.run(
                [*manage, "import_orders", str(orders_csv), "--user", "boss", "--format", "json"],
                env=env, cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            import_s = time.perf_counter() - started
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait()
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-3000:])
    result = json.loads(done.stdout)
    reads = [ms for kind, status, ms in log if kind == "read" and status == 200]
    statuses = Counter(f"{kind} {status}" for kind, status, _ms in log)
    errors = sum(n for key, n in statuses.items() if not key.endswith((" 200", " 503")))
    report = {
        "orders": args.orders, "users": args.users, "import_s": round(import_s, 1),
        "committed": result.get("committed"), "requests": len(log), "statuses": dict(statuses),
        "errors": errors, "busy_503": sum(n for k, n in statuses.items() if k.endswith(" 503")),
        "read_p50_ms": percentile(reads, 50), "read_p95_ms": percentile(reads, 95),
        "read_max_ms": round(max(reads), 1) if reads else 0.0,
        "load_average": os.getloadavg(),
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
