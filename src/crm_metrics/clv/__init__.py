"""crm_metrics.clv: probabilistic customer-base analysis ("buy 'til you die").

Transaction log -> per-customer RFM summary (:func:`rfm_summary`,
:func:`calibration_holdout`) -> BG/NBD purchase model (:func:`fit_bgnbd` and its
predictions) and Gamma-Gamma spend model (:func:`fit_gamma_gamma`) -> customer lifetime
value (:func:`customer_lifetime_value`). The numbers are lifetimes 0.11.3's where
lifetimes is right; its known bugs are refused with clear errors.

This subpackage needs scipy (the optional extra ``clv``); ``import crm_metrics`` does not
load it, ``crm_metrics.clv`` is imported on first use.

Examples
--------
>>> from crm_metrics import clv, datasets
>>> log = datasets.load_cdnow("sample")
>>> s = clv.rfm_summary(log.customer_id, log.ts, log.amount, freq="D", freq_multiplier=7,
...                     observation_end="1997-09-30")
>>> bg = clv.fit_bgnbd(s.frequency, s.recency, s.T)
>>> gg = clv.fit_gamma_gamma(s.frequency, s.monetary_value)
>>> value = clv.customer_lifetime_value(bg, gg, s.frequency, s.recency, s.T,
...                                     s.monetary_value, freq="W")
>>> len(value), bool((value >= 0).all())
(2357, True)
"""

from crm_metrics.clv._protocol import FitSummary
from crm_metrics.clv.bgbb import (
    BGBBFit,
    bgbb_conditional_expected_purchases,
    bgbb_expected_purchases,
    bgbb_loglik,
    bgbb_p_alive,
    bgbb_prob_purchases,
    fit_bgbb,
)
from crm_metrics.clv.bgnbd import (
    BGNBDFit,
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_loglik,
    bgnbd_p_alive,
    bgnbd_prob_purchases,
    fit_bgnbd,
)
from crm_metrics.clv.compat import calibration_and_holdout_data, summary_data_from_transaction_data
from crm_metrics.clv.diagnostics import (
    CalibrationHoldoutPurchases,
    FrequencyRecencyMatrix,
    PAliveHistory,
    PeriodTransactions,
    calibration_holdout_data,
    frequency_recency_matrix_data,
    p_alive_history_data,
    period_transactions_data,
)
from crm_metrics.clv.gamma_gamma import (
    GammaGammaFit,
    fit_gamma_gamma,
    gamma_gamma_correlation,
    gamma_gamma_expected_spend,
)
from crm_metrics.clv.mbgnbd import (
    MBGNBDFit,
    fit_mbgnbd,
    mbgnbd_conditional_expected_purchases,
    mbgnbd_expected_purchases,
    mbgnbd_loglik,
    mbgnbd_p_alive,
    mbgnbd_prob_purchases,
)
from crm_metrics.clv.pareto_nbd import (
    ParetoNBDFit,
    fit_pareto_nbd,
    pareto_nbd_conditional_expected_purchases,
    pareto_nbd_dert,
    pareto_nbd_expected_purchases,
    pareto_nbd_loglik,
    pareto_nbd_p_alive,
)
from crm_metrics.clv.plots import (
    plot_calibration_holdout,
    plot_frequency_recency_matrix,
    plot_p_alive_history,
    plot_period_transactions,
)
from crm_metrics.clv.rfm import CalibrationHoldout, RFMSummary, calibration_holdout, rfm_summary
from crm_metrics.clv.sbg import (
    SBGFit,
    fit_sbg,
    sbg_churn_probability,
    sbg_del,
    sbg_derl,
    sbg_retention,
    sbg_survival,
)
from crm_metrics.clv.segments import RFMSegments, rfm_segments
from crm_metrics.clv.value import customer_lifetime_value

__all__ = [
    "BGBBFit",
    "BGNBDFit",
    "CalibrationHoldout",
    "CalibrationHoldoutPurchases",
    "FitSummary",
    "FrequencyRecencyMatrix",
    "GammaGammaFit",
    "MBGNBDFit",
    "PAliveHistory",
    "ParetoNBDFit",
    "PeriodTransactions",
    "RFMSegments",
    "RFMSummary",
    "SBGFit",
    "bgbb_conditional_expected_purchases",
    "bgbb_expected_purchases",
    "bgbb_loglik",
    "bgbb_p_alive",
    "bgbb_prob_purchases",
    "bgnbd_conditional_expected_purchases",
    "bgnbd_expected_purchases",
    "bgnbd_loglik",
    "bgnbd_p_alive",
    "bgnbd_prob_purchases",
    "calibration_and_holdout_data",
    "calibration_holdout",
    "calibration_holdout_data",
    "customer_lifetime_value",
    "fit_bgbb",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "fit_sbg",
    "frequency_recency_matrix_data",
    "gamma_gamma_correlation",
    "gamma_gamma_expected_spend",
    "mbgnbd_conditional_expected_purchases",
    "mbgnbd_expected_purchases",
    "mbgnbd_loglik",
    "mbgnbd_p_alive",
    "mbgnbd_prob_purchases",
    "p_alive_history_data",
    "pareto_nbd_conditional_expected_purchases",
    "pareto_nbd_dert",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_loglik",
    "pareto_nbd_p_alive",
    "period_transactions_data",
    "plot_calibration_holdout",
    "plot_frequency_recency_matrix",
    "plot_p_alive_history",
    "plot_period_transactions",
    "rfm_segments",
    "rfm_summary",
    "sbg_churn_probability",
    "sbg_del",
    "sbg_derl",
    "sbg_retention",
    "sbg_survival",
    "summary_data_from_transaction_data",
]
