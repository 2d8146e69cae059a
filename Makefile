# The two commands a newcomer needs: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` serves the demo as its users will meet it: Dutch 404/403/500 pages in the app's layout, never
# Django's debug page that lists every URL pattern (Django shows it instead of any custom page while DEBUG
# is on). Static files come from WhiteNoise either way. A developer asks for the debug pages: make run DEBUG=1.
DEBUG ?= 0
export DJANGO_SETTINGS_MODULE := maatwerk.settings

.PHONY: install run serve test test-fast bench lint format messages check-migrations clean

install: $(VENV)/.installed maatwerk/static/vendor/.installed compile-messages

$(VENV)/.installed: pyproject.toml
	@scripts/ensure-system-packages.sh base
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# pycanon checks the research files' k-anonymity and l-diversity in the tests, independently of our code.
	@# Without its dependencies: it pins numpy, pandas and scipy to exact old versions, which would put an
	@# older numpy under the business-case engine in the tests than in production. Its checks need only
	@# numpy and pandas, both installed above.
	$(BIN)/python -m pip install --quiet --no-deps "pycanon==1.3.6"
	@# deduce builds its lookup structures (~80 s) on the first Deduce() and caches them in the installed
	@# package; do it here, not in a user's first "maatwerk anonymize" or inside a timed test.
	@# deduce rebuilds its cache when a source list looks newer than the cache, comparing the file's time with
	@# the cache's saved time as *local wall-clock* times. Django sets the process's time zone to TIME_ZONE,
	@# so in the tests lists installed minutes ago looked an hour newer than a cache built here in UTC: each
	@# test process rebuilt and rewrote it while another read it ("pickle data was truncated"). Date the
	@# installed lists back first, so the cache is valid in every time zone.
	$(BIN)/python -c "import deduce, os, pathlib; src = pathlib.Path(deduce.__file__).parent / 'data' / 'lookup' / 'src'; [os.utime(p, (946684800, 946684800)) for p in (src, *src.rglob('*'))]"
	$(BIN)/python -c "from deduce import Deduce; Deduce()"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

maatwerk/static/vendor/.installed: node_modules/.installed scripts/copy-assets.sh
	scripts/copy-assets.sh
	touch $@

.PHONY: compile-messages
compile-messages: $(VENV)/.installed
	@cd maatwerk && ../$(BIN)/python ../manage.py compilemessages --verbosity 0 --ignore "static/*"

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty --print-logins
	@echo ""
	@echo "Maatwerk runs at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@# The task worker (dashboards' refresh, anonymising voices, research exports) runs beside the server and
	@# stops with it; it first re-queues any export a killed worker left half-built.
	DEBUG=$(DEBUG) scripts/run-with-worker.sh $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production server: gunicorn (sized by GUNICORN_WORKERS, GUNICORN_THREADS; see maatwerk/gunicorn_conf.py)
# and the task worker beside it, on DATABASE_URL or SQLite under var/. No demo data; see docs/deploy.md.
serve: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) scripts/run-with-worker.sh $(BIN)/python -m gunicorn -c maatwerk/gunicorn_conf.py maatwerk.wsgi

test: install
	@scripts/ensure-system-packages.sh test
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Without the browser tests, for a quick loop while developing.
test-fast: install
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

# bench_insights.py loads 1,000,000 households by default (half an hour and more): `make bench` gives it a
# small database; the 1M run is documented in bench/README.md.
BENCH_INSIGHTS_HOUSEHOLDS ?= 20000
bench: install
	@scripts/ensure-system-packages.sh test
	@for f in bench/bench_*.py; do \
	  args=(); [ "$$f" = bench/bench_insights.py ] && args=(--households $(BENCH_INSIGHTS_HOUSEHOLDS)); \
	  echo "== $$f $${args[*]}"; $(BIN)/python $$f "$${args[@]}" || exit 1; \
	done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Refresh the Dutch catalogues after adding strings (GNU gettext), then translate the empty msgstr entries.
messages: install
	scripts/messages.sh

clean:
	rm -rf $(VENV) node_modules maatwerk/static/vendor var/static
