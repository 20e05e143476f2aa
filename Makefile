# Baikoo: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements-dev.lock | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format migrate demo worker messages lock bench

$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Baikoo needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# Serves the app on SQLite with the demo data; a Celery worker with an embedded beat runs
# beside the dev server on the filesystem transport (see docs/operations.md, "Background work").
run: demo
	@mkdir -p var
	@echo "Baikoo on http://$(HOST):$(PORT)/  (Celery worker log: var/celery.log; Ctrl-C stops both)"
	@$(BIN)/celery -A observation worker --beat --pool=solo --loglevel=INFO --logfile=var/celery.log & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A observation worker --beat --pool=solo --loglevel=INFO

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: edit locale/*/LC_MESSAGES/django.po, then compile (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l ru -l ky --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=var --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Re-pin the dependencies from pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml -q -o requirements.lock --python-version 3.11
	uv pip compile pyproject.toml --extra dev -q -o requirements-dev.lock --python-version 3.11

# The performance budgets, printed as measurements (see docs/benchmarks.md); a quick pass:
bench: install
	$(BIN)/python bench/filing_bench.py --requests 500 --rounds 5
	$(BIN)/python bench/report_bench.py --scale 0.1 --repeat 1
	$(BIN)/python bench/triage_bench.py --small 200 --large 1000 --requests 5 --warmup 1
