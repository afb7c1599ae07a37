"""Test-suite configuration: hypothesis profiles sized for 2 cores and a < 10 minute run."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs derandomised (the same examples every run, so a red run is reproducible); a
# developer's run explores new examples each time. Both stay small enough for `make test`.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
