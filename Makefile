# The two commands a newcomer needs: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := council

.PHONY: run test test-suite lint typecheck audit translations compile-translations worker beat bench bench-load bench-faults vendor clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile --use-fuzzy -d council/translations

## make run: SQLite under instance/, demo data, Celery tasks in-process, http://127.0.0.1:5000
# Debug mode: without COUNCIL_SECRET_KEY the app keeps a random key in instance/secret_key (0600), made
# once; outside debug and tests it refuses to start without one (council/deployment.py).
run: export FLASK_DEBUG ?= 1
run: compile-translations
	$(BIN)/flask db upgrade
	$(BIN)/flask council demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: lint, types, then the whole suite (PostgreSQL/Redis when COUNCIL_TEST_* name them)
test: compile-translations lint typecheck test-suite

# The suite alone, one pytest-xdist worker per core (PYTEST_WORKERS=0: in this process); the browser
# tests share one worker (xdist_group). CI's PostgreSQL pass runs this after `make test` on SQLite.
PYTEST_WORKERS ?= auto
test-suite: compile-translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# ruff's rules include its security ones (S, from bandit); each exception is explained where it is made.
# import-linter checks the layers and that no import cycle exists; vulture, that nothing is dead
# (both configured in pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check council workers tests bench lint
	$(BIN)/lint-imports
	$(BIN)/vulture

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Known vulnerabilities in the installed dependencies (PyPA advisory database through PyPI; see .ci/audit.py).
audit: $(VENV)/.installed
	$(BIN)/python .ci/audit.py

translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
		--project Council --copyright-holder Council -o council/translations/messages.pot .
	$(BIN)/pybabel update -i council/translations/messages.pot -d council/translations \
		--ignore-obsolete --no-fuzzy-matching

worker: $(VENV)/.installed
	$(BIN)/celery -A workers.celery_app worker --loglevel=info

beat: $(VENV)/.installed
	$(BIN)/celery -A workers.celery_app beat --loglevel=info

bench: compile-translations
	$(BIN)/python -m bench.run

# The whole stack (gunicorn, worker, beat, own Redis, SMTP sink) under concurrent clients; bench/README.md.
bench-load: compile-translations
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.load --clients 50 --think 5

bench-faults: compile-translations
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.faults --clients 50 --think 5

# Refresh the vendored front-end files from pinned npm packages (see council/static/vendor/VERSIONS.txt).
vendor:
	rm -rf .vendor && mkdir -p .vendor && cd .vendor && \
		npm pack --silent @picocss/pico@2.1.1 htmx.org@2.0.11 chart.js@4.6.1 axe-core@4.14.1 \
			swagger-ui-dist@5.35.0 && \
		for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	cp .vendor/picocss-pico-2.1.1/package/css/pico.min.css council/static/vendor/
	cp .vendor/htmx.org-2.0.11/package/dist/htmx.min.js council/static/vendor/
	cp .vendor/chart.js-4.6.1/package/dist/chart.umd.min.js council/static/vendor/
	cp .vendor/axe-core-4.14.1/package/axe.min.js tests/e2e/vendor/
	mkdir -p council/static/vendor/swagger-ui
	cp .vendor/swagger-ui-dist-5.35.0/package/swagger-ui-bundle.js .vendor/swagger-ui-dist-5.35.0/package/swagger-ui.css \
		.vendor/swagger-ui-dist-5.35.0/package/LICENSE council/static/vendor/swagger-ui/
	rm -rf .vendor

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
