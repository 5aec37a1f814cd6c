"""Run manage.py in a child process against its own file-based SQLite database and queue."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class Child:
    """A separate Huitou installation: var directory, database file, Huey file."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.var = home / "var"
        self.var.mkdir(parents=True, exist_ok=True)
        self.db = home / "db.sqlite3"
        self.env = {
            **os.environ,
            "HUITOU_VAR_DIR": str(self.var),
            "DATABASE_URL": f"sqlite:///{self.db}",
            "DJANGO_SETTINGS_MODULE": "huitou.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("REDIS_URL", None)

    def copy_from(self, template: "Child") -> "Child":
        shutil.copy(template.db, self.db)
        return self

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *args]

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def shell(self, code: str) -> str:
        done = self.manage("shell", "-c", code)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            return connection.execute(sql).fetchall()
