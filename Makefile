# The two commands of the README: `make book` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANGS ?= kk,ru
# make book STRICT=1 : the final print build (print files checked by preflight; fails on undecided gap panels,
# unset imprint fields, broken references, open audit findings)
STRICT ?=

.PHONY: book test check gaps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-lab: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[lab]'
	touch $@

# make lab [LAB_LANG=ru] : JupyterLab on one edition's notebooks, with the project's kernel registered in .venv
LAB_LANG ?= kk
.PHONY: lab
lab: $(VENV)/.installed-lab
	$(BIN)/report build --lang $(LAB_LANG)
	$(BIN)/report lab --lang $(LAB_LANG)

book: $(VENV)/.installed
	$(BIN)/report build --lang $(LANGS) $(if $(STRICT),--strict)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

check: $(VENV)/.installed
	$(BIN)/report check

gaps: $(VENV)/.installed
	$(BIN)/report gaps

clean:
	rm -rf output/kk output/ru .cache
