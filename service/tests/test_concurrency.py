"""Tickets opened at the same moment on PostgreSQL: distinct numbers, and routing that sees
each of them (the candidates are locked while one is routed)."""

import threading
from typing import Any

import pytest
from django.db import connection, connections

from service.models import Ticket

from .conftest import make_agent
from .test_workflow import open_complaint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer"),
]


@pytest.mark.parametrize("strategy", ["least_loaded", "round_robin"])
def test_tickets_opened_at_once_get_distinct_numbers_and_even_routing(
    settings: Any, strategy: str, agent: Any, rep: Any, make_customer: Any
) -> None:
    settings.SERVICE_ROUTING = strategy
    make_agent("one")
    make_agent("two")
    customers = [make_customer(rep) for _ in range(6)]
    start = threading.Barrier(len(customers))
    failures: list[BaseException] = []

    def open_one(customer: Any) -> None:
        try:
            start.wait()
            open_complaint(agent, customer)
        except BaseException as error:  # reported to the test below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_one, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 6
    owners = sorted(Ticket.objects.values_list("assignee__username", flat=True))
    assert owners == ["one"] * 3 + ["two"] * 3
