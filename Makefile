# Developer tasks: the same commands locally and in CI (STYLE.md rule 14).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DATA ?= $(HOME)/.local/share/fieldapp-demo
STAMP := $(VENV)/.installed
# pytest-xdist workers: CI has two cores
JOBS ?= 2

.PHONY: run demo-sync test lint typecheck bench wheel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,hq]'
	touch $(STAMP)

## run: set up (first time), create demo data if none, open the app
run: $(STAMP)
	$(PY) -m fieldapp --data-dir "$(DATA)" demo --if-empty
	$(PY) -m fieldapp --data-dir "$(DATA)"

## demo-sync: a local HQ with demo data on 127.0.0.1:8765, two desktops enrolled with it,
## a record synced from one to the other, then the app on the first (data in .demo-sync/)
demo-sync: $(STAMP)
	$(PY) -m fieldapp.tools.demo_sync

## test: set up (first time) and run every check and test
test: $(STAMP)
	$(PY) -m ruff check fieldapp tests bench
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -c "import fieldapp.services, fieldapp.cli, sys; assert 'PySide6' not in sys.modules"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(JOBS) --durations=15

lint: $(STAMP)
	$(PY) -m ruff check fieldapp tests bench

typecheck: $(STAMP)
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

## bench: the performance figures of ../shared/PERFORMANCE.md
bench: $(STAMP)
	$(PY) -m bench

wheel: $(STAMP)
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache
