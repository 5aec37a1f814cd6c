"""Run every check and the whole test suite, on SQLite and on PostgreSQL.

Under CI=true a missing PostgreSQL or Chromium is a failure; on a developer's machine
without them the leg is skipped and said so.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
CHROMIUM = "/usr/bin/chromium"


def run(title: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Run one step; stop the whole run with its exit status when it fails."""
    print(f"\n=== {title}", flush=True)
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        print(f"=== FAILED: {title}", flush=True)
        sys.exit(result.returncode)


def postgres_reachable() -> bool:
    """Return whether something listens on the PostgreSQL port."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def main() -> None:
    """Run the checks, then the suite on each database."""
    manage = [str(BIN / "python"), "manage.py"]
    run("ruff", [str(BIN / "ruff"), "check", "."])
    run("ruff format", [str(BIN / "ruff"), "format", "--check", "."])
    run("import contracts", [str(BIN / "lint-imports")])
    run("mypy", [str(BIN / "mypy"), "."])
    run("migrations up to date", [*manage, "makemigrations", "--check", "--dry-run"])
    production = {
        "DEBUG": "false", "HTTPS": "true", "ALLOWED_HOSTS": "crm.example.com",
        "SECRET_KEY": "x" * 20 + "-production-check-" + "y" * 30,
    }  # fmt: skip
    run("deploy checks", [*manage, "check", "--deploy", "--fail-level", "WARNING"], production)

    browser = Path(CHROMIUM).exists()
    if not browser:
        if CI:
            sys.exit("Chromium is missing at /usr/bin/chromium; CI must run the browser tests.")
        print(
            "\n*** Chromium not found: the browser tests are SKIPPED (install Debian's chromium)."
        )
    marker = [] if browser else ["-m", "not browser"]
    # Two workers: the reference machine has two cores; one worker takes about twice as long.
    pytest = [str(BIN / "pytest"), "-q", "-n", "2", *marker]
    run("tests on SQLite", pytest, {"DATABASE_URL": ""})

    if postgres_reachable():
        run("tests on PostgreSQL", pytest, {"DATABASE_URL": POSTGRES_URL})
    elif CI:
        sys.exit("PostgreSQL is not reachable at 127.0.0.1:5432; CI must run the PostgreSQL leg.")
    else:
        print("\n*** PostgreSQL not reachable at 127.0.0.1:5432: the PostgreSQL leg was SKIPPED.")
    print("\nAll checks passed.")


if __name__ == "__main__":
    main()
