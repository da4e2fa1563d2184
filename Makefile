# The two commands a new user needs:
#   make demo   installs everything, then loads and serves the demo data set
#   make test   installs everything, then runs every check (ruff, mypy --strict, the import layers, pytest)
# Installing needs Python; the tests also need Node.js >= 18 with npm (the GraphQL-over-HTTP audit and axe-core,
# in tests/conformance), and Debian's chromium for the browser tests (.ci/run installs it).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tests/conformance/node_modules/.installed

.PHONY: demo test lint test-integration benchmark load translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Only the tests use npm's packages: make demo does not need npm.
$(NODE_STAMP): tests/conformance/package-lock.json
	npm ci --prefix tests/conformance --no-audit --no-fund
	touch $(NODE_STAMP)

demo: $(STAMP)
	$(BIN)/hrh demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict domain projections api replay
	$(BIN)/lint-imports

# Two processes, each taking whole test files (their fixtures are per file or per process): about
# twice as fast on two cores. Each process starts its own embedded PostgreSQL.
test: lint $(NODE_STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

# The integration tests alone, e.g. against another server: DATABASE_URL=... make test-integration
test-integration: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -m integration

benchmark: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_write

# Clerks and planners against hrh serve while its processes and PostgreSQL are killed (docs/reliability.md)
load: $(STAMP)
	$(BIN)/python -m tests.load --clerks 8 --planners 4 --seconds 90

# The pages' messages re-extracted (babel.cfg) and the French catalogue updated: new messages come
# with an empty msgstr to translate, gone ones are kept commented out (#~). Then: pytest tests/unit/test_translations.py
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o $(VENV)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d api/web/locale -l fr --no-fuzzy-matching

clean:
	rm -rf $(VENV) .hrh .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .screenshots

# The browser stories again, keeping their last pages in docs/img/web/ for docs/web.md (the test run keeps
# them in .screenshots/, not tracked)
screenshots: $(STAMP) $(NODE_STAMP)
	HRH_SCREENSHOTS=docs/img/web $(BIN)/pytest -q tests/browser
