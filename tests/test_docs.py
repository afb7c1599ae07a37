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


# --------------------------------------------------------------------------- standalone docs
# The site and the docstrings are the reference: they never send a reader to a file that is
# neither in the repository nor on the site (the team's specification files, their section
# numbers, their bracketed source keys), and never speak of how the library was made.
ROOT = DOCS.parent
#: The source keys of the specification's bibliography, e.g. "[Churn]": in a References
#: section a reader needs the source spelled out. The list is closed (no pattern such as
#: ``\[[A-Z]\w+\]``) so that Markdown links, array reprs and admonition titles never match.
SOURCE_KEYS = (
    "Acct|ACSI|Active|AOV|Arith|ARPU|Bain|Brief|CCH|CES|Churn|Cov|CPL|CRR|CSAT|Cycle|FCR|G06|"
    "GA|GAds|Genesys|GL03|HistCLV|HubSpot-CR|HubSpot-WR|Lat|LGR|MAPE|MC|NRR|Pay|Pct|Ref|Ren|"
    "Reopen|Resp|RetCost|ROMI|RPR|Skok|SLA|SoW|Stage|Up|Vel|WFM|XS|Zendesk"
)
#: Peer libraries whose public issue trackers docstrings may cite as sources.
PEERS = ("lifetimes", "pymc-marketing", "CLVTools", "statsmodels", "numpy", "scipy", "pandas")
#: What may not appear, with why. Words, not fragments: "seed" alone is the random seed of
#: the data-set simulators and "workload" alone is a benchmark's, so only the process
#: phrasings are listed. The file names are matched in capitals only: ``clv.md`` is a page.
FORBIDDEN = {
    "a specification file": r"(?-i:\b(?:METRICS|CLV|DESIGN)\.md\b)",
    "a section sign": r"§",
    "a bracketed source key": rf"\[(?:{SOURCE_KEYS})\](?![\[(:])",
    # "brief" the adjective is fine ("a brief summary", "the brief period"); the document is not
    "the brief": r"\bthe\s+brief(?:'s|\b(?!\s+[a-z])|\s+(?:names|asks|says|lists|requires))",
    "founding": r"\bfounding\s+(?:brief|spec\w*|document)",
    # our own tracker's numbers; a peer's public tracker ("lifetimes issue #146") is a source
    "an issue number": "".join(f"(?<!{peer} )" for peer in PEERS) + r"\bissues?\s+#?\d+",
    "a workload number": r"\bworkloads?\s+#?\d+",
    "a seed marker": r"(?<![\w(])\(seed\)|\bseed's\b|\bseed\s+(?:figures?|metrics?|items?|list)\b",
}
FORBIDDEN_RE = {why: re.compile(pattern, re.IGNORECASE) for why, pattern in FORBIDDEN.items()}


def _public_docstrings() -> dict[str, str]:
    """Every docstring a reader of the site or of ``help()`` sees, keyed by where it lives.

    The public names of ``crm_metrics``, ``crm_metrics.clv`` and ``crm_metrics.datasets``
    (and the command line and report models the site documents), the methods and
    properties of the public classes, and the docstrings of the modules that define them.
    """
    texts: dict[str, str] = {}
    modules = {"crm_metrics", "crm_metrics.clv", "crm_metrics.datasets"}
    for path in PUBLIC:
        obj = _resolve(path)
        if inspect.ismodule(obj):
            modules.add(obj.__name__)
            continue
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and module.startswith("crm_metrics"):
            modules.add(module)
        if inspect.getdoc(obj):
            texts[f"{module}.{getattr(obj, '__qualname__', path)}"] = inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            for name, member in vars(obj).items():
                doc = getattr(member, "__doc__", None)
                documented = isinstance(member, property | staticmethod | classmethod)
                public = not name.startswith("__")
                if (documented or callable(member)) and public and isinstance(doc, str) and doc:
                    texts[f"{module}.{obj.__qualname__}.{name}"] = doc
    for name in modules:
        doc = importlib.import_module(name).__doc__
        if doc:
            texts[name] = doc
    return texts


def _standalone_texts() -> dict[str, str]:
    pages = [*PAGES, ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in pages}
    return texts | _public_docstrings()


def _offences(text: str, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for why, pattern in patterns.items():
            for match in pattern.finditer(line):
                found.append(f"line {number}: {why} {match.group(0)!r}: {line.strip()[:100]}")
    return found


def test_the_word_list_catches_what_it_should_and_nothing_else() -> None:
    cited = [
        "see METRICS.md §0.5",
        "the rules of CLV.md",
        "as DESIGN.md says",
        "Calqulate glossaries ([Churn]).",
        "HubSpot default win rate [HubSpot-WR]",
        "The founding brief names it.",
        "as the brief names them",
        "read as the brief.",
        "the brief's call-backs",
        "issue 11 workload 3",
        "issue #21",
        "see issue 7",
        "Metrics marked (seed) are",
        "the seed's change %",
        "The seed figures per campaign",
        "Agresti 2013, §16.1",
    ]
    for text in cited:
        assert _offences(text, FORBIDDEN_RE), text
    legitimate = [
        "seed : int, default 0",
        "The same seed always gives the same log.",
        "datasets.simulate_tickets(seed=0)",
        "every workload side by side",
        "[`win_rate`][crm_metrics.win_rate] and [Conventions](conventions.md)",
        "briefly, the rate",
        "a brief summary of the rules",
        "the brief period after a call",
        "array([True, False])",
        "the team's 20 is not the mean",
        "Active customers: the window",
        "A. Agresti, Categorical Data Analysis, 3rd ed., Wiley, 2013, section 16.1.",
        "cost per lead, leads converted",
        "[Probabilistic CLV](clv.md)",
        "never a negative CLV, lifetimes issues #146 and #183",
        "with numpy's ``default_rng(seed)`` only",
    ]
    for text in legitimate:
        assert not _offences(text, FORBIDDEN_RE), text


def test_docs_and_docstrings_stand_on_their_own() -> None:
    """No public docstring, docs page, README or CONTRIBUTING cites a file the reader lacks."""
    texts = _standalone_texts()
    assert len(texts) > 200, "the walk over the public docstrings found too little"
    bad = {
        where: offences
        for where, text in texts.items()
        if (offences := _offences(text, FORBIDDEN_RE))
    }
    report = "\n".join(f"{where}: {o}" for where, offences in bad.items() for o in offences)
    assert not bad, f"{len(report.splitlines())} citation(s) or process word(s):\n{report}"


def test_changelog_cites_no_specification_file() -> None:
    """Older entries keep their wording, but say "the customer & loyalty catalogue", not a file."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    spec = {why: FORBIDDEN_RE[why] for why in ("a specification file", "a section sign")}
    offences = _offences(text, spec)
    assert not offences, "CHANGELOG.md cites:\n" + "\n".join(offences)
