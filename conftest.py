"""Fixtures shared by every app's tests: one organisation with each role."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.test import testcases
from django.utils import translation

from accounts.models import Membership, Role, Team, User
from customers.models import Customer
from customers.services import create_customer
from sales.models import Product
from sales.services import LineInput, OrderInput, create_order

# Playwright fixtures (browser, page) for every browser test.
pytest_plugins = ["core.tests.browser"]

PASSWORD = "correct-horse-battery"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Hash test passwords quickly; tests marked `argon2` keep the production hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def default_language() -> Any:
    """Start each test in the default language: a request in Chinese leaves the thread's
    language active behind it, and the next test would read Chinese words."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def analysis_cache_per_test(settings: Any, tmp_path: Any) -> None:
    """Give each test its own purchase cache file (the test databases reuse ids).

    A test changes its orders within seconds of reading them, so changes are looked for
    from the moment of the last check exactly, not from a minute before.
    """
    settings.ANALYSIS_CACHE_DIR = tmp_path / "cache"
    settings.PURCHASE_CACHE_CHANGE_MARGIN = 0.0


@pytest.fixture(autouse=True)
def exports_per_test(settings: Any, tmp_path: Any) -> None:
    """Keep each test's export files under its own temporary directory, never var/exports."""
    settings.EXPORTS_DIR = tmp_path / "exports"


class _SingleThreadedLiveServer(testcases.LiveServerThread):
    """The browser tests' server, answering one request at a time.

    On SQLite the test database lives in memory, and Django's threaded live server hands
    that one connection to a thread per request, so two requests at once (a page and the
    browser's next one) could use it together. Django's own tests use a single-threaded
    server for the same reason; it closes each connection after its response, so the
    browser never waits on a kept-alive one. (The OperationalError first blamed on this was
    a migration test leaving an old schema behind, fixed in interactions/tests.)
    """

    def _create_server(self, connections_override: Any = None) -> WSGIServer:
        return WSGIServer(
            (self.host, self.port), testcases.QuietWSGIRequestHandler, allow_reuse_address=False
        )


@pytest.fixture(scope="session", autouse=True)
def live_server_answers_one_request_at_a_time() -> None:
    """Make pytest-django's live_server use _SingleThreadedLiveServer (it looks the thread
    class up when it starts the server)."""
    testcases.LiveServerThread = _SingleThreadedLiveServer  # type: ignore[misc]


@pytest.fixture(autouse=True)
def queue_per_test() -> Any:
    """Give each test an empty queue of its own, in memory: a task one test queues (an event
    dispatch kicked on commit, an export) never reaches another test's counts, nor the queue
    under var/ that `make run`'s worker reads."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    original = HUEY.storage
    HUEY.storage = MemoryStorage(HUEY.name)
    yield HUEY
    HUEY.storage = original


@pytest.fixture
def immediate_queue() -> Any:
    """Run queued tasks at once, in the caller's thread, through the app's Huey queue
    (Huey's immediate mode, with its in-memory store for the progress reports)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def make_user(username: str, role: str, team: Team | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role)
    if team is not None:
        Membership.objects.create(user=user, team=team)
    return user


@pytest.fixture
def team(db: Any) -> Team:
    return Team.objects.create(name="East")


@pytest.fixture
def other_team(db: Any) -> Team:
    return Team.objects.create(name="West")


@pytest.fixture
def manager(team: Team) -> User:
    return make_user("manager", Role.MANAGER, team)


@pytest.fixture
def rep(team: Team) -> User:
    return make_user("rep", Role.REP, team)


@pytest.fixture
def teammate(team: Team) -> User:
    return make_user("teammate", Role.REP, team)


@pytest.fixture
def other_rep(other_team: Team) -> User:
    return make_user("other_rep", Role.REP, other_team)


@pytest.fixture
def agent(db: Any) -> User:
    return make_user("agent", Role.AGENT)


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def product(db: Any) -> Product:
    return Product.objects.create(
        sku="CD-ROCK", name="Rock CD", category="Rock", list_price=Decimal("15.00")
    )


CustomerMaker = Callable[..., Customer]


@pytest.fixture
def make_customer(db: Any) -> CustomerMaker:
    counter = iter(range(1000, 9999))

    def make(owner: User, **fields: Any) -> Customer:
        number = next(counter)
        values = {"name": f"Customer {number}", "mobile": f"1380013{number:04d}", **fields}
        return create_customer(None, {"owner": owner, **values})

    return make


OrderMaker = Callable[..., Any]


@pytest.fixture
def make_order(product: Product) -> OrderMaker:
    counter = iter(range(1, 100000))

    def make(customer: Customer, day: datetime.date, amount: str = "20.00", **fields: Any) -> Any:
        data = OrderInput(
            number=fields.pop("number", f"SO-{next(counter):06d}"),
            customer_id=customer.pk,
            ordered_on=day,
            lines=[LineInput(sku=product.sku, quantity=1, unit_price=Decimal(amount))],
            **fields,
        )
        return create_order(None, data)

    return make
