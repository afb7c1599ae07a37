# Every target creates or updates the local .venv by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck pytest bench demo clean

test: lint typecheck pytest

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

# Full-size side-by-side runs (minutes each); the CLV one compares with lifetimes only when
# it runs in the peer environment (benchmarks/requirements-peers.txt).
bench: $(STAMP)
	for runner in benchmarks/bench_*.py; do $(BIN)/python $$runner || exit 1; done

demo:
	@echo "make demo arrives with the report (the crm-metrics command line); nothing to run yet."
	@exit 1

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
