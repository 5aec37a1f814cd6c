# Huitou: `make run` starts the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt requirements/base.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo organisation (CDNOW) sells in US dollars.
export CURRENCY ?= USD

.PHONY: run test lint typecheck messages install-browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

# prepare_demo migrates, loads and scores only what is missing, in one process: a second
# `make run` serves within seconds. runserver skips the system checks prepare_demo just ran.
# Ctrl-C reaches the worker and the web app together; the trap then only waits for the
# worker (a trap that signals its own process group runs itself again until bash crashes).
run: $(STAMP)
	@$(BIN)/python manage.py prepare_demo
	@echo ""
	@echo "Huitou is at http://$(HOST):$(PORT)/  (Ctrl-C stops the web app and the worker)"
	@$(BIN)/python manage.py run_huey --workers 2 & worker=$$!; \
	trap 'trap - INT TERM EXIT; kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' INT TERM EXIT; \
	$(BIN)/python manage.py runserver --noreload --skip-checks $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=static
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
