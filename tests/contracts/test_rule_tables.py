"""An oracle for the declared rule tables, kept outside the tables themselves.

The bad-input sweep of ``test_contracts.py`` draws its bad values from each function's rule
table, so a wrong declaration (``nat_ok=True`` on an anchor, ``event=False`` on a series,
``optional=True`` on a required argument) would be swept with its own wrong rule and pass.
``tests/data/rules.json`` is a committed snapshot of every public function's table: argument
-> rule class and its fields. A deliberate change of a declaration regenerates it with

    .venv/bin/python tests/contracts/test_rule_tables.py

and the diff is reviewed like code. Hand cases below pin the refusals the snapshot stands for.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import crm_metrics as cm
import crm_metrics.clv as clv
from crm_metrics._validate import Rule, rules_of

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "rules.json"


def _plain(value: Any) -> Any:
    """A rule (or one of its fields) as JSON: class name and fields, tuples as lists."""
    if isinstance(value, Rule):
        out: dict[str, Any] = {"rule": type(value).__name__}
        if dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                out[field.name] = _plain(getattr(value, field.name))
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # inf and nan survive JSON as text
    return repr(value)


def tables() -> dict[str, dict[str, Any]]:
    """Every public function of ``crm_metrics`` and ``crm_metrics.clv`` with a rule table."""
    out: dict[str, dict[str, Any]] = {}
    for prefix, module in (("", cm), ("clv.", clv)):
        for name in sorted(module.__all__):
            func = getattr(module, name)
            if not callable(func) or isinstance(func, type):
                continue
            rules = rules_of(func)
            if rules:
                # declaration order matters (rules read the arguments declared before them)
                out[prefix + name] = {arg: _plain(rule) for arg, rule in rules.items()}
    return out


REGENERATE = "if deliberate: .venv/bin/python tests/contracts/test_rule_tables.py"


def test_every_rule_table_matches_the_committed_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text())
    got = tables()
    added, removed = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
    assert (added, removed) == ([], []), f"new {added}, gone {removed}; {REGENERATE}"
    for name, table in expected.items():
        assert list(got[name]) == list(table), f"{name}: arguments changed; {REGENERATE}"
        for arg, rule in table.items():
            assert got[name][arg] == rule, f"{name}({arg}=...) changed; {REGENERATE}"


def test_the_snapshot_covers_the_declarations_it_stands_for() -> None:
    snap = json.loads(SNAPSHOT.read_text())
    rate = snap["resolved_within_rate"]
    assert rate["opened_at"] == {
        "rule": "Timestamps",
        "event": True,
        "nat_ok": False,
        "since": None,
    }
    assert rate["resolved_at"]["nat_ok"] is True
    assert rate["threshold"]["optional"] is False
    assert snap["abandonment_rate"]["short_abandon"]["optional"] is True
    assert snap["csat"]["scores"]["rule"] == "Scores"


# --------------------------------------------------------------------------- hand cases
def test_nan_durations_are_refused() -> None:
    queued = np.array(["2024-01-02T09:00", "2024-01-02T09:01"], dtype="datetime64[ns]")
    answered = np.array(["2024-01-02T09:00:15", "NaT"], dtype="datetime64[ns]")
    with pytest.raises(ValueError, match=r"wait\[1\] = nan"):
        cm.abandonment_rate(queued, answered, [1.0, float("nan")])
    with pytest.raises(ValueError, match=r"talk\[0\] = nan"):
        cm.average_handle_time(queued, answered, [float("nan"), 1.0], [0, 0], [0, 0])
    with pytest.raises(ValueError, match=r"durations\[1\] = nan"):
        cm.resolution_time(durations=[1.0, float("nan")])


def test_nat_opened_at_is_refused() -> None:
    with pytest.raises(ValueError, match=r"opened_at\[1\] = NaT"):
        cm.resolved_within_rate(["2024-01-01", "NaT"], ["2024-01-01", "NaT"])
    with pytest.raises(ValueError, match=r"opened_at\[0\] = NaT"):
        cm.ticket_backlog(["NaT"], ["NaT"])
    with pytest.raises(ValueError, match=r"opened_at\[1\] = NaT"):
        cm.resolution_time(["2024-01-01", "NaT"], ["2024-01-02", "NaT"])


def test_two_dimensional_input_is_refused() -> None:
    two_d = np.array([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="scores"):
        cm.csat(two_d)
    with pytest.raises(ValueError, match="opened_at"):
        cm.ticket_volume(np.array([["2024-01-01"], ["2024-01-02"]], dtype="datetime64[ns]"))
    queued = np.array(["2024-01-02T09:00", "2024-01-02T09:01"], dtype="datetime64[ns]")
    with pytest.raises(ValueError, match="wait"):
        cm.abandonment_rate(queued, queued, np.array([[1.0], [2.0]]))


def test_required_arguments_are_required() -> None:
    with pytest.raises(TypeError):
        cm.resolved_within_rate(["2024-01-01"])  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"ces\(|scores"):
        cm.ces()  # type: ignore[call-overload]


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(tables(), indent=1, sort_keys=False) + "\n")
    print(f"wrote {SNAPSHOT} ({len(tables())} functions)", file=sys.stderr)
