"""The scoring run: every customer scored, recorded, and shown in words."""

import datetime

from django.test import Client
from django.urls import reverse

from insights.models import ChurnWarning, CustomerScore, RunStatus, ScoreRun
from insights.services import customer_insight, run_scoring
from insights.tests.conftest import AS_OF
from sales.models import CustomerStats


def test_run_scores_everyone_and_records_what_it_used(simulated_base):
    run = run_scoring(AS_OF)
    assert run.status == RunStatus.SUCCEEDED, run.message
    buyers = CustomerStats.objects.count()
    assert run.counts["customers_scored"] == buyers == CustomerScore.objects.filter(run=run).count()
    assert set(run.parameters["bgnbd"]) >= {"r", "alpha", "a", "b", "log_likelihood"}
    assert run.parameters["settings"]["returning_days"] == 365
    assert run.duration_seconds is not None and run.finished_at is not None
    tiers = set(CustomerScore.objects.filter(run=run).values_list("value_tier", flat=True))
    assert tiers == {"A", "B", "C"}
    for score in CustomerScore.objects.filter(run=run)[:50]:
        assert 0 <= score.p_alive <= 1 and 0 <= score.churn_risk <= 1 and score.clv >= 0
        assert 1 <= score.r_score <= 5 and score.segment
    summary = run.summary["all"]
    assert summary["customers"] == buyers
    assert sum(summary["segments"]["counts"]) == buyers


def test_orders_after_the_as_of_date_are_ignored(simulated_base):
    early = run_scoring(AS_OF - datetime.timedelta(days=200))
    late = run_scoring(AS_OF)
    assert early.status == late.status == RunStatus.SUCCEEDED
    assert early.counts["purchase_days"] < late.counts["purchase_days"]
    latest = CustomerScore.objects.filter(run=early).order_by("-last_purchase_on").first()
    assert latest.last_purchase_on <= early.as_of


def test_one_time_buyer_is_never_called_certainly_active(simulated_base):
    run_scoring(AS_OF)
    one_timer = CustomerScore.objects.filter(purchase_count=1).select_related("customer")[0]
    insight = customer_insight(one_timer.customer)
    assert insight is not None
    text = " ".join(insight.sentences)
    assert "Has bought once so far" in text
    assert "likely still active" not in text
    repeat = CustomerScore.objects.filter(purchase_count__gte=3).select_related("customer").first()
    assert "likely still active; usually buys every" in " ".join(
        customer_insight(repeat.customer).sentences
    )


def test_warnings_have_reasons_and_are_sorted_by_value_at_risk(simulated_base, rep):
    run = run_scoring(AS_OF)
    warnings = list(ChurnWarning.objects.filter(run=run))
    assert warnings and all(w.reasons for w in warnings)
    assert {code for w in warnings for code in w.reason_codes()} <= {
        "churn_risk",
        "overdue",
        "declining",
    }
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("insights:warnings"))
    shown = [w.value_at_risk for w, _reasons in page.context["rows"]]
    assert shown == sorted(shown, reverse=True)
    assert all(w.customer.owner_id == rep.pk for w, _reasons in page.context["rows"])


def test_a_failed_run_keeps_the_last_good_one(simulated_base):
    good = run_scoring(AS_OF)
    failed = run_scoring(datetime.date(2000, 1, 1))  # before anyone bought
    assert failed.status == RunStatus.FAILED and "no transactions" in failed.message.lower()
    assert ScoreRun.objects.latest_good() == good
