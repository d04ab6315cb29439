# One entry point for people and CI: every target creates .venv and installs the project first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo test test-fast gui bench screenshots package clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/zoho-bulk demo

# ruff, then mypy over app/ as [tool.mypy] in pyproject.toml says (strict on app/zoho and app/jobs), then pytest.
test: $(STAMP)
	$(BIN)/ruff check app tests packaging
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The tests not marked slow (no child processes, crashes, big files or GUI end-to-end runs): under a minute.
test-fast: $(STAMP)
	$(BIN)/ruff check app tests packaging
	$(BIN)/python -m pytest -q -m "not slow"

gui: $(STAMP)
	env -u QT_QPA_PLATFORM $(BIN)/zoho-bulk gui

screenshots: $(STAMP)
	$(BIN)/python -m app.gui.screenshots

bench: $(STAMP)
	$(BIN)/python -m tests.perf $(BENCH)

# The desktop bundle dist/zoho-bulk/ (Linux; dist/zoho-bulk.app on macOS) with PyInstaller from the
# `package` extra; Windows: packaging/build-windows.ps1. Size and build time are printed at the end.
PACKAGE_STAMP := $(VENV)/.package-stamp

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	PYTHON=$(BIN)/python packaging/build-$(if $(filter Darwin,$(shell uname -s)),macos,linux).sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
