"""A worker killed in the middle of delivering an event: the event is delivered once in effect."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# The subscriber's effect is a follow-on event: a database write in its own transaction.
SUBSCRIBE = """
import os, signal
from core import events
from core.actors import Actor

def effect(event):
    events.emit("test.effect", Actor.of_job("test"), subject_id=event.id)
    if os.environ.get("DIE_MID_DELIVERY"):
        os.kill(os.getpid(), signal.SIGKILL)

events.subscribe("test.happened", "test.effect_writer", effect)
"""


def database_url(tmp_path: Path) -> str:
    """Return a database the child processes share with this test."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


def run(tmp_path: Path, url: str, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ, "DATABASE_URL": url, "HUITOU_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "huitou.settings", **env,
    }  # fmt: skip
    environment.pop("REDIS_URL", None)
    command = [sys.executable, str(ROOT / "manage.py"), *(["shell", "-c", code] if code else [])]
    if not code:
        command.append("migrate")
    return subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_delivery_is_redone_once(tmp_path: Path, settings: Any) -> None:
    url = database_url(tmp_path)
    if connection.vendor == "sqlite":
        assert run(tmp_path, url, "").returncode == 0
    emitted = run(
        tmp_path, url,
        "from core import events; from core.actors import Actor; "
        "events.emit('test.happened', Actor.of_job('test'), customer_id=1)",
    )  # fmt: skip
    assert emitted.returncode == 0, emitted.stderr

    killed = run(tmp_path, url, SUBSCRIBE + "events.deliver_pending()", DIE_MID_DELIVERY="1")
    assert killed.returncode == -9, killed.stderr

    redone = run(
        tmp_path, url,
        SUBSCRIBE + "events.deliver_pending()\n"
        "from core.models import OutboxEvent, EventDelivery\n"
        "print(OutboxEvent.objects.filter(kind='test.effect').count(),"
        " EventDelivery.objects.count(),"
        " OutboxEvent.objects.filter(kind='test.happened', dispatched_at__isnull=False).count())",
    )  # fmt: skip
    assert redone.returncode == 0, redone.stderr
    effects, receipts, dispatched = redone.stdout.split()[-3:]
    assert (effects, receipts, dispatched) == ("1", "1", "1")
