"""`manage.py score` and `manage.py backtest`, as a script would call them."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from insights.models import BacktestRecord, ScoreRun
from insights.tests.conftest import AS_OF

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cdnow_sample_csv(tmp_path):
    """Return the CDNOW sample as customer_id,date,amount with ISO dates."""
    target = tmp_path / "cdnow_sample.csv"
    lines = ["customer_id,date,amount"]
    for row in (DATA / "CDNOW_sample.txt").read_text().split("\n"):
        if row.strip():
            customer, _sample, day, _cds, amount = row.split()
            lines.append(f"{customer},{day[:4]}-{day[4:6]}-{day[6:]},{amount}")
    target.write_text("\n".join(lines) + "\n")
    return target


def test_backtest_json_reproduces_the_published_cdnow_figures(cdnow_sample_csv, capsys, db):
    call_command(
        "backtest", "--orders", str(cdnow_sample_csv), "--calibration-end", "1997-09-30",
        "--holdout-end", "1998-06-30", "--time-unit", "weeks", "--format", "json",
    )  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["customers"] == 2357
    bg = result["bgnbd"]
    assert (round(bg["r"], 3), round(bg["alpha"], 3), round(bg["a"], 3), round(bg["b"], 3)) == (
        0.243, 4.414, 0.793, 2.426,
    )  # fmt: skip
    assert round(bg["log_likelihood"], 1) == -9582.4
    gg = result["gamma_gamma"]
    assert (round(gg["p"], 2), round(gg["q"], 2), round(gg["gamma"], 2)) == (6.25, 3.74, 15.44)
    holdout = result["holdout"]
    assert holdout["actual_total"] == 1882
    assert holdout["mae_per_customer"] <= 0.79
    assert holdout["auc_churn_risk"] >= 0.75


def test_backtest_from_database_is_saved_for_the_page(simulated_base, client, rep):
    call_command(
        "backtest", "--from-database", "--calibration-end", "2026-01-31",
        "--holdout-end", str(AS_OF), "--time-unit", "days", "--save",
    )  # fmt: skip
    record = BacktestRecord.objects.get()
    assert record.result["holdout"]["actual_total"] > 0
    client.force_login(rep)
    page = client.get("/insights/backtest/").content.decode()
    assert "Mean absolute error per customer" in page and 'id="tracking"' in page


def test_backtest_rejects_a_bad_row_naming_it(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\n1,2024-01-01,10\n2,2024-13-01,5\n")
    with pytest.raises(CommandError, match=r"Row 3, column .date."):
        call_command("backtest", "--orders", str(bad), "--calibration-end", "2024-06-01",
                     "--holdout-end", "2024-12-01")  # fmt: skip


def test_score_command_reports_the_run(simulated_base, capsys):
    call_command("score", "--as-of", str(AS_OF))
    assert "Scored" in capsys.readouterr().out
    assert ScoreRun.objects.latest_good().as_of == AS_OF


def test_score_command_fails_clearly_without_orders(db):
    with pytest.raises(CommandError, match="no transactions"):
        call_command("score", "--as-of", "2026-01-01")


def test_score_if_none_leaves_an_existing_run_alone(simulated_base, capsys):
    call_command("score", "--as-of", str(AS_OF))
    call_command("score", "--if-none")
    assert ScoreRun.objects.count() == 1
    assert "not scoring again" in capsys.readouterr().out
