# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SEED   ?= 2026
DEMO_PASSWORD ?= Demo@2026

# The demo runs as the product runs (DEBUG off: real error pages, WhiteNoise static
# files) but over plain http on loopback, with a key that is for the demo only.
DEMO_ENV := DEBUG=0 SECRET_KEY=$${SECRET_KEY:-demo-only-not-a-production-key} SECURE_COOKIES=0 \
            ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost}
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-key} STATIC_MANIFEST=0
# The benchmarks never touch the demo. `make bench SCALE=small|city|province` needs PostgreSQL:
# it creates and drops its own database beside the one BENCH_DATABASE_URL (else DATABASE_URL,
# else the local antifraud role) names. `make bench-stats` times the statistics engine alone,
# on var/bench/ SQLite or BENCH_DATABASE_URL. Options: BENCH_ARGS="--keep --seconds 60".
SCALE ?= small
BENCH_PG := $(or $(BENCH_DATABASE_URL),$(filter postgres%,$(DATABASE_URL)),postgres://antifraud:antifraud@127.0.0.1:5432/antifraud)
ifdef BENCH_DATABASE_URL
BENCH_DB := DATABASE_URL='$(BENCH_DATABASE_URL)'
else
BENCH_DB := DATABASE_URL= VAR_DIR=var/bench
endif
BENCH_ENV := DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-production-key} STATIC_MANIFEST=0 $(BENCH_DB)
# `make load`: 20 users at once (officers working their queues, leader and analyst reading
# dashboards, the stats API and bulletins) against gunicorn + PostgreSQL + Redis + a Celery
# worker, on a database of its own beside BENCH_PG's (dropped after); fails on any error;
# figures in docs/load.md. LOAD_REDIS is a Redis database of its own: a running stack's
# worker on the same one would take the run's tasks. Options: LOAD_ARGS="--seconds 20 --no-docs".
LOAD_REDIS ?= redis://127.0.0.1:6379/15

.PHONY: help demo run test lint format stack bench bench-stats load install install-dev install-bench clean

help:
	@echo "make demo    create .venv, install, migrate, load the demo city, serve http://$(HOST):$(PORT)"
	@echo "make test    install the test requirements and run the whole suite"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make run     development server with DEBUG on and auto-reload"
	@echo "make stack   gunicorn + celery worker + beat on PostgreSQL/Redis, without Docker"
	@echo "make bench   SCALE=small|city|province: the whole product timed beside COPY and DuckDB, on PostgreSQL (docs/benchmarks.md)"
	@echo "make bench-stats  the statistics engine alone on a city-sized dataset"
	@echo "make load    20 concurrent users for 60 s on gunicorn + PostgreSQL + Redis + Celery, 0 errors (docs/load.md)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=python3.x"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "== installing requirements into $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: requirements.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

demo: install
	@echo "== migrating the database"
	@$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	@$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "== loading the demo city"
	@$(DEMO_ENV) $(BIN)/python manage.py seed_demo --seed $(SEED) --password '$(DEMO_PASSWORD)'
	@echo ""
	@echo "== serving http://$(HOST):$(PORT)/ — sign in with an account above; Ctrl-C stops the site"
	@echo "   (periodic work — statistics refresh, escalation of overdue warnings, 四必查 — runs beside it; log: var/schedule.log)"
	@mkdir -p var; $(DEMO_ENV) $(BIN)/python manage.py run_schedule > var/schedule.log 2>&1 & schedule=$$!; \
		trap 'kill $$schedule 2>/dev/null' EXIT INT TERM; \
		$(DEMO_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stack: install
	scripts/stack

bench: install-bench
	@DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only-not-a-production-key} STATIC_MANIFEST=0 DATABASE_URL='$(BENCH_PG)' \
		$(BIN)/python manage.py run_bench --scale $(SCALE) $(BENCH_ARGS)

load: install
	@DEBUG=0 SECRET_KEY=$${SECRET_KEY:-load-only-not-a-production-key} STATIC_MANIFEST=0 DATABASE_URL='$(BENCH_PG)' \
		REDIS_URL='$(LOAD_REDIS)' $(BIN)/python manage.py load_run $(LOAD_ARGS)

bench-stats: install
	@$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	@$(BENCH_ENV) $(BIN)/python manage.py stats_bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
