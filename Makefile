# Every target creates or updates the local .venv by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck pytest docs-build docs docs-check bench demo clean mutate

test: lint typecheck pytest docs-build

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# pytest exits 5 when it collects no test; make treats any non-zero exit as a failure.
# Two workers: one per core of the CI machine.
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2

# The documentation site (mkdocs-material, KaTeX served from docs/assets/katex).
# NO_MKDOCS_2_WARNING silences Material's end-of-life banner, which is not a build warning.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

docs-build: $(STAMP)
	$(MKDOCS) build --strict --quiet

# Serve the site with live reload for writers: http://127.0.0.1:8000/
docs: $(STAMP)
	$(MKDOCS) serve

# Build, serve on localhost and screenshot the pages in headless Chromium (Debian's
# chromium package) into docs-screenshots/; not part of make test.
docs-check: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python scripts/docs_check.py

# Mutation testing (scripts/mutate.py), one module at a time with its own tests; not part of
# make test (minutes per module). Niced: it shares the machine. Examples:
#   make mutate MUTATE_ARGS="service --sample 60 --seed 1"
#   make mutate MUTATE_ARGS="satisfaction --list"
MUTATE_ARGS ?= satisfaction service

mutate: $(STAMP)
	nice -n 19 $(BIN)/python scripts/mutate.py $(MUTATE_ARGS)

# The peer environment of the benchmarks (lifetimes, pymc-marketing, pandas), apart from .venv.
PEERS       := .venv-peers
PEERS_STAMP := $(PEERS)/.installed

$(PEERS_STAMP): pyproject.toml benchmarks/requirements-peers.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-peers.txt
	$(PEERS)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(PEERS_STAMP)

# Every workload side by side with its peer, in one process per run (about 15 minutes);
# writes benchmarks/results/<date>.json and benchmarks/RESULTS.md. BENCH_ARGS="--only nps_by_agent".
bench: $(PEERS_STAMP)
	$(PEERS)/bin/python benchmarks/run.py $(BENCH_ARGS)

# The report on the bundled data: installs only what the demo needs (the package with its
# `report` extra, pinned by requirements-dev.txt; a stamp of its own, apart from `make test`'s).
# --no-compile: Python compiles only the modules the demo imports (pip would compile all of
# pandas and scipy first, which takes longer than the demo).
DEMO_STAMP := $(VENV)/.demo-installed

$(DEMO_STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c requirements-dev.txt hatchling editables
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c requirements-dev.txt --no-build-isolation -e ".[report]"
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/crm-metrics demo --out crm-report
	@echo "Open file://$(CURDIR)/crm-report/report.html"

# A screenshot of the demo report in headless Chromium (Debian's chromium); not in make test.
.PHONY: report-screenshot
report-screenshot: demo
	$(BIN)/python scripts/screenshot_report.py crm-report/report.html crm-report/report.png

clean:
	rm -rf $(VENV) build dist site docs-screenshots .mypy_cache .ruff_cache .pytest_cache .hypothesis
