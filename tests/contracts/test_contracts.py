"""METRICS.md §7 items 1-5 and the bad-input sweep, over every registered public name.

1. ranges; 2. zero denominators and empty input; 3. aggregate broadcasting equals the
element-wise loop; 4. permutation invariance of event-level functions; 5. ``by=`` equals
the loop over subsets. Plus: inputs are never mutated, and every bad value a rule can
describe is refused with ValueError/TypeError naming the argument.
"""

from __future__ import annotations

import copy
import inspect
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crm_metrics as cm
from crm_metrics._validate import rules_of

from . import strategies as gen
from .entry import Entry
from .registry import REGISTRY, entries, function, public_names

RTOL = 1e-9


def assert_same(got: Any, expected: Any) -> None:
    """Equal to rtol 1e-9 (plus 1e-9 of the magnitude), nan equal to nan (METRICS.md §7)."""
    g = np.asarray(got, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert g.shape == e.shape, (g.shape, e.shape)
    scale = float(np.nanmax(np.abs(e))) if np.isfinite(e).any() else 1.0
    np.testing.assert_allclose(g, e, rtol=RTOL, atol=RTOL * max(scale, 1.0), equal_nan=True)


def assert_in_bounds(values: np.ndarray[Any, Any], bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    finite = values[~np.isnan(values)]
    assert np.isfinite(finite).all(), f"infinite result {values}"
    slack = RTOL * max(abs(lo), abs(hi), 1.0)
    assert (finite >= lo - slack).all(), (values, bounds)
    assert (finite <= hi + slack).all(), (values, bounds)


def example_args(name: str) -> dict[str, Any]:
    """The registry example with list values turned into arrays (so mutation is visible)."""
    return {k: np.array(v) if isinstance(v, list) else v for k, v in REGISTRY[name].example.items()}


def take(records: dict[str, Any], index: Any) -> dict[str, Any]:
    return {k: np.asarray(v)[index] for k, v in records.items()}


# --------------------------------------------------------------------------- the registry
def test_registry_covers_public_api() -> None:
    public = public_names()
    assert public == set(REGISTRY), (
        f"missing from the contract registry: {sorted(public - set(REGISTRY))}; "
        f"registered but not public: {sorted(set(REGISTRY) - public)}"
    )
    for name in public:
        assert function(name) is not None, name


@pytest.mark.parametrize("name", entries("type"))
def test_types_are_classes(name: str) -> None:
    assert inspect.isclass(function(name))


@pytest.mark.parametrize("name", entries("aggregate", "event", "helper"))
def test_every_function_declares_rules(name: str) -> None:
    """Validation comes from the declared table, which is what the sweep below reads."""
    func = function(name)
    params = set(inspect.signature(func).parameters)
    assert set(rules_of(func)) == params, (
        f"{name}: undeclared arguments {params - set(rules_of(func))}"
    )


# --------------------------------------------------------------------------- aggregates
@pytest.mark.parametrize("name", entries("aggregate"))
@given(data=st.data())
def test_aggregate_range(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    assert entry.scalars is not None
    options = data.draw(entry.options)
    args = data.draw(entry.scalars(options))
    result = function(name)(**args, **options)
    assert isinstance(result, float), type(result)
    assert not math.isinf(result)
    if entry.bounds is not None:
        assert_in_bounds(np.array([result]), entry.bounds(options))


@pytest.mark.parametrize("name", [n for n in entries("aggregate") if REGISTRY[n].zero])
def test_aggregate_zero_denominator_is_nan(name: str) -> None:
    func = function(name)
    for args in REGISTRY[name].zero:
        assert math.isnan(func(**args))
        as_arrays = {k: np.array([v, v]) for k, v in args.items()}
        assert np.isnan(func(**as_arrays)).all()


@pytest.mark.parametrize("name", entries("aggregate"))
@given(data=st.data())
def test_aggregate_broadcasting_equals_elementwise(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    assert entry.scalars is not None
    options = data.draw(entry.options)
    rows = data.draw(st.lists(entry.scalars(options), min_size=1, max_size=6))
    func = function(name)
    expected = [func(**row, **options) for row in rows]
    columns = {k: np.array([row[k] for row in rows]) for k in rows[0]}
    got = func(**columns, **options)
    assert isinstance(got, np.ndarray)
    assert got.shape == (len(rows),)
    assert_same(got, expected)
    # 2-D: the same values as a column broadcast against a row of one
    as_column = {k: v.reshape(-1, 1) for k, v in columns.items()}
    assert_same(func(**as_column, **options), np.reshape(expected, (-1, 1)))


# --------------------------------------------------------------------------- event-level
def draw_event(
    entry: Entry, data: st.DataObject, n: int | None = None
) -> tuple[dict[str, Any], dict[str, Any], int]:
    assert entry.records is not None
    options = data.draw(entry.options)
    size = data.draw(gen.record_counts) if n is None else n
    return options, data.draw(entry.records(size, options)), size


@pytest.mark.parametrize("name", entries("event"))
@given(data=st.data())
def test_event_range(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    options, records, _ = draw_event(entry, data)
    result = function(name)(**records, **options)
    assert not isinstance(result, np.ndarray), "a scalar result must be a Python value"
    if entry.bounds is not None:
        assert_in_bounds(entry.vector(result), entry.bounds(options))


@pytest.mark.parametrize("name", entries("event"))
@given(data=st.data())
def test_event_empty_input(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    options, records, _ = draw_event(entry, data, n=0)
    func = function(name)
    values = entry.vector(func(**records, **options))
    if entry.empty is None or math.isnan(entry.empty):
        assert np.isnan(values).all()
    else:
        assert (values == entry.empty).all()
    grouped = func(**records, **options, by=np.array([], dtype=np.int64))
    assert isinstance(grouped, cm.Grouped)
    assert len(grouped) == 0


@pytest.mark.parametrize("name", entries("event"))
@given(data=st.data())
def test_event_permutation_invariance(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    options, records, n = draw_event(entry, data)
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.intp)
    func = function(name)
    assert_same(
        entry.vector(func(**take(records, order), **options)),
        entry.vector(func(**records, **options)),
    )


def expected_keys(by: Any) -> list[Any]:
    if isinstance(by, tuple):
        return sorted(set(zip(*(part.tolist() for part in by), strict=True)))
    return np.unique(by).tolist()


def key_mask(by: Any, key: Any) -> np.ndarray[Any, Any]:
    if isinstance(by, tuple):
        mask = np.ones(len(by[0]), dtype=bool)
        for part, k in zip(by, key, strict=True):
            mask &= part == k
        return mask
    return np.asarray(by == key)


@pytest.mark.parametrize("name", [n for n in entries("event") if not REGISTRY[n].history_dependent])
@given(data=st.data())
def test_event_grouped_equals_loop(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    options, records, n = draw_event(entry, data)
    by = data.draw(gen.group_keys(n))
    func = function(name)
    grouped = func(**records, **options, by=by)
    assert isinstance(grouped, cm.Grouped)
    keys = list(grouped.to_dict())
    if entry.filtered:  # keys of the surviving records only; the others give the empty value
        assert keys == [k for k in expected_keys(by) if k in keys]
        for key in expected_keys(by):
            if key not in keys:
                alone = entry.vector(func(**take(records, key_mask(by, key)), **options))
                empty = math.nan if entry.empty is None else entry.empty
                assert_same(alone, np.full(alone.shape, empty))
    else:
        assert keys == expected_keys(by)
    for i, key in enumerate(keys):
        subset = take(records, key_mask(by, key))
        assert_same(np.atleast_1d(grouped.values[i]), entry.vector(func(**subset, **options)))


@pytest.mark.parametrize("name", [n for n in entries("helper") if REGISTRY[n].aligned_output])
@given(data=st.data())
def test_aligned_helper_permutation_equivariance(name: str, data: st.DataObject) -> None:
    entry = REGISTRY[name]
    options, records, n = draw_event(entry, data)
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.intp)
    func = function(name)
    whole = func(**records, **options)
    assert len(whole) == n
    np.testing.assert_array_equal(func(**take(records, order), **options), whole[order])


# --------------------------------------------------------------------------- no mutation
def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value, err_msg=key)
            assert after[key].dtype == value.dtype, key
        else:
            np.testing.assert_equal(after[key], value, err_msg=key)  # nan equals nan


@pytest.mark.parametrize("name", entries("aggregate", "event", "helper"))
def test_inputs_not_mutated(name: str) -> None:
    args = example_args(name)
    if REGISTRY[name].kind == "event":
        args["by"] = np.arange(len(next(iter(args.values())))) % 2
    before = copy.deepcopy(args)
    function(name)(**args)
    assert_unchanged(before, args)


# --------------------------------------------------------------------------- bad input
def coerced(func: Any, args: dict[str, Any]) -> dict[str, Any]:
    """The example's arguments as the rules see them (defaults filled in, coerced in order)."""
    bound = inspect.signature(func).bind(**args)
    bound.apply_defaults()
    done: dict[str, Any] = {}
    for arg, rule in rules_of(func).items():
        done[arg] = rule.coerce(arg, bound.arguments[arg], done)
    return done


def bad_calls(name: str) -> list[tuple[str, Any]]:
    """(argument, bad value) pairs generated from the function's declared rules."""
    func = function(name)
    args = example_args(name)
    done = coerced(func, args)
    record_lengths = [
        len(v) for arg, v in done.items() if rules_of(func)[arg].event and v is not None
    ]
    calls: list[tuple[str, Any]] = []
    for arg, rule in rules_of(func).items():
        valid = done[arg]
        if valid is None and rule.event and record_lengths:
            valid = np.arange(record_lengths[0])  # an optional by=: corrupt a valid one
        if valid is None:
            continue
        calls.extend((arg, bad) for bad in rule.bad_values(valid, done))
    # unequal lengths: shorten every record argument but the first
    record_args = [arg for arg, r in rules_of(func).items() if r.event and done[arg] is not None]
    calls.extend((arg, np.asarray(args[arg])[:-1]) for arg in record_args[1:])
    return calls


@pytest.mark.parametrize("name", entries("aggregate", "event", "helper"))
def test_bad_input_is_refused_with_the_argument_named(name: str) -> None:
    func = function(name)
    calls = bad_calls(name)
    assert calls, f"{name}: its rules describe no bad value"
    for arg, bad in calls:
        args = example_args(name)
        args[arg] = bad
        before = copy.deepcopy(args)
        with pytest.raises((ValueError, TypeError)) as caught:
            func(**args)
        assert arg in str(caught.value), f"{name}({arg}={bad!r}): {caught.value}"
        assert_unchanged(before, args)


@pytest.mark.parametrize("name", entries("aggregate", "event", "helper"))
def test_wrong_container_types_are_type_errors(name: str) -> None:
    func = function(name)
    first = next(iter(rules_of(func)))
    for bad in ({"a": 1}, {1, 2}, object()):
        args = example_args(name)
        args[first] = bad
        with pytest.raises(TypeError, match=first):
            func(**args)
