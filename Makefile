# OpsPortal developer commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format messages venv migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Embedded mode by default (SQLite under var/, in-process tasks and channel layer); set
# DATABASE_URL / REDIS_URL to run against PostgreSQL / Redis.
run: export DEBUG ?= true
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "OpsPortal listening on http://127.0.0.1:$(PORT)  (demo sign-in: admin / Admin@123456, tenant demo_company; Ctrl-C stops)"
	$(BIN)/daphne -b 127.0.0.1 -p $(PORT) portal.asgi:application

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --urlconf portal.api.urls_v1 >/dev/null
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --urlconf portal.api.urls_desk >/dev/null
	$(BIN)/python -m tests.check_translations

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Chinese catalogue after adding user-facing strings, translate, then compile.
messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --no-obsolete
	DEBUG=true $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
