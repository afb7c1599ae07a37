"""The documentation site: every public name has an entry, every example on a page runs.

The site itself is built with ``mkdocs build --strict`` by ``make test``; these tests check
what a strict build cannot: coverage of the public API and the examples' printed output.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import re
import shutil
import subprocess
import textwrap
from html import unescape
from pathlib import Path

import markdown
import pytest

import crm_metrics
from crm_metrics import clv, datasets

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
# ``::: crm_metrics.name`` renders the docstring of ``name`` (mkdocstrings): the entry.
ENTRY = re.compile(r"^:::\s+(crm_metrics(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$", re.MULTILINE)
# Fences may be indented (inside content tabs and admonitions); the closing fence has the
# same indent as the opening one.
FENCE = re.compile(r"^([ \t]*)```(\w*)([^\n]*)\n(.*?)^\1```\s*$", re.MULTILINE | re.DOTALL)
# Code written for a peer library that is not installed here (the lifetimes side of the
# migration guide) carries a title naming it, e.g. ```python title="lifetimes", and is not run.
PEER_TITLE = re.compile(r'title="lifetimes')
PUBLIC = (
    [f"crm_metrics.{name}" for name in crm_metrics.__all__]
    + [f"crm_metrics.clv.{name}" for name in clv.__all__]
    + [f"crm_metrics.datasets.{name}" for name in datasets.__all__]
    # the command line and the models of its configuration and of report.json
    + ["crm_metrics.cli.main"]
    + [f"crm_metrics.report.config.{name}" for name in ("ReportConfig", "ReportOptions")]
    + ["crm_metrics.report.config.SourceConfig"]
    + ["crm_metrics.report.schema"]
)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _entries() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for page in PAGES:
        for name in ENTRY.findall(page.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(page.relative_to(DOCS)))
    return found


def test_docs_exist() -> None:
    assert len(PAGES) >= 10


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_an_entry(name: str) -> None:
    assert name in _entries(), f"{name} has no '::: {name}' entry on any page under docs/"


def test_every_entry_names_a_public_object() -> None:
    unknown = {name: pages for name, pages in _entries().items() if name not in PUBLIC}
    assert not unknown, f"entries for names outside the public API: {unknown}"


def test_each_name_has_one_entry() -> None:
    repeated = {name: pages for name, pages in _entries().items() if len(pages) > 1}
    assert not repeated, f"names documented more than once: {repeated}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_run(page: Path) -> None:
    """``pycon`` blocks run as doctests (output compared), ``python`` blocks must run.

    The blocks of one page share a namespace, in page order, like a notebook.
    """
    namespace: dict[str, object] = {}
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    parser = doctest.DocTestParser()
    blocks = FENCE.findall(page.read_text(encoding="utf-8"))
    for number, (indent, language, info, body) in enumerate(blocks):
        body = textwrap.dedent(body) if indent else body
        name = f"{page.relative_to(DOCS)}[block {number}]"
        if PEER_TITLE.search(info):
            continue
        if language == "pycon":
            test = parser.get_doctest(body, namespace, name, str(page), 0)
            runner.run(test, clear_globs=False)
            namespace = test.globs  # get_doctest copies the globals: carry them on
        elif language == "python":
            exec(compile(body, name, "exec"), namespace)
    assert runner.failures == 0, f"{runner.failures} example(s) on {page.name} failed (see output)"


def _math_in(text: str) -> list[str]:
    """The math that pymdownx.arithmatex finds in Markdown text, as the site renders it."""
    html = markdown.markdown(
        text,
        extensions=["pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    spans = re.findall(r'class="arithmatex">(.*?)</(?:span|div)>', html, flags=re.DOTALL)
    return [unescape(span).strip()[2:-2] for span in spans]


def _resolve(path: str) -> object:
    """The object a dotted path names: a module (``crm_metrics.report.schema``) or a member."""
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)


def _documented_texts() -> dict[str, str]:
    texts = {str(page.relative_to(DOCS)): page.read_text(encoding="utf-8") for page in PAGES}
    for path in PUBLIC:
        obj = _resolve(path)
        members = [obj, *(vars(obj).values() if inspect.isclass(obj) else ())]
        for member in members:
            doc = inspect.getdoc(member) if callable(member) or member is obj else None
            if doc:
                texts[f"{path}.{getattr(member, '__name__', '')}"] = doc
    return texts


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run KaTeX")
def test_every_formula_renders_with_katex() -> None:
    """Every formula on the pages and in the docstrings parses with the KaTeX the site serves.

    The site renders with ``throwOnError: false`` (a bad formula shows in red instead of
    breaking the page); here a parse error fails the test and names the formula.
    """
    formulas = {
        f"{where}: {tex[:60]}": tex
        for where, text in _documented_texts().items()
        for tex in _math_in(text)
    }
    assert len(formulas) > 100
    script = (
        "const katex = require(process.argv[1]);"
        "const formulas = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const bad = [];"
        "for (const [where, tex] of Object.entries(formulas)) {"
        "  try { katex.renderToString(tex, {throwOnError: true, displayMode: true}); }"
        "  catch (error) { bad.push(where + ' -> ' + error.message); } }"
        "console.log(JSON.stringify(bad));"
    )
    katex = DOCS / "assets" / "katex" / "katex.min.js"
    result = subprocess.run(
        ["node", "-e", script, str(katex)],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    bad = json.loads(result.stdout)
    assert not bad, "formulas KaTeX cannot parse:\n" + "\n".join(bad)
