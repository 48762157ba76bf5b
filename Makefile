# unity.upgrade: build, lint and test the collection on a fresh machine.
# `make help` lists the targets. Everything is installed by the targets themselves:
# the tools into .venv (tests/requirements-dev.txt), one venv per ansible-core version
# that sanity runs with under build/venvs (tests/utils/sanity-venv-*.txt), ansible-test's
# own virtual environments under ~/.ansible/test (sanity) and build/ (integration).

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
# e2e on two pytest workers (pytest-xdist): most e2e tests wait on the simulator's clock, so two
# at a time use the second core (measured: 22 instead of 35 minutes); E2E_WORKERS=0 runs them in turn
E2E_WORKERS ?= 2
E2E_PYTEST_OPTS ?= $(if $(filter 0,$(E2E_WORKERS)),,-n $(E2E_WORKERS) --dist worksteal) --durations=25
export DEMO_TIME_SCALE ?= 30
BENCH_ARGS ?=
# make soak: fault schedules numbered SOAK_FIRST_SCHEDULE on (make test runs 0 to 219)
SOAK_SCHEDULES ?= 1000
SOAK_FIRST_SCHEDULE ?= 220

# pip's warnings about this machine's optional local mirrors are noise, not news
PIP_FILTER := sed -u '/is ignored: it is neither a file nor a directory/d'

.PHONY: help
help:
	@echo "unity.upgrade make targets:"
	@echo "  make demo             stage, then the fleet upgrade, against 5 simulated arrays; the reports"
	@echo "  make test             every step below, each reported with its time: $(TEST_STEPS)"
	@echo "  make bench            benchmarks (tests/bench/run.py)"
	@echo "  make soak             $(SOAK_SCHEDULES) more fault schedules, two simulated days of upgrades, a 3-hour wait (tests/soak; not in make test, ~5 min)"
	@echo "  make .venv            tools in .venv ($(DEV_REQUIREMENTS))"
	@echo "  make build            copy to build/collections/..., build the tarball, install it in build/installed"
	@echo "  make lint             ansible-lint, production profile"
	@echo "  make sanity           ansible-test sanity with each ansible-core of SANITY_CORES ($(SANITY_CORES))"
	@echo "  make sanity-X.Y       ansible-test sanity with ansible-core X.Y only (build/venvs/ansible-core-X.Y)"
	@echo "  make playbooks-X.Y    the fleet playbooks with ansible-core X.Y against the simulator (PLAYBOOK_CORES: $(PLAYBOOK_CORES))"
	@echo "  make docs-check       antsibull-docs lint; ansible-doc of modules and role; EXAMPLES are FQCN task lists, lint-clean"
	@echo "  make galaxy-importer  galaxy-importer (Galaxy / Automation Hub import checks) on the built tarball"
	@echo "  make ee-check         ansible-builder create from docs/execution-environment.yml; introspect the collection"
	@echo "  make units            pytest tests/unit and tests/sim_tests"
	@echo "  make integration      ansible-test integration against the simulator ($(INTEGRATION_ARRAYS) arrays)"
	@echo "  make e2e              pytest tests/e2e against the installed collection (after make browser-tools)"
	@echo "  make browser-tools    Debian's chromium, when missing, for the report's browser test"
	@echo "  make changelog-check  plugins/ or roles/ changed => a fragment was added; fragments lint; CHANGELOG.rst current"
	@echo "  make changelog        fold new fragments into the release of galaxy.yml's version, write CHANGELOG.rst"
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
	@$(VPY) -m pip list --format=freeze 2>/dev/null | grep -iE '^(ansible-core|ansible-lint|pytest|antsibull-changelog|antsibull-docs|galaxy-importer|ansible-builder|ansible-runner)==' | tr '\n' ' '; echo
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

# The oldest and the newest ansible-core that meta/runtime.yml claims (requires_ansible), each
# in its own venv: build/venvs/ansible-core-X.Y, pinned in tests/utils/sanity-venv-X.Y.txt, on
# SANITY_PYTHON_X.Y (a controller Python of that core). ansible-core 2.20 and newer need Python
# 3.12 or newer (tests/utils/python_dir.sh finds pyenv's). .venv's ansible-core (2.19) runs lint,
# units, integration and e2e. To move a core: see tests/utils/README.md.
CLAIMED_CORES ?= 2.16 2.21
# ansible-test sanity: all tests on SANITY_PYTHON_X.Y, then compile and import (the tests that
# depend on the Python version) on SANITY_EXTRA_PYTHONS_X.Y: between the cores every Python the
# modules support (tests/config.yml: 3.9 and newer) found here is covered once.
# tests/sanity/ignore-X.Y.txt must exist and stay empty.
SANITY_CORES ?= $(CLAIMED_CORES)
SANITY_PYTHON_2.16 ?= 3.11
SANITY_EXTRA_PYTHONS_2.16 ?= 3.9 3.10 3.12
SANITY_PYTHON_2.21 ?= 3.12
SANITY_EXTRA_PYTHONS_2.21 ?= 3.13
# The fleet playbooks (precheck, check mode, upgrade) against the simulator (tests/utils/core_smoke.sh).
PLAYBOOK_CORES ?= $(CLAIMED_CORES)
VENVS := $(BUILD)/venvs
CORE_VENV_STAMPS := $(foreach core,$(SANITY_CORES),$(VENVS)/ansible-core-$(core)/.installed)
.PRECIOUS: $(VENVS)/ansible-core-%/.installed

$(VENVS)/ansible-core-%/.installed: tests/utils/sanity-venv-%.txt
	@py="$(SANITY_PYTHON_$*)"; venv=$(VENVS)/ansible-core-$*; \
	if [ -z "$$py" ]; then echo "ansible-core $*: set SANITY_PYTHON_$* (the Python of its venv)" >&2; exit 1; fi; \
	if ! dir=$$(tests/utils/python_dir.sh $$py); then \
		echo "ansible-core $*: no python$$py on this machine (PATH or pyenv); install it, e.g. pyenv install $$py" >&2; exit 1; fi; \
	echo "== creating $$venv with $$($$dir/python$$py --version) ($$dir)"; \
	rm -rf $$venv; \
	$$dir/python$$py -m venv $$venv; \
	$$venv/bin/python -m pip install --quiet --disable-pip-version-check -r $< 2>&1 | $(PIP_FILTER); \
	$$venv/bin/python -m pip list --format=freeze 2>/dev/null | grep -iE '^ansible-core=='
	@touch $@

.PHONY: sanity
sanity: $(addprefix sanity-,$(SANITY_CORES))

sanity-%: build $(VENVS)/ansible-core-%/.installed
	@venv=$(VENVS)/ansible-core-$*; py="$(SANITY_PYTHON_$*)"; ignore=tests/sanity/ignore-$*.txt; \
	if [ ! -f $$ignore ] || [ -s $$ignore ]; then \
		echo "== sanity: $$ignore must exist and be empty (fix the code instead of ignoring a test)" >&2; exit 1; fi; \
	$$venv/bin/python tests/utils/install_get_pip.py >/dev/null; \
	echo "== ansible-test sanity --venv --python $$py $(SANITY_OPTS) with ansible-core $$($$venv/bin/python -c 'import ansible.release as r; print(r.__version__)')"; \
	failed=""; \
	(cd $(COLL_DIR) && PATH=$$venv/bin:$$PATH $$venv/bin/ansible-test sanity --venv --python $$py $(SANITY_OPTS)) \
		|| failed="$$py"; \
	for v in $(SANITY_EXTRA_PYTHONS_$*); do \
		if ! dir=$$(tests/utils/python_dir.sh $$v); then \
			echo "== sanity: compile and import on Python $$v SKIPPED: no python$$v on this machine"; continue; fi; \
		echo "== ansible-test sanity --test compile --test import --venv --python $$v (ansible-core $*)"; \
		(cd $(COLL_DIR) && PATH=$$dir:$$venv/bin:$$PATH $$venv/bin/ansible-test sanity --test compile --test import --venv --python $$v) \
			|| failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "== sanity with ansible-core $* FAILED on Python(s): $$failed" >&2; exit 1; fi

.PHONY: playbooks
playbooks: $(addprefix playbooks-,$(PLAYBOOK_CORES))

playbooks-%: build $(VENVS)/ansible-core-%/.installed
	@tests/utils/core_smoke.sh $(VENVS)/ansible-core-$* $(VENV) $(BUILD)/playbooks-$*

# The documentation as Galaxy, the docsite and ansible-doc show it: antsibull-docs' linter
# (plugin docs, role argument specs, references), then tests/utils/check_docs.py with the
# ansible-doc of the oldest and the newest core claimed (CLAIMED_CORES: modules and role render
# without a warning; each module's EXAMPLES is a task list with FQCNs that passes a syntax check
# and ansible-lint's production profile).
.PHONY: docs-check
docs-check: build $(foreach core,$(CLAIMED_CORES),$(VENVS)/ansible-core-$(core)/.installed)
	@echo "== antsibull-docs lint-collection-docs --plugin-docs"
	cd $(COLL_DIR) && PATH=$(VENV)/bin:$$PATH $(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs \
		--validate-collection-refs all --disallow-unknown-collection-refs --check-extra-docs-refs .
	@echo "== ansible-doc and EXAMPLES (tests/utils/check_docs.py)"
	$(VPY) tests/utils/check_docs.py --collections-path $(INSTALL_ROOT) --lint-examples --workdir $(BUILD)/docs-check \
		$(foreach core,$(CLAIMED_CORES),--ansible-doc $(VENVS)/ansible-core-$(core)/bin/ansible-doc)

# galaxy-importer, offline (tests/utils/galaxy-importer.cfg): the checks Galaxy and Automation
# Hub run on an upload, on the tarball that `make build` wrote. Any warning fails.
.PHONY: galaxy-importer
galaxy-importer: build
	@echo "== galaxy-importer $(notdir $(wildcard $(BUILD)/unity-upgrade-*.tar.gz))"
	$(VPY) tests/utils/galaxy_importer_check.py $(BUILD)/unity-upgrade-*.tar.gz \
		--workdir $(BUILD)/galaxy-importer --runtime meta/runtime.yml

# ansible-builder without a container engine: the build context of docs/execution-environment.yml,
# and what the image build would read from the collection (meta/execution-environment.yml).
.PHONY: ee-check
ee-check: build
	@echo "== ansible-builder create and introspect"
	@tests/utils/ee_check.sh $(VENV) $(BUILD) $(INSTALL_ROOT)

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
e2e: build browser-tools
	@echo "== e2e tests (ANSIBLE_COLLECTIONS_PATH=$(INSTALL_ROOT))"
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH \
		tests/utils/pytest_dirs.sh $(VPY) tests/e2e -- $(PYTEST_OPTS) $(E2E_PYTEST_OPTS) -p no:cacheprovider

# antsibull-changelog: changelogs/config.yaml keeps the fragments (keep_fragments); each
# one is listed under its release in changelogs/changelog.yaml once `make changelog` folded it.
.PHONY: changelog-check
changelog-check: $(VENV_STAMP)
	@tests/utils/changelog_check.sh
	@$(VENV)/bin/antsibull-changelog lint
	@$(VENV)/bin/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	@PATH=$(VENV)/bin:$$PATH tests/utils/changelog_current.sh $(BUILD)/changelog-check

.PHONY: changelog
changelog: $(VENV_STAMP)
	PATH=$(VENV)/bin:$$PATH $(VENV)/bin/antsibull-changelog release --reload-plugins --refresh-fragments

# Every check runs, even after one failed; the summary says which failed and how long each took.
TEST_STEPS := changelog-check lint docs-check galaxy-importer ee-check $(addprefix sanity-,$(SANITY_CORES)) \
	units integration e2e $(addprefix playbooks-,$(PLAYBOOK_CORES))
.PHONY: test
test:
	@failed=""; times=""; begin=$$(date +%s); for step in $(TEST_STEPS); do \
		start=$$(date +%s); \
		if $(MAKE) $$step; then result=passed; else result=FAILED; failed="$$failed $$step"; fi; \
		took=$$(( $$(date +%s) - start )); times="$$times $$step=$${took}s"; \
		echo "== make $$step: $$result in $${took}s"; \
	done; \
	steps=$$(echo $(TEST_STEPS) | wc -w); nfailed=$$(echo $$failed | wc -w); \
	echo "== make test: step times:$$times"; \
	echo "== make test: $$(( steps - nfailed )) of $$steps steps passed in $$(( $$(date +%s) - begin ))s$${failed:+; failed:$$failed}"; \
	[ -z "$$failed" ]

# ---------------------------------------------------------------- demo, bench
.PHONY: demo
demo: build
	@tests/demo/run_demo.sh $(VENV) $(BUILD)

.PHONY: bench
# The bench's references (curl -F) and the CPU split (GNU time), from Debian when missing.
.PHONY: bench-tools
bench-tools:
	@command -v curl >/dev/null && test -x /usr/bin/time || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl time; }

# Headless Chromium for tests/e2e/test_report_timeline.py (the report as a browser lays it out),
# from Debian when missing (measured: 26 s here); a pytest run without it skips that test and says so.
.PHONY: browser-tools
browser-tools:
	@command -v chromium >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

bench: build bench-tools
	@if [ ! -f tests/bench/run.py ]; then echo "bench: tests/bench/run.py does not exist yet, nothing to run"; exit 0; fi; \
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH $(VPY) tests/bench/run.py $(BENCH_ARGS)

# ---------------------------------------------------------------- soak
# Not part of make test (tests/soak/README.md): SOAK_SCHEDULES seeded fault schedules of
# tests/e2e/test_faults.py after the 220 of make test, then tests/soak (two simulated days of
# upgrades, a 3-hour wait), each printing its figures. Both run even when the first failed.
.PHONY: soak
soak: build
	@echo "== soak: $(SOAK_SCHEDULES) fault schedules from number $(SOAK_FIRST_SCHEDULE) (tests/e2e/test_faults.py)"
	@failed=""; \
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH UNITY_FAULT_SCHEDULES=$(SOAK_SCHEDULES) \
		UNITY_FAULT_FIRST=$(SOAK_FIRST_SCHEDULE) $(VPY) -m pytest tests/e2e/test_faults.py $(PYTEST_OPTS) \
		-p no:cacheprovider || failed="fault schedules"; \
	echo "== soak: two simulated days of upgrades, a 3-hour wait (tests/soak)"; \
	PYTHONPATH=$(REPO)/tests PATH=$(VENV)/bin:$$PATH $(VPY) -m pytest tests/soak $(PYTEST_OPTS) \
		-p no:cacheprovider || failed="$$failed$${failed:+, }tests/soak"; \
	if [ -n "$$failed" ]; then echo "== soak FAILED: $$failed" >&2; exit 1; fi; \
	echo "== soak passed"

# ---------------------------------------------------------------- housekeeping
.PHONY: clean distclean
clean:
	rm -rf $(BUILD) tests/output tests/integration/integration_config.yml .pytest_cache .hypothesis changelogs/.plugin-cache.yaml
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
