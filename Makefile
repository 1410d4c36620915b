# The two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= nexthink_admin.settings.local

.PHONY: run dev demo demo-drift test lint format install install-local install-test migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed. One stamp per file of
# requirements/, each file including the one before: base (the runtime: make
# run), local (+ the AWS simulator: make demo, make bench), test (+ pytest, ruff).
$(VENV)/.installed: requirements/base.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-local: requirements/local.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/local.txt
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed-local
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

install: $(VENV)/.installed
install-local: $(VENV)/.installed-local
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py ensure_admin

# Web, worker, beat (and the embedded Redis unless REDIS_URL is set), one
# process group from Procfile: logs prefixed by process name, Ctrl-C stops them
# all (honcho then exits 130, which is not a failure: make ends quietly). DEMO=1 adds its sim process: the AWS simulator, seeded, with a demo
# credential and connectors (installing requirements/local.txt first).
DEMO_ENV := $(if $(DEMO),AWS_ENDPOINT_URL=http://127.0.0.1:$${SIM_PORT:-5055} AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true,)
# The console is served by gunicorn with DEBUG off (Procfile `web`); `make dev`
# swaps in Django's development server (`dev`: auto-reload, debug pages).
WEB_PROCESS ?= web
PROCESSES := $(if $(DEMO),sim) $(if $(REDIS_URL),,redis) $(WEB_PROCESS) worker beat

run: $(if $(DEMO),install-local) migrate
	@echo "Console: http://$${WEB_HOST:-127.0.0.1}:$${WEB_PORT:-8000}/  (Ctrl-C stops everything)"
	@$(DEMO_ENV) $(BIN)/honcho -f Procfile start $(PROCESSES) || [ $$? -eq 130 ]

# Development only: auto-reload and Django's debug pages (never on a shared machine).
dev:
	@DEBUG=true $(MAKE) --no-print-directory run WEB_PROCESS=dev

demo:
	@$(MAKE) --no-print-directory run DEMO=1

# While `make demo` runs: change a few simulated WorkSpaces so runs record drift.
demo-drift: install
	$(BIN)/python manage.py demo_drift --endpoint http://127.0.0.1:$${SIM_PORT:-5055}

test: install-test
	DJANGO_SETTINGS_MODULE=nexthink_admin.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, configured in pyproject.toml: lint and format check (CI runs it before the tests).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (issue #8): writes docs/BENCHMARKS.md; ARGS=--quick (or BENCH_QUICK=1)
# is a smoke run, ARGS='--only 1,4' runs some of them. Cloud Custodian (the peer)
# gets a venv of its own, bench/.venv-c7n: its pins conflict with requirements/base.txt.
# Benchmark 6 flushes Redis database 13 (BENCH_REDIS_URL names another one).
bench: install-local
	@test -x bench/.venv-c7n/bin/python || $(PYTHON) -m venv bench/.venv-c7n
	bench/.venv-c7n/bin/python -m pip install --quiet -r requirements/bench.txt
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
