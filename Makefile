# Developer commands. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test lint serve worker beat bench messages translations

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

# the client page's texts: extract into the template, merge into every catalogue (then translate
# the new entries in teleframe/web/translations/<lang>/LC_MESSAGES/messages.po)
CATALOGUES := teleframe/web/translations
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k client_text -k _l --no-location --sort-output \
		--omit-header -o $(CATALOGUES)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --width 100 \
		--no-fuzzy-matching --ignore-obsolete

# compiled .mo files are build output (setup.py compiles them on install); this is for a
# checkout whose catalogues changed since `make install`
translations: install
	$(BIN)/pybabel compile -d $(CATALOGUES) --statistics
