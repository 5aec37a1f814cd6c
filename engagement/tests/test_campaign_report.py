"""A campaign's report: each group's purchases in the window, the uplift, its interval, ROI."""

import datetime
import io
import json
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from engagement import campaigns
from engagement.campaign_report import campaign_report
from engagement.models import Group, Recipient
from engagement.tests.campaign_support import SEND_ON, campaign, segment
from insights.stats.uplift import Moments, mean_difference, proportion_difference

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(manager: User, rep: User, make_customer: Any, make_order: Any) -> Any:
    """A sent campaign to 30 customers (3 held out); buyers planted in and out of the window."""
    for _ in range(30):
        make_customer(rep)
    chosen = campaign(manager, segment(manager), window_days=14)
    campaigns.request_send(manager, chosen, SEND_ON)
    campaigns.prepare(chosen.pk)
    chosen.refresh_from_db()
    groups: dict[str, list[Any]] = {Group.TREATED: [], Group.CONTROL: []}
    for recipient in Recipient.objects.filter(campaign=chosen).select_related("customer"):
        groups[recipient.group].append(recipient.customer)
    treated, control = groups[Group.TREATED], groups[Group.CONTROL]
    last_day = SEND_ON + datetime.timedelta(days=13)
    make_order(treated[0], SEND_ON, "100.00")  # the send day counts
    make_order(treated[0], last_day, "50.00")  # so does the window's last day
    make_order(treated[1], SEND_ON + datetime.timedelta(days=3), "80.00")
    make_order(treated[2], last_day + datetime.timedelta(days=1), "999.00")  # after
    make_order(treated[3], SEND_ON - datetime.timedelta(days=1), "999.00")  # before
    make_order(control[0], SEND_ON + datetime.timedelta(days=5), "40.00")
    return chosen


def test_each_group_counts_the_purchases_in_the_window_only(sent: Any) -> None:
    report = campaign_report(sent)
    assert (report.first_day, report.last_day) == (SEND_ON, SEND_ON + datetime.timedelta(days=13))
    assert (report.treated.size, report.treated.buyers, report.treated.revenue) == (27, 2, 230.0)
    assert (report.control.size, report.control.buyers, report.control.revenue) == (3, 1, 40.0)
    assert report.treated.reached == 27 and report.control.reached == 0


def test_the_uplift_and_its_interval_are_those_of_the_two_groups(sent: Any) -> None:
    report = campaign_report(sent)
    assert report.uplift == proportion_difference(2, 27, 1, 3)
    treated = Moments.of(np.array([150.0, 80.0] + [0.0] * 25))
    control = Moments.of(np.array([40.0, 0.0, 0.0]))
    expected = mean_difference(treated, control)
    assert expected is not None and report.revenue_uplift is not None
    assert report.revenue_uplift.estimate == pytest.approx(expected.estimate)
    assert report.revenue_uplift.low == pytest.approx(expected.low)
    # Cost: the fixed 100 and 0.05 for each of the 27 reached; margin 30 % of the
    # revenue uplift per customer over the 27 treated.
    assert report.cost == pytest.approx(100 + 0.05 * 27)
    margin = expected.estimate * 27 * 0.3
    assert report.incremental_margin == pytest.approx(margin)
    assert report.roi == pytest.approx((margin - report.cost) / report.cost)
    assert report.uplift is not None and not report.uplift.significant


def test_the_command_prints_the_figures_as_json(sent: Any) -> None:
    out = io.StringIO()
    call_command("campaign_report", str(sent.pk), "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    report = campaign_report(sent)
    assert printed["treated"]["buyers"] == 2 and printed["control"]["size"] == 3
    assert report.uplift is not None
    assert printed["uplift"] == pytest.approx(report.uplift.estimate)
    assert printed["ci95"] == pytest.approx([report.uplift.low, report.uplift.high])
    assert printed["roi"] == pytest.approx(report.roi)
    assert printed["significant"] is False


def test_the_command_names_an_unknown_campaign(db: Any) -> None:
    with pytest.raises(CommandError, match="No campaign with id 999"):
        call_command("campaign_report", "999")


def test_the_table_says_plainly_when_the_uplift_is_not_significant(sent: Any) -> None:
    out = io.StringIO()
    call_command("campaign_report", str(sent.pk), stdout=out)
    assert "not significant" in out.getvalue()
