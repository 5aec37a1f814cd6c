"""While another process holds SQLite's write lock (a long import committing), reading pages
works and a write answers "busy, try again" within the busy timeout, changing nothing."""

import json
import sqlite3
from collections.abc import Iterator

import pytest

from imports.tests.child import Child

pytestmark = pytest.mark.slow

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User, Role
from customers.services import create_customer
rep = User.objects.create_user(username="rep", password="x", role=Role.REP, language="zh-hans")
customer = create_customer(None, {"owner": rep, "name": "Wang Fang", "mobile": "13800138000"})
session = SessionStore()
session.update({SESSION_KEY: str(rep.pk), HASH_SESSION_KEY: rep.get_session_auth_hash(),
    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
session.create()
print(customer.pk, session.session_key)
"""

REQUESTS = """
import json
from django.test import Client
from interactions.models import Interaction
client = Client()
client.cookies["sessionid"] = "%(session)s"
read = client.get("/customers/")
write = client.post("/interactions/customers/%(pk)s/log/", {"kind": "phone", "direction": "out",
    "summary": "hi"})
api = client.post("/api/v1/customers/%(pk)s/interactions", {"kind": "phone", "summary": "hi"},
    content_type="application/json")
print(json.dumps({
    "read": [read.status_code, "Wang Fang" in read.content.decode()],
    "write": [write.status_code, write.get("Retry-After"), write.content.decode()],
    "api": [api.status_code, api.content.decode()],
}))
"""


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Child]:
    installation = Child(tmp_path_factory.mktemp("busy"))
    assert installation.manage("migrate").returncode == 0
    installation.env["SQLITE_BUSY_TIMEOUT_MS"] = "300"
    yield installation


def test_reads_work_and_writes_answer_busy_while_the_lock_is_held(child: Child) -> None:
    customer_id, session_key = child.shell(SETUP).split()
    lock = sqlite3.connect(child.db, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    lock.execute("UPDATE customers_customer SET notes = notes")
    try:
        answers = json.loads(child.shell(REQUESTS % {"pk": customer_id, "session": session_key}))
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    assert answers["read"] == [200, True]
    status, retry_after, page = answers["write"]
    assert (status, retry_after) == (503, "5")
    assert "几秒后再试" in page  # the user's language
    assert answers["api"][0] == 503, answers["api"]
    assert "几秒后再试" in json.loads(answers["api"][1])["detail"]
    assert child.query("SELECT count(*) FROM interactions_interaction") == [(0,)]
