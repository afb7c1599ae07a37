"""Side-by-side benchmark: customer metrics with crm_metrics versus pandas, in one process.

What is measured
----------------
Three workloads on one synthetic transaction log of ``--n`` orders (default 10,000,000)
by ``--customers`` customers (default 1,000,000), int64 customer ids drawn uniformly,
order times uniform over three years (whole seconds), in random order (not sorted by
customer or time: the worst case for both sides):

* ``repeat_purchase_rate(customer_id, ts, start, end)``: a one-year window in the middle
  of the log; pandas: boolean filter, ``groupby(...).size()`` (or ``value_counts``), share
  of customers with >= 2 orders.
* ``avg_time_between_purchases(customer_id, ts)`` pooled, and ``weight="customer"``;
  pandas: ``sort_values([customer, ts])``, ``groupby(...).diff()``, mean (of the per-customer
  means for the customer-weighted variant).
* ``cohort_retention_matrix(customer_id, ts, freq="M")``; pandas: ``dt.to_period("M")``,
  ``groupby.transform("min")`` for the cohort, ``groupby([cohort, offset]).nunique()``,
  ``unstack``, divide by cohort sizes, mask the cells after the last observed month.

Each pandas side is the fastest of the idiomatic variants listed for it (all timed and
shown). Both sides start from the same numpy arrays; the pandas DataFrame is built once,
outside the timed region. Before any timing every variant must agree with crm_metrics
(rtol 1e-9; cohort matrices cell by cell, nan in the same places), otherwise the script
stops with ABORT. Times: alternating runs (order swapped each round), median and min,
ratio pandas / crm_metrics of the medians (> 1: crm_metrics faster). Peak memory: the
``tracemalloc`` peak of one call, also as a multiple of the input arrays
(``customer_id.nbytes + ts.nbytes``; pandas' DataFrame is not counted on either side).

How to run
----------
``.venv/bin/python benchmarks/bench_customer.py`` (full size, several minutes and ~4 GB).
Smaller: ``--n 1000000 --customers 100000 --repeats 3``; ``--smoke``: n=2000, 200
customers, one run. A benchmark runner, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from _common import (
    MIB,
    Side,
    environment,
    maxrss_bytes,
    measure_alternating,
    mem,
    rss_growth,
    table,
    time_once,
    traced_peak,
)
from numpy.typing import NDArray

import crm_metrics

SEED = 20240611
START = np.datetime64("2021-01-01", "ns")
SPAN_S = 3 * 365 * 86_400
WINDOW = (np.datetime64("2022-01-01", "ns"), np.datetime64("2023-01-01", "ns"))
RTOL = 1e-9


# --------------------------------------------------------------------------- data
def make_data(n: int, customers: int, seed: int = SEED) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Seeded orders: int64 customer ids 1_000_001.. and datetime64[ns] times, unsorted."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, customers, size=n, dtype=np.int64) + 1_000_001
    seconds = rng.integers(0, SPAN_S, size=n, dtype=np.int64)
    return ids, START + seconds.astype("timedelta64[s]").astype("timedelta64[ns]")


# --------------------------------------------------------------------------- pandas peers
def pd_rpr_size(df: pd.DataFrame) -> float:
    """Boolean filter -> groupby(customer).size() -> share with >= 2 orders."""
    w = df[(df["ts"] >= WINDOW[0]) & (df["ts"] < WINDOW[1])]
    orders = w.groupby("customer_id").size()
    return float((orders >= 2).mean())


def pd_rpr_value_counts(df: pd.DataFrame) -> float:
    """Boolean filter -> value_counts() of the customer column -> share with >= 2."""
    w = df.loc[(df["ts"] >= WINDOW[0]) & (df["ts"] < WINDOW[1]), "customer_id"]
    return float((w.value_counts() >= 2).mean())


def _sorted_gaps(df: pd.DataFrame) -> tuple[pd.Series[Any], pd.DataFrame]:
    s = df.sort_values(["customer_id", "ts"])
    return s.groupby("customer_id")["ts"].diff(), s


def pd_gap_groupby_diff(df: pd.DataFrame) -> float:
    """sort_values([customer, ts]) -> groupby(customer).ts.diff() -> mean (days)."""
    gaps, _ = _sorted_gaps(df)
    return float(gaps.mean() / pd.Timedelta(days=1))


def pd_gap_shift_mask(df: pd.DataFrame) -> float:
    """sort_values -> ts.diff() masked where the customer changes -> mean (days)."""
    s = df.sort_values(["customer_id", "ts"])
    same = s["customer_id"].eq(s["customer_id"].shift())
    gaps = s["ts"].diff()[same]
    return float(gaps.mean() / pd.Timedelta(days=1))


def pd_gap_customer(df: pd.DataFrame) -> float:
    """sort_values -> groupby.diff -> groupby(customer).mean() -> mean (days)."""
    gaps, s = _sorted_gaps(df)
    days = gaps.dt.total_seconds() / 86_400
    return float(days.groupby(s["customer_id"]).mean().mean())


def pd_gap_customer_agg(df: pd.DataFrame) -> float:
    """groupby(customer).ts.agg([min, max, count]) -> (max - min) / (count - 1) -> mean."""
    g = df.groupby("customer_id")["ts"].agg(["min", "max", "count"])
    g = g[g["count"] >= 2]
    per = (g["max"] - g["min"]).dt.total_seconds() / 86_400 / (g["count"] - 1)
    return float(per.mean())


def pd_cohort_nunique(df: pd.DataFrame) -> NDArray[np.float64]:
    """to_period(M) -> transform(min) -> groupby([cohort, offset]).nunique() -> unstack."""
    p = df["ts"].dt.to_period("M").astype("int64")
    cohort = p.groupby(df["customer_id"]).transform("min")
    frame = pd.DataFrame({"c": df["customer_id"], "cohort": cohort, "k": p - cohort})
    counts = frame.groupby(["cohort", "k"])["c"].nunique().unstack(fill_value=0)
    sizes = frame.groupby("cohort")["c"].nunique()
    return _finish_cohorts(counts, sizes, int(p.max()))


def pd_cohort_drop_duplicates(df: pd.DataFrame) -> NDArray[np.float64]:
    """to_period(M) -> drop_duplicates([customer, period]) -> transform(min) -> size."""
    frame = pd.DataFrame(
        {"c": df["customer_id"], "p": df["ts"].dt.to_period("M").astype("int64")}
    ).drop_duplicates()
    frame["cohort"] = frame.groupby("c")["p"].transform("min")
    counts = frame.groupby(["cohort", frame["p"] - frame["cohort"]]).size().unstack(fill_value=0)
    sizes = frame.groupby("cohort")["c"].nunique()
    return _finish_cohorts(counts, sizes, int(frame["p"].max()))


def _finish_cohorts(counts: pd.DataFrame, sizes: pd.Series[Any], last: int) -> NDArray[np.float64]:
    width = last - int(counts.index.min()) + 1
    counts = counts.reindex(columns=range(width), fill_value=0)
    shares = counts.div(sizes, axis=0).to_numpy(dtype=np.float64, copy=True)
    observed = last - counts.index.to_numpy()
    shares[np.arange(shares.shape[1])[None, :] > observed[:, None]] = np.nan
    return shares


WORKLOADS: dict[str, tuple[Callable[..., Any], dict[str, Any], dict[str, Callable[..., Any]]]] = {
    "repeat_purchase_rate (1-year window)": (
        crm_metrics.repeat_purchase_rate,
        {"start": WINDOW[0], "end": WINDOW[1]},
        {"filter+groupby.size": pd_rpr_size, "filter+value_counts": pd_rpr_value_counts},
    ),
    "avg_time_between_purchases (pooled)": (
        crm_metrics.avg_time_between_purchases,
        {},
        {"sort+groupby.diff": pd_gap_groupby_diff, "sort+diff+mask": pd_gap_shift_mask},
    ),
    "avg_time_between_purchases (customer)": (
        crm_metrics.avg_time_between_purchases,
        {"weight": "customer"},
        {
            "sort+groupby.diff+mean": pd_gap_customer,
            "groupby.agg(min,max,count)": pd_gap_customer_agg,
        },
    ),
    "cohort_retention_matrix (monthly)": (
        crm_metrics.cohort_retention_matrix,
        {"freq": "M"},
        {
            "to_period+nunique+unstack": pd_cohort_nunique,
            "drop_duplicates+size": pd_cohort_drop_duplicates,
        },
    ),
}


# --------------------------------------------------------------------------- checks
def as_array(result: Any) -> NDArray[np.float64]:
    if isinstance(result, crm_metrics.CohortMatrix):
        return result.matrix
    return np.atleast_1d(np.asarray(result, dtype=np.float64))


def check_same(name: str, got: Any, ref: Any) -> None:
    """Stop the benchmark unless ``got`` equals ``ref`` (rtol 1e-9, nan where nan)."""
    g, r = as_array(got), as_array(ref)
    if g.shape != r.shape:
        raise SystemExit(f"ABORT: {name} has shape {g.shape}, crm_metrics {r.shape}")
    try:
        np.testing.assert_allclose(g, r, rtol=RTOL, atol=0.0, equal_nan=True)
    except AssertionError as exc:
        raise SystemExit(f"ABORT: {name} disagrees with crm_metrics:\n{exc}") from None


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Customer metrics benchmark: crm_metrics vs pandas.")
    p.add_argument("--n", type=int, default=10_000_000, help="orders")
    p.add_argument("--customers", type=int, default=1_000_000, help="distinct customers")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="n=2000, customers=200, repeats=1")
    args = p.parse_args(argv)
    if args.smoke:
        args.n, args.customers, args.repeats = 2000, 200, 1
    if args.n < 1 or args.customers < 1 or args.repeats < 1:
        p.error("--n, --customers and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ids, ts = make_data(args.n, args.customers)
    input_bytes = ids.nbytes + ts.nbytes
    df = pd.DataFrame({"customer_id": ids, "ts": ts})  # built once, never timed

    rows: list[list[str]] = []
    variant_rows: list[list[str]] = []
    rss_notes: list[str] = []
    for workload, (func, kwargs, variants) in WORKLOADS.items():

        def crm(func: Callable[..., Any] = func, kwargs: dict[str, Any] = kwargs) -> Any:
            return func(ids, ts, **kwargs)

        ref = crm()  # correctness gate, also the warm-up
        for name, variant in variants.items():
            check_same(f"{workload}: {name}", variant(df), ref)
        times = {
            name: [time_once(lambda v=variant: v(df)) for _ in range(args.repeats)]
            for name, variant in variants.items()
        }
        peer_name = min(times, key=lambda k: statistics.median(times[k]))
        peer = variants[peer_name]

        def pandas_peer(peer: Callable[..., Any] = peer) -> Any:
            return peer(df)

        t_crm, t_pd = measure_alternating(crm, pandas_peer, args.repeats)
        cm_side = Side("crm_metrics", t_crm, traced_peak(crm), rss_growth(crm))
        pd_side = Side("pandas", t_pd, traced_peak(pandas_peer), rss_growth(pandas_peer))
        rows.append(
            [
                workload,
                f"{cm_side.median:.3f}",
                f"{cm_side.best:.3f}",
                f"{pd_side.median:.3f}",
                f"{pd_side.best:.3f}",
                f"{pd_side.median / cm_side.median:.2f}",
                mem(cm_side.peak, input_bytes),
                mem(pd_side.peak, input_bytes),
            ]
        )
        for name, ts_ in times.items():
            mark = "* " if name == peer_name else "  "
            variant_rows.append(
                [f"{mark}{workload}: {name}", f"{statistics.median(ts_):.3f}", f"{min(ts_):.3f}"]
            )
        rss_notes.append(
            f"{workload}: crm_metrics {mem(cm_side.rss, input_bytes)}, "
            f"pandas {mem(pd_side.rss, input_bytes)}"
        )

    print("Customer metrics: crm_metrics vs pandas (fastest idiomatic variant per workload)")
    print(
        f"input: {args.n:,} orders, {args.customers:,} customers (int64 ids, datetime64[ns] "
        f"times, unsorted), {input_bytes / MIB:.1f} MiB; seed {SEED}; "
        f"{args.repeats} alternating runs per side"
    )
    print(
        "both sides start from the same numpy arrays; the pandas DataFrame is built once, "
        "NOT timed; results checked equal (rtol 1e-9) before timing\n"
    )
    header = [
        "workload",
        "crm median s",
        "crm min s",
        "pandas median s",
        "pandas min s",
        "ratio pd/crm",
        "crm peak MiB (x input)",
        "pandas peak MiB (x input)",
    ]
    print(table(header, rows))
    print("ratio > 1: crm_metrics faster.  peak = tracemalloc peak during one call.\n")
    print("pandas variants tried (all checked equal; * = the peer, fastest median):")
    print(table(["variant", "median s", "min s"], variant_rows))
    print("\nRSS growth during one call, MiB (x input) (/proc/self/clear_refs):")
    print("\n".join(rss_notes))
    print(f"process RSS high-water mark (getrusage, whole process): {maxrss_bytes() / MIB:.0f} MiB")
    print(environment())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
