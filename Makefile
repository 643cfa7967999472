# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The NHS.UK design system's compiled files and Swagger UI, served by Roomhire from /assets
# (installed with npm, not committed).
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
ASSETS := service/web/assets/.built
PORT ?= 8000
export ROOMHIRE_DATA_DIR ?= var
export ROOMHIRE_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint typecheck contracts pytest system-deps assets bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The stock stylesheet loads the NHS font from another site: its @font-face rules are left out
# (the design system falls back to Arial), and so are the source-map comments.
$(ASSETS): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	rm -rf service/web/assets && mkdir -p service/web/assets
	cp -r $(NHSUK)/assets/. service/web/assets/
	sed -E 's/@font-face\{[^}]*\}//g; s#/\*\# sourceMappingURL=[^*]*\*/##' \
	  $(NHSUK)/nhsuk-frontend.min.css > service/web/assets/nhsuk-frontend.min.css
	sed -E 's#//\# sourceMappingURL=.*$$##' $(NHSUK)/nhsuk-frontend.min.js \
	  > service/web/assets/nhsuk-frontend.min.js
	mkdir -p service/web/assets/swagger-ui
	for f in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js; do \
	  sed -E 's#[/][/*]\# sourceMappingURL=[^*]*(\*/)?##' node_modules/swagger-ui-dist/$$f \
	    > service/web/assets/swagger-ui/$$f; done
	touch $@

assets: $(ASSETS)

## Migrate the embedded SQLite database, load demo data, then serve on http://127.0.0.1:$(PORT)
## with the outbox worker beside it (emails land in var/outbox/); Ctrl-C stops both.
run: $(STAMP) $(ASSETS)
	$(BIN)/roomhire db upgrade
	$(BIN)/roomhire demo
	$(BIN)/roomhire outbox run & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/roomhire serve --host 127.0.0.1 --port $(PORT)

## Lint, type-check, architecture contracts, then the whole pytest suite
test: $(STAMP) $(ASSETS) system-deps lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# On every core (two here), each test module whole on one worker: a module's browser and
# server are started once. Each worker has its own PostgreSQL schema and temporary files.
pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile --durations=15

# Debian packages the tests use, installed only when running as root and missing.
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils \
	chromium
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages (install them as root):$$missing"; fi; \
	fi

## Every benchmark in benchmarks/ (pandas and wrk installed first), then one table of figures
bench: $(STAMP) $(ASSETS)
	$(BIN)/pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null || if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && apt-get install -y -qq wrk; \
	  else echo "wrk is missing (install it as root): its benchmarks will say so"; fi
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules service/web/assets
