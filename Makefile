# miniredis: `make run` starts the server, `make test` runs every test (installing what it needs first).
PYTHON ?= python3
PYTEST_ARGS ?=

.PHONY: help deps redis-server run test unit plain-tests conformance lint bench

help:
	@echo "make deps         install the package (compiling its hot modules with mypyc) and the test tools"
	@echo "make run          start miniredis on 127.0.0.1:6379 (installs the package first)"
	@echo "make test         install everything (incl. the reference redis-server) and run every test"
	@echo "make conformance  only the differential suite against real Redis 7.0"
	@echo "make bench        benchmarks against real Redis, written to docs/benchmarks.md"

# An editable install; it also compiles the modules setup.py lists (MINIREDIS_COMPILE=0: plain Python).
deps:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[test,lua]'

# The reference server for conformance/: Debian's redis-server 7.0 via apt where it is missing.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server redis-tools; }
	@redis-server --version

run: deps
	$(PYTHON) -m miniredis

lint: deps
	$(PYTHON) -m ruff check miniredis tests conformance benchmarks tools setup.py
	$(PYTHON) -m mypy

test: deps redis-server lint
	$(PYTHON) -m pytest -q $(PYTEST_ARGS)
	$(MAKE) --no-print-directory plain-tests

# What an install without a C compiler runs: the unit and command tests against a copy of the
# package without its compiled extensions (the copy comes first on the path, for servers started
# in subprocesses too).
PLAIN := $(CURDIR)/build/plain
plain-tests:
	rm -rf $(PLAIN) && mkdir -p $(PLAIN) && cp -r miniredis $(PLAIN)/ && find $(PLAIN) -name '*.so' -delete
	cd $(PLAIN) && MINIREDIS_COMPILE=0 MINIREDIS_EXPECT_PLAIN=1 PYTHONPATH="$(PLAIN):$(CURDIR)" $(PYTHON) -m pytest -q \
		$(CURDIR)/tests/unit $(CURDIR)/tests/commands $(PYTEST_ARGS)

unit: deps
	$(PYTHON) -m pytest -q tests $(PYTEST_ARGS)

conformance: deps redis-server
	$(PYTHON) -m pytest -q conformance $(PYTEST_ARGS)

bench: deps redis-server
	$(PYTHON) benchmarks/run_benchmarks.py
