"""The insights pages answer odd input calmly and say what the latest run says."""

import pytest
from django.test import Client
from django.urls import reverse

from insights.models import RunStatus, ScoreRun
from insights.services import run_scoring
from insights.tests.conftest import AS_OF


@pytest.mark.parametrize("owner", ["²", "9" * 30, "-1", "abc"])
@pytest.mark.parametrize("page", ["insights:warnings", "insights:returning"])
def test_an_owner_filter_that_names_nobody_is_ignored(simulated_base, manager, owner, page):
    run_scoring(AS_OF)
    client = Client()
    client.force_login(manager)
    plain = client.get(reverse(page))
    odd = client.get(reverse(page), {"owner": owner})
    assert odd.status_code == 200
    assert odd.context["page"].paginator.count == plain.context["page"].paginator.count


def test_a_run_still_going_is_not_reported_as_failed(simulated_base, manager):
    run_scoring(AS_OF)
    ScoreRun.objects.create(as_of=AS_OF, status=RunStatus.RUNNING)
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("insights:dashboard")).context["last_failed"] is None


def test_the_tier_table_lists_each_tier_with_its_customers(simulated_base, manager):
    run = run_scoring(AS_OF)
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insights:tiers"))
    rows = list(page.context["tier_rows"])
    tiers = run.summary["all"]["tiers"]
    assert [label for label, _count, _revenue in rows] == ["A", "B", "C"]
    assert sum(count for _label, count, _revenue in rows) == sum(tiers["counts"]) > 0
    assert 'id="tier-table"' in page.content.decode() and "<td>A</td>" in page.content.decode()
