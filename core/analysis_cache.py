"""Files that keep the analyses' arrays between runs, one set per database.

The analyses read millions of rows; what they read or computed last time is kept in NumPy
files under settings.ANALYSIS_CACHE_DIR and checked against the database before use (see
sales.purchases and insights.services). The files are named after the database, so two
databases (a test database beside the real one, say) never share one.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection


def cache_path(name: str) -> Path:
    """Return the path of a cache file of the current database."""
    db = connection.settings_dict
    database = str(db["NAME"])
    if connection.vendor == "sqlite" and not database.startswith(("file:", ":memory:")):
        database = os.path.realpath(database)  # the same file however the path was spelled
    identity = f"{connection.vendor}|{database}|{db.get('HOST', '')}|{db.get('PORT', '')}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(settings.ANALYSIS_CACHE_DIR) / digest / f"{name}.npz"


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write arrays to a file atomically: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    os.replace(handle.name, path)


def load_arrays(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """Return the named arrays of a file, or None when it is missing or unreadable."""
    try:
        with np.load(path) as data:
            return {name: data[name] for name in names}
    except (OSError, KeyError, ValueError):
        return None
