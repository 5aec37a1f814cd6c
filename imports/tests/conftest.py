"""Fixtures of the import tests: uploaded files go to a temporary directory."""

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def imports_dir(tmp_path: Path, settings: Any) -> Path:
    """Keep each test's uploaded files apart, under its own temporary directory."""
    settings.IMPORTS_DIR = tmp_path / "uploads"
    return settings.IMPORTS_DIR
