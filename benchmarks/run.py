"""The one benchmark runner: every workload, crm_metrics side by side with its peer.

Usage::

    python benchmarks/run.py                      # everything, default sizes (make bench)
    python benchmarks/run.py --smoke              # tiny sizes, one repeat, seconds (make test)
    python benchmarks/run.py --only nps rfm_summary --sizes 10000 100000 --repeats 3
    python benchmarks/run.py --render benchmarks/results/2026-11-23.json   # RESULTS.md only

What is measured
----------------
The workloads are declared once, in ``WORKLOADS`` (``--list`` prints them): a name, the
default sizes (several sizes make a scaling curve with its fitted log-log slope), a seeded
data builder, the crm_metrics call, the peers (each with one or more idiomatic variants),
and the equality check with its stated tolerance.

* Same inputs: the builder makes numpy arrays; the pandas DataFrame every peer needs is
  built once from them, outside the timed region. Derived keys that both sides need (the
  quarter of ``closed_at``, the acquisition cohort) are computed once, outside as well.
* Correctness first: before any timing, every variant of every peer is run once and must
  give crm_metrics' numbers to the workload's tolerance; otherwise the run stops with
  ``ABORT`` and writes nothing, so a fast wrong answer is never reported.
* Peer choice: where a peer has several idiomatic variants (pandas), each is timed once
  more and the fastest becomes the peer; all variant times are kept in the JSON.
* Time: crm_metrics and the peers run alternately in one process, the order rotated each
  round, ``--repeats`` rounds at the headline size and at most 3 at the other sizes of a
  scaling curve; a point stops early (after 2 rounds) once it has used ``--budget``
  seconds. Median and min are reported; ratio = peer median / crm_metrics median
  (> 1: crm_metrics faster).
* Memory, per side: the ``tracemalloc`` peak of one extra call (numpy and pandas buffers
  are traced; memory held by C extensions that bypass Python's allocator is not) and the
  resident-set peak above the RSS before the call, the largest over the timed calls (Linux:
  the peak is reset by writing 5 to ``/proc/self/clear_refs`` before each call, so every
  call is measured on its own inside the one process; elsewhere "n/a"). The process-wide
  high-water mark (``getrusage``) is reported once. All workloads share one process so
  that both sides always run under identical conditions; the per-call RSS reset replaces
  a subprocess per workload.
* Peers that are not importable (lifetimes and pymc-marketing outside the peer
  environment, e.g. in ``--smoke`` under the dev venv) are reported as "not available"
  with the import error, never silently skipped.

Output: a table on stdout; with ``--out DIR`` (default ``benchmarks/`` for full runs,
nothing for ``--smoke``) ``DIR/results/<date>.json`` and ``DIR/RESULTS.md``, regenerated
from that JSON with the machine description and the "Targets from the issues" section.
No timing is asserted anywhere: tests only run ``--smoke``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

import crm_metrics
from crm_metrics import clv, datasets

HERE = Path(__file__).resolve().parent
MIB = 2**20
Arrays = dict[str, NDArray[Any]]


class Mismatch(Exception):
    """crm_metrics and a peer disagree beyond the workload's tolerance."""


# =========================================================================== peers
_MODULES: dict[str, ModuleType | str] = {}


def peer_module(name: str) -> ModuleType | str:
    """The imported module, or the reason it is not available (cached)."""
    if name not in _MODULES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _MODULES[name] = importlib.import_module(name)
        except Exception as exc:  # ImportError, or a broken install of a peer
            _MODULES[name] = f"not available: import {name} failed ({type(exc).__name__}: {exc})"
    return _MODULES[name]


def _pd() -> Any:
    module = peer_module("pandas")
    assert isinstance(module, ModuleType)
    return module


@dataclass(frozen=True)
class Peer:
    """One peer library: the module it needs and its idiomatic variants."""

    name: str
    module: str
    variants: dict[str, Callable[[Case], Any]]


@dataclass
class Case:
    """The inputs of one (workload, size): numpy arrays and, for peers, a DataFrame."""

    arrays: Arrays
    rows: int
    label: str
    df: Any = None

    @property
    def input_bytes(self) -> int:
        return sum(a.nbytes for a in self.arrays.values())


@dataclass(frozen=True)
class Workload:
    """One benchmark workload (see the module docstring)."""

    name: str
    title: str
    group: str  # "clv", "kpi" or "import"
    sizes: tuple[int, ...]
    smoke_size: int
    build: Callable[[int], Case]
    ours: Callable[[Case], Any]
    peers: tuple[Peer, ...]
    check: Callable[[Any, Any], None]
    tolerance: str
    frame: Callable[[Case], Any] | None = None


# =========================================================================== checks
def _close(name: str, got: Any, want: Any, rtol: float) -> None:
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise Mismatch(f"{name}: shape {w.shape} (peer) vs {g.shape} (crm_metrics)")
    try:
        np.testing.assert_allclose(g, w, rtol=rtol, atol=0.0, equal_nan=True)
    except AssertionError as exc:
        raise Mismatch(f"{name} differs beyond rtol {rtol:g}:{exc}") from None


def _same_keys(got: Any, want: Any) -> None:
    g = got if isinstance(got, tuple) else (got,)
    w = want if isinstance(want, tuple) else (want,)
    if len(g) != len(w) or not all(
        np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(g, w, strict=True)
    ):
        raise Mismatch("group keys differ")


def check_grouped(ours: tuple[Any, Any], peer: tuple[Any, Any]) -> None:
    """Same sorted keys, values to rtol 1e-12 (nan where nan)."""
    _same_keys(ours[0], peer[0])
    _close("values", ours[1], peer[1], 1e-12)


def check_campaign(ours: tuple[Any, dict[str, Any]], peer: tuple[Any, dict[str, Any]]) -> None:
    """Same campaigns, counts exactly, revenue to rtol 1e-12."""
    _same_keys(ours[0], peer[0])
    for f, value in ours[1].items():
        if f == "revenue":
            _close(f, value, peer[1][f], 1e-12)
        elif not np.array_equal(np.asarray(value), np.asarray(peer[1][f], dtype=np.int64)):
            raise Mismatch(f"{f} counts differ")


RFM_COLUMNS = ("frequency", "recency", "T", "monetary_value")


def check_rfm(ours: clv.RFMSummary, peer: tuple[Any, dict[str, Any]]) -> None:
    """Same customers; frequency, recency, T and monetary value to rtol 1e-9."""
    if not np.array_equal(ours.customer_id, peer[0]):
        raise Mismatch("customers differ")
    for col in RFM_COLUMNS:
        _close(col, getattr(ours, col), peer[1][col], 1e-9)


def check_segments(ours: tuple[Any, Any, Any], peer: tuple[Any, Any, Any]) -> None:
    """Same customers, identical three-digit scores and segment names."""
    for what, a, b in zip(("customers", "rfm_score", "segment"), ours, peer, strict=True):
        if not np.array_equal(np.asarray(a), np.asarray(b)):
            raise Mismatch(f"{what} differ")


def check_pipeline(ours: dict[str, Any], peer: dict[str, Any]) -> None:
    """Summary to rtol 1e-9; both fits at the same optimum (log-likelihood to 1e-6
    relative); parameters, CLV and P(alive) to rtol 1e-3 (the optimisers stop at slightly
    different points of a flat optimum)."""
    check_rfm(ours["summary"], peer["summary"])
    s = ours["summary"]
    ll = [
        float(np.sum(clv.bgnbd_loglik(p, s.frequency, s.recency, s.T)))
        for p in (ours["bg"], peer["bg"])
    ]
    if abs(ll[0] - ll[1]) > 1e-6 * abs(ll[1]):
        raise Mismatch(f"BG/NBD log-likelihoods differ: {ll[0]} vs {ll[1]}")
    _close("BG/NBD parameters", list(ours["bg"].values()), list(peer["bg"].values()), 1e-3)
    _close("Gamma-Gamma parameters", list(ours["gg"].values()), list(peer["gg"].values()), 1e-3)
    _close("CLV", ours["clv"], peer["clv"], 1e-3)
    _close("P(alive)", ours["alive"], peer["alive"], 1e-3)


def check_import(ours: Any, peer: Any) -> None:
    """Nothing to compare: both imports succeeded."""


# =========================================================================== data
def uniform_log(n: int) -> Case:
    """CLV.md §6's synthetic log (seed 0); n = 1,000,000 is exactly that log."""
    customers = max(n // 10, 1)
    rng = np.random.default_rng(0)
    customer_id = rng.integers(0, customers, n)
    secs = rng.integers(0, 730 * 86_400, n)
    ts = (np.datetime64("2022-01-01T00:00:00") + secs.astype("timedelta64[s]")).astype(
        "datetime64[ns]"
    )
    value = np.round(rng.gamma(2.0, 25.0, n), 2)
    arrays = {"customer_id": customer_id, "ts": ts, "value": value}
    return Case(arrays, n, f"{n:,} rows / {customers:,} customers")


def clv_frame(case: Case) -> Any:
    a = case.arrays
    return _pd().DataFrame({"id": a["customer_id"], "date": a["ts"], "value": a["value"]})


CDNOW = (0.243, 4.414, 0.793, 2.426)  # r, alpha, a, b (Fader, Hardie & Lee 2005)
SPEND = (6.25, 3.74, 15.44)  # p, q, v (Fader & Hardie 2013)
ROWS_PER_CUSTOMER = 2.765  # of simulate_bgnbd with these parameters (measured)


def simulated_log(n: int) -> Case:
    """``simulate_bgnbd`` log of about n rows (CDNOW-like, 78 weeks, 12-week acquisition)."""
    customers = max(round(n / ROWS_PER_CUSTOMER), 50)
    log = datasets.simulate_bgnbd(
        customers, *CDNOW, horizon=78.0, acquisition_window=12.0, spend=SPEND, seed=8
    )
    arrays = {"customer_id": log.customer_id, "ts": log.ts, "value": np.round(log.amount, 2)}
    return Case(arrays, len(log.ts), f"{len(log.ts):,} rows / {customers:,} customers")


FIRST_AGENT_ID = 10_001
SCORE_PROBS = (0.02, 0.01, 0.01, 0.02, 0.02, 0.05, 0.05, 0.10, 0.20, 0.22, 0.30)
HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
NAT = np.iinfo(np.int64).min


def nps_data(n: int) -> Case:
    """Scores 0..10 skewed towards 8-10, n / 1000 agents (int64 ids)."""
    agents = max(n // 1000, 10)
    rng = np.random.default_rng(20240607)
    scores = rng.choice(11, size=n, p=SCORE_PROBS).astype(np.int64, copy=False)
    agent = rng.integers(0, agents, size=n, dtype=np.int64) + FIRST_AGENT_ID
    return Case({"score": scores, "agent": agent}, n, f"{n:,} responses / {agents:,} agents")


def frt_data(n: int) -> Case:
    """Tickets over one year: first reply after an exponential 2 h, 10 % unanswered."""
    agents = max(n // 1000, 10)
    rng = np.random.default_rng(20241123)
    opened = np.datetime64("2024-01-01", "ns").astype(np.int64) + rng.integers(
        0, 365 * DAY_NS, size=n
    )
    first = opened + rng.exponential(2 * HOUR_NS, size=n).astype(np.int64)
    first[rng.random(n) < 0.10] = NAT
    arrays = {
        "opened_at": opened.view("datetime64[ns]"),
        "first_response_at": first.view("datetime64[ns]"),
        "agent": rng.integers(0, agents, size=n, dtype=np.int64) + FIRST_AGENT_ID,
    }
    return Case(arrays, n, f"{n:,} tickets / {agents:,} agents")


WINDOW = (np.datetime64("2022-01-01", "ns"), np.datetime64("2023-01-01", "ns"))


def orders_data(n: int) -> Case:
    """Orders over three years by n / 10 customers, unsorted; monthly acquisition cohort."""
    customers = max(n // 10, 1)
    rng = np.random.default_rng(20240611)
    ids = rng.integers(0, customers, size=n, dtype=np.int64) + 1_000_001
    secs = rng.integers(0, 3 * 365 * 86_400, size=n, dtype=np.int64)
    ts = np.datetime64("2021-01-01", "ns") + secs.astype("timedelta64[s]").astype("timedelta64[ns]")
    cohort = crm_metrics.cohort_key(ids, ts, "M")  # both sides get it (not timed)
    arrays = {"customer_id": ids, "ts": ts, "cohort": cohort}
    return Case(arrays, n, f"{n:,} orders / {customers:,} customers, 1-year window")


def deals_data(n: int) -> Case:
    """Deals: 70 % closed within 120 days, 30 % of them won, n / 10,000 owners."""
    owners = max(n // 10_000, 10)
    rng = np.random.default_rng(20241124)
    created = np.datetime64("2022-01-01", "ns") + rng.integers(0, 730 * DAY_NS, size=n).astype(
        "timedelta64[ns]"
    )
    cycle = rng.integers(0, 120 * DAY_NS, size=n).astype("timedelta64[ns]")
    closed = np.where(rng.random(n) < 0.7, created + cycle, np.datetime64("NaT", "ns"))
    arrays = {
        "created_at": created,
        "closed_at": closed,
        "won": rng.random(n) < 0.3,
        "owner": rng.integers(0, owners, size=n) + 5_000,
        "quarter": crm_metrics.period_key(closed, "Q"),  # both sides get it (not timed)
    }
    return Case(arrays, n, f"{n:,} deals / {owners:,} owners")


def campaign_data(n: int) -> Case:
    """Recipient records with a monotone funnel over n / 10,000 campaigns."""
    campaigns = max(n // 10_000, 5)
    rng = np.random.default_rng(20241123)
    sent = rng.random(n) < 0.97
    delivered = sent & (rng.random(n) < 0.92)
    u = rng.random(n)
    converted = delivered & (u < 0.02)
    arrays = {
        "campaign_id": rng.integers(0, campaigns, size=n, dtype=np.int64) + 501,
        "sent": sent,
        "delivered": delivered,
        "responded": delivered & (u < 0.06),
        "converted": converted,
        "revenue": np.where(converted, np.round(rng.gamma(2.0, 60.0, n), 2), 0.0),
        "is_new_customer": converted & (rng.random(n) < 0.3),
        "contact_id": rng.integers(0, max(n // 5, 1), size=n, dtype=np.int64),
    }
    return Case(arrays, n, f"{n:,} recipients / {campaigns:,} campaigns")


def plain_frame(case: Case) -> Any:
    return _pd().DataFrame(case.arrays)


def no_data(n: int) -> Case:
    return Case({}, 0, "fresh interpreter")


# =========================================================================== crm_metrics side
def ours_rfm(c: Case) -> clv.RFMSummary:
    a = c.arrays
    return clv.rfm_summary(a["customer_id"], a["ts"], a["value"])


def ours_segments(c: Case) -> tuple[Any, Any, Any]:
    a = c.arrays
    s = clv.rfm_summary(a["customer_id"], a["ts"], a["value"], include_first=True)
    assert s.monetary_value is not None
    seg = clv.rfm_segments(s.T - s.recency, s.frequency, s.monetary_value)
    return s.customer_id, seg.rfm_score, seg.segment


def ours_pipeline(c: Case) -> dict[str, Any]:
    """Log -> weekly summary -> BG/NBD and Gamma-Gamma fits -> 12-month CLV, P(alive)."""
    a = c.arrays
    s = clv.rfm_summary(a["customer_id"], a["ts"], a["value"], freq="D", freq_multiplier=7)
    assert s.monetary_value is not None
    bg = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    value = clv.customer_lifetime_value(
        bg, gg, s.frequency, s.recency, s.T, s.monetary_value, time=12, discount_rate=0.01, freq="W"
    )
    alive = clv.bgnbd_p_alive(bg, s.frequency, s.recency, s.T)
    return {
        "summary": s,
        "bg": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b},
        "gg": {"p": gg.p, "q": gg.q, "v": gg.v},
        "clv": value,
        "alive": alive,
    }


def _grouped(g: crm_metrics.Grouped) -> tuple[Any, Any]:
    return g.keys, g.values


def ours_nps(c: Case) -> tuple[Any, Any]:
    return _grouped(crm_metrics.nps(c.arrays["score"], by=c.arrays["agent"]))


def ours_frt(c: Case) -> tuple[Any, Any]:
    a = c.arrays
    return _grouped(
        crm_metrics.first_response_time(a["opened_at"], a["first_response_at"], by=a["agent"])
    )


def ours_rpr(c: Case) -> tuple[Any, Any]:
    a = c.arrays
    g = crm_metrics.repeat_purchase_rate(
        a["customer_id"], a["ts"], start=WINDOW[0], end=WINDOW[1], by=a["cohort"]
    )
    return _grouped(g)


def ours_win(c: Case) -> tuple[Any, Any]:
    a = c.arrays
    g = crm_metrics.win_rate(
        a["created_at"], a["closed_at"], a["won"], by=(a["owner"], a["quarter"])
    )
    return _grouped(g)


CAMPAIGN_FIELDS = crm_metrics.CampaignSummary.FIELDS
FUNNEL = ("sent", "delivered", "responded", "converted")


def ours_campaign(c: Case) -> tuple[Any, dict[str, Any]]:
    s = crm_metrics.campaign_summary(**c.arrays)
    return s.keys, {f: getattr(s, f) for f in CAMPAIGN_FIELDS}


def _import_seconds(module: str) -> float:
    """Wall time of ``import module`` in a fresh interpreter (measured inside it)."""
    code = (
        "import time, warnings; warnings.simplefilter('ignore'); t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


# =========================================================================== peer side
def lt_rfm(c: Case) -> tuple[Any, dict[str, Any]]:
    from lifetimes.utils import summary_data_from_transaction_data

    s = summary_data_from_transaction_data(c.df, "id", "date", "value")
    return s.index.to_numpy(), {col: s[col].to_numpy() for col in RFM_COLUMNS}


def pymc_rfm(c: Case) -> tuple[Any, dict[str, Any]]:
    from pymc_marketing.clv.utils import rfm_summary

    s = rfm_summary(c.df, "id", "date", "value")
    return s["customer_id"].to_numpy(), {col: s[col].to_numpy() for col in RFM_COLUMNS}


def pymc_segments(c: Case) -> tuple[Any, Any, Any]:
    from pymc_marketing.clv.utils import rfm_segments

    s = rfm_segments(c.df, "id", "date", "value")
    return s["customer_id"].to_numpy(), s["rfm_score"].to_numpy(), s["segment"].to_numpy()


def lt_pipeline(c: Case) -> dict[str, Any]:
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    s = summary_data_from_transaction_data(c.df, "id", "date", "value", freq="D", freq_multiplier=7)
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
    return {
        "summary": (s.index.to_numpy(), {col: s[col].to_numpy() for col in RFM_COLUMNS}),
        "bg": {k: float(bg.params_[k]) for k in ("r", "alpha", "a", "b")},
        "gg": {k: float(gg.params_[k]) for k in ("p", "q", "v")},
        "clv": np.asarray(value, dtype=np.float64),
        "alive": np.asarray(alive, dtype=np.float64),
    }


def _series(s: Any) -> tuple[Any, Any]:
    if s.index.nlevels > 1:
        keys = tuple(s.index.get_level_values(i).to_numpy() for i in range(s.index.nlevels))
        return keys, s.to_numpy(dtype=np.float64)
    return s.index.to_numpy(), s.to_numpy(dtype=np.float64)


def pd_nps_flags(c: Case) -> tuple[Any, Any]:
    """assign(p, d) -> groupby[[p, d]].mean(); NPS = 100 (p - d)."""
    df = c.df
    g = df.assign(p=df.score >= 9, d=df.score <= 6).groupby("agent")[["p", "d"]].mean()
    return _series(100 * (g.p - g.d))


def pd_nps_sign(c: Case) -> tuple[Any, Any]:
    """+1 / 0 / -1 per response, one groupby mean, times 100."""
    s = c.df["score"]
    sign = (s >= 9).astype(np.int8) - (s <= 6).astype(np.int8)
    return _series(100 * sign.groupby(c.df["agent"]).mean())


def pd_frt_hours(c: Case) -> tuple[Any, Any]:
    """(first - opened) in hours, groupby.mean (NaN skipped); all-unanswered agents dropped."""
    df = c.df
    hours = (df["first_response_at"] - df["opened_at"]) / _pd().Timedelta(hours=1)
    return _series(hours.groupby(df["agent"]).mean().dropna())


def pd_frt_timedelta(c: Case) -> tuple[Any, Any]:
    """(first - opened) as timedelta, groupby.mean (NaT skipped), then in hours."""
    df = c.df
    delta = df["first_response_at"] - df["opened_at"]
    return _series((delta.groupby(df["agent"]).mean() / _pd().Timedelta(hours=1)).dropna())


def _window(df: Any) -> Any:
    return df[(df["ts"] >= WINDOW[0]) & (df["ts"] < WINDOW[1])]


def pd_rpr_size(c: Case) -> tuple[Any, Any]:
    """Filter the window -> groupby([cohort, customer]).size() -> (>= 2) mean per cohort."""
    per = _window(c.df).groupby(["cohort", "customer_id"]).size()
    return _series((per >= 2).groupby(level="cohort").mean())


def pd_rpr_value_counts(c: Case) -> tuple[Any, Any]:
    """Filter the window -> value_counts([cohort, customer]) -> (>= 2) mean per cohort."""
    per = _window(c.df).value_counts(["cohort", "customer_id"])
    return _series((per >= 2).groupby(level="cohort").mean().sort_index())


def pd_win(c: Case) -> tuple[Any, Any]:
    """Closed deals -> groupby([owner, quarter]).won.mean()."""
    closed = c.df[c.df["closed_at"].notna()]
    return _series(closed.groupby(["owner", "quarter"])["won"].mean())


def _campaign_result(g: Any, new: Any) -> tuple[Any, dict[str, Any]]:
    fields = {f: g[f].to_numpy() for f in (*FUNNEL, "revenue")}
    fields["new_customers"] = new.reindex(g.index, fill_value=0).to_numpy()
    return g.index.to_numpy(), fields


def _new_customers(df: Any) -> Any:
    won = df[df["converted"] & df["is_new_customer"]]
    return won.groupby("campaign_id")["contact_id"].nunique()


def pd_campaign_named(c: Case) -> tuple[Any, dict[str, Any]]:
    """assign(revenue of converted) -> groupby.agg(named sums); nunique of new converters."""
    df = c.df
    g = (
        df.assign(rev=df["revenue"].where(df["converted"], 0.0))
        .groupby("campaign_id")
        .agg(
            sent=("sent", "sum"),
            delivered=("delivered", "sum"),
            responded=("responded", "sum"),
            converted=("converted", "sum"),
            revenue=("rev", "sum"),
        )
    )
    return _campaign_result(g, _new_customers(df))


def pd_campaign_sum(c: Case) -> tuple[Any, dict[str, Any]]:
    """groupby[[flags, revenue of converted]].sum() in one pass; nunique of new converters."""
    df = c.df
    cols = df[["campaign_id", *FUNNEL]].assign(revenue=df["revenue"] * df["converted"])
    return _campaign_result(cols.groupby("campaign_id").sum(), _new_customers(df))


def _import_peer(module: str) -> Callable[[Case], float]:
    def run(c: Case) -> float:
        return _import_seconds(module)

    return run


# =========================================================================== the table
LIFETIMES = "lifetimes"
PYMC = "pymc-marketing"
PANDAS = "pandas"
SCALING = (10_000, 100_000, 1_000_000, 10_000_000)

WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "rfm_summary",
        "clv.rfm_summary on the CLV.md §6 uniform log (customers = rows / 10)",
        "clv",
        SCALING,
        3_000,
        uniform_log,
        ours_rfm,
        (
            Peer(LIFETIMES, "lifetimes", {"summary_data_from_transaction_data": lt_rfm}),
            Peer(PYMC, "pymc_marketing.clv", {"clv.utils.rfm_summary": pymc_rfm}),
        ),
        check_rfm,
        "same customers; frequency, recency, T, monetary_value to rtol 1e-9",
        clv_frame,
    ),
    Workload(
        "rfm_segments",
        "clv.rfm_summary(include_first=True) + clv.rfm_segments on the §6 log",
        "clv",
        (1_000_000,),
        3_000,
        uniform_log,
        ours_segments,
        (Peer(PYMC, "pymc_marketing.clv", {"clv.utils.rfm_segments": pymc_segments}),),
        check_segments,
        "same customers, identical RFM scores and segment names",
        clv_frame,
    ),
    Workload(
        "btyd_pipeline",
        "log -> weekly RFM -> BG/NBD + Gamma-Gamma fits -> 12-month CLV and P(alive) "
        "(simulate_bgnbd log)",
        "clv",
        (1_100_000,),
        3_000,
        simulated_log,
        ours_pipeline,
        (Peer(LIFETIMES, "lifetimes", {"BetaGeoFitter+GammaGammaFitter": lt_pipeline}),),
        check_pipeline,
        "summary rtol 1e-9; log-likelihoods 1e-6 relative; params, CLV, P(alive) rtol 1e-3",
        clv_frame,
    ),
    Workload(
        "nps_by_agent",
        "nps(scores, by=agent)",
        "kpi",
        SCALING,
        2_000,
        nps_data,
        ours_nps,
        (
            Peer(
                PANDAS,
                "pandas",
                {"flags groupby.mean": pd_nps_flags, "sign groupby.mean": pd_nps_sign},
            ),
        ),
        check_grouped,
        "same keys; values rtol 1e-12",
        plain_frame,
    ),
    Workload(
        "first_response_time_by_agent",
        "first_response_time(opened_at, first_response_at, by=agent) in hours",
        "kpi",
        SCALING,
        2_000,
        frt_data,
        ours_frt,
        (
            Peer(
                PANDAS,
                "pandas",
                {"hours groupby.mean": pd_frt_hours, "timedelta groupby.mean": pd_frt_timedelta},
            ),
        ),
        check_grouped,
        "same keys; values rtol 1e-12",
        plain_frame,
    ),
    Workload(
        "repeat_purchase_rate_by_cohort",
        "repeat_purchase_rate(customer_id, ts, start, end, by=monthly cohort)",
        "kpi",
        SCALING,
        2_000,
        orders_data,
        ours_rpr,
        (
            Peer(
                PANDAS,
                "pandas",
                {"groupby.size": pd_rpr_size, "value_counts": pd_rpr_value_counts},
            ),
        ),
        check_grouped,
        "same keys; values rtol 1e-12",
        plain_frame,
    ),
    Workload(
        "win_rate_by_owner_quarter",
        "win_rate(created_at, closed_at, won, by=(owner, quarter))",
        "kpi",
        SCALING,
        2_000,
        deals_data,
        ours_win,
        (Peer(PANDAS, "pandas", {"groupby([owner, quarter]).mean": pd_win}),),
        check_grouped,
        "same keys; values rtol 1e-12",
        plain_frame,
    ),
    Workload(
        "campaign_summary",
        "campaign_summary(...): funnel counts, revenue, distinct new customers per campaign",
        "kpi",
        SCALING,
        2_000,
        campaign_data,
        ours_campaign,
        (
            Peer(
                PANDAS,
                "pandas",
                {"groupby.agg(named)": pd_campaign_named, "groupby[[cols]].sum": pd_campaign_sum},
            ),
        ),
        check_campaign,
        "same keys; counts exact; revenue rtol 1e-12",
        plain_frame,
    ),
    Workload(
        "import",
        "`import crm_metrics` in a fresh interpreter (numpy included) vs importing the peer",
        "import",
        (0,),
        0,
        no_data,
        _import_peer("crm_metrics"),
        (
            Peer(PANDAS, "pandas", {"import pandas": _import_peer("pandas")}),
            Peer(LIFETIMES, "lifetimes", {"import lifetimes": _import_peer("lifetimes")}),
        ),
        check_import,
        "-",
    ),
)


# =========================================================================== measuring
def _status_kib(field_name: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise KeyError(field_name)


def _reset_rss_peak() -> int | None:
    """Reset the RSS high-water mark to the current RSS; the RSS in KiB (None: not Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _status_kib("VmRSS")
    except OSError:
        return None


def timed_call(fn: Callable[[], Any], self_timed: bool = False) -> tuple[float, int | None]:
    """Wall seconds of one call and its RSS peak above the RSS before it (bytes or None).

    ``self_timed``: the call returns the seconds it measured itself (an import timed inside
    a fresh interpreter); then that is the time, and no RSS is reported.
    """
    gc.collect()
    before = _reset_rss_peak()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    if self_timed:
        return float(result), None
    rss = None if before is None else max(_status_kib("VmHWM") - before, 0) * 1024
    return seconds, rss


def traced_peak(fn: Callable[[], Any]) -> int:
    """Bytes: tracemalloc peak above the traced level before one call of ``fn``."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def maxrss_bytes() -> int:
    """Process-wide RSS high-water mark (getrusage: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def alternate(
    calls: dict[str, Callable[[], Any]], rounds: int, budget: float, self_timed: bool = False
) -> dict[str, dict[str, list[Any]]]:
    """Run every call once per round, the order rotated each round; stop early (after at
    least 2 rounds) once ``budget`` seconds are used."""
    names = list(calls)
    out: dict[str, dict[str, list[Any]]] = {k: {"times": [], "rss": []} for k in names}
    start = time.perf_counter()
    for i in range(rounds):
        for k in names[i % len(names) :] + names[: i % len(names)]:
            seconds, rss = timed_call(calls[k], self_timed)
            out[k]["times"].append(seconds)
            out[k]["rss"].append(rss)
        if i >= 1 and time.perf_counter() - start > budget:
            break
    return out


def side_record(times: list[float], rss: list[int | None], peak: int | None) -> dict[str, Any]:
    known = [r for r in rss if r is not None]
    return {
        "available": True,
        "times": times,
        "median": statistics.median(times),
        "min": min(times),
        "traced_peak": peak,
        "rss_peak": max(known) if known else None,
    }


def run_point(w: Workload, n: int, rounds: int, budget: float, trace: bool) -> dict[str, Any]:
    """Build, check, then time and measure one (workload, size); raises Mismatch."""
    case = w.build(n)
    available: dict[str, Peer] = {}
    record: dict[str, Any] = {
        "workload": w.name,
        "size": n,
        "rows": case.rows,
        "label": case.label,
        "input_bytes": case.input_bytes,
        "tolerance": w.tolerance,
        "peers": {},
    }
    for peer in w.peers:
        module = peer_module(peer.module)
        if isinstance(module, str):
            record["peers"][peer.name] = {"available": False, "reason": module}
        else:
            available[peer.name] = peer
    if available and w.frame is not None:
        case.df = w.frame(case)  # built once, never timed

    def ours() -> Any:
        return w.ours(case)

    reference = ours()  # the reference numbers, and the warm-up call
    chosen: dict[str, Callable[[], Any]] = {}
    for name, peer in available.items():
        variant_times: dict[str, float] = {}
        for label, variant in peer.variants.items():
            try:
                w.check(reference, variant(case))  # also the variant's warm-up
            except Mismatch as exc:
                raise Mismatch(f"{w.name} at size {n:,}: {name} ({label}): {exc}") from None
            if len(peer.variants) > 1:
                variant_times[label] = timed_call(lambda v=variant: v(case))[0]  # type: ignore[misc]
        best = min(variant_times, key=variant_times.__getitem__) if variant_times else label
        chosen[name] = lambda v=peer.variants[best]: v(case)  # type: ignore[misc]
        record["peers"][name] = {"variant": best, "variant_seconds": variant_times}

    measured = alternate({"crm_metrics": ours, **chosen}, rounds, budget, w.group == "import")
    for name, call in {"crm_metrics": ours, **chosen}.items():
        peak = traced_peak(call) if trace and w.group != "import" else None
        side = side_record(measured[name]["times"], measured[name]["rss"], peak)
        if name == "crm_metrics":
            record["crm_metrics"] = side
        else:
            record["peers"][name].update(side)
    return record


def loglog_slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) on log(size); None below 3 sizes."""
    pts = [(s, t) for s, t in points if s > 0 and t > 0]
    if len(pts) < 3:
        return None
    x = np.log([s for s, _ in pts])
    y = np.log([t for _, t in pts])
    return float(np.polyfit(x, y, 1)[0])


def scaling(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fitted slopes per (workload, side) over the sizes measured."""
    out = []
    for w in WORKLOADS:
        recs = [r for r in records if r["workload"] == w.name]
        sides: dict[str, list[tuple[int, float]]] = {"crm_metrics": []}
        for r in recs:
            sides["crm_metrics"].append((r["rows"], r["crm_metrics"]["median"]))
            for name, p in r["peers"].items():
                if p.get("available", True) and "median" in p:
                    sides.setdefault(name, []).append((r["rows"], p["median"]))
        for side, pts in sides.items():
            slope = loglog_slope(pts)
            if slope is not None:
                (n1, t1), (n2, t2) = sorted(pts)[-2:]
                out.append(
                    {
                        "workload": w.name,
                        "side": side,
                        "sizes": [s for s, _ in pts],
                        "slope": slope,
                        "top_slope": float(np.log(t2 / t1) / np.log(n2 / n1)),
                    }
                )
    return out


# =========================================================================== targets
@dataclass(frozen=True)
class Target:
    """A speed or memory target stated in an issue or spec, checked against one figure.

    ``metric``: "speed" (peer median / crm_metrics median) or "memory" (peer traced peak /
    crm_metrics traced peak); met when the ratio is at least ``threshold``.
    """

    source: str
    text: str
    workload: str
    peer: str
    metric: str
    threshold: float


TARGETS: tuple[Target, ...] = (
    Target(
        "CLV.md (intro), issue 11 workload 1",
        "`clv.rfm_summary` an order of magnitude faster than lifetimes 0.11.3 (§6 1M-row log)",
        "rfm_summary",
        LIFETIMES,
        "speed",
        10.0,
    ),
    Target(
        "CLV.md (intro), issue 11 workload 2",
        "BTYD pipeline (log -> CLV, P(alive)) an order of magnitude faster than lifetimes",
        "btyd_pipeline",
        LIFETIMES,
        "speed",
        10.0,
    ),
    Target(
        "CLV.md (no figure stated; read as: no more memory than the peer)",
        "`clv.rfm_summary` peak memory at most lifetimes' (§6 1M-row log)",
        "rfm_summary",
        LIFETIMES,
        "memory",
        1.0,
    ),
    Target(
        "CLV.md (no figure stated; read as: no more memory than the peer)",
        "BTYD pipeline peak memory at most lifetimes'",
        "btyd_pipeline",
        LIFETIMES,
        "memory",
        1.0,
    ),
    Target(
        "tests/test_import.py ('import crm_metrics stays light'; no figure stated)",
        "`import crm_metrics` (numpy included) faster than `import pandas`",
        "import",
        PANDAS,
        "speed",
        1.0,
    ),
    *(
        Target(
            "METRICS.md §0 `by=`, issue 11 workload 3",
            f"`{name}` faster than idiomatic pandas",
            name,
            PANDAS,
            "speed",
            1.0,
        )
        for name in (
            "nps_by_agent",
            "first_response_time_by_agent",
            "repeat_purchase_rate_by_cohort",
            "win_rate_by_owner_quarter",
            "campaign_summary",
        )
    ),
)


def headline_size(w: Workload, sizes: Sequence[int]) -> int:
    """The size a workload's targets are judged at: 1M for the §6 log, else the largest."""
    if w.name.startswith("rfm_") and 1_000_000 in sizes:
        return 1_000_000
    return max(sizes)


def judge(target: Target, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The measured ratio of a target at its workload's headline size, and the verdict."""
    recs = [r for r in records if r["workload"] == target.workload]
    out: dict[str, Any] = {**target.__dict__, "ratio": None, "size": None, "verdict": ""}
    if not recs:
        out["verdict"] = "not measured in this run"
        return out
    w = next(x for x in WORKLOADS if x.name == target.workload)
    rec = next(r for r in recs if r["size"] == headline_size(w, [r["size"] for r in recs]))
    out["size"] = rec["label"]
    peer = rec["peers"].get(target.peer, {"available": False, "reason": "not a peer"})
    if not peer.get("available"):
        out["verdict"] = f"not measured: {target.peer} {peer.get('reason', '')}".strip()
        return out
    if target.metric == "speed":
        ratio = peer["median"] / rec["crm_metrics"]["median"]
    else:
        ours, theirs = rec["crm_metrics"]["traced_peak"], peer["traced_peak"]
        if not ours or theirs is None:
            out["verdict"] = "not measured (run without tracemalloc)"
            return out
        ratio = theirs / ours
    out["ratio"] = ratio
    factor = ratio / target.threshold
    if factor >= 1:
        out["verdict"] = f"met ({ratio:.2f}x >= {target.threshold:g}x, {factor:.2f}x the target)"
    else:
        out["verdict"] = f"NOT met ({ratio:.2f}x < {target.threshold:g}x; {1 / factor:.2f}x short)"
    return out


# =========================================================================== machine
def _read(path: str, key: str) -> str | None:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=True, timeout=10
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, Any]:
    mem = _read("/proc/meminfo", "MemTotal")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(commit and _git("status", "--porcelain", "--untracked-files=no"))
    return {
        "cpu": _read("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "memory_gib": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "versions": {
            d: _version(d)
            for d in ("crm-metrics", "numpy", "pandas", "scipy", "lifetimes", "pymc-marketing")
        },
        "git_commit": commit or None,
        "git_dirty": dirty,
    }


# =========================================================================== output
def _s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.4f}" if seconds < 10 else f"{seconds:.1f}"


def _mib(nbytes: int | None) -> str:
    if nbytes is None:
        return "n/a"
    mib = nbytes / MIB
    return f"{mib:.1f}" if mib >= 1 else f"{mib:.2f}"


def rows_of(records: list[dict[str, Any]]) -> list[list[str]]:
    """One row per (workload, size, peer): the stdout and RESULTS.md table."""
    rows = []
    for r in records:
        ours = r["crm_metrics"]
        mem_ours = f"{_mib(ours['traced_peak'])} / {_mib(ours['rss_peak'])}"
        for name, p in r["peers"].items():
            if not p.get("available"):
                rows.append(
                    [r["workload"], r["label"], _s(ours["median"]), _s(ours["min"]), name,
                     "not available", "-", "-", mem_ours, "-"]
                )  # fmt: skip
                continue
            rows.append(
                [
                    r["workload"],
                    r["label"],
                    _s(ours["median"]),
                    _s(ours["min"]),
                    name,
                    _s(p["median"]),
                    _s(p["min"]),
                    f"{p['median'] / ours['median']:.2f}",
                    mem_ours,
                    f"{_mib(p['traced_peak'])} / {_mib(p['rss_peak'])}",
                ]
            )
    return rows


PEER_NOTE = (
    "Peers: lifetimes 0.11.3 with the CLV.md §6 pins; pymc-marketing 0.19.2, the last "
    "release installable on Python 3.11 (1.x requires Python >= 3.12), for its "
    "`rfm_summary` and `rfm_segments` (pandas code, no sampling); pandas for the grouped "
    "KPIs. Exact versions: `benchmarks/requirements-peers.txt`."
)

HEADER = [
    "workload",
    "size",
    "crm_metrics s (median)",
    "(min)",
    "peer",
    "peer s (median)",
    "(min)",
    "ratio peer/crm",
    "crm peak MiB traced / RSS",
    "peer peak MiB traced / RSS",
]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(wd) for c, wd in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    return "\n".join([line(header), "  ".join("-" * wd for wd in widths), *map(line, rows)])


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in (header, *rows)]
    lines = ["| " + " | ".join(r) + " |" for r in esc]
    lines.insert(1, "|" + "|".join(["---"] * len(header)) + "|")
    return "\n".join(lines)


def render_markdown(results: dict[str, Any], json_name: str) -> str:
    """RESULTS.md, entirely from one results JSON."""
    m = results["machine"]
    v = m["versions"]
    records = results["records"]
    out = [
        "# Benchmark results",
        "",
        f"Generated by `benchmarks/run.py` from `results/{json_name}` "
        f"({results['date']}); `make bench` regenerates this file. Do not edit by hand.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}; {m['cores']} logical cores ({m['cores_usable']} usable)",
        f"- Memory: {m['memory_gib']} GiB; {m['os']}",
        f"- Python {m['python']}; numpy {v['numpy']}, pandas {v['pandas']}, scipy {v['scipy']}, "
        f"lifetimes {v['lifetimes']}, pymc-marketing {v['pymc-marketing']}; crm-metrics "
        f"{v['crm-metrics']} (git {m['git_commit']}"
        f"{', with uncommitted changes' if m.get('git_dirty') else ''})",
        f"- Load average at start: {m['load_average']}",
        f"- Run: `{results['command']}`; {results['wall_seconds'] / 60:.1f} min in all; "
        f"process RSS high-water mark {_mib(results['maxrss'])} MiB",
        "",
        "## Method",
        "",
        "crm_metrics and each peer run in one process, alternately (order rotated every "
        "round), on the same seeded numpy inputs; the pandas DataFrame a peer needs is built "
        "once, outside the timed region. Before any timing every peer variant must give "
        "crm_metrics' numbers to the stated tolerance, or the run stops. Times are wall "
        "seconds, median and min over the rounds; ratio = peer median / crm_metrics median "
        "(> 1: crm_metrics faster). Memory: tracemalloc peak of one call (numpy and pandas "
        "buffers) / resident-set peak above the RSS before the call (largest over the "
        "rounds). Where pandas has several idiomatic variants, the fastest is the peer.",
        "",
        PEER_NOTE,
        "",
        "## Targets from the issues",
        "",
        md_table(
            ["source", "target", "measured at", "ratio", "verdict"],
            [
                [
                    t["source"],
                    t["text"],
                    t["size"] or "-",
                    "-" if t["ratio"] is None else f"{t['ratio']:.2f}x",
                    t["verdict"],
                ]
                for t in results["targets"]
            ],
        ),
        "",
        "## Results",
        "",
        md_table(HEADER, rows_of(records)),
        "",
    ]
    for w in WORKLOADS:
        recs = [r for r in records if r["workload"] == w.name]
        if not recs:
            continue
        notes = []
        for name, p in recs[-1]["peers"].items():
            if p.get("available"):
                notes.append(f"{name}: {p['variant']}")
            else:
                notes.append(f"{name} {p['reason']}")
        out.append(f"- `{w.name}`: {w.title}. Checked: {w.tolerance}. Peer: {'; '.join(notes)}.")
    out += ["", "## Scaling (fitted log-log slope of the median time on the rows)", ""]
    if results["scaling"]:
        out.append(
            md_table(
                ["workload", "side", "rows", "fitted slope", "slope of the largest step"],
                [
                    [
                        s["workload"],
                        s["side"],
                        ", ".join(f"{n:,}" for n in s["sizes"]),
                        f"{s['slope']:.2f}",
                        f"{s['top_slope']:.2f}" if "top_slope" in s else "-",
                    ]
                    for s in results["scaling"]
                ],
            )
        )
        out.append("")
        out.append(
            "A slope of 1 is linear scaling; below 1, fixed costs dominate at the small sizes. "
            "The last column is the slope between the two largest sizes alone."
        )
    else:
        out.append("No workload ran at 3 or more sizes.")
    return "\n".join(out) + "\n"


# =========================================================================== main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [w.name for w in WORKLOADS]
    p = argparse.ArgumentParser(description="crm_metrics benchmarks, side by side with peers.")
    p.add_argument("--smoke", action="store_true", help="tiny sizes, 1 round, nothing written")
    p.add_argument("--only", nargs="+", choices=names, metavar="NAME", help="workloads to run")
    p.add_argument("--sizes", nargs="+", type=int, help="override every workload's sizes (rows)")
    p.add_argument("--repeats", type=int, default=5, help="rounds at the headline size (5)")
    p.add_argument(
        "--budget", type=float, default=60.0, help="seconds per point before stopping early"
    )
    p.add_argument("--no-trace", action="store_true", help="skip the tracemalloc call")
    p.add_argument("--out", type=Path, help="write results/<date>.json and RESULTS.md here")
    p.add_argument("--render", type=Path, metavar="JSON", help="only regenerate RESULTS.md")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = p.parse_args(argv)
    if args.repeats < 1 or (args.sizes and min(args.sizes) < 1):
        p.error("--repeats and --sizes must be positive")
    if args.out is None and not args.smoke:
        args.out = HERE
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:32} {w.title}")
        return 0
    if args.render:
        results = json.loads(args.render.read_text())
        results["scaling"] = scaling(results["records"])  # with this version's rules
        results["targets"] = [judge(t, results["records"]) for t in TARGETS]
        (args.render.parent.parent / "RESULTS.md").write_text(
            render_markdown(results, args.render.name)
        )
        return 0
    warnings.simplefilter("ignore")  # peers' deprecation noise; crm_metrics' results are checked
    started = time.perf_counter()
    info = machine()
    records: list[dict[str, Any]] = []
    for w in WORKLOADS:
        if args.only and w.name not in args.only:
            continue
        if args.smoke:
            sizes: Sequence[int] = (w.smoke_size,)
        elif args.sizes and w.group != "import":
            sizes = sorted(set(args.sizes))
        else:
            sizes = w.sizes
        top = headline_size(w, sizes)
        for n in sizes:
            rounds = 1 if args.smoke else args.repeats if n == top else min(args.repeats, 3)
            try:
                rec = run_point(w, n, rounds, args.budget, not args.no_trace)
            except Mismatch as exc:
                print(f"ABORT: {exc}", file=sys.stderr)
                return 1
            records.append(rec)
            for row in rows_of([rec]):
                print("  ".join(row), flush=True)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(
            ["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "smoke": args.smoke,
        "repeats": args.repeats,
        "budget": args.budget,
        "machine": info,
        "records": records,
        "scaling": scaling(records),
        "targets": [judge(t, records) for t in TARGETS],
        "maxrss": maxrss_bytes(),
        "wall_seconds": time.perf_counter() - started,
    }
    print()
    print(text_table(HEADER, rows_of(records)))
    print("ratio > 1: crm_metrics faster; memory = tracemalloc peak / RSS peak of one call")
    for s in results["scaling"]:
        print(
            f"scaling {s['workload']} [{s['side']}]: log-log slope {s['slope']:.2f} "
            f"(largest step {s['top_slope']:.2f})"
        )
    for t in results["targets"]:
        print(f"target: {t['text']}: {t['verdict']}")
    for r in records:
        for name, p in r["peers"].items():
            if not p.get("available"):
                print(f"{r['workload']}: peer {name} {p['reason']}")
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; Python "
        f"{info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    )
    if args.out is not None:
        day = results["date"][:10]
        path = args.out / "results" / f"{day}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1) + "\n")
        (args.out / "RESULTS.md").write_text(render_markdown(results, path.name))
        print(f"wrote {path} and {args.out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
