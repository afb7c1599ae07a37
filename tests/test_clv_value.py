"""CLV with any purchase model, and fitted records read only with their own formulas."""

from __future__ import annotations

import re

import numpy as np
import pytest

from crm_metrics import clv, datasets
from crm_metrics.clv.gamma_gamma import _expected_spend
from crm_metrics.clv.value import MONTH_FACTOR, _discounted_by_model


@pytest.fixture(scope="module")
def fits() -> tuple[object, ...]:
    log = datasets.load_cdnow("sample")
    s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7)
    repeat = s.frequency > 0
    bg = clv.fit_bgnbd(s.frequency, s.recency, s.T)
    mbg = clv.fit_mbgnbd(s.frequency, s.recency, s.T)
    gg = clv.fit_gamma_gamma(s.frequency[repeat], s.monetary_value[repeat])
    return s, bg, mbg, gg


def test_the_model_path_equals_the_bgnbd_fast_path(fits: tuple[object, ...]) -> None:
    # the same BG/NBD fit through its own conditional expectations, month by month
    s, bg, _, gg = fits
    fast = clv.customer_lifetime_value(
        bg, gg, s.frequency, s.recency, s.T, s.monetary_value, freq="W"
    )
    curve = _discounted_by_model(bg, s.frequency, s.recency, s.T, 12, MONTH_FACTOR["W"], 0.01)
    slow = _expected_spend(gg.model_dump(), s.frequency, s.monetary_value) * curve
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


def test_mbgnbd_clv_uses_mbgnbd_predictions(fits: tuple[object, ...]) -> None:
    s, _, mbg, gg = fits
    value = clv.customer_lifetime_value(
        mbg, gg, s.frequency, s.recency, s.T, s.monetary_value, time=1, discount_rate=0.0, freq="W"
    )
    # one month, no discount: expected spend times the expected purchases in 4.345 weeks
    expected = _expected_spend(gg.model_dump(), s.frequency, s.monetary_value) * np.asarray(
        mbg.conditional_expected_purchases(MONTH_FACTOR["W"], s.frequency, s.recency, s.T)
    )
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert (value >= 0).all()


def test_a_fitted_record_of_another_model_is_refused(fits: tuple[object, ...]) -> None:
    s, bg, mbg, gg = fits
    with pytest.raises(
        TypeError, match=re.escape("is a MBGNBDFit, but this function needs a BGNBDFit")
    ):
        clv.bgnbd_p_alive(mbg, s.frequency, s.recency, s.T)
    with pytest.raises(
        TypeError, match=re.escape("is a BGNBDFit, but this function needs a GammaGammaFit")
    ):
        clv.customer_lifetime_value(bg, bg, 1, 1.0, 2.0, 5.0)
    with pytest.raises(TypeError, match="predicts no purchases"):
        clv.customer_lifetime_value(gg, gg, 1, 1.0, 2.0, 5.0)


def test_bgnbd_expectations_at_a_plus_b_equal_to_one() -> None:
    # c = a + b - 1 = 0 is a removable singularity of the closed form (it gave nan); the
    # limit is (alpha / (alpha + t))^r r b z 2F1(r + 1, b + 1; 2; z) / (1 - a), z = t/(alpha+t)
    from scipy import special

    r, alpha, a, b = 1.0, 1.0, 0.5, 0.5
    t = np.array([0.0, 1.0, 10.0, 100.0, 1000.0])
    z = t / (alpha + t)
    limit = (alpha / (alpha + t)) ** r * r * b * z * special.hyp2f1(r + 1, b + 1, 2, z) / (1 - a)
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    np.testing.assert_allclose(clv.bgnbd_expected_purchases(params, t), limit, rtol=1e-8)
    fresh = clv.bgnbd_conditional_expected_purchases(params, t, 0, 0.0, 0.0)
    np.testing.assert_allclose(fresh, limit, rtol=1e-8)
