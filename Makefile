# The two commands of the README: `make book` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# make book LANGS=kk,ru : some editions only (default: every edition _quarto.yml declares)
LANGS ?=
# make book STRICT=1 : the final print build (print files checked by preflight; fails on undecided gap panels,
# unset imprint fields, broken references, open audit findings)
STRICT ?=

# Every Python package of every use (build, tests, lab), pinned with the hashes of its files on PyPI: the one
# environment that builds, tests and reruns the book. `make lock` writes it from pyproject.toml (README).
LOCK := requirements.lock
LOCK_TOOL := .cache/lock-tool
UV_VERSION := 0.13.9
LOCK_PYTHON := 3.10
PYPI := https://pypi.org/simple
# wheels only; `make book WHEELS=` lets pip build a package from its (hash-checked) source where PyPI has no wheel
WHEELS ?= --only-binary :all:

.PHONY: book test check gaps clean lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# the lock as it is (only wheels, every file checked against its hash), then the project on top without
# touching the pins, then the notebooks' kernel and Jupyter's settings inside .venv (report kernel)
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes $(WHEELS) -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/report kernel
	touch $@

# one environment for every use: the test and lab extras are in the lock
$(VENV)/.installed-test $(VENV)/.installed-lab: $(VENV)/.installed
	touch $@

# make lab [LAB_LANG=ru] : JupyterLab on one edition's notebooks, with the project's kernel registered in .venv
LAB_LANG ?= kk
.PHONY: lab
lab: $(VENV)/.installed-lab
	$(BIN)/report build --lang $(LAB_LANG)
	$(BIN)/report lab --lang $(LAB_LANG)

book: $(VENV)/.installed
	$(BIN)/report build $(if $(LANGS),--lang $(LANGS)) $(if $(STRICT),--strict)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

check: $(VENV)/.installed
	$(BIN)/report check

gaps: $(VENV)/.installed
	$(BIN)/report gaps

# make lock: the lock again from pyproject.toml, keeping every pin that still satisfies it (after editing the
# dependencies); make lock-upgrade: every package to its newest release (then rebuild, `report verify`, commit)
$(LOCK_TOOL)/bin/uv:
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install -q uv==$(UV_VERSION)

lock: $(LOCK_TOOL)/bin/uv
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --extra test --extra lab --universal \
	  --python-version $(LOCK_PYTHON) --generate-hashes --no-config --index-url $(PYPI) \
	  --custom-compile-command "make lock" $(UPGRADE) -o $(LOCK)
	cp $(LOCK) binder/requirements.txt

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf output/kk output/ru .cache
