"""An admin can read the scoring runs but not add, change or delete one."""

import datetime

from django.test import Client

from insights.models import ScoreRun


def test_runs_are_listed_and_read_only(admin_user) -> None:
    run = ScoreRun.objects.create(as_of=datetime.date(2026, 11, 30))
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/insights/scorerun/")
    assert listing.status_code == 200 and "2026" in listing.content.decode()
    assert client.get(f"/admin/insights/scorerun/{run.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/insights/scorerun/{run.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/insights/scorerun/add/").status_code == 403
    assert ScoreRun.objects.filter(pk=run.pk).exists()
