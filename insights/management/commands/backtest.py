"""Back-test the purchase and churn models on a purchases file or on this database."""

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from insights.models import BacktestRecord, translate_model_error
from insights.services import config
from insights.stats.backtest import BacktestResult, backtest, read_transactions_csv
from insights.stats.errors import ModelError
from sales.services import purchase_rows


def _count_lines(path: Path) -> int:
    """Return the number of lines, read in large blocks, for the progress bar's total."""
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _warnings(result: BacktestResult) -> list[dict[str, str]]:
    """Return the fit's warnings as code and message in the current language."""
    return [
        {"code": w.code, "message": translate_model_error(w.template, w.params)}
        for w in result.warnings
    ]


class Command(BaseCommand):
    # Analysing a file needs no database, so a half-configured machine can still run it.
    requires_system_checks: list[str] = []
    help = (
        "Fit BG/NBD and Gamma-Gamma on purchases up to the calibration end and compare the "
        "predictions with the holdout period. Reads a CSV (customer_id,date,amount) or, with "
        "--from-database, this organisation's paid orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--orders", type=Path, help="CSV with columns customer_id,date,amount")
        source.add_argument("--from-database", action="store_true", help="use the paid orders")
        parser.add_argument("--calibration-end", type=datetime.date.fromisoformat, required=True)
        parser.add_argument("--holdout-end", type=datetime.date.fromisoformat, required=True)
        parser.add_argument("--time-unit", choices=["days", "weeks"], default="weeks")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--save", action="store_true", help="keep the result for the back-test page"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["holdout_end"] <= options["calibration_end"]:
            raise CommandError("--holdout-end must be after --calibration-end.")
        try:
            result, source = self._run(options)
        except ModelError as error:
            raise CommandError(translate_model_error(error.template, error.params)) from None
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        if options["save"]:
            BacktestRecord.objects.create(source=source, result=result.as_dict())
        if options["format"] == "json":
            payload = {
                k: v
                for k, v in result.as_dict().items()
                if k in ("customers", "bgnbd", "gamma_gamma", "holdout")
            }
            payload["warnings"] = _warnings(result)
            self.stdout.write(json.dumps(payload))
        else:
            self._print(result)

    def _run(self, options: dict[str, Any]) -> tuple[BacktestResult, str]:
        cal, end, unit = options["calibration_end"], options["holdout_end"], options["time_unit"]
        cap = float(config()["spend_cap_factor"])
        if options["from_database"]:
            rows = purchase_rows(end)
            result = backtest(rows.customer_id, rows.day, rows.amount, cal, end, unit, cap)
            return result, "database"
        path: Path = options["orders"]
        total = max(_count_lines(path) - 1, 0)
        with tqdm(
            total=total,
            unit="rows",
            file=sys.stderr,
            disable=options["format"] == "json" and not sys.stderr.isatty(),
        ) as bar:

            def progress(done: int) -> None:
                bar.update(done - bar.n)

            data = read_transactions_csv(path, progress=progress)
        result = backtest(data.customer_code, data.dates, data.amounts, cal, end, unit, cap)
        return result, path.name

    def _print(self, result: BacktestResult) -> None:
        holdout, bg, gg = result.holdout, result.bgnbd, result.gamma_gamma
        self.stdout.write(f"Customers: {result.customers}")
        self.stdout.write(
            f"BG/NBD: r={bg['r']:.4f} alpha={bg['alpha']:.4f} a={bg['a']:.4f} b={bg['b']:.4f} "
            f"log-likelihood={bg['log_likelihood']:.1f}"
        )
        self.stdout.write(f"Gamma-Gamma: p={gg['p']:.4f} q={gg['q']:.4f} gamma={gg['gamma']:.4f}")
        self.stdout.write(
            f"Holdout: actual {holdout['actual_total']:.0f}, "
            f"predicted {holdout['predicted_total']:.1f} repeat purchases; "
            f"MAE per customer {holdout['mae_per_customer']:.4f}; "
            f"churn-risk ROC AUC {holdout['auc_churn_risk']:.4f} "
            f"(ranking by expected purchases {holdout['auc_expected_purchases']:.4f}, "
            f"the model's P(no purchase) {holdout['auc_model_no_purchase']:.4f})"
        )
        for warning in _warnings(result):
            self.stdout.write(f"Warning: {warning['message']}")
