"""The mutation tester of ``make mutate`` (scripts/mutate.py): its mutants and its isolation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_mutate", ROOT / "scripts" / "mutate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_mutate"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


TINY = '''\
"""Module docstring: 3 < 4 is never touched."""
from typing import overload

__all__ = ["f"]


@overload
def f(x: int) -> int: ...
def f(x: int, flag: bool = True) -> int:
    """A docstring with 1 + 2 in it."""
    if x <= 2 and not flag:
        return min(x * 3, 7)
    y: int = x - 1
    return ~y
'''

EXPECTED = [
    (11, "<= -> <"),
    (11, "2 -> 3"),
    (11, "2 -> 1"),
    (11, "and -> or"),
    (11, "not x -> x"),
    (12, "min -> max"),
    (12, "* -> /"),
    (12, "3 -> 4"),
    (12, "3 -> 2"),
    (12, "7 -> 8"),
    (12, "7 -> 6"),
    (13, "- -> +"),
    (13, "1 -> 2"),
    (13, "1 -> 0"),
    (14, "~x -> x"),
    (9, "True -> False"),
]


def test_the_mutants_of_a_tiny_source(mutate: ModuleType) -> None:
    mutants = mutate.mutants_of("tiny", TINY)
    got = sorted((m.line, m.change) for m in mutants)
    assert got == sorted(EXPECTED)
    assert [m.id for m in mutants] == list(range(len(EXPECTED)))
    # docstrings, annotations, __all__ and the overload stub are left alone
    assert all(m.line not in (1, 4, 8, 10) for m in mutants)


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        ("<= -> <", "if x <= 2 and", "if x < 2 and"),
        ("and -> or", "x <= 2 and (not flag)", "x <= 2 or not flag"),
        ("not x -> x", "and (not flag)", "and flag"),
        ("min -> max", "min(x * 3, 7)", "max(x * 3, 7)"),
        ("* -> /", "x * 3", "x / 3"),
        ("7 -> 6", "3, 7)", "3, 6)"),
        ("~x -> x", "return ~y", "return y"),
        ("True -> False", "flag: bool=True", "flag: bool=False"),
    ],
)
def test_each_mutant_changes_exactly_one_thing(
    mutate: ModuleType, change: str, before: str, after: str
) -> None:
    (mutant,) = [m for m in mutate.mutants_of("tiny", TINY) if m.change == change]
    original = mutate.mutated_source(TINY, mutant)  # unparse normalises the layout
    plain = mutate.ast.unparse(mutate.ast.parse(TINY)) + "\n"
    assert before in plain
    assert after in original
    assert before not in original
    diff = [
        (a, b) for a, b in zip(plain.splitlines(), original.splitlines(), strict=True) if a != b
    ]
    assert len(diff) == 1
    assert mutate.mutated_source(TINY, mutant) == original  # deterministic
    compile(original, "tiny.py", "exec")


def test_the_copy_is_isolated(mutate: ModuleType, tmp_path: Path) -> None:
    src = tmp_path / "project" / "src"
    (src / "crm_metrics").mkdir(parents=True)
    module = src / "crm_metrics" / "tiny.py"
    module.write_text(TINY)
    copy = mutate.copy_tree(src, tmp_path / "work")
    assert copy != src
    mutant = mutate.mutants_of("tiny", TINY)[0]
    target = mutate.module_path("tiny", copy)
    target.write_text(mutate.mutated_source(TINY, mutant))
    assert module.read_text() == TINY  # the original is untouched
    assert target.read_text() != TINY
    assert target.resolve().is_relative_to((tmp_path / "work").resolve())


def test_every_mapped_module_and_test_file_exists(mutate: ModuleType) -> None:
    for module, tests in mutate.TESTS.items():
        assert mutate.module_path(module).is_file(), module
        for test in tests:
            assert (ROOT / test).is_file(), test


def test_the_real_modules_parse_into_mutants(mutate: ModuleType) -> None:
    source = mutate.module_path("satisfaction").read_text()
    mutants = mutate.mutants_of("satisfaction", source)
    assert len(mutants) > 50
    compile(mutate.mutated_source(source, mutants[-1]), "satisfaction.py", "exec")
