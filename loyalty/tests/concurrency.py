"""Concurrent writers on both databases: real threads, each with its own connection.

pytest-django keeps the SQLite test database in shared-cache memory, where a second writer
fails at once with "table is locked"; the app runs SQLite on a file, where IMMEDIATE
transactions wait for the write lock. `on_a_file` moves a test's database to a file for
the length of a block, so SQLite is tested the way it runs.
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection


@contextmanager
def on_a_file(directory: Path) -> Iterator[None]:
    """Run the block (and the threads it starts) on a file copy of the SQLite test database;
    afterwards the in-memory one is back, as it was. On PostgreSQL: as it is."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    name = connection.settings_dict["NAME"]
    path = directory / "concurrent.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    # The settings dict is shared with every thread's new connection.
    connection.settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in as many threads, released together; return each result
    (or the exception it raised), in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
