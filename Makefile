# unity.upgrade: build, lint and test the collection on a fresh machine.
# `make help` lists the targets. Everything is installed by the targets themselves:
# the tools into .venv (tests/requirements-dev.txt), ansible-test's own virtual
# environments under ~/.ansible/test (sanity) and build/ (integration).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Python 3.11 for .venv and ansible-test (ansible-core 2.19 controllers: 3.11 to 3.13).
PYTHON_VERSION ?= 3.11
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || command -v python3)

REPO := $(abspath .)
VENV := $(REPO)/.venv
VPY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
DEV_REQUIREMENTS := tests/requirements-dev.txt
DEV_CONSTRAINTS := tests/constraints-dev.txt

BUILD := $(REPO)/build
COLLECTIONS_ROOT := $(BUILD)/collections
COLL_DIR := $(COLLECTIONS_ROOT)/ansible_collections/unity/upgrade
INSTALL_ROOT := $(BUILD)/installed
# playbooks, demo, e2e and bench use the collection installed from the built tarball
export ANSIBLE_COLLECTIONS_PATH := $(INSTALL_ROOT)

ANSIBLE_TEST := $(VENV)/bin/ansible-test
ANSIBLE_TEST_OPTS ?= --venv --python $(PYTHON_VERSION)
SANITY_OPTS ?=
INTEGRATION_OPTS ?=
INTEGRATION_ARRAYS ?= 6
INTEGRATION_TIME_SCALE ?= 30
# -ra: a line per skip/failure; --timeout: a hung test fails after 15 minutes instead of eating CI's 90
PYTEST_OPTS ?= -ra --timeout=900
export DEMO_TIME_SCALE ?= 30
BENCH_ARGS ?=

# pip's warnings about this machine's optional local mirrors are noise, not news
PIP_FILTER := sed -u '/is ignored: it is neither a file nor a directory/d'

.PHONY: help
help:
	@echo "unity.upgrade make targets:"
	@echo "  make demo             the fleet upgrade playbook against 4 simulated arrays, then the report"
	@echo "  make test             changelog-check + lint + sanity + units + integration + e2e"
	@echo "  make bench            benchmarks (tests/bench/run.py)"
	@echo "  make .venv            tools in .venv ($(DEV_REQUIREMENTS))"
	@echo "  make build            copy to build/collections/..., build the tarball, install it in build/installed"
	@echo "  make lint             ansible-lint, production profile"
	@echo "  make sanity           ansible-test sanity $(ANSIBLE_TEST_OPTS)"
	@echo "  make units            pytest tests/unit and tests/sim_tests"
	@echo "  make integration      ansible-test integration against the simulator ($(INTEGRATION_ARRAYS) arrays)"
	@echo "  make e2e              pytest tests/e2e against the installed collection"
	@echo "  make changelog-check  plugins/ or roles/ changed => a changelogs/fragments/*.yml was added"
	@echo "  make clean            remove build/ and caches (make distclean: .venv too)"

# ---------------------------------------------------------------- tools
.PHONY: .venv venv
.venv venv: $(VENV_STAMP)

$(VENV_STAMP): $(DEV_REQUIREMENTS) $(DEV_CONSTRAINTS) requirements.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v < (3, 14) else "$(PYTHON) is Python %d.%d; ansible-core 2.19 needs 3.11 to 3.13 (make PYTHON=...)" % v)'
	@echo "== creating $(VENV) with $$($(PYTHON) --version) ($(PYTHON))"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r $(DEV_REQUIREMENTS) -c $(DEV_CONSTRAINTS) 2>&1 | $(PIP_FILTER)
	@$(VPY) -m pip list --format=freeze 2>/dev/null | grep -iE '^(ansible-core|ansible-lint|pytest|antsibull-changelog)==' | tr '\n' ' '; echo
	@touch $@

# ansible-test --venv bootstraps pip in its virtual environments from a script it
# downloads; put the offline stand-in in its cache instead (see the script).
.PHONY: ansible-test-bootstrap
ansible-test-bootstrap: $(VENV_STAMP)
	@$(VPY) tests/utils/install_get_pip.py >/dev/null

# ---------------------------------------------------------------- build
.PHONY: build
build: $(VENV_STAMP)
	@echo "== build: $(COLL_DIR)"
	@$(VPY) tests/utils/sync_tree.py $(REPO) $(COLL_DIR)
	@# ansible-test lists a collection's files with git when it sits in a git work tree; the copy
	@# lives under build/, which the repo ignores, so it gets a (commit-less) repository of its own
	@test -d $(COLL_DIR)/.git || git init -q $(COLL_DIR)
	@rm -f $(BUILD)/unity-upgrade-*.tar.gz
	cd $(COLL_DIR) && $(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD)
	$(VENV)/bin/ansible-galaxy collection install --offline --force -p $(INSTALL_ROOT) $(BUILD)/unity-upgrade-*.tar.gz

# ---------------------------------------------------------------- checks
# ansible-lint runs offline (.ansible-lint): it finds unity.upgrade, for the syntax checks of
# roles and playbooks, through ANSIBLE_COLLECTIONS_PATH (the tarball installed by build).
.PHONY: lint
lint: build
	@echo "== ansible-lint (profile: production, see .ansible-lint)"
	PATH=$(VENV)/bin:$$PATH $(VENV)/bin/ansible-lint

# All sanity tests on $(PYTHON_VERSION), then compile and import (the tests that depend on the
# Python version) on every other Python the modules support (tests/config.yml) found here.
SANITY_EXTRA_PYTHONS ?= 3.9 3.10 3.12 3.13
.PHONY: sanity
sanity: build ansible-test-bootstrap
	@echo "== ansible-test sanity $(ANSIBLE_TEST_OPTS) $(SANITY_OPTS)"
	@failed=""; \
	(cd $(COLL_DIR) && PATH=$(VENV)/bin:$$PATH $(ANSIBLE_TEST) sanity $(ANSIBLE_TEST_OPTS) $(SANITY_OPTS)) \
		|| failed="$(PYTHON_VERSION)"; \
	for v in $(SANITY_EXTRA_PYTHONS); do \
		if ! dir=$$(tests/utils/python_dir.sh $$v); then \
			echo "== sanity: compile and import on Python $$v SKIPPED: no python$$v on this machine"; continue; fi; \
		echo "== ansible-test sanity --test compile --test import --venv --python $$v"; \
		(cd $(COLL_DIR) && PATH=$$dir:$$PATH $(ANSIBLE_TEST) sanity --test compile --test import --venv --python $$v) \
			|| failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "== sanity FAILED on Python(s): $$failed" >&2; exit 1; fi

# Unit tests import the collection from the copied tree as ansible_collections.unity.upgrade
# (build/collections on sys.path); simulator tests import unity_sim (tests/ on sys.path).
.PHONY: units
units: build
	@echo "== unit and simulator tests"
	cd $(COLL_DIR) && PYTHONPATH=$(COLLECTIONS_ROOT):$(COLL_DIR)/tests \
		$(REPO)/tests/utils/pytest_dirs.sh $(VPY) tests/unit tests/sim_tests -- $(PYTEST_OPTS) -p no:cacheprovider

# ansible-test integration against a simulator started for the run (and always stopped);
# the targets get unity_sim_admin, unity_sim_ca_file and unity_sim_arrays from the
# integration_config.yml written from the simulator's ready line.
.PHONY: integration
integration: build ansible-test-bootstrap
	@if [ -z "$$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]; then \
		echo "== integration: no targets in tests/integration/targets yet, nothing to run"; exit 0; fi; \
	echo "== ansible-test integration $(ANSIBLE_TEST_OPTS) $(INTEGRATION_OPTS) (simulator: $(INTEGRATION_ARRAYS) arrays)"; \
	cd $(COLL_DIR) && $(VPY) $(REPO)/tests/utils/with_simulator.py \
		--arrays $(INTEGRATION_ARRAYS) --time-scale $(INTEGRATION_TIME_SCALE) \
		--integration-config tests/integration/integration_config.yml --log $(BUILD)/unity_sim-integration.log \
		-- $(ANSIBLE_TEST) integration $(ANSIBLE_TEST_OPTS) $(INTEGRATION_OPTS)

.PHONY: e2e
e2e: build
	@echo "== e2e tests (ANSIBLE_COLLECTIONS_PATH=$(INSTALL_ROOT))"
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH \
		tests/utils/pytest_dirs.sh $(VPY) tests/e2e -- $(PYTEST_OPTS) -p no:cacheprovider

.PHONY: changelog-check
changelog-check: $(VENV_STAMP)
	@tests/utils/changelog_check.sh
	@$(VENV)/bin/antsibull-changelog lint

# Every check runs, even after one failed; the summary says which failed.
TEST_STEPS := changelog-check lint sanity units integration e2e
.PHONY: test
test:
	@failed=""; for step in $(TEST_STEPS); do \
		start=$$(date +%s); \
		if $(MAKE) $$step; then result=passed; else result=FAILED; failed="$$failed $$step"; fi; \
		echo "== make $$step: $$result in $$(( $$(date +%s) - start ))s"; \
	done; \
	steps=$$(echo $(TEST_STEPS) | wc -w); nfailed=$$(echo $$failed | wc -w); \
	echo "== make test: $$(( steps - nfailed )) of $$steps steps passed$${failed:+; failed:$$failed}"; \
	[ -z "$$failed" ]

# ---------------------------------------------------------------- demo, bench
.PHONY: demo
demo: build
	@tests/demo/run_demo.sh $(VENV) $(BUILD)

.PHONY: bench
bench: build
	@if [ ! -f tests/bench/run.py ]; then echo "bench: tests/bench/run.py does not exist yet, nothing to run"; exit 0; fi; \
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH $(VPY) tests/bench/run.py $(BENCH_ARGS)

# ---------------------------------------------------------------- housekeeping
.PHONY: clean distclean
clean:
	rm -rf $(BUILD) tests/output tests/integration/integration_config.yml .pytest_cache .hypothesis changelogs/.plugin-cache.yaml
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
