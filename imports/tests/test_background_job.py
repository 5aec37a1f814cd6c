"""A large import runs on the real queue in a worker process; progress is seen while it runs."""

import json
import time

import pytest
from huey.storage import SqliteStorage

from imports import progress, tasks
from imports.tests.child import Child
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.slow
ROWS = 30_000


def test_worker_process_runs_the_queued_import_and_reports_progress(tmp_path, migrated_child):
    child = Child(tmp_path / "child").copy_from(migrated_child)
    rows = [["name", "mobile"]] + [[f"C{n}", f"137{n:08d}"] for n in range(ROWS)]
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(rows))
    job_id = int(
        child.shell(
            "import io; from accounts.models import User; from imports import services; "
            f"job = services.start_job(User.objects.get(), 'customers', open({str(path)!r}, 'rb'), "
            "'customers.csv'); print(job.pk)"
        )
    )
    # The app's queue, pointed at the child's queue file: calling the task enqueues it there.
    queue = tasks.run_import.huey
    original = queue.storage
    queue.storage = SqliteStorage(name="huitou", filename=str(child.var / "huey.sqlite3"))
    worker = None
    seen: list[int] = []
    try:
        tasks.run_import(job_id, True)
        assert queue.pending_count() == 1
        worker = child.start("run_huey", "--workers", "1")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            # Only the queue's store is read while the worker runs: the database is locked
            # for writing by the import's one transaction until it commits.
            report = queue.get(progress.key(job_id), peek=True)
            if report:
                seen.append(report["done"])
            elif seen:
                break  # the worker cleared the report: the outcome is on the job
            time.sleep(0.02)
        status = child.query(f"SELECT status FROM imports_importjob WHERE id={job_id}")[0][0]
    finally:
        queue.storage = original
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)

    assert status == "committed"
    assert any(0 < done < ROWS for done in seen), seen[-5:]
    assert seen == sorted(seen)
    assert child.query("SELECT COUNT(*) FROM customers_customer")[0][0] == ROWS
    outcome = child.shell(
        "import json; from imports.services import result; from imports.models import ImportJob; "
        f"print(json.dumps(result(ImportJob.objects.get(pk={job_id}))))"
    )
    assert json.loads(outcome)["created"] == ROWS
