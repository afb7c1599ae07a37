"""`import crm_metrics` stays light: numpy only, no pandas, polars or scipy."""

from __future__ import annotations

import json
import subprocess
import sys

import crm_metrics as cm

HEAVY = ("pandas", "polars", "scipy", "pyarrow", "matplotlib")


def test_import_does_not_load_optional_libraries() -> None:
    code = (
        "import json, sys; import crm_metrics; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert "numpy" in loaded
    assert "crm_metrics" in loaded
    assert not loaded & set(HEAVY), f"import crm_metrics loaded {sorted(loaded & set(HEAVY))}"


def test_public_names_resolve_and_are_documented() -> None:
    for name in cm.__all__:
        obj = getattr(cm, name)
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    assert len(set(cm.__all__)) == len(cm.__all__)
    assert cm.__all__ == sorted(cm.__all__)


def test_clv_and_its_diagnostics_do_not_load_matplotlib() -> None:
    """The charts are an optional extra: importing ``crm_metrics.clv`` (which exports the
    plot functions) and computing a diagnostic record never imports matplotlib."""
    code = (
        "import json, sys; from crm_metrics import clv; "
        "fit = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=0.0, "
        "n_customers=1, converged=True, iterations=0, message=''); "
        "clv.period_transactions_data(fit, [0, 1], [5.0, 6.0]); "
        "clv.frequency_recency_matrix_data(fit, 3.0); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert "scipy" in loaded
    assert "matplotlib" not in loaded
    assert "pandas" not in loaded
