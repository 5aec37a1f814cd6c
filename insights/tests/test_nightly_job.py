"""The nightly scoring job goes through the real Huey queue and runs once per night."""

import datetime

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from insights.models import CustomerScore, RunStatus, ScoreRun
from insights.tasks import nightly_scoring


def test_job_is_scheduled_every_night_at_the_configured_hour(settings):
    hour = settings.INSIGHTS["nightly_hour"]
    task = nightly_scoring.s()
    night = datetime.datetime(2026, 11, 24, hour, 0)
    assert task.validate_datetime(night)
    assert not task.validate_datetime(night + datetime.timedelta(hours=1))
    assert not task.validate_datetime(night + datetime.timedelta(minutes=1))


# Huey's db tasks close the connection when they finish, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_job_travels_through_the_queue_and_records_a_run(simulated_base):
    HUEY.flush()  # the event deliveries the base's writes queued are not this test's
    before = HUEY.pending_count()
    nightly_scoring()  # enqueue, as the scheduler does
    assert HUEY.pending_count() == before + 1
    task = HUEY.dequeue()
    HUEY.execute(task)
    run = ScoreRun.objects.get()
    assert run.as_of == timezone.localdate()
    assert run.status == RunStatus.SUCCEEDED
    # The clean-up of old runs' scores follows as a task of its own.
    assert HUEY.pending_count() == before + 1
    clean_up = HUEY.dequeue()
    assert clean_up.name.endswith("prune_scores")
    HUEY.execute(clean_up)
    assert CustomerScore.objects.of_run(run.pk).exists()  # the newest run keeps its scores
