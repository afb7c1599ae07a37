"""Side-by-side benchmark: crm_metrics.clv versus lifetimes 0.11.3, in one process.

What is measured
----------------
Three workloads of the issue (CLV.md §6), each checked for agreement before any timing:

1. ``rfm summary``: ``clv.rfm_summary(customer_id, ts, value)`` against lifetimes'
   ``summary_data_from_transaction_data`` on the 1M-row uniform synthetic log of CLV.md §6
   (100,000 customers, seed 0). Outputs must be identical (ids equal, values rtol 1e-12).
2. ``BG/NBD fit``: ``clv.fit_bgnbd`` against ``BetaGeoFitter().fit`` on the weekly summary
   of a ``datasets.simulate_bgnbd`` log of ``--customers`` customers (default 400,000;
   CDNOW-like r 0.243, alpha 4.414, a 0.793, b 2.426, 78-week horizon, 12-week
   acquisition window, seed 8). Both fits' log-likelihoods (evaluated by
   ``clv.bgnbd_loglik`` on the same data) must agree to 1e-6 relative.
3. ``pipeline``: log -> weekly summary (``freq="D", freq_multiplier=7``) -> BG/NBD and
   Gamma-Gamma fits -> 12-month CLV (discount 0.01) and P(alive) for every customer, on
   the same simulated log (about 1.1M rows) with Gamma-Gamma spend (p 6.25, q 3.74,
   v 15.44). Summaries must be identical; fitted parameters agree to rtol 1e-3 and CLV
   to rtol 1e-3 (both sides stop their optimisers at slightly different points).

Also reported, not timed: lifetimes' ``BetaGeoFitter`` on the uniform log raises
``ConvergenceError``, while ``fit_bgnbd`` returns its best parameters with a message.

Both sides start from the same numpy arrays; the pandas DataFrame lifetimes needs is built
once outside the timed region. Runs alternate (order swapped each round), ``--repeats``
each; medians, minima and the ratio lifetimes / crm_metrics of the medians (> 1: crm_metrics
faster) are printed, with the tracemalloc peak of one call as a multiple of the input size.

How to run
----------
lifetimes lives in a separate environment (``benchmarks/requirements-peers.txt``)::

    python3 -m venv .venv-peers
    .venv-peers/bin/pip install -r benchmarks/requirements-peers.txt
    .venv-peers/bin/pip install --no-deps -e .
    .venv-peers/bin/python benchmarks/bench_clv.py            # full size, about 5 minutes
    .venv/bin/python benchmarks/bench_clv.py --smoke          # tiny; crm_metrics only if
                                                              # lifetimes is not installed
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _common import (
    MIB,
    Side,
    environment,
    maxrss_bytes,
    measure_alternating,
    mem,
    table,
    time_once,
    traced_peak,
)

from crm_metrics import clv, datasets

try:  # the peer is optional: without it the crm_metrics side still runs (smoke test)
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import ConvergenceError, summary_data_from_transaction_data

    HAVE_LIFETIMES = True
except ImportError:
    HAVE_LIFETIMES = False

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = (6.25, 3.74, 15.44)


# --------------------------------------------------------------------------- data
def uniform_log(n: int, customers: int) -> dict[str, np.ndarray[Any, Any]]:
    """CLV.md §6's synthetic log (seed 0)."""
    rng = np.random.default_rng(0)
    customer_id = rng.integers(0, customers, n)
    secs = rng.integers(0, 730 * 86_400, n)
    ts = (np.datetime64("2022-01-01T00:00:00") + secs.astype("timedelta64[s]")).astype(
        "datetime64[ns]"
    )
    value = np.round(rng.gamma(2.0, 25.0, n), 2)
    return {"customer_id": customer_id, "ts": ts, "value": value}


def simulated_log(customers: int) -> dict[str, np.ndarray[Any, Any]]:
    log = datasets.simulate_bgnbd(
        customers, *CDNOW.values(), horizon=78.0, acquisition_window=12.0, spend=SPEND, seed=8
    )
    return {"customer_id": log.customer_id, "ts": log.ts, "value": np.round(log.amount, 2)}


def nbytes(log: dict[str, np.ndarray[Any, Any]]) -> int:
    return sum(v.nbytes for v in log.values())


def frame(log: dict[str, np.ndarray[Any, Any]]) -> Any:
    return pd.DataFrame({"id": log["customer_id"], "date": log["ts"], "value": log["value"]})


# --------------------------------------------------------------------------- workloads
def crm_summary(log: dict[str, Any], **kw: Any) -> clv.RFMSummary:
    return clv.rfm_summary(log["customer_id"], log["ts"], log["value"], **kw)


def lt_summary(df: Any, **kw: Any) -> Any:
    return summary_data_from_transaction_data(df, "id", "date", "value", **kw)


def check_summary(ours: clv.RFMSummary, theirs: Any) -> None:
    if not np.array_equal(ours.customer_id, theirs.index.to_numpy()):
        raise SystemExit("ABORT: rfm summaries have different customers")
    for col in ("frequency", "recency", "T", "monetary_value"):
        try:
            np.testing.assert_allclose(
                np.asarray(getattr(ours, col), dtype=float), theirs[col].to_numpy(), rtol=1e-12
            )
        except AssertionError as exc:
            raise SystemExit(f"ABORT: rfm summaries differ in {col}:\n{exc}") from None


def crm_pipeline(log: dict[str, Any]) -> dict[str, Any]:
    s = crm_summary(log, freq="D", freq_multiplier=7)
    bg = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    value = clv.customer_lifetime_value(
        bg,
        gg,
        s.frequency,
        s.recency,
        s.T,
        s.monetary_value,
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    alive = clv.bgnbd_p_alive(bg, s.frequency, s.recency, s.T)
    return {"summary": s, "bg": bg, "gg": gg, "clv": value, "alive": alive}


def lt_pipeline(df: Any) -> dict[str, Any]:
    s = lt_summary(df, freq="D", freq_multiplier=7)
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    repeat = s[s["frequency"] > 0]
    gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    value = gg.customer_lifetime_value(
        bg,
        s["frequency"],
        s["recency"],
        s["T"],
        s["monetary_value"],
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    alive = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    return {"summary": s, "bg": bg, "gg": gg, "clv": value, "alive": alive}


def check_pipeline(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    check_summary(ours["summary"], theirs["summary"])
    bg, gg = ours["bg"], ours["gg"]
    pairs = {
        "BG/NBD": ([bg.r, bg.alpha, bg.a, bg.b], theirs["bg"].params_[["r", "alpha", "a", "b"]]),
        "Gamma-Gamma": ([gg.p, gg.q, gg.v], theirs["gg"].params_[["p", "q", "v"]]),
        "CLV": (ours["clv"], theirs["clv"].to_numpy()),
        "P(alive)": (ours["alive"], np.asarray(theirs["alive"])),
    }
    for name, (a, b) in pairs.items():
        try:
            np.testing.assert_allclose(np.asarray(a), np.asarray(b, dtype=float), rtol=1e-3)
        except AssertionError as exc:
            raise SystemExit(f"ABORT: pipeline {name} differs:\n{exc}") from None


def loglik(params: dict[str, float], s: clv.RFMSummary) -> float:
    return float(np.sum(clv.bgnbd_loglik(params, s.frequency, s.recency, s.T)))


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="crm_metrics.clv vs lifetimes 0.11.3.")
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of the uniform log")
    p.add_argument("--uniform-customers", type=int, default=100_000)
    p.add_argument("--customers", type=int, default=400_000, help="simulated customers")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = p.parse_args(argv)
    if args.smoke:
        args.rows, args.uniform_customers, args.customers, args.repeats = 3000, 300, 500, 1
    return args


def row(name: str, size: str, a: Side, b: Side | None, input_bytes: int) -> list[str]:
    if b is None:
        return [
            name,
            size,
            f"{a.median:.4f}",
            f"{a.best:.4f}",
            "-",
            "-",
            "-",
            mem(a.peak, input_bytes),
            "-",
        ]
    return [
        name,
        size,
        f"{a.median:.4f}",
        f"{a.best:.4f}",
        f"{b.median:.4f}",
        f"{b.best:.4f}",
        f"{b.median / a.median:.1f}",
        mem(a.peak, input_bytes),
        mem(b.peak, input_bytes),
    ]


def compare(
    ours: Callable[[], object], theirs: Callable[[], object] | None, repeats: int
) -> tuple[Side, Side | None]:
    if theirs is None:
        times = [time_once(ours) for _ in range(repeats)]
        return Side("crm_metrics", times, traced_peak(ours), None), None
    ta, tb = measure_alternating(ours, theirs, repeats)
    return (
        Side("crm_metrics", ta, traced_peak(ours), None),
        Side("lifetimes", tb, traced_peak(theirs) if repeats > 1 else 0, None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.simplefilter("ignore")
    peer = HAVE_LIFETIMES
    rows: list[list[str]] = []

    # 1. rfm summary on the uniform log
    uni = uniform_log(args.rows, args.uniform_customers)
    uni_df = frame(uni) if peer else None
    ours_s = crm_summary(uni)
    if peer:
        check_summary(ours_s, lt_summary(uni_df))
    a, b = compare(
        lambda: crm_summary(uni), (lambda: lt_summary(uni_df)) if peer else None, args.repeats
    )
    rows.append(
        row("rfm_summary (uniform log)", f"{args.rows:,} rows / {len(ours_s):,}", a, b, nbytes(uni))
    )

    # 2. BG/NBD fit on the simulated customers
    sim = simulated_log(args.customers)
    s = crm_summary(sim, freq="D", freq_multiplier=7)
    columns = [s.frequency, s.recency, s.T]
    fit_bytes = sum(c.nbytes for c in columns)
    fit = clv.fit_bgnbd(*columns)
    if peer:
        theirs = BetaGeoFitter().fit(*columns)
        ll_ours = loglik(fit.model_dump(), s)
        ll_theirs = loglik(dict(theirs.params_), s)
        if abs(ll_ours - ll_theirs) > 1e-6 * abs(ll_theirs):
            raise SystemExit(f"ABORT: BG/NBD log-likelihoods differ: {ll_ours} vs {ll_theirs}")
        print(f"BG/NBD log-likelihood: crm_metrics {ll_ours:.6f}, lifetimes {ll_theirs:.6f}")
    a, b = compare(
        lambda: clv.fit_bgnbd(*columns),
        (lambda: BetaGeoFitter().fit(*columns)) if peer else None,
        args.repeats,
    )
    rows.append(row("fit_bgnbd", f"{len(s):,} customers", a, b, fit_bytes))

    # 3. the whole pipeline on the simulated log
    sim_df = frame(sim) if peer else None
    ours_p = crm_pipeline(sim)
    if peer:
        check_pipeline(ours_p, lt_pipeline(sim_df))
    a, b = compare(
        lambda: crm_pipeline(sim), (lambda: lt_pipeline(sim_df)) if peer else None, args.repeats
    )
    rows.append(
        row(
            "pipeline: log->CLV, P(alive)",
            f"{len(sim['ts']):,} rows / {len(s):,}",
            a,
            b,
            nbytes(sim),
        )
    )

    print(
        "crm_metrics.clv vs lifetimes 0.11.3"
        + ("" if peer else " (lifetimes not installed: crm_metrics side only)")
    )
    print(
        f"{args.repeats} alternating runs per side; inputs are numpy arrays, the pandas "
        "DataFrame lifetimes needs is built once, NOT timed; agreement checked first\n"
    )
    print(
        table(
            [
                "workload",
                "size",
                "crm median s",
                "crm min s",
                "lifetimes median s",
                "lifetimes min s",
                "ratio lt/crm",
                "crm peak MiB (x input)",
                "lt peak MiB (x input)",
            ],
            rows,
        )
    )
    print("ratio > 1: crm_metrics faster.  peak = tracemalloc peak during one call.\n")

    # robustness on the uniform log: not timed
    ours_fit = clv.fit_bgnbd(ours_s.frequency, ours_s.recency, ours_s.T)
    print(f"uniform log, fit_bgnbd: converged={ours_fit.converged}; {ours_fit.message}")
    if peer:
        summary = lt_summary(uni_df)
        try:
            BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
            print("uniform log, lifetimes BetaGeoFitter: converged")
        except ConvergenceError as exc:
            print(f"uniform log, lifetimes BetaGeoFitter: ConvergenceError ({str(exc).strip()})")
    print(f"process RSS high-water mark: {maxrss_bytes() / MIB:.0f} MiB")
    print(environment())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
