"""The benchmark runner stays runnable: its smoke mode (tiny sizes) runs in every test run.

No timing is asserted: the smoke run only proves that every workload's code path works, that
the agreement check between crm_metrics and each available peer passes, and that the
results JSON and RESULTS.md are produced. Peers missing from the dev venv (lifetimes,
pymc-marketing) must be reported as not available, never skipped silently.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_runner_smoke(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(RUNNER), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "ABORT" not in out.stdout + out.stderr
    (result_file,) = (tmp_path / "results").glob("*.json")
    results = json.loads(result_file.read_text())
    names = {r["workload"] for r in results["records"]}
    assert {"rfm_summary", "btyd_pipeline", "nps_by_agent", "campaign_summary"} <= names
    for record in results["records"]:
        assert record["crm_metrics"]["median"] > 0
        for peer in record["peers"].values():
            assert peer["available"] or peer["reason"].startswith("not available")
    markdown = (tmp_path / "RESULTS.md").read_text()
    assert "## Targets from the issues" in markdown
    assert "## Machine" in markdown


def test_a_wrong_peer_answer_is_refused() -> None:
    spec = importlib.util.spec_from_file_location("bench_run", RUNNER)
    assert spec is not None
    assert spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = run  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(run)
        keys = np.array([1, 2])
        run.check_grouped((keys, np.array([0.5, 0.25])), (keys, np.array([0.5, 0.25])))
        with pytest.raises(run.Mismatch, match="rtol"):
            run.check_grouped((keys, np.array([0.5, 0.25])), (keys, np.array([0.5, 0.2500001])))
        with pytest.raises(run.Mismatch, match="keys"):
            run.check_grouped((keys, np.array([0.5, 0.25])), (keys + 1, np.array([0.5, 0.25])))
    finally:
        del sys.modules["bench_run"]
