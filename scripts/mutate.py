"""A small AST mutation tester for crm_metrics (``make mutate``; not part of ``make test``).

Each mutant is one small change to one module of ``src/crm_metrics``:

- comparisons ``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``;
- arithmetic ``+``/``-``, ``*``/``/`` (also in augmented assignments ``+=`` ...);
- element-wise logic ``&``/``|`` (numpy masks, also ``&=``/``|=``), ``and``/``or``;
- negations dropped: ``not x`` -> ``x``, ``~x`` -> ``x``;
- integer constants ``k`` -> ``k + 1`` and ``k - 1``; ``True``/``False``;
- ``min``/``max`` (builtins and attributes such as ``np.minimum``/``np.maximum``).

Nothing is edited in place: the ``src`` tree is copied once into a temporary directory, the
mutated module is written into that copy, and pytest runs against it (the copy comes first on
``PYTHONPATH``) with the module's own tests, hypothesis derandomised (``CI=true``), stopping at
the first failure, under a per-mutant timeout. A mutant is *killed* when the tests fail or time
out, *survived* when they pass. Docstrings, type annotations, ``@overload`` stubs and module
level ``__all__`` are never mutated.

Usage::

    python scripts/mutate.py service                 # every mutant of service.py
    python scripts/mutate.py service --sample 60 --seed 1
    python scripts/mutate.py satisfaction --list     # list the mutants, run nothing
    python scripts/mutate.py service --only 120,121  # the mutants with these ids

Run it under ``nice -n 19`` on a shared machine (``make mutate`` does).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "crm_metrics"

# Module (path under src/crm_metrics, without .py) -> the test files that guard it. The rule
# table snapshot guards every module's declarations, so it joins every entry.
_RULES = "tests/contracts/test_rule_tables.py"
TESTS: dict[str, tuple[str, ...]] = {
    "satisfaction": (
        "tests/test_satisfaction.py",
        "tests/contracts/test_survey_invariants.py",
        _RULES,
    ),
    "service": (
        "tests/test_service.py",
        "tests/contracts/test_service_invariants.py",
        _RULES,
    ),
    "sales": ("tests/test_sales.py", "tests/contracts/test_sales_invariants.py", _RULES),
    "campaign": (
        "tests/test_campaign.py",
        "tests/contracts/test_campaign_invariants.py",
        _RULES,
    ),
    "customer": (
        "tests/test_customer.py",
        "tests/contracts/test_customer_invariants.py",
        _RULES,
    ),
    "finance": (
        "tests/test_finance.py",
        "tests/contracts/test_finance_invariants.py",
        _RULES,
    ),
    "staffing": ("tests/test_staffing.py", _RULES),
    "_groupby": ("tests/test_groupby.py",),
    "_math": ("tests/test_math.py",),
    "_validate": ("tests/test_validate.py", "tests/test_inputs.py", _RULES),
}

_SWAP_CMP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_SWAP_BIN: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
_SWAP_NAME = {
    "min": "max",
    "max": "min",
    "minimum": "maximum",
    "maximum": "minimum",
    "nanmin": "nanmax",
    "nanmax": "nanmin",
    "fmin": "fmax",
    "fmax": "fmin",
    "argmin": "argmax",
    "argmax": "argmin",
}
_SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    """One change: the ``index``-th mutable node in walk order, and what is done to it."""

    id: int
    module: str
    line: int
    col: int
    index: int  # position of the node among the mutable nodes of the module
    change: str  # human-readable, e.g. "< -> <="
    variant: int  # which of the node's alternatives (constants have two: +1 and -1)

    def where(self) -> str:
        return f"src/crm_metrics/{self.module}.py:{self.line}"


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and parent is not None
    )


def _skipped_children(node: ast.AST) -> set[int]:
    """ids of subtrees never mutated: annotations, docstrings, ``__all__``, overload stubs."""
    skip: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.arg) and child.annotation is not None:
            skip.add(id(child.annotation))
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            if child.returns is not None:
                skip.add(id(child.returns))
            if any(
                (isinstance(d, ast.Name) and d.id == "overload")
                or (isinstance(d, ast.Attribute) and d.attr == "overload")
                for d in child.decorator_list
            ):
                skip.add(id(child))
        if isinstance(child, ast.AnnAssign):
            skip.add(id(child.annotation))
        if isinstance(child, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in child.targets
        ):
            skip.add(id(child))
        if isinstance(child, ast.If) and (
            (isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING")
            or (isinstance(child.test, ast.Attribute) and child.test.attr == "TYPE_CHECKING")
        ):
            skip.add(id(child))
        body = getattr(child, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0], child):
            skip.add(id(body[0]))
    return skip


def _mutable_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes a mutation can change, in a deterministic order (depth-first, source order)."""
    skip = _skipped_children(tree)

    def visit(node: ast.AST) -> Iterator[ast.AST]:
        if id(node) in skip:
            return
        yield node
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(tree)


def _alternatives(node: ast.AST) -> list[str]:
    """Descriptions of the mutants of one node (empty when the node is not mutable)."""
    if isinstance(node, ast.Compare):
        return [
            f"{_SYMBOL[type(op)]} -> {_SYMBOL[_SWAP_CMP[type(op)]]} (comparison {i})"
            if len(node.ops) > 1
            else f"{_SYMBOL[type(op)]} -> {_SYMBOL[_SWAP_CMP[type(op)]]}"
            for i, op in enumerate(node.ops)
            if type(op) in _SWAP_CMP
        ]
    if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _SWAP_BIN:
        eq = "=" if isinstance(node, ast.AugAssign) else ""
        return [f"{_SYMBOL[type(node.op)]}{eq} -> {_SYMBOL[_SWAP_BIN[type(node.op)]]}{eq}"]
    if isinstance(node, ast.BoolOp):
        other = "or" if isinstance(node.op, ast.And) else "and"
        return [f"{_SYMBOL[type(node.op)]} -> {other}"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ["not x -> x"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return ["~x -> x"]
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return [f"{node.value} -> {not node.value}"]
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return [f"{node.value} -> {node.value + 1}", f"{node.value} -> {node.value - 1}"]
    if isinstance(node, ast.Call):
        name = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else node.func.attr
            if isinstance(node.func, ast.Attribute)
            else None
        )
        if name in _SWAP_NAME:
            return [f"{name} -> {_SWAP_NAME[name]}"]
    return []


def _apply(node: ast.AST, variant: int) -> None:
    """Mutate ``node`` in place (it belongs to a private copy of the tree)."""
    if isinstance(node, ast.Compare):
        positions = [i for i, op in enumerate(node.ops) if type(op) in _SWAP_CMP]
        i = positions[variant]
        node.ops[i] = _SWAP_CMP[type(node.ops[i])]()
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        node.op = _SWAP_BIN[type(node.op)]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        raise AssertionError("unary mutants replace the node; see _mutated_source")
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node, ast.Constant):
        node.value = node.value + (1 if variant == 0 else -1)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            node.func.id = _SWAP_NAME[node.func.id]
        elif isinstance(node.func, ast.Attribute):
            node.func.attr = _SWAP_NAME[node.func.attr]


class _DropUnary(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if node is self.target:
            return node.operand
        self.generic_visit(node)
        return node


def module_path(module: str, src: Path = SRC) -> Path:
    return src / "crm_metrics" / f"{module}.py"


def mutants_of(module: str, source: str) -> list[Mutant]:
    """Every mutant of a module's source, numbered from 0 in source walk order."""
    tree = ast.parse(source)
    out: list[Mutant] = []
    for index, node in enumerate(_mutable_nodes(tree)):
        for variant, change in enumerate(_alternatives(node)):
            out.append(
                Mutant(
                    id=len(out),
                    module=module,
                    line=getattr(node, "lineno", 0),
                    col=getattr(node, "col_offset", 0),
                    index=index,
                    change=change,
                    variant=variant,
                )
            )
    return out


def mutated_source(source: str, mutant: Mutant) -> str:
    """The module's source with one mutant applied (the input string is not touched)."""
    tree = ast.parse(source)
    target = None
    for index, node in enumerate(_mutable_nodes(tree)):
        if index == mutant.index:
            target = node
            break
    if target is None:
        raise ValueError(f"mutant {mutant.id} does not match the source")
    if isinstance(target, ast.UnaryOp):
        tree = _DropUnary(target).visit(tree)
    else:
        _apply(target, mutant.variant)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n"


def copy_tree(src: Path, dest: Path) -> Path:
    """A private copy of ``src`` (the package tree) under ``dest``; returns the copy's root."""
    target = dest / "src"
    shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def run_tests(copy_src: Path, tests: Sequence[str], timeout: float) -> tuple[str, float]:
    """pytest on ``tests`` with ``copy_src`` first on the path: "passed", "failed" or "timeout"."""
    env = dict(os.environ)
    env["CI"] = "true"
    env.pop("HYPOTHESIS_PROFILE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(copy_src), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "--no-header",
        "-o",
        "addopts=--strict-markers",
        *tests,
    ]
    began = time.monotonic()
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - began
    return ("passed" if done.returncode == 0 else "failed"), time.monotonic() - began


def _check_copy_is_imported(copy_src: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(copy_src))
    out = subprocess.run(
        [sys.executable, "-c", "import crm_metrics; print(crm_metrics.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(out).resolve().is_relative_to(copy_src.resolve()):
        raise SystemExit(f"the copy is not imported first (crm_metrics from {out})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help=f"modules: {', '.join(TESTS)}")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--sample", type=int, default=0, help="run N mutants chosen at random")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument("--only", default="", help="comma-separated mutant ids")
    parser.add_argument(
        "--timeout", type=float, default=0, help="seconds per mutant (default 5x baseline + 30)"
    )
    parser.add_argument("--tests", default="", help="comma-separated test files (override)")
    args = parser.parse_args(argv)
    # a terminated run still removes its temporary copy and stops its pytest child
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    summary: list[str] = []
    for module in args.modules:
        if module not in TESTS and not args.tests:
            parser.error(f"no tests mapped for {module!r}; give --tests")
        tests = tuple(args.tests.split(",")) if args.tests else TESTS[module]
        source = module_path(module).read_text()
        mutants = mutants_of(module, source)
        if args.only:
            wanted = {int(i) for i in args.only.split(",")}
            mutants = [m for m in mutants if m.id in wanted]
        if args.sample and args.sample < len(mutants):
            mutants = sorted(
                random.Random(args.seed).sample(mutants, args.sample), key=lambda m: m.id
            )
        if args.list:
            for m in mutants:
                print(f"{m.id:5d}  {m.where()}:{m.col}  {m.change}")
            print(f"{module}: {len(mutants)} mutants")
            continue

        with tempfile.TemporaryDirectory(prefix="crm-mutate-") as tmp:
            copy_src = copy_tree(PACKAGE.parent, Path(tmp))
            _check_copy_is_imported(copy_src)
            target = module_path(module, copy_src)
            status, baseline = run_tests(copy_src, tests, timeout=3600)
            if status != "passed":
                raise SystemExit(f"{module}: the tests fail without any mutant; fix them first")
            # generous: on a shared machine the same run can take three times as long
            timeout = args.timeout or 5 * baseline + 30
            print(
                f"{module}: {len(mutants)} mutants, "
                f"baseline {baseline:.1f} s, timeout {timeout:.0f} s"
            )
            survivors: list[Mutant] = []
            killed = 0
            timeouts = 0
            try:
                for n, m in enumerate(mutants, 1):
                    target.write_text(mutated_source(source, m))
                    status, took = run_tests(copy_src, tests, timeout)
                    if status == "passed":
                        survivors.append(m)
                    else:
                        killed += 1
                        timeouts += status == "timeout"
                    mark = "SURVIVED" if status == "passed" else status
                    print(
                        f"  [{n}/{len(mutants)}] #{m.id} {m.where()} {m.change}: "
                        f"{mark} ({took:.0f} s)",
                        flush=True,
                    )
            finally:
                target.write_text(source)
        total = killed + len(survivors)
        score = 100 * killed / total if total else float("nan")
        summary.append(
            f"{module}: {killed}/{total} killed ({score:.0f} %), {len(survivors)} survived"
        )
        for m in survivors:
            summary.append(f"  survived #{m.id} {m.where()}  {m.change}")
    if summary:
        print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
