"""Side-by-side benchmark: service metrics per agent with crm_metrics versus pandas.

What is measured
----------------
Three workloads of METRICS.md §5, each "per agent" (``by=agent``), against the fastest
idiomatic pandas equivalent among a few variants (all timed and listed):

* ``first_response_time(opened_at, first_response_at, by=agent)``: mean hours to the first
  reply over answered tickets;
* ``sla_compliance_rate(opened_at, resolved_at=..., due_at=..., as_of=..., by=agent)``:
  met / (met + breached) with pending tickets and tickets without a due date left out;
* ``service_level(queued_at, answered_at, wait, by=agent)``: calls answered within 20 s
  over calls offered.

Data: synthetic and seeded, ``--n`` tickets and as many calls (default 10,000,000 each)
over one year, ``--agents`` agents (default 10,000, int64 ids 10_001, 10_002, ...).
First replies arrive after an exponential 2 h (10 % unanswered, NaT), resolutions after an
exponential 20 h (15 % open), due dates 24 h after opening (10 % without SLA); calls wait
an exponential 25 s, 8 % are abandoned. ``as_of`` is 30 days before the last opening, so
every kind of SLA outcome occurs (met, breached, pending).

* Common input: numpy arrays (datetime64[ns], float64 seconds, int64 agents). The pandas
  DataFrames are built once from them *outside* the timed region.
* Correctness first: every pandas variant must give crm_metrics' keys and values to
  ``rtol=1e-12`` before any timing, or the script stops ("ABORT").
* Time: both sides alternately, ``--repeats`` times each; median and min; the ratio of
  medians pandas / crm_metrics (> 1: crm_metrics faster).
* Memory: tracemalloc peak of one call, also as a multiple of the workload's input bytes.

How to run
----------
::

    .venv/bin/python benchmarks/bench_service.py                # full size
    .venv/bin/python benchmarks/bench_service.py --n 1000000 --agents 1000
    .venv/bin/python benchmarks/bench_service.py --smoke        # n=3000, agents=40, 1 repeat
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

SEED = 20241123
FIRST_AGENT_ID = 10_001
RTOL = 1e-12
HOUR_NS = 3_600_000_000_000
YEAR_NS = 365 * 24 * HOUR_NS
START = np.datetime64("2024-01-01", "ns")
NAT = np.iinfo(np.int64).min

Result = tuple[NDArray[Any], NDArray[np.float64]]  # sorted keys, values


# --------------------------------------------------------------------------- data
def make_data(n: int, agents: int, seed: int = SEED) -> dict[str, NDArray[Any]]:
    """Seeded tickets and calls (see the module docstring)."""
    rng = np.random.default_rng(seed)

    def after(begin: NDArray[np.int64], mean_ns: float, missing: float) -> NDArray[Any]:
        gap = rng.exponential(mean_ns, size=n).astype(np.int64)
        out = begin + gap
        out[rng.random(n) < missing] = NAT
        return out.view("datetime64[ns]")

    opened_ns = START.astype(np.int64) + rng.integers(0, YEAR_NS, size=n)
    due = opened_ns + 24 * HOUR_NS
    due[rng.random(n) < 0.10] = NAT
    queued_ns = START.astype(np.int64) + rng.integers(0, YEAR_NS, size=n)
    wait = rng.exponential(25.0, size=n)
    answered = queued_ns + (wait * 1e9).astype(np.int64)
    answered[rng.random(n) < 0.08] = NAT
    return {
        "opened_at": opened_ns.view("datetime64[ns]"),
        "first_response_at": after(opened_ns, 2 * HOUR_NS, 0.10),
        "resolved_at": after(opened_ns, 20 * HOUR_NS, 0.15),
        "due_at": due.view("datetime64[ns]"),
        "queued_at": queued_ns.view("datetime64[ns]"),
        "answered_at": answered.view("datetime64[ns]"),
        "wait": wait,
        "agent": rng.integers(0, agents, size=n, dtype=np.int64) + FIRST_AGENT_ID,
    }


def as_of_of(data: dict[str, NDArray[Any]]) -> np.datetime64:
    return data["opened_at"].max() - np.timedelta64(30 * 24, "h")


# --------------------------------------------------------------------------- crm_metrics
def crm_frt(d: dict[str, NDArray[Any]]) -> Result:
    g = crm_metrics.first_response_time(d["opened_at"], d["first_response_at"], by=d["agent"])
    return np.asarray(g.keys), g.values


def crm_sla(d: dict[str, NDArray[Any]]) -> Result:
    g = crm_metrics.sla_compliance_rate(
        d["opened_at"],
        resolved_at=d["resolved_at"],
        due_at=d["due_at"],
        as_of=as_of_of(d),
        by=d["agent"],
    )
    return np.asarray(g.keys), g.values


def crm_service_level(d: dict[str, NDArray[Any]]) -> Result:
    g = crm_metrics.service_level(d["queued_at"], d["answered_at"], d["wait"], by=d["agent"])
    return np.asarray(g.keys), g.values


# --------------------------------------------------------------------------- pandas
def _result(s: pd.Series[Any]) -> Result:
    s = s.dropna()  # crm_metrics keys come from the records that survive the filter
    return s.index.to_numpy(), s.to_numpy(dtype=np.float64)


def pd_frt_timedelta_mean(df: pd.DataFrame) -> Result:
    """(first - opened) as timedelta, groupby.mean (NaT skipped), then in hours."""
    delta = df["first_response_at"] - df["opened_at"]
    return _result(delta.groupby(df["agent"]).mean() / pd.Timedelta(hours=1))


def pd_frt_hours_mean(df: pd.DataFrame) -> Result:
    """(first - opened) in float hours first, then groupby.mean (NaN skipped)."""
    hours = (df["first_response_at"] - df["opened_at"]) / pd.Timedelta(hours=1)
    return _result(hours.groupby(df["agent"]).mean())


def pd_frt_dropna_sum_count(df: pd.DataFrame) -> Result:
    """dropna on the reply, int64 ns differences, groupby.agg(sum, count)."""
    answered = df.dropna(subset=["first_response_at"])
    ns = answered["first_response_at"].to_numpy().view(np.int64) - answered[
        "opened_at"
    ].to_numpy().view(np.int64)
    g = pd.Series(ns.astype(np.float64) / 3.6e12).groupby(answered["agent"].to_numpy()).mean()
    return _result(g)


def _sla_flags(df: pd.DataFrame, as_of: np.datetime64) -> tuple[pd.Series[Any], pd.Series[Any]]:
    res, due = df["resolved_at"], df["due_at"]
    happened = res.notna() & (res <= as_of)
    keep = (happened | (due < as_of)) & (df["opened_at"] <= as_of) & due.notna()
    met = happened & (res <= due)
    return keep, met


def pd_sla_mask_mean(df: pd.DataFrame) -> Result:
    """Boolean masks (happened, decided, subject, met), filter, groupby.mean of met."""
    keep, met = _sla_flags(df, as_of_of({"opened_at": df["opened_at"].to_numpy()}))
    return _result(met[keep].groupby(df["agent"][keep]).mean())


def pd_sla_where_mean(df: pd.DataFrame) -> Result:
    """met as float with NaN where not decided, groupby.mean (NaN skipped)."""
    keep, met = _sla_flags(df, as_of_of({"opened_at": df["opened_at"].to_numpy()}))
    return _result(met.astype(np.float64).where(keep).groupby(df["agent"]).mean())


def pd_service_level_mean(df: pd.DataFrame) -> Result:
    """(answered & wait <= 20) groupby.mean."""
    fast = df["answered_at"].notna() & (df["wait"] <= 20.0)
    return _result(fast.groupby(df["agent"]).mean())


def pd_service_level_sum_count(df: pd.DataFrame) -> Result:
    """assign flag, groupby.agg(sum, size), divide."""
    g = (
        df.assign(fast=df["answered_at"].notna() & (df["wait"] <= 20.0))
        .groupby("agent")["fast"]
        .agg(["sum", "size"])
    )
    return _result(g["sum"] / g["size"])


WORKLOADS: dict[str, tuple[Callable[..., Result], tuple[str, ...], dict[str, Any]]] = {
    "first_response_time by=agent": (
        crm_frt,
        ("opened_at", "first_response_at", "agent"),
        {
            "timedelta groupby.mean": pd_frt_timedelta_mean,
            "hours groupby.mean": pd_frt_hours_mean,
            "dropna + int64 ns + groupby.mean": pd_frt_dropna_sum_count,
        },
    ),
    "sla_compliance_rate by=agent": (
        crm_sla,
        ("opened_at", "resolved_at", "due_at", "agent"),
        {
            "masks + filter + groupby.mean": pd_sla_mask_mean,
            "where + groupby.mean": pd_sla_where_mean,
        },
    ),
    "service_level by=agent": (
        crm_service_level,
        ("queued_at", "answered_at", "wait", "agent"),
        {
            "flag groupby.mean": pd_service_level_mean,
            "assign + groupby.agg(sum, size)": pd_service_level_sum_count,
        },
    ),
}


# --------------------------------------------------------------------------- checks
def check_same(name: str, got: Result, ref: Result) -> None:
    keys, values = got
    ref_keys, ref_values = ref
    if not np.array_equal(keys, ref_keys):
        raise SystemExit(f"ABORT: {name} gives other group keys than crm_metrics")
    try:
        np.testing.assert_allclose(values, ref_values, rtol=RTOL, atol=0.0)
    except AssertionError as exc:
        raise SystemExit(f"ABORT: {name} disagrees with crm_metrics:\n{exc}") from None


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Service metrics per agent: crm_metrics vs pandas.")
    p.add_argument("--n", type=int, default=10_000_000, help="tickets (and calls)")
    p.add_argument("--agents", type=int, default=10_000, help="distinct agents")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per side")
    p.add_argument("--smoke", action="store_true", help="n=3000, agents=40, repeats=1")
    args = p.parse_args(argv)
    if args.smoke:
        args.n, args.agents, args.repeats = 3000, 40, 1
    if args.n < 1 or args.agents < 1 or args.repeats < 1:
        p.error("--n, --agents and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = make_data(args.n, args.agents)
    rows: list[list[str]] = []
    variant_rows: list[list[str]] = []
    rss_notes: list[str] = []
    for workload, (crm_fn, columns, variants) in WORKLOADS.items():
        arrays = {c: data[c] for c in columns}
        input_bytes = sum(a.nbytes for a in arrays.values())
        df = pd.DataFrame(arrays)  # built once, never timed

        def crm(fn: Callable[..., Result] = crm_fn, a: dict[str, Any] = arrays) -> Result:
            return fn(a)

        ref = crm()  # correctness gate and warm-up
        for name, variant in variants.items():
            check_same(f"{workload}: {name}", variant(df), ref)
        times = {
            name: [time_once(lambda v=variant, f=df: v(f)) for _ in range(args.repeats)]
            for name, variant in variants.items()
        }
        peer_name = min(times, key=lambda k: statistics.median(times[k]))
        peer = variants[peer_name]

        def pandas_peer(p: Callable[..., Result] = peer, frame: pd.DataFrame = df) -> Result:
            return p(frame)

        t_crm, t_pd = measure_alternating(crm, pandas_peer, args.repeats)
        cm_side = Side("crm_metrics", t_crm, traced_peak(crm), rss_growth(crm))
        pd_side = Side("pandas", t_pd, traced_peak(pandas_peer), rss_growth(pandas_peer))
        rows.append(
            [
                workload,
                f"{args.n:,} / {len(ref[0]):,}",
                f"{cm_side.median:.4f}",
                f"{cm_side.best:.4f}",
                f"{pd_side.median:.4f}",
                f"{pd_side.best:.4f}",
                f"{pd_side.median / cm_side.median:.2f}",
                mem(cm_side.peak, input_bytes),
                mem(pd_side.peak, input_bytes),
            ]
        )
        for name, ts in times.items():
            variant_rows.append(
                [
                    ("* " if name == peer_name else "  ") + f"{workload}: {name}",
                    f"{statistics.median(ts):.4f}",
                    f"{min(ts):.4f}",
                ]
            )
        rss_notes.append(
            f"{workload}: crm_metrics {mem(cm_side.rss, input_bytes)}, "
            f"pandas {mem(pd_side.rss, input_bytes)}"
        )
        del df

    print("Service metrics per agent: crm_metrics vs pandas (fastest variant per workload)")
    print(
        f"input: {args.n:,} tickets and {args.n:,} calls over one year, {args.agents:,} agents "
        f"(int64 ids); seed {SEED}; {args.repeats} alternating runs per side"
    )
    print(
        "both sides start from the same numpy arrays; the pandas DataFrames are built once, "
        "NOT timed; results checked equal (same keys, rtol 1e-12) before timing\n"
    )
    print(
        table(
            [
                "workload",
                "size (n / groups)",
                "crm median s",
                "crm min s",
                "pandas median s",
                "pandas min s",
                "ratio pd/crm",
                "crm peak MiB (x input)",
                "pandas peak MiB (x input)",
            ],
            rows,
        )
    )
    print("ratio > 1: crm_metrics faster.  peak = tracemalloc peak during one call.\n")
    print("pandas variants tried (all checked equal to crm_metrics; * = the peer):")
    print(table(["variant", "median s", "min s"], variant_rows))
    print()
    print("RSS growth during one call, MiB (x input): " + "; ".join(rss_notes))
    print(f"process RSS high-water mark (getrusage): {maxrss_bytes() / MIB:.0f} MiB")
    print(environment())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
