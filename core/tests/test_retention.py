"""Stored API answers are pruned after IDEMPOTENCY_RETENTION_DAYS (issue 10, item 29)."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from core import tasks
from core.idempotency import prune_answers
from core.models import IdempotencyKey


@pytest.fixture
def queue(tmp_path: Path) -> Any:
    """The app's Huey queue on a SQLite file of this test's own (its locks live there)."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    original = HUEY.storage
    HUEY.storage = SqliteStorage(name="huitou", filename=str(tmp_path / "huey.sqlite3"))
    yield HUEY
    HUEY.storage = original


def answer(user: Any, key: str, age: datetime.timedelta) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        user=user, key=key, endpoint="/api/v1/customers", request_hash="0" * 64,
        status_code=201, response={"name": "Wang Fang"}, created_at=timezone.now() - age,
    )  # fmt: skip


def test_answers_older_than_the_retention_are_deleted(rep, settings):
    settings.IDEMPOTENCY_RETENTION_DAYS = 7
    answer(rep, "old", datetime.timedelta(days=7, minutes=1))
    kept = answer(rep, "recent", datetime.timedelta(days=6, hours=23))
    assert prune_answers() == 1
    assert list(IdempotencyKey.objects.all()) == [kept]


def test_the_setting_decides(rep, settings):
    settings.IDEMPOTENCY_RETENTION_DAYS = 1
    answer(rep, "two days", datetime.timedelta(days=2))
    assert prune_answers() == 1


def test_a_nightly_job_prunes(rep, settings, queue):
    settings.IDEMPOTENCY_RETENTION_DAYS = 7
    answer(rep, "old", datetime.timedelta(days=30))
    nightly = datetime.datetime(2026, 5, 1, 3, 40)
    assert tasks.prune_idempotency_answers.s().validate_datetime(nightly)
    assert tasks.prune_idempotency_answers.call_local() == 1
    assert not IdempotencyKey.objects.exists()
