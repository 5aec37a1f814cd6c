"""A job whose worker was killed can be run again from its page; a live one cannot."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imports import progress, services
from imports.models import ImportJob, Status
from imports.tests.helpers import csv_bytes, run

ROWS = [["name", "mobile"], ["Wang Fang", "13800000001"]]


def interrupted(job: ImportJob, minutes_ago: int) -> ImportJob:
    """Leave the job as a worker killed mid-import would: importing, silent since then."""
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.IMPORTING, started_at=started)
    progress.clear(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def test_a_silent_job_runs_again_and_a_live_one_does_not(manager):
    job = run(manager, "customers", csv_bytes(ROWS), commit=False)
    live = interrupted(job, minutes_ago=0)
    with pytest.raises(services.ImportNotReady):
        services.prepare_run(manager, live, commit=False)
    stopped = interrupted(job, minutes_ago=30)
    client = Client()
    client.force_login(manager)
    assert b'name="save_as"' in client.get(reverse("imports:job", args=[job.pk])).content
    services.prepare_run(manager, stopped, commit=False)
    assert services.run_job(job.pk, commit=False).may_commit()
