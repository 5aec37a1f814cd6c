"""How far a running import or export is, kept in the queue's key-value store, not the database.

A commit holds one long write transaction; progress written to the database inside it
would not be visible to the page until the end (and SQLite would block the write outside
it). Huey's store is a separate SQLite file by default and Redis when REDIS_URL is set, so
every app process sees the same figures.
"""

import time
from typing import Any

from huey.contrib.djhuey import HUEY


def key(job_id: int, scope: str = "imports") -> str:
    """Return the store's key of one job; imports and exports number their jobs apart."""
    return f"{scope}:progress:{job_id}"


def report(job_id: int, phase: str, done: int, total: int, scope: str = "imports") -> None:
    """Record that the job has gone through `done` of `total` rows."""
    value = {"phase": phase, "done": done, "total": total, "at": time.time()}
    HUEY.put(key(job_id, scope), value)


def read(job_id: int, scope: str = "imports") -> dict[str, Any] | None:
    """Return the latest report for the job, or None when there is none."""
    value = HUEY.get(key(job_id, scope), peek=True)
    return value if isinstance(value, dict) else None


def clear(job_id: int, scope: str = "imports") -> None:
    """Forget the job's progress once its outcome is on the job itself."""
    HUEY.get(key(job_id, scope), peek=False)
