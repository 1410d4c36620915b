# The two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= nexthink_admin.settings.local

.PHONY: run demo test install install-test migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py ensure_admin

# Web, worker, beat (and the embedded Redis unless REDIS_URL is set), one
# process group: logs prefixed by process name, Ctrl-C stops them all.
run: migrate
	@echo "Console: http://$${WEB_HOST:-127.0.0.1}:$${WEB_PORT:-8000}/  (Ctrl-C stops everything)"
	@if [ -n "$$REDIS_URL" ]; then exec $(BIN)/honcho start web worker beat; \
	else exec $(BIN)/honcho start redis web worker beat; fi

test: install-test
	DJANGO_SETTINGS_MODULE=nexthink_admin.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
