# Two front doors (README): `make demo` and `make test`. Both build .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_SET ?= stimuli/demo
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint venv system-packages messages

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The participant pages' translation catalogues (locale/*/LC_MESSAGES/django.po),
# compiled with Babel (a Python package: no system gettext needed to run the app).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)
locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# Debian packages the tests use (package:command): Chromium for the browser tests
# (Playwright's own download fails here), nginx, whose config the deploy tests check
# with `nginx -t`, and GNU gettext, whose `makemessages` checks the catalogues are current.
SYSTEM_PACKAGES := chromium:chromium nginx:nginx gettext:xgettext
system-packages:
	@missing=""; for pc in $(SYSTEM_PACKAGES); do command -v $${pc#*:} >/dev/null 2>&1 || missing="$$missing $${pc%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing: run 'sudo apt-get install -y$$missing' for the browser and deploy tests"; fi; fi

# The demo is local use: DEBUG on (studyapp/settings.py defaults to production).
demo: export DEBUG = 1
demo: $(STAMP) messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m generator demo --out $(DEMO_SET)
	$(BIN)/python manage.py demo_setup $(DEMO_SET)/manifest.json --host $(HOST) --port $(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) messages system-packages
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
