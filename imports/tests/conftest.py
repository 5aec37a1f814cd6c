"""Fixtures of the import tests: uploaded files go to a temporary directory."""

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def imports_dir(tmp_path: Path, settings: Any) -> Path:
    """Keep each test's uploaded files apart, under its own temporary directory."""
    settings.IMPORTS_DIR = tmp_path / "uploads"
    return settings.IMPORTS_DIR


@pytest.fixture
def queue(tmp_path: Path) -> Any:
    """Point the app's Huey queue at a SQLite file of this test's own, and restore it after."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    original = HUEY.storage
    HUEY.storage = SqliteStorage(name="huitou", filename=str(tmp_path / "huey.sqlite3"))
    yield HUEY
    HUEY.storage = original


@pytest.fixture(scope="session")
def migrated_child(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A migrated database file with an admin and a product, copied by each child test."""
    from imports.tests.child import Child

    child = Child(tmp_path_factory.mktemp("template"))
    done = child.manage("migrate", "--noinput", "-v0")
    assert done.returncode == 0, done.stderr
    child.shell(
        "from accounts.models import User; from sales.models import Product; "
        "User.objects.create_user('boss', password='x', role='admin'); "
        "Product.objects.create(sku='CD-ROCK', name='Rock CD', list_price=15)"
    )
    return child
