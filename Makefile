# ToP Advisor: `make run` and `make test` are the whole set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export ANONYMIZED_TELEMETRY := False
# packages the type checker must pass (config in pyproject.toml [tool.mypy]); a new package joins this list
MYPY_PACKAGES := accounts api assistant bench billing community corpus prompts retrieval

.PHONY: run test lint bench index lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,bench]'
	touch $(STAMP)

## run: install, build the index from the starter corpus if absent, serve on TOP_HOST:TOP_PORT (127.0.0.1:8000)
run: $(STAMP)
	$(BIN)/top-advisor corpus ingest --if-missing
	$(BIN)/top-advisor serve

## test: install and run the whole test suite (pytest exit 5, "no tests", fails too);
##       the UI tests need Debian's chromium and a Chinese font, installed here when missing (as root)
test: $(STAMP)
	bash scripts/ensure-browser.sh
	$(BIN)/ruff check accounts assistant api bench billing community corpus retrieval prompts tests
	$(BIN)/python -m mypy $(MYPY_PACKAGES)
	$(BIN)/python -m pytest

## lint: ruff (rule set in pyproject.toml [tool.ruff.lint]) and mypy (also run by `make test`)
lint: $(STAMP)
	$(BIN)/ruff check accounts assistant api bench billing community corpus retrieval prompts tests
	$(BIN)/python -m mypy $(MYPY_PACKAGES)

## bench: run the benchmarks and rewrite docs/benchmarks.md
bench: $(STAMP)
	bash scripts/ensure-nginx.sh
	$(BIN)/python -m bench

## index: (re)ingest the starter corpus
index: $(STAMP)
	$(BIN)/top-advisor corpus ingest

## lock: refresh requirements.lock from the current venv
lock:
	$(BIN)/python -m pip freeze --exclude-editable --exclude top-advisor > requirements.lock

clean:
	rm -rf $(VENV) var
