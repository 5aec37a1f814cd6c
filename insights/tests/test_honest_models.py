"""Issue 10 D: no NaN ever stored, degenerate fits and capped spends said in words, a churn
risk that ranks at least as well as expected purchases."""

import datetime
import json
from decimal import Decimal

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from huitou.demo.loader import load_demo
from insights.models import CustomerScore, RunStatus, ScoreRun
from insights.services import run_scoring
from insights.stats import ModelError, backtest
from insights.stats.bgnbd import (
    BGNBDParams,
    _expected_by_quadrature,
    expected_purchases,
    expected_purchases_if_alive,
)
from insights.stats.diagnostics import purchase_model_warnings
from insights.stats.scoring import score
from insights.tests.test_model_data import (
    CALIBRATION_END,
    HOLDOUT_END,
    master_transactions,
    sample_transactions,
)

SMALL_SHOP = BGNBDParams(r=0.27715, alpha=35.3652, a=0.231304, b=0.698811)  # a + b < 1
CDNOW = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def test_expectation_is_finite_where_the_closed_form_has_no_value():
    # The fit of the demo's first 500 customers: 2F1 with a negative third argument gave NaN
    # for every one-time buyer, which reached the database as NULL.
    value = expected_purchases_if_alive(SMALL_SHOP, 365.0, [0.0, 0.0], [546.0, 30.0])
    assert np.isfinite(value).all()
    assert value == pytest.approx([0.1604, 1.0946], rel=1e-3)
    assert np.isfinite(expected_purchases(SMALL_SHOP, np.array([1.0, 100.0, 500.0]))).all()


def test_quadrature_agrees_with_the_closed_form_where_both_hold():
    x = np.array([0.0, 1.0, 2.0, 5.0, 20.0])
    age = np.array([38.0, 20.0, 10.0, 3.0, 38.0])
    t = np.full(x.size, 39.0)
    closed = expected_purchases_if_alive(CDNOW, 39.0, x, age)
    integrated = _expected_by_quadrature(CDNOW, CDNOW.r + x, CDNOW.alpha + age, CDNOW.b + x, t)
    assert integrated == pytest.approx(closed, rel=1e-8)


def test_a_small_shop_is_scored_without_nan(db):
    load_demo(500, timezone.localdate(), lambda _message: None)
    run = run_scoring()
    assert run.status == RunStatus.SUCCEEDED, run.message
    values = CustomerScore.objects.of_run(run.pk).values_list(
        "p_alive", "churn_risk", "expected_purchases_365", "expected_spend", "clv"
    )
    assert values and np.isfinite(np.array(list(values), dtype=float)).all()


AS_OF = datetime.date(2026, 6, 30)
AMOUNTS = st.sampled_from([0.01, 1.0, 29.9, 300.0, 168469.60, 1e6])


@st.composite
def small_bases(draw):
    """Return purchase rows of 1-15 customers: days within a year, odd amounts."""
    n = draw(st.integers(1, 15))
    ids, days, amounts = [], [], []
    for customer in range(n):
        for _ in range(draw(st.integers(1, 6))):
            ids.append(customer)
            days.append(draw(st.sampled_from([0, 1, 2, 30, 200, 364])))
            amounts.append(draw(AMOUNTS))
    first = np.datetime64(AS_OF) - np.timedelta64(364, "D")
    return np.array(ids), first + np.array(days, dtype="timedelta64[D]"), np.array(amounts)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bases())
def test_any_small_base_is_scored_or_refused_in_words(base):
    ids, days, amounts = base
    try:
        scored = score(ids, days, amounts, AS_OF, dict(settings.INSIGHTS))
    except ModelError as error:
        assert str(error)  # a sentence for the run's message, never a crash
        return
    for values in (
        scored.scores.probability_alive, scored.scores.churn_risk, scored.scores.clv,
        scored.scores.expected_spend, *scored.expected.values(),
    ):  # fmt: skip
        assert np.isfinite(values).all()


def test_a_fit_that_sees_nobody_leave_is_said_in_words():
    collapsed = BGNBDParams(r=0.5, alpha=10.0, a=2e-5, b=2.4e4)
    (warning,) = purchase_model_warnings(collapsed)
    assert warning.code == "no_dropout"
    assert purchase_model_warnings(CDNOW) == []


def test_an_extreme_spend_is_capped_and_the_run_says_so(simulated_base, make_order):
    make_order(simulated_base[0], AS_OF - datetime.timedelta(days=3), Decimal("168469.60"))
    run = run_scoring(AS_OF)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert [w["code"] for w in run.fit_warnings] == ["spend_capped"]
    with translation.override("en"):
        assert "SPEND_CAP_FACTOR" in run.warning_texts()[0]
    with translation.override("zh-hans"):
        assert "封顶" in run.warning_texts()[0]
    run.refresh_from_db()
    assert run.finished_at is not None


def test_backtest_json_has_warnings_and_both_aucs(tmp_path, capsys, db):
    rows = ["customer_id,date,amount"]
    ids, dates, amounts = sample_transactions()
    rows += [f"{i},{d},{a}" for i, d, a in zip(ids, dates, amounts, strict=True)]
    rows.append(f"{ids[0]},1997-02-01,168469.60")  # one cancelled invoice
    rows.append(f"{ids[0]},1997-03-01,168469.60")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n")
    call_command(
        "backtest", "--orders", str(path), "--calibration-end", "1997-09-30",
        "--holdout-end", "1998-06-30", "--format", "json",
    )  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert [w["code"] for w in result["warnings"]] == ["spend_capped"]
    assert "1 customers spend on average more than" in result["warnings"][0]["message"]
    assert result["holdout"]["auc_expected_purchases"] > 0.75


@pytest.mark.parametrize("loader", [sample_transactions, master_transactions])
def test_churn_risk_ranks_at_least_as_well_as_expected_purchases(loader):
    ids, dates, amounts = loader()
    result = backtest(ids, dates, amounts, CALIBRATION_END, HOLDOUT_END, "weeks")
    holdout = result.holdout
    assert holdout["auc_churn_risk"] >= holdout["auc_expected_purchases"] - 1e-12
    assert holdout["auc_churn_risk"] > holdout["auc_model_no_purchase"]


def test_score_command_scores_30_days_before_too(simulated_base, capsys):
    call_command("score", "--as-of", str(AS_OF), "--if-none", "--also-days-before", "30")
    runs = list(ScoreRun.objects.order_by("as_of").values_list("as_of", "status"))
    assert runs == [(AS_OF - datetime.timedelta(days=30), "succeeded"), (AS_OF, "succeeded")]
