"""Run pure computation in a forked process while this one writes to the database.

The nightly run spends about 7 s inserting a million scores and as long again on warning
rules and dashboard aggregates, which need only the arrays already in memory. Python holds
one core at a time (a thread doing either one stalls the other: SQLite's insert releases the
GIL for a few microseconds per row, and the two threads then queue for it), so the pure part
goes to a child process. A forked child inherits the arrays without copying or pickling them
and sends back only its small result. It must not touch the database: a database connection
must not be used across fork(). Where fork is not available the work runs inline.
"""

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class AsideError(RuntimeError):
    """Raised in the parent when the computation failed in the child."""


def compute_aside(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Callable[[], R]:
    """Start function(*args, **kwargs) in a forked child; return a call that waits for it."""
    if "fork" not in multiprocessing.get_all_start_methods():
        result = function(*args, **kwargs)
        return lambda: result
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_result, args=(sender, function, args, kwargs), daemon=True)
    child.start()
    sender.close()

    def wait() -> R:
        try:
            succeeded, value = receiver.recv()
        except EOFError:
            succeeded, value = False, "the process computing it exited without an answer"
        finally:
            receiver.close()
            child.join()
        if not succeeded:
            raise AsideError(value)
        answer: R = value
        return answer

    return wait


def _send_result(
    sender: Connection, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    try:
        sender.send((True, function(*args, **kwargs)))
    except BaseException:  # the parent re-raises it with the child's traceback
        sender.send((False, traceback.format_exc()))
    finally:
        sender.close()
