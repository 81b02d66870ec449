# The project's commands. Everything installs into .venv from the pinned requirements.lock.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv frontend run test unit lint security typecheck format bench bench-domain eval lock contracts clean browser-deps

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

## make frontend: govuk-frontend from npm into build/frontend (6.3.0 matches govuk-frontend-jinja 4.1.0)
FRONTEND := build/frontend/node_modules/govuk-frontend/package.json
$(FRONTEND):
	npm install --prefix build/frontend --save-exact --no-audit --no-fund govuk-frontend@6.3.0
frontend: $(FRONTEND)

## make run: the whole stack on this machine (embedded NATS and PostgreSQL unless NATS_URL/DATABASE_URL are set)
run: venv frontend
	$(VENV)/bin/cpi dev

## make test: lint, type-check, then every test on real servers
test: venv frontend lint typecheck
	$(PY) -m pytest -q $(PYTEST_ARGS)

## make fuzz: schemathesis (500 examples per operation and mode) and generated submissions (200) on a real stack
fuzz: venv frontend
	CPI_FUZZ_EXAMPLES=500 CPI_FUZZ_SUBMISSIONS=200 $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/e2e/test_fuzz_api_schemas.py tests/e2e/test_fuzz_submissions.py tests/unit/test_submission_properties.py

unit: venv
	$(PY) -m pytest -q tests/unit

lint: venv security
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make security: bandit over the code that ships; accepted findings are explained inline (# nosec BXXX # reason)
security: venv
	$(VENV)/bin/bandit -q -r contracts eventstore services cpi -c pyproject.toml

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: venv
	$(VENV)/bin/mypy .

## make browser-deps: Debian's chromium for the browser tests (as root; CI runs it)
browser-deps:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

## make bench: throughput and latency through a running stack, and the store's raw append rate
bench: venv
	$(PY) -m bench

## make bench-domain: only bench's one-core figures (sanitiser documents/s, grader gradings/s), in about 30 s
bench-domain: venv
	$(PY) -m bench.domain

## make chaos: SIGKILLs, NATS and PostgreSQL outages, two replicas and poison during paced runs (about 12 minutes)
.PHONY: chaos load
chaos: venv
	$(PY) -m chaos

## make load: rising paced rates from a separate process until p99 accept→Graded passes 2 s or errors appear
load: venv
	$(PY) -m chaos.load

## make eval: the sanitiser's labelled set, then every grader set (see services/grader/labelled/LABELLING.md);
## fails at the end if any set misses a target
eval: venv
	$(PY) -m services.sanitiser.evaluate
	status=0; for set in services/grader/labelled services/grader/labelled/*/ $(wildcard tests/corpus/grader/*/); do \
		$(PY) -m services.grader.evaluate --corpus $$set || status=1; done; exit $$status

contracts: venv
	$(VENV)/bin/cpi contracts export build/contracts

## make lock: re-pin every dependency from pyproject.toml (needs the package index)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check '.[dev]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^cpi-pipeline' > requirements.lock
	rm -rf .venv-lock

clean: deploy-clean
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache

## make deploy-check: render every overlay, validate against the Kubernetes schemas, checkov (own venv)
include deploy/Makefile.deploy
