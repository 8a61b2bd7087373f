# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
OUT     ?= demo-out

.PHONY: install system-deps demo test test-fast bench lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Chromium (browser tests, PDF), PostgreSQL + PostGIS.
system-deps:
	bash scripts/system-deps.sh

demo: install
	$(VENV)/bin/railwatch demo --out $(OUT)

# The whole suite on SQLite, then the database-using folders again on a throw-away PostGIS server.
test: install system-deps
	$(PY) -m pytest
	PY=$(PY) bash scripts/test-postgres.sh

test-fast: install
	$(PY) -m pytest -m "not slow and not browser and not postgres"

bench: install
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) $(OUT) railwatch.db .pytest_cache
