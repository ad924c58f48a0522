# `make run` and `make test` are all you need; everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
JS_STAMP := tests/js/node_modules/.installed

.PHONY: run test install lint format messages bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# JavaScript test tools (Mozilla's ical.js); skipped when Node.js is not installed.
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --silent && touch $(JS_STAMP); \
	else echo "npm not found: JavaScript-based tests will be skipped"; fi

# Development: DEBUG on (settings turn it on by themselves only under the dev server).
run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_dev

test: install $(JS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the German catalogue (needs GNU gettext) and compile it.
messages: install
	$(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l de --ignore=.venv

bench: install
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var staticfiles tests/js/node_modules
