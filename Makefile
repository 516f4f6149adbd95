# Developer commands. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test lint serve worker beat bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest

serve: install
	$(BIN)/teleframe serve

worker: install  # every queue; production splits them (README, "Production")
	$(BIN)/celery -A workers.app worker --loglevel INFO

beat: install
	$(BIN)/celery -A workers.app beat --loglevel INFO

bench: install
	$(BIN)/python -m bench
