"""Benchmark the insights.stats pipeline against the `lifetimes` package.

Simulates a customer base from BG/NBD (r=1, alpha=20 days, a=0.8, b=2.5) with Gamma-Gamma spend,
then runs, each in a fresh subprocess so that peak memory is its own:

  ours       rfm_summary -> fit_bgnbd -> fit_gamma_gamma -> P(alive), expected purchases, CLV
  lifetimes  summary_data_from_transaction_data -> BetaGeoFitter -> GammaGammaFitter ->
             conditional_probability_alive, expected purchases, customer_lifetime_value

and prints wall time and peak RSS of both, their ratios, and whether the fitted parameters
(1e-3) and per-customer predictions (1e-4) agree. Targets: >= 10x faster, <= half the memory.

    .venv/bin/python benchmarks/bench_models.py [--customers 1000000] [--seed 42]
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HORIZON_DAYS = 30.0
MONTHS = 12
DISCOUNT = 0.01
PARAM_RTOL = 1e-3
PREDICTION_RTOL = 1e-4
EPOCH_START = np.datetime64("2022-01-01")


def cpu_seconds() -> float:
    """Return this process's user + system CPU time (robust to other load on the machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def simulate(n_customers: int, seed: int, path: Path) -> dict[str, Any]:
    """Write a simulated customer base to `path` (.npz) and return its size."""
    from insights.stats.simulate import simulate_transactions

    started = time.perf_counter()
    sim = simulate_transactions(n_customers, seed=seed)
    elapsed = time.perf_counter() - started
    np.savez(path, customer_id=sim.customer_id, day=sim.day, amount=sim.amount, end_day=sim.end_day)
    return {"customers": n_customers, "orders": sim.n_orders, "simulate_s": elapsed}


def run_ours(data: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Run our pipeline; return fitted parameters and per-customer outputs."""
    from insights.stats import fit_bgnbd, rfm_summary, score_customers
    from insights.stats.backtest import fit_spend_model

    summary = rfm_summary(data["customer_id"], data["day"], data["amount"], int(data["end_day"]))
    bg = fit_bgnbd(summary.frequency, summary.recency, summary.T).require_converged()
    gg = fit_spend_model(summary)
    scores = score_customers(
        summary, bg, gg, horizon_days=HORIZON_DAYS, months=MONTHS, discount_rate=DISCOUNT
    )
    params = {**bg.as_dict(), **gg.as_dict()}
    outputs = {
        "p_alive": scores.probability_alive,
        "expected": scores.expected_purchases,
        "clv": scores.clv,
    }
    return params, outputs


def run_lifetimes(data: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Run the lifetimes pipeline; return fitted parameters and per-customer outputs."""
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    warnings.simplefilter("ignore")
    frame = pd.DataFrame(
        {
            "customer_id": data["customer_id"],
            "date": EPOCH_START + data["day"],
            "amount": data["amount"],
        }
    )
    end = EPOCH_START + int(data["end_day"])
    summary = summary_data_from_transaction_data(
        frame, "customer_id", "date", "amount", observation_period_end=end, freq="D"
    )
    del frame
    x, t_x, age, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    bg = BetaGeoFitter().fit(x, t_x, age)
    repeat = (x > 0) & (m > 0)
    gg = GammaGammaFitter().fit(x[repeat], m[repeat])
    p_alive = bg.conditional_probability_alive(x, t_x, age)
    expected = bg.conditional_expected_number_of_purchases_up_to_time(HORIZON_DAYS, x, t_x, age)
    clv = gg.customer_lifetime_value(
        bg, x, t_x, age, m, time=MONTHS, discount_rate=DISCOUNT, freq="D"
    )
    params = {name: float(bg.params_[name]) for name in ("r", "alpha", "a", "b")}
    params.update(p=float(gg.params_["p"]), q=float(gg.params_["q"]), gamma=float(gg.params_["v"]))
    # lifetimes sorts customers by id, as we do; make sure before comparing row by row.
    order = np.argsort(summary.index.to_numpy(), kind="stable")
    outputs = {
        "p_alive": np.asarray(p_alive)[order],
        "expected": np.asarray(expected)[order],
        "clv": np.asarray(clv)[order],
    }
    return params, outputs


def child(which: str, data_path: Path, out_path: Path) -> None:
    """Run one pipeline on the saved data and write timings, memory and outputs."""
    with np.load(data_path) as npz:
        data = {key: npz[key] for key in npz.files}
    # Import outside the timed region: we time the pipelines, not interpreter start-up.
    modules = ["insights.stats.backtest"] if which == "ours" else ["lifetimes.utils", "pandas"]
    for module in modules:
        importlib.import_module(module)
    loaded_mb = peak_rss_mb()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    params, outputs = (run_ours if which == "ours" else run_lifetimes)(data)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    np.savez(out_path.with_suffix(".npz"), **outputs)
    report = {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_mb": peak_rss_mb(),
        "loaded_mb": loaded_mb,
        "params": params,
    }
    out_path.write_text(json.dumps(report))


def run_child(which: str, data_path: Path, workdir: Path) -> dict[str, Any]:
    """Run a pipeline in a fresh interpreter and return its report and outputs."""
    out = workdir / f"{which}.json"
    cmd = [sys.executable, __file__, "--child", which, "--data", str(data_path), "--out", str(out)]
    subprocess.run(cmd, check=True)
    report: dict[str, Any] = json.loads(out.read_text())
    with np.load(out.with_suffix(".npz")) as npz:
        report["outputs"] = {key: npz[key] for key in npz.files}
    return report


def show(name: str, report: dict[str, Any]) -> None:
    """Print one pipeline's time and memory."""
    print(
        f"{name + ':':<11}{report['seconds']:8.2f} s wall {report['cpu_seconds']:8.2f} s CPU  "
        f"peak {report['peak_mb']:6.0f} MB (of which data loaded: {report['loaded_mb']:.0f} MB)"
    )


def max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Return max |a - b| / max(|b|, tiny)."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """Print parameter and prediction agreement; return whether all are within tolerance."""
    ok = True
    print("\nparameter        ours          lifetimes     rel. diff")
    for name, value in theirs["params"].items():
        mine = ours["params"][name]
        rel = abs(mine - value) / abs(value)
        ok &= rel <= PARAM_RTOL
        print(f"{name:<10} {mine:>13.6g} {value:>13.6g} {rel:>13.2e}")
    print("\nper-customer output   max rel. diff")
    for name, values in theirs["outputs"].items():
        rel = max_relative_difference(ours["outputs"][name], values)
        ok &= rel <= PREDICTION_RTOL
        print(f"{name:<20} {rel:>13.2e}")
    return ok


def main() -> int:
    """Simulate, run both pipelines, print the comparison; return 0 when all targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--child", choices=["ours", "lifetimes"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data_path = workdir / "transactions.npz"
        info = simulate(args.customers, args.seed, data_path)
        print(
            f"simulated {info['customers']:,} customers, {info['orders']:,} orders "
            f"in {info['simulate_s']:.1f} s"
        )
        ours = run_child("ours", data_path, workdir)
        show("ours", ours)
        if args.skip_lifetimes:
            print(json.dumps(ours["params"], indent=2))
            return 0
        theirs = run_child("lifetimes", data_path, workdir)
        show("lifetimes", theirs)
    speedup = theirs["seconds"] / ours["seconds"]
    cpu_speedup = theirs["cpu_seconds"] / ours["cpu_seconds"]
    memory = ours["peak_mb"] / theirs["peak_mb"]
    print(
        f"\nspeed-up {speedup:.1f}x wall, {cpu_speedup:.1f}x CPU (target >= 10x); "
        f"memory ratio {memory:.2f} (target <= 0.5)"
    )
    agree = compare(ours, theirs)
    met = speedup >= 10 and memory <= 0.5 and agree
    print("\nall targets met" if met else "\nSOME TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
