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
