# The README's commands. Everything installs itself into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := src

CUSTOMERS ?= 5000
SEED ?= 42

.PHONY: run stop test fuzz seed migrate schema lint typecheck bench install lock clean-data

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lock:  ## resolve the newest versions pyproject.toml allows into constraints.txt
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet --upgrade pip
	$(VENV)-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# Exact versions \`make install\` installs (pip constraints). Refresh with \`make lock\`."; \
	  $(VENV)-lock/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt
	rm -rf $(VENV)-lock

run: $(STAMP)  ## serve the API and GraphiQL (embedded PostgreSQL + demo shop without DATABASE_URL)
	$(BIN)/python -m cli serve

stop: $(STAMP)  ## stop the embedded PostgreSQL that `make run` leaves running
	$(BIN)/python -m cli stop-db

test: $(STAMP)  ## the whole test suite (TEST_DATABASE_URL, else an embedded PostgreSQL)
	$(BIN)/pytest -q

FUZZ_EXAMPLES ?= 60
FUZZ_SEED ?= $(shell date +%s)

fuzz: $(STAMP)  ## a deeper schemathesis campaign: make fuzz FUZZ_EXAMPLES=60 FUZZ_SEED=1
	@echo "fuzzing with FUZZ_SEED=$(FUZZ_SEED), FUZZ_EXAMPLES=$(FUZZ_EXAMPLES)"
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest -q \
		tests/contract/test_graphql_fuzz.py

seed: $(STAMP)  ## generate a demo shop: make seed CUSTOMERS=1000000 SEED=7
	$(BIN)/python -m cli seed --customers $(CUSTOMERS) --seed $(SEED)

migrate: $(STAMP)
	$(BIN)/python -m cli migrate

schema: $(STAMP)  ## export schema.graphql
	$(BIN)/python -m cli schema

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean-data:
	rm -rf .data
