"""Hand-computed cases for METRICS.md §6 (profitability and reporting), and its new rules."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import crm_metrics as cm
from crm_metrics._math import erfc as _erfc
from crm_metrics._validate import Interval, Keys, Money, Unaligned, validated


# --------------------------------------------------------------------------- profit and margins
def test_profit_and_gross_profit() -> None:
    assert cm.profit(120_000, 95_000) == 25_000.0
    assert cm.profit(50, 80) == -30.0
    assert cm.gross_profit(120_000, 70_000) == 50_000.0
    np.testing.assert_array_equal(cm.profit([10, 20], 5), [5.0, 15.0])
    assert isinstance(cm.profit(1, 1), float)
    with pytest.raises(ValueError, match=r"total_costs = -1.0 is negative"):
        cm.profit(1, -1)


def test_margins() -> None:
    assert cm.gross_margin(120_000, 90_000) == 0.25
    assert cm.gross_margin(100, 150) == -0.5
    assert math.isnan(cm.gross_margin(0, 0))
    assert math.isnan(cm.gross_margin(0, 10))
    assert cm.net_margin(12_000, 120_000) == 0.1
    assert cm.net_margin(-6_000, 120_000) == -0.05
    assert math.isnan(cm.net_margin(-5, 0))
    with pytest.raises(ValueError, match=r"revenue = -1.0 is negative"):
        cm.net_margin(1, -1)


def test_roi_and_return_multiple() -> None:
    assert cm.roi(100_000, 40_000) == 1.5
    assert cm.return_multiple(100_000, 40_000) == 2.5
    assert cm.roi(0, 40_000) == -1.0
    assert cm.return_multiple(0, 40_000) == 0.0
    assert math.isnan(cm.roi(10, 0))
    assert math.isnan(cm.return_multiple(0, 0))


def test_customer_profitability() -> None:
    g = cm.customer_profitability(
        ["a", "a", "b"], [100.0, 50.0, 80.0], ["a", "b", "c", "c"], [30.0, 90.0, 10.0, 5.0]
    )
    # a: 150 - 30; b: 80 - 90; c: costs only -> negative
    assert g.to_dict() == {"a": 120.0, "b": -10.0, "c": -15.0}
    # no cost events at all
    plain = cm.customer_profitability([1, 2, 1], [5.0, 6.0, 7.0], np.array([], dtype=int), [])
    assert plain.to_dict() == {1: 12.0, 2: 6.0}
    empty = cm.customer_profitability([], [], [], [])
    assert len(empty) == 0
    # the total is total revenue minus total cost (sums are additive)
    assert g.values.sum() == 230.0 - 135.0


def test_customer_profitability_validates_each_table() -> None:
    with pytest.raises(ValueError, match="cost has length 1 but cost_customer_id has length 2"):
        cm.customer_profitability(["a"], [1.0], ["a", "b"], [1.0])
    with pytest.raises(ValueError, match="amount has length 2 but customer_id has length 1"):
        cm.customer_profitability(["a"], [1.0, 2.0], ["a"], [1.0])
    with pytest.raises(ValueError, match=r"cost\[1\] = -2.0 is negative"):
        cm.customer_profitability(["a"], [1.0], ["a", "b"], [1.0, -2.0])


# --------------------------------------------------------------------------- change
def test_percent_and_pp_change() -> None:
    assert cm.percent_change(80, 100) == 0.25
    assert cm.percent_change(100, 80) == -0.2
    assert cm.percent_change(-100, -50) == 0.5  # a loss halving is an improvement
    assert math.isnan(cm.percent_change(0, 5))
    assert math.isnan(cm.percent_change(0, 0))
    np.testing.assert_array_equal(cm.percent_change([80, 0], [100, 3]), [0.25, np.nan])
    assert cm.pp_change(0.05, 0.04) == pytest.approx(-0.01, abs=1e-15)
    assert cm.pp_change(0.2, 0.5) == 0.5 - 0.2
    with pytest.raises(ValueError, match=r"new_rate = 25.0 is outside 0..1"):
        cm.pp_change(0.2, 25)


def test_period_over_period() -> None:
    out = cm.period_over_period([100, 120, 90, 0, 10])
    np.testing.assert_array_equal(out, [np.nan, 0.2, -0.25, -1.0, np.nan])
    yoy = cm.period_over_period([10, 20, 30, 15, 40], lag=3)
    np.testing.assert_array_equal(yoy, [np.nan, np.nan, np.nan, 0.5, 1.0])
    assert np.isnan(cm.period_over_period([1.0, 2.0], lag=5)).all()
    assert cm.period_over_period([]).shape == (0,)
    with pytest.raises(ValueError, match=r"lag = 0.0 is outside \[1, inf\)"):
        cm.period_over_period([1.0, 2.0], lag=0)
    with pytest.raises(ValueError, match=r"lag = 1.5 is not a whole number"):
        cm.period_over_period([1.0, 2.0], lag=1.5)
    with pytest.raises(ValueError, match=r"x\[1\] = nan is not finite"):
        cm.period_over_period([1.0, np.nan])


def test_before_after_record() -> None:
    r = cm.before_after(200.0, 250.0)
    assert (r.before, r.after, r.abs_change, r.pct_change) == (200.0, 250.0, 50.0, 0.25)
    assert r.pp_change is None
    assert r.improved is True
    assert json.loads(r.model_dump_json()) == {
        "before": 200.0,
        "after": 250.0,
        "abs_change": 50.0,
        "pct_change": 0.25,
        "pp_change": None,
        "improved": True,
    }
    churn = cm.before_after(0.05, 0.04, is_rate=True, higher_is_better=False)
    assert churn.improved is True
    assert churn.pp_change == cm.pp_change(0.05, 0.04)
    assert churn.pct_change == cm.percent_change(0.05, 0.04)
    assert cm.before_after(3.0, 3.0).improved is False  # unchanged is not improved
    zero = cm.before_after(0.0, 5.0)
    assert math.isnan(zero.pct_change)
    assert json.loads(zero.model_dump_json())["pct_change"] is None  # NaN is written as null


def test_before_after_arrays_are_element_wise() -> None:
    r = cm.before_after([100.0, 50.0, 0.0], [110.0, 40.0, 1.0], higher_is_better=True)
    assert r.before == [100.0, 50.0, 0.0]
    assert r.abs_change == [10.0, -10.0, 1.0]
    assert r.improved == [True, False, True]
    for i, (b, a) in enumerate([(100.0, 110.0), (50.0, 40.0), (0.0, 1.0)]):
        one = cm.before_after(b, a)
        np.testing.assert_equal(r.pct_change[i], one.pct_change)
        assert r.improved[i] == one.improved
    with pytest.raises(ValueError, match="frozen"):
        r.before = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="is_rate must be True or False"):
        cm.before_after(1.0, 2.0, is_rate="yes")  # type: ignore[arg-type]


def test_import_does_not_load_pydantic_until_before_after() -> None:
    code = (
        "import sys, crm_metrics as cm; a = 'pydantic' in sys.modules; "
        "cm.before_after(1.0, 2.0); print(a, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_compound_growth_rate() -> None:
    assert cm.compound_growth_rate(100_000, 121_000, 2) == pytest.approx(0.1, rel=1e-12)
    assert cm.compound_growth_rate(100, 100, 5) == 0.0
    assert cm.compound_growth_rate(100, 0, 3) == -1.0
    assert math.isnan(cm.compound_growth_rate(0, 10, 3))
    assert cm.compound_growth_rate(100, 150, 0.5) == pytest.approx(1.25, rel=1e-12)
    with pytest.raises(ValueError, match=r"start = -5.0 is outside \[0, inf\)"):
        cm.compound_growth_rate(-5, 10, 1)
    with pytest.raises(ValueError, match=r"n_periods = 0.0 is outside \(0, inf\)"):
        cm.compound_growth_rate(5, 10, 0)


# --------------------------------------------------------------------------- series
def test_moving_average() -> None:
    np.testing.assert_array_equal(
        cm.moving_average([10, 20, 30, 40], 3), [np.nan, np.nan, 20.0, 30.0]
    )
    np.testing.assert_array_equal(cm.moving_average([1.0, 2.0], 1), [1.0, 2.0])
    assert np.isnan(cm.moving_average([1.0, 2.0], 3)).all()
    with pytest.raises(ValueError, match=r"window = 0.0 is outside"):
        cm.moving_average([1.0], 0)
    with pytest.raises(ValueError, match="window must be a single number"):
        cm.moving_average([1.0], [1, 2])


def test_mape_and_forecast_accuracy() -> None:
    # errors 10/100, 20/200, 0/400 -> mean 0.2 / 3
    assert cm.mape([100, 200, 400], [110, 180, 400]) == pytest.approx(0.2 / 3, rel=1e-15)
    assert math.isnan(cm.mape([100, 0], [90, 1]))  # an actual of 0
    assert math.isnan(cm.mape([], []))
    # 1 - (10 + 20 + 10) / 300
    assert cm.forecast_accuracy([100, 200, 0], [110, 180, 10]) == pytest.approx(1 - 40 / 300)
    assert cm.forecast_accuracy([100, 200], [100, 200]) == 1.0
    assert cm.forecast_accuracy([10], [40]) == -2.0  # worse than no forecast
    assert math.isnan(cm.forecast_accuracy([0, 0], [1, 2]))
    assert math.isnan(cm.forecast_accuracy([], []))
    with pytest.raises(ValueError, match="forecast has length 1 but actual has length 2"):
        cm.mape([1.0, 2.0], [1.0])


# --------------------------------------------------------------------------- v1.1 statistics
def test_proportion_ci_wilson_and_normal() -> None:
    # Wilson, 30 / 600 at 95 %: z = 1.959964; center 0.0528627, half-width 0.0176180
    low, high = cm.proportion_ci(30, 600)
    assert low == pytest.approx(0.0352447, abs=1e-6)
    assert high == pytest.approx(0.0704807, abs=1e-6)
    # Wald: 0.05 +- 1.959964 * sqrt(0.05 * 0.95 / 600)
    wald = cm.proportion_ci(30, 600, method="normal")
    half = 1.959963984540054 * math.sqrt(0.05 * 0.95 / 600)
    assert wald.low == pytest.approx(0.05 - half, rel=1e-12)
    assert wald.high == pytest.approx(0.05 + half, rel=1e-12)
    # all failures: Wilson stays informative, Wald collapses to a point
    zero = cm.proportion_ci(0, 20)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(3.8415 / (20 + 3.8415), rel=1e-4)
    assert cm.proportion_ci(0, 20, method="normal") == (0.0, 0.0)
    assert all(math.isnan(v) for v in cm.proportion_ci(0, 0))
    narrower = cm.proportion_ci(30, 600, confidence=0.8)
    assert low < narrower.low < narrower.high < high


def test_proportion_ci_broadcasts_and_validates() -> None:
    lows, highs = cm.proportion_ci([30, 0, 5], [600, 0, 5])
    for i, (s, n) in enumerate([(30, 600), (0, 0), (5, 5)]):
        one = cm.proportion_ci(s, n)
        np.testing.assert_equal([lows[i], highs[i]], [one.low, one.high])
    assert highs[2] == 1.0
    with pytest.raises(ValueError, match=r"confidence = 1.0 is outside \(0, 1\)"):
        cm.proportion_ci(1, 2, confidence=1.0)
    with pytest.raises(ValueError, match=r"successes = 3.0 exceeds trials = 2.0"):
        cm.proportion_ci(3, 2)


def test_two_proportion_test() -> None:
    t = cm.two_proportion_test(60, 1_000, 40, 1_000)
    # pooled 0.05: se = sqrt(0.05 * 0.95 * 0.002); z = 0.02 / se
    z = 0.02 / math.sqrt(0.05 * 0.95 * 0.002)
    assert t.z == pytest.approx(z, rel=1e-12)
    assert t.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert t.lift == pytest.approx(cm.response_lift(60, 1_000, 40, 1_000), rel=1e-15)
    same = cm.two_proportion_test(40, 1_000, 40, 1_000)
    assert same.z == 0.0
    assert same.p_value == pytest.approx(1.0, rel=1e-12)
    assert all(math.isnan(v) for v in cm.two_proportion_test(0, 0, 4, 100))
    # pooled rate 0: no variance
    assert math.isnan(cm.two_proportion_test(0, 100, 0, 100).z)
    zs = cm.two_proportion_test([60, 40], [1_000, 1_000], 40, 1_000).z
    assert zs[0] == pytest.approx(z, rel=1e-12)
    assert zs[1] == 0.0


def test_erfc_matches_the_standard_library() -> None:
    x = np.concatenate([np.linspace(0, 8, 4001), [1.4999999, 1.5, 20.0, 26.0]])
    expected = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(_erfc(x), expected, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- new rules
@validated(
    n=Interval(lo=1, integer=True, scalar=True),
    p=Interval(lo=0, hi=1, hi_open=True),
)
def _interval(n: object, p: object) -> object:
    return n


def test_interval_rule() -> None:
    assert _interval(3, [0.0, 0.5]) == 3
    assert isinstance(_interval(3.0, 0.5), int)
    assert _interval(2, np.nan) == 2  # NaN propagates in aggregate values
    with pytest.raises(ValueError, match=r"p\[1\] = 1.0 is outside \[0, 1\)"):
        _interval(1, [0.5, 1.0])
    with pytest.raises(ValueError, match=r"p = inf is outside"):
        _interval(1, np.inf)
    with pytest.raises(ValueError, match="n = nan is NaN"):
        _interval(np.nan, 0.5)
    with pytest.raises(TypeError, match="p must be numeric"):
        _interval(1, True)
    bad = list(Interval(lo=0, hi=1, integer=True, scalar=True).bad_values(1, {}))
    assert -1 in bad
    assert 2 in bad
    assert 2.5 in bad


@validated(ids=Keys(optional=False, multi=False), other=Unaligned(Money(event=True), "ids"))
def _unaligned(ids: object, other: object) -> int:
    return len(np.asarray(other))


def test_unaligned_rule() -> None:
    assert _unaligned([1, 2], [1.0, 2.0]) == 2
    with pytest.raises(ValueError, match="other has length 1 but ids has length 2"):
        _unaligned([1, 2], [1.0])
    rule = Unaligned(Money(event=True))
    assert list(rule.aligned(np.array([1.0]))) == []


# ---------------------------------------------------------------- more intervals, exact tests
# Reference bounds from statsmodels 0.15.0 (scipy 1.17.1, numpy 2.4.6), produced outside the
# project's environment with statsmodels.stats.proportion.proportion_confint(successes, trials,
# alpha=1 - confidence, method=m) for m in "beta", "agresti_coull", "jeffreys", "wilson",
# "normal" (written here under crm_metrics' method names); repr() of the floats.
STATSMODELS_CONFINT: list[tuple[int, int, float, str, float, float]] = [
    # (successes, trials, confidence, method, low, high)
    (0, 10, 0.95, "clopper-pearson", 0.0, 0.3084971078187607),
    (1, 10, 0.95, "clopper-pearson", 0.0025285785444617865, 0.4450161170281954),
    (5, 10, 0.95, "clopper-pearson", 0.18708602844739855, 0.8129139715526015),
    (9, 10, 0.95, "clopper-pearson", 0.5549838829718046, 0.9974714214555382),
    (10, 10, 0.95, "clopper-pearson", 0.6915028921812392, 1.0),
    (0, 1, 0.95, "clopper-pearson", 0.0, 0.975),
    (1, 1, 0.95, "clopper-pearson", 0.025000000000000022, 1.0),
    (30, 600, 0.95, "clopper-pearson", 0.033985547215375486, 0.07061140603267455),
    (45, 200, 0.95, "clopper-pearson", 0.16910254712982664, 0.2892396059687647),
    (682, 925, 0.95, "clopper-pearson", 0.707668264079039, 0.7654065582415253),
    (7, 123456, 0.95, "clopper-pearson", 2.2796780739945747e-05, 0.00011682090615225509),
    (0, 10, 0.95, "agresti-coull", 0.0, 0.3208873057505457),
    (1, 10, 0.95, "agresti-coull", 0.0, 0.4259677373948322),
    (5, 10, 0.95, "agresti-coull", 0.236593090512564, 0.7634069094874361),
    (9, 10, 0.95, "agresti-coull", 0.5740322626051678, 1.0),
    (10, 10, 0.95, "agresti-coull", 0.6791126942494543, 1.0),
    (0, 1, 0.95, "agresti-coull", 0.0, 0.832500514520587),
    (1, 1, 0.95, "agresti-coull", 0.167499485479413, 1.0),
    (30, 600, 0.95, "agresti-coull", 0.035015650467614484, 0.07070988044471616),
    (45, 200, 0.95, "agresti-coull", 0.17239523846435964, 0.287969691043137),
    (682, 925, 0.95, "agresti-coull", 0.7079790581519885, 0.7646527304391209),
    (7, 123456, 0.95, "agresti-coull", 2.4842092543032018e-05, 0.00011967015216647573),
    (0, 10, 0.95, "jeffreys", 4.789043315758196e-05, 0.21719626750921053),
    (1, 10, 0.95, "jeffreys", 0.011011673763161138, 0.3813147710666164),
    (5, 10, 0.95, "jeffreys", 0.22352867025270523, 0.7764713297472947),
    (9, 10, 0.95, "jeffreys", 0.6186852289333836, 0.9889883262368389),
    (10, 10, 0.95, "jeffreys", 0.7828037324907895, 0.9999521095668424),
    (0, 1, 0.95, "jeffreys", 0.0003855809807559016, 0.8532536836904248),
    (1, 1, 0.95, "jeffreys", 0.14674631630957521, 0.9996144190192441),
    (30, 600, 0.95, "jeffreys", 0.03467780618276293, 0.06964621147025772),
    (45, 200, 0.95, "jeffreys", 0.17134024370871592, 0.2865518896992916),
    (682, 925, 0.95, "jeffreys", 0.7082258165034296, 0.7648864606853041),
    (7, 123456, 0.95, "jeffreys", 2.5362166437407746e-05, 0.00011132543733225355),
    (0, 10, 0.95, "wilson", 0.0, 0.2775327998628892),
    (1, 10, 0.95, "wilson", 0.017876213095072896, 0.4041500267952385),
    (5, 10, 0.95, "wilson", 0.236593090512564, 0.7634069094874361),
    (9, 10, 0.95, "wilson", 0.5958499732047615, 0.9821237869049271),
    (10, 10, 0.95, "wilson", 0.7224672001371107, 0.9999999999999999),
    (0, 1, 0.95, "wilson", 0.0, 0.7934506856227626),
    (1, 1, 0.95, "wilson", 0.20654931437723745, 1.0),
    (30, 600, 0.95, "wilson", 0.03524526778459468, 0.07048026312773596),
    (45, 200, 0.95, "wilson", 0.17262369715089126, 0.2877412323566053),
    (682, 925, 0.95, "wilson", 0.7079959876196206, 0.764635800971489),
    (7, 123456, 0.95, "wilson", 2.7466434931270907e-05, 0.00011704580977823684),
    (0, 10, 0.95, "normal", 0.0, 0.0),
    (1, 10, 0.95, "normal", 0.0, 0.28593850969136847),
    (5, 10, 0.95, "normal", 0.19010248384771922, 0.8098975161522808),
    (9, 10, 0.95, "normal", 0.7140614903086315, 1.0),
    (10, 10, 0.95, "normal", 1.0, 1.0),
    (0, 1, 0.95, "normal", 0.0, 0.0),
    (1, 1, 0.95, "normal", 1.0, 1.0),
    (30, 600, 0.95, "normal", 0.0325610926382523, 0.06743890736174771),
    (45, 200, 0.95, "normal", 0.1671271055735702, 0.2828728944264298),
    (682, 925, 0.95, "normal", 0.7089356915233714, 0.7656589030712232),
    (7, 123456, 0.95, "normal", 1.4698108900373867e-05, 9.870261686427103e-05),
    (0, 10, 0.8, "clopper-pearson", 0.0, 0.2056717652757185),
    (1, 10, 0.8, "clopper-pearson", 0.010480741793785605, 0.33684772330672474),
    (5, 10, 0.8, "clopper-pearson", 0.26731809868655193, 0.732681901313448),
    (9, 10, 0.8, "clopper-pearson", 0.6631522766932753, 0.9895192582062144),
    (10, 10, 0.8, "clopper-pearson", 0.7943282347242815, 1.0),
    (0, 1, 0.8, "clopper-pearson", 0.0, 0.9),
    (1, 1, 0.8, "clopper-pearson", 0.09999999999999998, 1.0),
    (30, 600, 0.8, "clopper-pearson", 0.03890510428302078, 0.06341287904369215),
    (45, 200, 0.8, "clopper-pearson", 0.18687232380285676, 0.2673340942205369),
    (682, 925, 0.8, "clopper-pearson", 0.7178455145706932, 0.7559924534510787),
    (7, 123456, 0.8, "clopper-pearson", 3.154808201584224e-05, 9.534317506029087e-05),
    (0, 10, 0.8, "agresti-coull", 0.0, 0.16670271777572943),
    (1, 10, 0.8, "agresti-coull", 0.01999019909751093, 0.29286474657492173),
    (5, 10, 0.8, "agresti-coull", 0.3122044448805158, 0.6877955551194842),
    (9, 10, 0.8, "agresti-coull", 0.7071352534250782, 0.980009800902489),
    (10, 10, 0.8, "agresti-coull", 0.8332972822242706, 1.0),
    (0, 1, 0.8, "agresti-coull", 0.0, 0.6756502630873208),
    (1, 1, 0.8, "agresti-coull", 0.3243497369126792, 1.0),
    (30, 600, 0.8, "agresti-coull", 0.03970972577425237, 0.06274711077266093),
    (45, 200, 0.8, "agresti-coull", 0.18942089189424632, 0.2650588506745088),
    (682, 925, 0.8, "agresti-coull", 0.7183389613083934, 0.7554144651708078),
    (7, 123456, 0.8, "agresti-coull", 3.432160323059862e-05, 9.23807548762453e-05),
    (0, 10, 0.8, "jeffreys", 0.000769755304684768, 0.12357420632868017),
    (1, 10, 0.8, "jeffreys", 0.029541131934183118, 0.27456175015369033),
    (5, 10, 0.8, "jeffreys", 0.3098920281295369, 0.690107971870463),
    (9, 10, 0.8, "jeffreys", 0.7254382498463097, 0.9704588680658168),
    (10, 10, 0.8, "jeffreys", 0.8764257936713198, 0.9992302446953152),
    (0, 1, 0.8, "jeffreys", 0.006181243938429667, 0.6486428019743724),
    (1, 1, 0.8, "jeffreys", 0.35135719802562754, 0.9938187560615703),
    (30, 600, 0.8, "jeffreys", 0.03964648323991423, 0.06249241241659254),
    (45, 200, 0.8, "jeffreys", 0.1892056160321747, 0.26470485571932995),
    (682, 925, 0.8, "jeffreys", 0.7183974631902939, 0.7554650246616061),
    (7, 123456, 0.8, "jeffreys", 3.46148964694991e-05, 9.034275028493742e-05),
    (0, 10, 0.8, "wilson", 0.0, 0.14106868209054085),
    (1, 10, 0.8, "wilson", 0.03041064428212753, 0.28244430139030513),
    (5, 10, 0.8, "wilson", 0.3122044448805158, 0.6877955551194842),
    (9, 10, 0.8, "wilson", 0.7175556986096948, 0.9695893557178724),
    (10, 10, 0.8, "wilson", 0.858931317909459, 0.9999999999999999),
    (0, 1, 0.8, "wilson", 0.0, 0.6215524967746471),
    (1, 1, 0.8, "wilson", 0.3784475032253529, 1.0),
    (30, 600, 0.8, "wilson", 0.039775235974904205, 0.06268160057200911),
    (45, 200, 0.8, "wilson", 0.1894867384034078, 0.26499300416534727),
    (682, 925, 0.8, "wilson", 0.7183437245644392, 0.755409701914762),
    (7, 123456, 0.8, "wilson", 3.509372861722982e-05, 9.16086294896141e-05),
    (0, 10, 0.8, "normal", 0.0, 0.0),
    (1, 10, 0.8, "normal", 0.0, 0.22157865658226508),
    (5, 10, 0.8, "normal", 0.29736890569622487, 0.7026310943037751),
    (9, 10, 0.8, "normal", 0.778421343417735, 1.0),
    (10, 10, 0.8, "normal", 1.0, 1.0),
    (0, 1, 0.8, "normal", 0.0, 0.0),
    (1, 1, 0.8, "normal", 1.0, 1.0),
    (30, 600, 0.8, "normal", 0.038597311375555894, 0.06140268862444411),
    (45, 200, 0.8, "normal", 0.1871589483073112, 0.2628410516926888),
    (682, 925, 0.8, "normal", 0.7187526400650048, 0.7558419545295898),
    (7, 123456, 0.8, "normal", 2.9236565194427694e-05, 8.41641605702172e-05),
    (0, 10, 0.99, "clopper-pearson", 0.0, 0.4112959813475253),
    (1, 10, 0.99, "clopper-pearson", 0.0005011285754646344, 0.5442870568996868),
    (5, 10, 0.99, "clopper-pearson", 0.12831055393508328, 0.8716894460649167),
    (9, 10, 0.99, "clopper-pearson", 0.4557129431003132, 0.9994988714245354),
    (10, 10, 0.99, "clopper-pearson", 0.5887040186524747, 1.0),
    (0, 1, 0.99, "clopper-pearson", 0.0, 0.995),
    (1, 1, 0.99, "clopper-pearson", 0.0050000000000000044, 1.0),
    (30, 600, 0.99, "clopper-pearson", 0.029894685329353347, 0.07755088327256622),
    (45, 200, 0.99, "clopper-pearson", 0.1538132505621879, 0.3096836363533672),
    (682, 925, 0.99, "clopper-pearson", 0.6983102216235255, 0.7738015423889121),
    (7, 123456, 0.99, "clopper-pearson", 1.650280404768032e-05, 0.00013877729793315544),
    (0, 10, 0.99, "agresti-coull", 0.0, 0.4517748406233508),
    (1, 10, 0.99, "agresti-coull", 0.0, 0.5364020538417462),
    (5, 10, 0.99, "agresti-coull", 0.1842255182472355, 0.8157744817527646),
    (9, 10, 0.99, "agresti-coull", 0.4635979461582538, 1.0),
    (10, 10, 0.99, "agresti-coull", 0.5482251593766492, 1.0),
    (0, 1, 0.99, "agresti-coull", 0.0, 0.8966027438995714),
    (1, 1, 0.99, "agresti-coull", 0.10339725610042877, 1.0),
    (30, 600, 0.99, "agresti-coull", 0.031095291414671974, 0.07874820254582539),
    (45, 200, 0.99, "agresti-coull", 0.15798487423844654, 0.30967522669604214),
    (682, 925, 0.99, "agresti-coull", 0.6983902691210703, 0.7728243682885508),
    (7, 123456, 0.99, "agresti-coull", 1.6555843702399157e-05, 0.00015057890616182316),
    (0, 10, 0.99, "jeffreys", 1.9150596499431455e-06, 0.3188346355941716),
    (1, 10, 0.99, "jeffreys", 0.003673321005997247, 0.4829685570796171),
    (5, 10, 0.99, "jeffreys", 0.15823618355626703, 0.841763816443733),
    (9, 10, 0.99, "jeffreys", 0.5170314429203828, 0.9963266789940027),
    (10, 10, 0.99, "jeffreys", 0.6811653644058284, 0.99999808494035),
    (0, 1, 0.99, "jeffreys", 1.5421336149319863e-05, 0.9487634544245647),
    (1, 1, 0.99, "jeffreys", 0.05123654557543535, 0.9999845786638507),
    (30, 600, 0.99, "jeffreys", 0.030542210128528733, 0.07654625644018627),
    (45, 200, 0.99, "jeffreys", 0.15595922838386012, 0.30695054049801407),
    (682, 925, 0.99, "jeffreys", 0.6988725294835538, 0.7732883835538577),
    (7, 123456, 0.99, "jeffreys", 1.863414425930166e-05, 0.000132840872050426),
    (0, 10, 0.99, "wilson", 0.0, 0.3988540933049081),
    (1, 10, 0.99, "wilson", 0.011851503411032943, 0.5072317712328935),
    (5, 10, 0.99, "wilson", 0.1842255182472355, 0.8157744817527646),
    (9, 10, 0.99, "wilson", 0.4927682287671065, 0.9881484965889671),
    (10, 10, 0.99, "wilson", 0.6011459066950919, 1.0),
    (0, 1, 0.99, "wilson", 0.0, 0.8690224567198142),
    (1, 1, 0.99, "wilson", 0.13097754328018596, 1.0),
    (30, 600, 0.99, "wilson", 0.0316034852495447, 0.07824000871095269),
    (45, 200, 0.99, "wilson", 0.15848401859198458, 0.30917608234250404),
    (682, 925, 0.99, "wilson", 0.698428385260326, 0.7727862521492951),
    (7, 123456, 0.99, "wilson", 2.217724728248602e-05, 0.00014495750258173624),
    (0, 10, 0.99, "normal", 0.0, 0.0),
    (1, 10, 0.99, "normal", 0.0, 0.3443646238905929),
    (5, 10, 0.99, "normal", 0.09272562684901187, 0.9072743731509881),
    (9, 10, 0.99, "normal", 0.6556353761094071, 1.0),
    (10, 10, 0.99, "normal", 1.0, 1.0),
    (0, 1, 0.99, "normal", 0.0, 0.0),
    (1, 1, 0.99, "normal", 1.0, 1.0),
    (30, 600, 0.99, "normal", 0.02708139080177757, 0.07291860919822243),
    (45, 200, 0.99, "normal", 0.148942124181546, 0.301057875818454),
    (682, 925, 0.99, "normal", 0.7000238290986845, 0.7745707654959101),
    (7, 123456, 0.99, "normal", 1.5000441646314204e-06, 0.00011190068160001347),
]


@pytest.mark.parametrize(
    ("successes", "trials", "confidence", "method", "low", "high"), STATSMODELS_CONFINT
)
def test_proportion_ci_matches_statsmodels(
    successes: int, trials: int, confidence: float, method: str, low: float, high: float
) -> None:
    got = cm.proportion_ci(successes, trials, confidence=confidence, method=method)
    if method == "jeffreys" and successes == 0:
        assert got.low == 0.0  # Brown, Cai & DasGupta's boundary rule (statsmodels: low > 0)
        low = 0.0
    if method == "jeffreys" and successes == trials:
        assert got.high == 1.0  # likewise, the upper bound with all successes
        high = 1.0
    assert got.low == pytest.approx(low, rel=0, abs=1e-10)
    assert got.high == pytest.approx(high, rel=0, abs=1e-10)


def test_proportion_ci_beta_is_clopper_pearson_and_r_binom_test() -> None:
    both = cm.proportion_ci([0, 3, 682], [5, 20, 925], method="beta")
    cp = cm.proportion_ci([0, 3, 682], [5, 20, 925], method="clopper-pearson")
    np.testing.assert_array_equal(both.low, cp.low)
    np.testing.assert_array_equal(both.high, cp.high)
    # R's binom.test(c(682, 243), p = 3/4) prints the 95 percent confidence interval
    # 0.7076683 0.7654066 (R documentation example, Conover 1971 p. 97f.)
    assert cp.low[2] == pytest.approx(0.7076683, abs=5e-8)
    assert cp.high[2] == pytest.approx(0.7654066, abs=5e-8)


def test_proportion_ci_new_methods_edges_and_nan() -> None:
    for method in ("agresti-coull", "clopper-pearson", "jeffreys"):
        assert all(math.isnan(v) for v in cm.proportion_ci(0, 0, method=method))
        lows, highs = cm.proportion_ci([0, 4, 0, np.nan], [4, 4, 0, 4], method=method)
        assert lows[0] == 0.0
        assert highs[1] == 1.0
        assert np.isnan([lows[2], highs[2], lows[3], highs[3]]).all()
        assert isinstance(cm.proportion_ci(1, 3, method=method).low, float)
    with pytest.raises(ValueError, match="method = 'exact' is not a known option"):
        cm.proportion_ci(1, 3, method="exact")


def test_beta_methods_name_the_extra_when_scipy_is_missing() -> None:
    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import crm_metrics as cm\n"
        "print(cm.proportion_ci(1, 3, method='wilson').low > 0)\n"
        "for call in (lambda: cm.proportion_ci(1, 3, method='jeffreys'),\n"
        "             lambda: cm.binomial_test(1, 3),\n"
        "             lambda: cm.equal_proportions_test([1, 2], [3, 4])):\n"
        "    try:\n"
        "        call()\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "True"
    assert len(lines) == 4
    for line, name in zip(
        lines[1:], ("proportion_ci", "binomial_test", "equal_proportions"), strict=True
    ):
        assert line.startswith(name)
        assert "needs scipy" in line
        assert "crm-metrics[stats]" in line


def test_binomial_test_r_example() -> None:
    """R's binom.test documentation example (Conover 1971, p. 97f.): 682 giant of 925 plants
    against p = 3/4 prints "number of successes = 682, number of trials = 925, p-value =
    0.3825" and the estimate 0.7372973."""
    t = cm.binomial_test(682, 925, p0=0.75)
    assert round(t.p_value, 4) == 0.3825
    assert t.estimate == pytest.approx(0.7372973, abs=5e-8)


def test_binomial_test_hand_cases() -> None:
    # 2 heads in 10 fair tosses: P(X <= 2) = 56 / 1024; two-sided doubles it by symmetry
    assert cm.binomial_test(2, 10, alternative="less").p_value == pytest.approx(56 / 1024)
    assert cm.binomial_test(2, 10).p_value == pytest.approx(112 / 1024)
    assert cm.binomial_test(8, 10, alternative="greater").p_value == pytest.approx(56 / 1024)
    assert cm.binomial_test(5, 10).p_value == 1.0  # the observed count is the mean
    # p0 = 1/3, n = 3: pmf = 8, 12, 6, 1 (/27); below the mean (1), x = 0 adds the upper
    # outcomes at most as likely as 8/27, namely 2 and 3: (8 + 6 + 1) / 27
    assert cm.binomial_test(0, 3, p0=1 / 3).p_value == pytest.approx(15 / 27)
    # boundary hypotheses: with p0 = 0 only 0 successes are possible
    assert cm.binomial_test(0, 7, p0=0.0).p_value == 1.0
    assert cm.binomial_test(1, 7, p0=0.0).p_value == 0.0
    assert cm.binomial_test(7, 7, p0=1.0).p_value == 1.0
    t = cm.binomial_test([3, 0], [10, 0], p0=0.2)
    assert t.estimate[0] == 0.3
    assert np.isnan(t.estimate[1])
    assert np.isnan(t.p_value[1])
    with pytest.raises(ValueError, match=r"p0 = 1.5 is outside \[0, 1\]"):
        cm.binomial_test(1, 2, p0=1.5)
    with pytest.raises(ValueError, match=r"alternative = 'two\.sided' is not a known option"):
        cm.binomial_test(1, 2, alternative="two.sided")


def test_binomial_test_agrees_with_scipy_binomtest() -> None:
    """scipy's binomtest implements R's two-sided rule; agree to 1e-12 on a seeded grid."""
    from scipy.stats import binomtest

    rng = np.random.default_rng(20260512)
    n = np.concatenate([rng.integers(1, 40, 300), rng.integers(40, 20_000, 60)])
    x = rng.integers(0, n + 1)
    for p0 in (0.5, 0.25, 1 / 3, 0.9, 0.013):
        for alternative in ("two-sided", "greater", "less"):
            got = cm.binomial_test(x, n, p0=p0, alternative=alternative).p_value
            want = [
                binomtest(int(a), int(b), p0, alternative=alternative).pvalue
                for a, b in zip(x, n, strict=True)
            ]
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_equal_proportions_test_r_examples() -> None:
    # R's prop.test documentation example: smokers <- c(83, 90, 129, 70); patients <-
    # c(86, 93, 136, 82); prop.test(smokers, patients) prints "X-squared = 12.6, df = 3,
    # p-value = 0.005585" (4-sample test, no continuity correction)
    t = cm.equal_proportions_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert round(t.statistic, 1) == 12.6
    assert t.df == 3
    assert round(t.p_value, 6) == 0.005585
    # prop.test(x = c(490, 400), n = c(500, 500)) with R's default Yates correction prints
    # "X-squared = 80.909, df = 1, p-value < 2.2e-16" (STHDA two-proportion z-test tutorial)
    t = cm.equal_proportions_test([490, 400], [500, 500])
    assert round(t.statistic, 3) == 80.909
    assert t.df == 1
    assert t.p_value < 2.2e-16


def test_equal_proportions_test_agrees_with_scipy_and_the_z_test() -> None:
    from scipy.stats import chi2_contingency

    rng = np.random.default_rng(7)
    for k in (2, 3, 6):
        for _ in range(20):
            n = rng.integers(20, 400, k)
            x = rng.binomial(n, 0.3)
            table = np.stack([x, n - x], axis=1)
            plain = cm.equal_proportions_test(x, n, correction=False)
            ref = chi2_contingency(table, correction=False)
            assert plain.statistic == pytest.approx(ref.statistic, rel=1e-12)
            assert plain.p_value == pytest.approx(ref.pvalue, rel=1e-9)
            assert plain.df == k - 1
            if k == 2:
                z = cm.two_proportion_test(x[0], n[0], x[1], n[1]).z
                assert plain.statistic == pytest.approx(z * z, rel=1e-12)
            if k > 2:  # the correction applies to two groups only
                assert cm.equal_proportions_test(x, n) == plain
    # with two groups far apart, Yates' 0.5 equals scipy's corrected 2 x 2 test
    corrected = cm.equal_proportions_test([60, 40], [1000, 1000])
    ref = chi2_contingency(np.array([[60, 940], [40, 960]]), correction=True)
    assert corrected.statistic == pytest.approx(ref.statistic, rel=1e-12)
    # nearly equal rates: R caps the correction at |d| / (1/n1 + 1/n2) = 0.25 here
    small = cm.equal_proportions_test([5, 5], [10, 11])
    d = 5 / 10 - 5 / 11
    yates = d / (1 / 10 + 1 / 11)
    pooled = 10 / 21
    e = np.array([[10 * pooled, 10 * (1 - pooled)], [11 * pooled, 11 * (1 - pooled)]])
    o = np.array([[5, 5], [5, 6]])
    assert small.statistic == pytest.approx(float((((abs(o - e) - yates) ** 2) / e).sum()))


def test_equal_proportions_test_degenerate_and_bad_input() -> None:
    for x, n in (([0, 0], [10, 10]), ([10, 4], [10, 4]), ([3], [10]), ([3, 0], [10, 0])):
        t = cm.equal_proportions_test(x, n)
        assert math.isnan(t.statistic)
        assert math.isnan(t.p_value)
    assert cm.equal_proportions_test([3], [10]).df == 0
    with pytest.raises(ValueError, match=r"successes\[1\] = 11.0 exceeds trials\[1\] = 10"):
        cm.equal_proportions_test([3, 11], [10, 10])
    with pytest.raises(ValueError, match="successes"):
        cm.equal_proportions_test([3, 4, 5], [10, 10])
    with pytest.raises(ValueError, match=r"trials\[0\] = -1.0 is negative"):
        cm.equal_proportions_test([0, 1], [-1, 10])
