"""crm_metrics: customer-relationship metrics, exact to the edge case and vectorised.

Every public function is available from the top-level namespace::

    import crm_metrics as cm
    cm.nps([10, 9, 7, 3])            # 25.0
    cm.nps(scores, by=agent)         # Grouped: one NPS per agent

Definitions follow the catalog in METRICS.md; rates are fractions in [0, 1]
(:func:`to_percent` gives percentages), zero denominators give ``nan``.
"""

from crm_metrics._groupby import Grouped, cohort_key, period_key
from crm_metrics._math import to_percent
from crm_metrics.satisfaction import (
    NPSBreakdown,
    ces,
    ces_agree_share,
    csat,
    csat_mean,
    nps,
    nps_breakdown,
    nps_from_counts,
    nps_standard_error,
    satisfaction_index,
    satisfaction_index_from_mean,
    survey_response_rate,
)

__version__ = "0.1.0.dev0"

#: Subpackages imported on first use, so ``import crm_metrics`` stays light (PEP 562).
_LAZY_SUBMODULES = frozenset({"clv", "datasets"})


def __getattr__(name: str) -> object:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"crm_metrics.{name}")
    raise AttributeError(f"module 'crm_metrics' has no attribute {name!r}")


__all__ = [
    "Grouped",
    "NPSBreakdown",
    "ces",
    "ces_agree_share",
    "cohort_key",
    "csat",
    "csat_mean",
    "nps",
    "nps_breakdown",
    "nps_from_counts",
    "nps_standard_error",
    "period_key",
    "satisfaction_index",
    "satisfaction_index_from_mean",
    "survey_response_rate",
    "to_percent",
]
