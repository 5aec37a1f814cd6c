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

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py score --if-none --also-days-before 30
	@echo ""
	@echo "Huitou is at http://$(HOST):$(PORT)/  (Ctrl-C stops the web app and the worker)"
	@$(BIN)/python manage.py demo_logins
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py run_huey --workers 2 & \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

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
