"""Issue 10 items 12 and 17: killed runs and imports shown as interrupted, "latest run" the
same on both databases, no false banner, the back-test started from its page."""

import datetime
import socket

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from imports.models import ImportJob, Status
from insights.models import BacktestRecord, RunStatus, ScoreRun
from insights.services import latest_run, run_scoring
from insights.tests.conftest import AS_OF


@pytest.fixture
def queue_runs_at_once():
    """Run queued tasks in the calling thread (Huey's immediate mode, in memory)."""
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_a_run_whose_process_is_gone_is_interrupted(db):
    run = ScoreRun.objects.create(as_of=AS_OF, worker="another-machine:1")
    assert run.state() == "running"  # another machine: trusted until it is too old
    run.worker = f"{socket.gethostname()}:999999999"  # this machine, no such process
    assert run.state() == "interrupted"
    assert run.state_display() == "Interrupted"
    old = ScoreRun.objects.create(
        as_of=AS_OF, worker="elsewhere:1", started_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert old.state() == "interrupted"


def test_latest_run_serves_a_committed_run_without_finish_time(simulated_base):
    first = run_scoring(AS_OF)
    second = run_scoring(AS_OF)
    # Killed after its scores committed, before the finish time was written.
    ScoreRun.objects.filter(pk=second.pk).update(finished_at=None)
    assert first.status == second.status == RunStatus.SUCCEEDED
    assert latest_run() == ScoreRun.objects.get(pk=second.pk)


def test_a_killed_import_is_listed_as_interrupted(client, manager):
    job = ImportJob.objects.create(
        kind="customers", status=Status.IMPORTING, created_by=manager, file_name="a.csv",
        file_hash="0" * 64, started_at=timezone.now() - datetime.timedelta(hours=1),
    )  # fmt: skip
    job.file.save("a.csv", ContentFile(b"name\n"), save=True)
    client.force_login(manager)
    page = client.get("/imports/").content.decode()
    assert '<td class="job-status">Interrupted</td>' in page


@pytest.mark.parametrize("path", ["/insights/kpis/", "/insights/backtest/"])
def test_no_false_banner_while_a_run_exists(simulated_base, client, manager, path):
    run_scoring(AS_OF)
    client.force_login(manager)
    page = client.get(path).content.decode()
    assert 'id="no-run"' not in page and "manage.py" not in page


def test_empty_pages_never_tell_a_user_to_run_a_command(client, manager, rep, db):
    for user in (manager, rep):
        client.force_login(user)
        for path in ("/insights/", "/insights/backtest/", "/insights/kpis/"):
            assert "manage.py" not in client.get(path).content.decode()


def test_backtest_runs_from_its_page_on_the_queue(
    simulated_base, client, manager, queue_runs_at_once, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/insights/backtest/",
            {"calibration_end": "2026-01-31", "holdout_end": str(AS_OF)},
        )
    assert response.status_code == 302 and len(callbacks) == 1
    record = BacktestRecord.objects.get()
    assert record.status == "done", record.message
    page = client.get("/insights/backtest/").content.decode()
    assert 'id="auc-churn-risk"' in page and 'id="auc-expected-purchases"' in page


def test_backtest_form_errors_name_the_field(simulated_base, client, manager, rep):
    client.force_login(manager)
    response = client.post(
        "/insights/backtest/", {"calibration_end": str(AS_OF), "holdout_end": "2026-01-31"}
    )
    assert response.status_code == 400
    assert "The holdout end must be after the calibration end." in response.content.decode()
    assert not BacktestRecord.objects.exists()
    client.force_login(rep)
    response = client.post(
        "/insights/backtest/", {"calibration_end": "2026-01-31", "holdout_end": str(AS_OF)}
    )
    assert response.status_code == 400 and not BacktestRecord.objects.exists()
