"""Honest fits, readable records, refused options and lifetimes' date inputs (crm_metrics.clv).

A fit that learnt nothing says so (``converged=False`` and a reason in plain words);
every record the library writes it reads back, and a record with a non-finite field is
refused on load; every scalar option is one finite number or a named error; the pandas
drop-ins read the dates lifetimes reads.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_metrics import clv, datasets
from crm_metrics.clv import bgnbd as bgnbd_module

REFERENCE = Path(__file__).parent / "data" / "clv" / "lifetimes_reference.npz"
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_PAPER = {"p": 6.25, "q": 3.74, "v": 15.44}


def _round_trips(fit: clv.BGNBDFit | clv.GammaGammaFit) -> None:
    kind = type(fit)
    text = fit.model_dump_json()
    assert "Infinity" not in text
    assert "NaN" not in text
    # the only field that may be null is an absent covariance (a fit that did not converge)
    fields = json.loads(text)
    assert [k for k, v in fields.items() if v is None] in ([], ["covariance"])
    assert kind.model_validate_json(text) == fit
    assert kind.model_validate(json.loads(text)) == fit


# --------------------------------------------------------------------------- BG/NBD
def test_all_t_zero_is_not_converged_and_says_why() -> None:
    fit = clv.fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert not fit.converged
    assert "every customer's T is 0" in fit.message
    assert fit.iterations == 0
    assert fit.loglik == 0.0  # every customer's likelihood is 1 at any parameters
    _round_trips(fit)


def test_no_repeat_purchase_is_not_converged_and_says_why() -> None:
    fit = clv.fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0])
    assert not fit.converged
    assert "no customer made a repeat purchase" in fit.message
    assert math.isfinite(fit.loglik)
    _round_trips(fit)


def test_ridge_towards_the_edge_is_not_converged() -> None:
    # three customers: the maximum runs towards "no dropout" (a, b large)
    fit = clv.fit_bgnbd([1, 4, 1], [5.82, 3.68, 11.2], [44.06, 12.07, 27.48])
    assert not fit.converged
    assert fit.message.startswith("did not converge")
    _round_trips(fit)


def test_cdnow_fit_still_converges_and_round_trips() -> None:
    log = datasets.load_cdnow("sample")
    s = clv.rfm_summary(
        log.customer_id,
        log.ts,
        log.amount,
        freq="D",
        freq_multiplier=7,
        observation_end="1997-09-30",
    )
    fit = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    assert fit.converged, fit.message
    _round_trips(fit)
    gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
    assert gg.converged, gg.message
    _round_trips(gg)


def test_judge_reports_an_optimiser_that_did_not_move() -> None:
    theta0 = np.zeros(3)
    res = SimpleNamespace(x=theta0.copy(), nit=0, jac=np.zeros(3), success=True, message="ok")
    converged, message = bgnbd_module._judge(res, theta0, None, np.eye(3), ("p", "q", "v"))
    assert not converged
    assert "did not move from its starting point" in message


def test_judge_reports_a_flat_likelihood() -> None:
    theta0 = np.zeros(2)
    res = SimpleNamespace(x=np.ones(2), nit=5, jac=np.zeros(2), success=True, message="ok")
    flat = np.diag([1.0, 0.0])
    converged, message = bgnbd_module._judge(res, theta0, None, flat, ("r", "alpha"))
    assert not converged
    assert "flat along alpha" in message
    bowl = np.diag([1.0, -1.0])
    converged, message = bgnbd_module._judge(res, theta0, None, bowl, ("r", "alpha"))
    assert not converged
    assert "not at a maximum along alpha" in message
    converged, message = bgnbd_module._judge(res, theta0, None, np.eye(2), ("r", "alpha"))
    assert converged


# --------------------------------------------------------------------------- Gamma-Gamma
@pytest.mark.parametrize(
    ("frequency", "spend"),
    [
        ([3, 3], [10.0, 10.0]),  # two repeat customers, equal spends
        ([1, 2], [10.0, 12.0]),
        ([7, 11], [64.43, 4.47]),  # used to report converged with p = 2706
        ([5], [5.0]),  # one repeat customer
    ],
)
def test_gamma_gamma_on_too_little_data_is_not_converged(
    frequency: list[int], spend: list[float]
) -> None:
    fit = clv.fit_gamma_gamma(frequency, spend)
    assert not fit.converged
    assert fit.message.startswith("did not converge")
    assert math.isfinite(fit.loglik)
    _round_trips(fit)


@pytest.mark.parametrize(
    "spend",
    [[1e99, 1e100], [1e-310, 1e-300], [1e100, 1e-300], [1e-5, 1e5]],
)
def test_gamma_gamma_extreme_spends_give_a_finite_readable_record(spend: list[float]) -> None:
    # from subnormal amounts up to the library's largest accepted magnitude, 1e100
    fit = clv.fit_gamma_gamma([5, 10], spend)  # warnings are errors in this suite
    assert math.isfinite(fit.loglik)
    assert all(math.isfinite(v) and v > 0 for v in (fit.p, fit.q, fit.v))
    _round_trips(fit)


def test_gamma_gamma_spends_beyond_the_largest_magnitude_are_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("monetary_value[1] = 1e+308 is too large")):
        clv.fit_gamma_gamma([5, 10], [1e99, 1e308])


def test_gamma_gamma_is_equivariant_in_the_currency() -> None:
    log = datasets.load_cdnow("sample")
    s = clv.rfm_summary(
        log.customer_id,
        log.ts,
        log.amount,
        freq="D",
        freq_multiplier=7,
        observation_end="1997-09-30",
    )
    x, m = s.frequency, s.monetary_value
    base = clv.fit_gamma_gamma(x, m)
    assert base.converged
    n = int((x > 0).sum())
    for c in (1e-6, 1e6, 1e90):
        scaled = clv.fit_gamma_gamma(x, m * c)
        assert scaled.converged
        # the optimum of the same problem, to the optimiser's stopping tolerance on this
        # flat likelihood (1e-4 relative; the fits against lifetimes allow 1e-3)
        assert scaled.p == pytest.approx(base.p, rel=1e-4)
        assert scaled.q == pytest.approx(base.q, rel=1e-4)
        assert scaled.v == pytest.approx(base.v * c, rel=1e-4)
        # the density of a spend in another currency: minus log(c) per customer
        assert scaled.loglik == pytest.approx(base.loglik - n * math.log(c), rel=1e-10)


small_logs = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 30), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 200.0), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 1e6), min_size=n, max_size=n),
    )
)


@settings(max_examples=40, deadline=None)
@given(small_logs)
def test_every_fit_on_small_data_is_finite_honest_and_readable(
    data: tuple[list[int], list[float], list[float], list[float]],
) -> None:
    x, share, age, money = (np.asarray(v) for v in data)
    tx = np.where(x > 0, share * age, 0.0)
    fit = clv.fit_bgnbd(x, tx, age)
    _round_trips(fit)
    if fit.converged:  # an interior maximum: every parameter well inside the space
        scale = float(np.mean(age))
        inside = (fit.r, fit.alpha / scale, fit.a, fit.b)
        assert all(1e-4 <= v <= 1e4 for v in inside), fit
    gg = clv.fit_gamma_gamma(x, np.where(x > 0, money, 0.0))
    _round_trips(gg)
    assert math.isfinite(gg.loglik)


# --------------------------------------------------------------------------- records
@pytest.mark.parametrize("token", ["Infinity", "-Infinity", "NaN"])
@pytest.mark.parametrize("field", ["r", "loglik", "n_customers"])
def test_bgnbd_record_with_non_finite_field_is_refused_on_load(token: str, field: str) -> None:
    good = clv.BGNBDFit(
        r=1.0,
        alpha=2.0,
        a=0.5,
        b=1.5,
        loglik=-3.0,
        n_customers=3.0,
        converged=True,
        iterations=4,
        message="converged",
    )
    text = good.model_dump_json().replace(
        f'"{field}":{json.dumps(getattr(good, field))}', f'"{field}":{token}'
    )
    assert token in text
    with pytest.raises(ValidationError):
        clv.BGNBDFit.model_validate_json(text)
    with pytest.raises(ValidationError):
        clv.BGNBDFit.model_validate(
            {**good.model_dump(), field: float(token.lower().replace("infinity", "inf"))}
        )


@pytest.mark.parametrize("field", ["p", "v", "loglik"])
def test_gamma_gamma_record_with_non_finite_field_is_refused(field: str) -> None:
    good = {
        "p": 1.0,
        "q": 2.0,
        "v": 3.0,
        "loglik": -1.0,
        "n_customers": 2.0,
        "n_ignored": 0,
        "converged": False,
        "iterations": 3,
        "message": "did not converge",
    }
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(ValidationError):
            clv.GammaGammaFit(**{**good, field: bad})


# --------------------------------------------------------------------------- scalar options
CUSTOMERS = ([0, 2, 1], [0.0, 5.0, 2.0], [10.0, 10.0, 9.0])


def _calls() -> list[tuple[str, object]]:
    log = {"customer_id": [1, 1, 2], "ts": ["2024-01-01", "2024-01-05", "2024-01-03"]}
    return [
        ("penalizer", lambda v: clv.fit_bgnbd(*CUSTOMERS, penalizer=v)),
        ("penalizer", lambda v: clv.fit_gamma_gamma([0, 2, 1], [0.0, 5.0, 3.0], penalizer=v)),
        ("freq_multiplier", lambda v: clv.rfm_summary(**log, freq_multiplier=v)),
        (
            "freq_multiplier",
            lambda v: clv.calibration_holdout(
                **log, calibration_end="2024-01-02", freq_multiplier=v
            ),
        ),
        ("time", lambda v: clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, time=v)),
        (
            "discount_rate",
            lambda v: clv.customer_lifetime_value(
                PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, discount_rate=v
            ),
        ),
    ]


@pytest.mark.parametrize(
    "bad", [math.nan, [0.1, 0.2], np.array([1.0, 2.0]), "0.1", True, math.inf, -1]
)
@pytest.mark.parametrize("index", range(6))
def test_scalar_options_refuse_nan_arrays_and_wrong_types(index: int, bad: object) -> None:
    name, call = _calls()[index]
    with pytest.raises((ValueError, TypeError), match=rf"^{name}\b"):
        call(bad)  # type: ignore[operator]


def test_scalar_options_accept_numpy_scalars_and_refuse_fractions_where_whole() -> None:
    a = clv.fit_bgnbd(*CUSTOMERS, penalizer=np.float32(0.1))
    b = clv.fit_bgnbd(*CUSTOMERS, penalizer=0.1)
    assert a.r == pytest.approx(b.r, rel=1e-6)
    got = clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, time=np.int64(6))
    assert got == clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, time=6)
    with pytest.raises(ValueError, match=r"^time = 1.5 is not a whole number"):
        clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, time=1.5)
    with pytest.raises(ValueError, match=r"^time = 1201 is out of range; it must be <= 1200"):
        clv.customer_lifetime_value(PAPER, GG_PAPER, 1, 2.0, 5.0, 9.0, time=1201)
    with pytest.raises(ValueError, match=r"^freq_multiplier = 0 is out of range; it must be >= 1"):
        clv.rfm_summary([1], ["2024-01-01"], freq_multiplier=0)


# --------------------------------------------------------------------------- drop-in dates
@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    log = datasets.load_cdnow("sample")
    return pd.DataFrame({"id": log.customer_id, "date": log.ts, "amount": log.amount})


def _assert_reference(out: pd.DataFrame, prefix: str) -> None:
    with np.load(REFERENCE) as ref:
        np.testing.assert_array_equal(out.index.to_numpy(), ref[f"{prefix}customer_id"])
        for col in out.columns:
            np.testing.assert_allclose(out[col].to_numpy(), ref[f"{prefix}{col}"], rtol=1e-9)


@pytest.mark.parametrize(
    "end",
    [
        "19970930",
        "1997-09-30",
        pd.Timestamp("1997-09-30"),
        pd.Timestamp("1997-09-30 02:00", tz="Europe/Paris"),  # 00:00 UTC
        pd.Period("1997-09-30", "D"),
        datetime.date(1997, 9, 30),
        np.datetime64("1997-09-30"),
    ],
)
def test_calibration_end_in_every_form_lifetimes_reads(sample: pd.DataFrame, end: object) -> None:
    out = clv.calibration_and_holdout_data(
        sample, "id", "date", end, freq="D", freq_multiplier=7, monetary_value_col="amount"
    )
    _assert_reference(out, "holdout/")


def test_compact_date_column_and_observation_end(sample: pd.DataFrame) -> None:
    compact = sample.assign(date=sample["date"].dt.strftime("%Y%m%d"))
    assert compact["date"].iloc[0] == "19970101"
    last = sample["date"].max()
    for end in (None, last.strftime("%Y%m%d"), last, pd.Period(last, "D")):
        out = clv.summary_data_from_transaction_data(
            compact,
            "id",
            "date",
            "amount",
            freq="D",
            freq_multiplier=7,
            observation_period_end=end,
        )
        _assert_reference(out, "summary/sample/Dx7/")
    explicit = clv.summary_data_from_transaction_data(
        compact, "id", "date", "amount", datetime_format="%Y%m%d", freq="D", freq_multiplier=7
    )
    _assert_reference(explicit, "summary/sample/Dx7/")
    periods = sample.assign(date=sample["date"].dt.to_period("D"))
    out = clv.summary_data_from_transaction_data(
        periods, "id", "date", "amount", freq="D", freq_multiplier=7
    )
    _assert_reference(out, "summary/sample/Dx7/")


def test_observation_end_20150207_is_a_date_not_an_empty_summary() -> None:
    tx = pd.DataFrame({"id": [1, 1, 2], "date": ["2015-01-01", "2015-01-05", "2015-01-03"]})
    out = clv.summary_data_from_transaction_data(
        tx, "id", "date", observation_period_end="20150207"
    )
    assert out.loc[1].tolist() == [1.0, 4.0, 37.0]
    assert out.loc[2].tolist() == [0.0, 0.0, 35.0]
    month = clv.summary_data_from_transaction_data(
        tx, "id", "date", observation_period_end=pd.Period("2015-02", "M")
    )
    assert month.loc[1].tolist() == [1.0, 4.0, 31.0]  # a Period stands for its start


def test_datetime_format_mismatch_names_the_position() -> None:
    tx = pd.DataFrame({"id": [1, 1, 2], "day": ["31/12/2014", "2015-01-02", "01/01/2015"]})
    with pytest.raises(ValueError, match=r"ts\[1\] = '2015-01-02' does not match datetime_format"):
        clv.summary_data_from_transaction_data(tx, "id", "day", datetime_format="%d/%m/%Y")
    good = tx.assign(day=["31/12/2014", "02/01/2015", "01/01/2015"])
    with pytest.raises(ValueError, match=r"observation_period_end = '2015-01-05' does not match"):
        clv.summary_data_from_transaction_data(
            good, "id", "day", datetime_format="%d/%m/%Y", observation_period_end="2015-01-05"
        )
    with pytest.raises(ValueError, match=r"ts\[0\] = '05/01/2015' is not an ISO-8601"):
        clv.summary_data_from_transaction_data(
            tx.assign(day=["05/01/2015", "20150102", "2015-01-01"]), "id", "day"
        )


# --------------------------------------------------------------------------- q_constraint
def test_q_constraint_leaves_an_interior_maximum_alone() -> None:
    log = datasets.load_cdnow("sample")
    s = clv.rfm_summary(
        log.customer_id,
        log.ts,
        log.amount,
        freq="D",
        freq_multiplier=7,
        observation_end="1997-09-30",
    )
    free = clv.fit_gamma_gamma(s)
    held = clv.fit_gamma_gamma(s, q_constraint=True)
    assert held.converged, held.message
    for name in ("p", "q", "v"):  # the same optimum, to the optimiser's tolerance
        assert getattr(held, name) == pytest.approx(getattr(free, name), rel=1e-4)
    assert held.loglik == pytest.approx(free.loglik, rel=1e-10)
    for name, se in held.std_errors().items():
        assert se == pytest.approx(free.std_errors()[name], rel=1e-3)


def test_q_constraint_reports_a_maximum_below_q_1() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(1, 10, 3000)
    nu = rng.lognormal(0.0, 2.0, 3000)  # heavy-tailed mean spends: q < 1
    m = rng.gamma(5.0 * x, 1.0 / (5.0 * x)) * nu * 10.0
    free = clv.fit_gamma_gamma(x, m)
    assert free.converged
    assert free.q < 1.0
    held = clv.fit_gamma_gamma(x, m, q_constraint=True)
    assert not held.converged
    assert "outside the constraint" in held.message
    assert held.q > 1.0
    _round_trips(held)
    with pytest.raises(TypeError, match="q_constraint must be True or False"):
        clv.fit_gamma_gamma(x, m, q_constraint="yes")  # type: ignore[arg-type]
